//! OIDC `id_token` checks: audience = clientId, `exp`/`iat` with the `PB_ID_TOKEN_LEEWAY` leeway,
//! optionally `iss` ∈ issuers and the signature against a JWKS URL.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::time::Duration;

/// What an `id_token` is checked against.
#[derive(Debug, Clone, Default)]
pub struct IdTokenRules {
    pub client_id: String,
    pub issuers: Vec<String>,
    pub jwks_url: String,
}

/// The clock leeway in seconds: `PB_ID_TOKEN_LEEWAY` when set to a number, else 5 minutes.
pub fn leeway() -> u64 {
    std::env::var("PB_ID_TOKEN_LEEWAY")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(300)
}

fn validation(alg: jsonwebtoken::Algorithm, rules: &IdTokenRules) -> Validation {
    let mut v = Validation::new(alg);
    v.set_audience(&[rules.client_id.as_str()]);
    v.leeway = leeway();
    v.validate_exp = true;
    if !rules.issuers.is_empty() {
        v.set_issuer(&rules.issuers);
    }
    v
}

/// Fetches the JWKS and returns the key for `kid` (or the only key when the token names none).
async fn jwks_key(url: &str, kid: Option<&str>) -> Result<DecodingKey, String> {
    let set: JwkSet = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let jwk = match kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
    .ok_or("no matching JWKS key")?;
    DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())
}

/// Verifies `token` and returns its claims.
pub async fn verify(token: &str, rules: &IdTokenRules) -> Result<Map<String, Value>, String> {
    if token.is_empty() {
        return Err("missing id_token".into());
    }
    let header = decode_header(token).map_err(|e| e.to_string())?;
    let mut v = validation(header.alg, rules);
    let key = if rules.jwks_url.is_empty() {
        v.insecure_disable_signature_validation();
        DecodingKey::from_secret(&[])
    } else {
        jwks_key(&rules.jwks_url, header.kid.as_deref()).await?
    };
    let data = decode::<Map<String, Value>>(token, &key, &v).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().timestamp();
    if let Some(iat) = data.claims.get("iat").and_then(Value::as_i64) {
        if iat > now + leeway() as i64 {
            return Err("id_token issued in the future".into());
        }
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    fn token(claims: Value) -> String {
        encode(&Header::default(), &claims, &EncodingKey::from_secret(b"k")).unwrap()
    }

    fn rules() -> IdTokenRules {
        IdTokenRules {
            client_id: "client".into(),
            ..IdTokenRules::default()
        }
    }

    #[tokio::test]
    async fn checks_audience_expiry_iat_and_issuer() {
        let now = chrono::Utc::now().timestamp();
        let good =
            json!({"sub": "1", "aud": "client", "exp": now + 60, "iat": now, "iss": "https://idp"});
        assert_eq!(
            verify(&token(good.clone()), &rules()).await.unwrap()["sub"],
            "1"
        );
        let list_aud = json!({"sub": "1", "aud": ["x", "client"], "exp": now + 60});
        assert!(verify(&token(list_aud), &rules()).await.is_ok());
        let wrong_aud = json!({"sub": "1", "aud": "other", "exp": now + 60});
        assert!(verify(&token(wrong_aud), &rules()).await.is_err());
        let expired = json!({"sub": "1", "aud": "client", "exp": now - 3600});
        assert!(verify(&token(expired), &rules()).await.is_err());
        let future = json!({"sub": "1", "aud": "client", "exp": now + 9000, "iat": now + 3600});
        assert!(verify(&token(future), &rules()).await.is_err());
        let mut with_iss = rules();
        with_iss.issuers = vec!["https://other".into()];
        assert!(verify(&token(good.clone()), &with_iss).await.is_err());
        with_iss.issuers.push("https://idp".into());
        assert!(verify(&token(good), &with_iss).await.is_ok());
        assert!(verify("", &rules()).await.is_err());
        assert!(verify("not.a.jwt", &rules()).await.is_err());
    }
}
