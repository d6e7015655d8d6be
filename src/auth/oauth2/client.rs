//! The provider-facing HTTP calls: the authorize URL (with PKCE), the code exchange (Basic auth first,
//! then the credentials in the body) and the user fetch.

use super::id_token::{self, IdTokenRules};
use super::providers::{HeaderValue, UserFetch};
use super::url_query::{append_query, encode_sorted};
use super::{AuthUser, ProviderConfig, TokenSet};
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// `base64url-nopad(sha256(verifier))`, the S256 PKCE challenge.
pub fn code_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The authorize URL without a redirect: the sorted query, then the literal `&redirect_uri=` that the
/// client completes. `challenge` is `None` when PKCE is off.
pub fn auth_url(cfg: &ProviderConfig, state: &str, challenge: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("client_id", cfg.client_id.clone()),
        ("response_type", "code".into()),
        ("state", state.into()),
    ];
    if !cfg.spec.scopes.is_empty() {
        pairs.push(("scope", cfg.spec.scopes.join(" ")));
    }
    if let Some(ch) = challenge {
        pairs.push(("code_challenge", ch.into()));
        pairs.push(("code_challenge_method", "S256".into()));
    }
    for (k, v) in cfg.spec.auth_params {
        pairs.push((k, (*v).into()));
    }
    format!(
        "{}&redirect_uri=",
        append_query(&cfg.auth_url, &encode_sorted(&pairs))
    )
}

fn http() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())
}

/// Reads a token answer: JSON, or a form-encoded body (`text/plain` and urlencoded content types).
fn parse_token_body(content_type: &str, body: &[u8]) -> Result<TokenSet, String> {
    let raw: Map<String, Value> = if content_type.contains("application/x-www-form-urlencoded")
        || content_type.contains("text/plain")
    {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    } else {
        serde_json::from_slice(body).map_err(|e| e.to_string())?
    };
    let get = |k: &str| super::mapping::text(&Value::Object(raw.clone()), k);
    let access_token = get("access_token");
    if access_token.is_empty() {
        return Err("the token answer has no access_token".into());
    }
    let expiry = get("expires_in")
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .map(|s| chrono::Utc::now().timestamp() + s as i64);
    Ok(TokenSet {
        access_token,
        refresh_token: get("refresh_token"),
        id_token: get("id_token"),
        expiry,
        raw,
    })
}

async fn token_request(
    cfg: &ProviderConfig,
    form: &[(&str, &str)],
    basic: bool,
) -> Result<TokenSet, String> {
    use super::url_query::query_escape;
    let mut form: Vec<(&str, &str)> = form.to_vec();
    if !basic {
        form.push(("client_id", &cfg.client_id));
        form.push(("client_secret", &cfg.client_secret));
    }
    let mut req = http()?
        .post(&cfg.token_url)
        .header("Accept", "application/json")
        .form(&form);
    if basic {
        req = req.basic_auth(
            query_escape(&cfg.client_id),
            Some(query_escape(&cfg.client_secret)),
        );
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let ct = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("token endpoint answered {status}"));
    }
    parse_token_body(&ct, &body)
}

/// Exchanges the authorization code: client credentials as HTTP Basic first, then once more in the body.
pub async fn exchange(
    cfg: &ProviderConfig,
    code: &str,
    code_verifier: &str,
    redirect_url: &str,
) -> Result<TokenSet, String> {
    let mut form: Vec<(&str, &str)> = vec![
        ("code", code),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect_url),
    ];
    if cfg.pkce && !code_verifier.is_empty() {
        form.push(("code_verifier", code_verifier));
    }
    match token_request(cfg, &form, true).await {
        Ok(t) => Ok(t),
        Err(first) => token_request(cfg, &form, false)
            .await
            .map_err(|second| format!("{first}; then {second}")),
    }
}

async fn get_json(req: reqwest::RequestBuilder) -> Result<Value, String> {
    let resp = req
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("user endpoint answered {status}"));
    }
    resp.json().await.map_err(|e| e.to_string())
}

fn id_token_rules(cfg: &ProviderConfig) -> IdTokenRules {
    let extra = Value::Object(cfg.extra.clone());
    let mut issuers: Vec<String> = extra
        .get("issuers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if issuers.is_empty() {
        issuers = cfg.spec.issuers.iter().map(|s| s.to_string()).collect();
    }
    let mut jwks_url = super::mapping::text(&extra, "jwksURL");
    if jwks_url.is_empty() {
        jwks_url = cfg.spec.jwks_url.to_string();
    }
    IdTokenRules {
        client_id: cfg.client_id.clone(),
        issuers,
        jwks_url,
    }
}

/// The provider's raw user JSON.
async fn raw_user(cfg: &ProviderConfig, t: &TokenSet) -> Result<Value, String> {
    let client = http()?;
    let fetch = match cfg.spec.fetch {
        UserFetch::Get(_) if cfg.user_info_url.is_empty() => UserFetch::IdToken,
        other => other,
    };
    match fetch {
        UserFetch::Get(headers) => {
            let mut req = client.get(&cfg.user_info_url).bearer_auth(&t.access_token);
            for (name, value) in headers {
                req = req.header(
                    *name,
                    match value {
                        HeaderValue::Fixed(v) => v.to_string(),
                        HeaderValue::ClientId => cfg.client_id.clone(),
                    },
                );
            }
            get_json(req).await
        }
        UserFetch::GetOAuthScheme => {
            let auth = format!("OAuth {}", t.access_token);
            get_json(client.get(&cfg.user_info_url).header("Authorization", auth)).await
        }
        UserFetch::GraphQl(query) => {
            let req = client
                .post(&cfg.user_info_url)
                .bearer_auth(&t.access_token)
                .json(&serde_json::json!({ "query": query }));
            get_json(req).await
        }
        UserFetch::IdToken => id_token::verify(&t.id_token, &id_token_rules(cfg))
            .await
            .map(Value::Object),
    }
}

/// Fetches the user behind the tokens and maps it to an `AuthUser`.
pub async fn fetch_user(cfg: &ProviderConfig, t: &TokenSet) -> Result<AuthUser, String> {
    let raw = raw_user(cfg, t).await?;
    let Value::Object(raw_map) = &raw else {
        return Err("the user answer is not a JSON object".into());
    };
    let mut user = (cfg.spec.map)(&raw, t);
    if user.id.is_empty() {
        return Err("the provider reported no user id".into());
    }
    if let (true, Some(lookup)) = (user.email.is_empty(), cfg.spec.emails) {
        let req = http()?.get(lookup.url).bearer_auth(&t.access_token);
        if let Ok(list) = get_json(req).await {
            user.email = (lookup.pick)(&list).unwrap_or_default();
        }
    }
    user.access_token = t.access_token.clone();
    user.refresh_token = t.refresh_token.clone();
    user.expiry = t.expiry;
    user.raw_user = raw_map.clone();
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::auth_options::OAuth2Provider;

    fn cfg(name: &str) -> ProviderConfig {
        ProviderConfig::from_options(&OAuth2Provider {
            name: name.into(),
            client_id: "cid".into(),
            client_secret: "sec".into(),
            ..OAuth2Provider::default()
        })
        .unwrap()
    }

    #[test]
    fn challenge_is_base64url_sha256() {
        // a pair PocketBase 0.40.6 returned from auth-methods
        assert_eq!(
            code_challenge("z0ujA7uR4h9Xu1z58ui39sCH6eTx1C0SRoBJy8wVdz7"),
            "xiefwZQ8xO8hgSX_p6ldBOzUTmynErnULYWrrDSrz14"
        );
    }

    #[test]
    fn auth_url_matches_pocketbase_layout() {
        assert_eq!(
            auth_url(&cfg("github"), "S", Some("C")),
            "https://github.com/login/oauth/authorize?client_id=cid&code_challenge=C&code_challenge_method=S256&response_type=code&scope=read%3Auser+user%3Aemail&state=S&redirect_uri="
        );
        assert_eq!(
            auth_url(&cfg("apple"), "S", Some("C")),
            "https://appleid.apple.com/auth/authorize?client_id=cid&code_challenge=C&code_challenge_method=S256&response_mode=form_post&response_type=code&scope=name+email&state=S&redirect_uri="
        );
        assert_eq!(
            auth_url(&cfg("bitbucket"), "S", None),
            "https://bitbucket.org/site/oauth2/authorize?client_id=cid&response_type=code&scope=account&state=S&redirect_uri="
        );
        assert_eq!(
            auth_url(&cfg("lark"), "S", None),
            "https://accounts.feishu.cn/open-apis/authen/v1/authorize?client_id=cid&response_type=code&state=S&redirect_uri="
        );
        assert_eq!(
            auth_url(&cfg("mailcow"), "S", None),
            "?client_id=cid&response_type=code&scope=profile&state=S&redirect_uri="
        );
    }

    #[test]
    fn token_answers_parse_as_json_or_form() {
        let t = parse_token_body(
            "application/json",
            br#"{"access_token":"a","refresh_token":"r","expires_in":3600,"id_token":"i"}"#,
        )
        .unwrap();
        assert_eq!(
            (
                t.access_token.as_str(),
                t.refresh_token.as_str(),
                t.id_token.as_str()
            ),
            ("a", "r", "i")
        );
        assert!(t.expiry.unwrap() > chrono::Utc::now().timestamp() + 3500);
        let f = parse_token_body("text/plain", b"access_token=x&scope=user").unwrap();
        assert_eq!(f.access_token, "x");
        assert_eq!(f.expiry, None);
        assert!(parse_token_body("application/json", br#"{"error":"bad"}"#).is_err());
    }
}
