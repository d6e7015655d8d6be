//! `GET /api/collections/{c}/auth-methods`: the enabled sign-in methods of an auth collection, each OAuth2
//! provider with a fresh state and PKCE pair, plus the legacy keys of v0.22 SDKs.

use crate::auth::oauth2::client::{auth_url, code_challenge};
use crate::auth::oauth2::{logo, ProviderConfig};
use crate::model::auth_options::{random_secret, AuthOptions};
use crate::model::Collection;
use serde_json::{json, Value};

/// One provider entry: name, display name, logo, state, auth URL (twice) and the PKCE triple.
fn provider_info(cfg: &ProviderConfig, name: &str) -> Value {
    let state = random_secret(30);
    let (verifier, challenge, method) = if cfg.pkce {
        let v = random_secret(43);
        let ch = code_challenge(&v);
        (v, ch, "S256")
    } else {
        (String::new(), String::new(), "")
    };
    let url = auth_url(cfg, &state, cfg.pkce.then_some(challenge.as_str()));
    let display = if cfg.display_name.is_empty() {
        name.to_string()
    } else {
        cfg.display_name.clone()
    };
    json!({
        "name": name,
        "displayName": display,
        "logo": logo::badge(name, &display),
        "state": state,
        "authURL": url,
        "authUrl": url,
        "codeVerifier": verifier,
        "codeChallenge": challenge,
        "codeChallengeMethod": method,
    })
}

fn duration_if(enabled: bool, d: i64) -> i64 {
    if enabled {
        d
    } else {
        0
    }
}

/// The auth-methods answer for an auth collection.
pub fn auth_methods(c: &Collection) -> Value {
    let default = AuthOptions::default();
    let a = c.auth.as_ref().unwrap_or(&default);
    let identity: Vec<String> = if a.password_auth.enabled {
        a.password_auth.identity_fields.clone()
    } else {
        Vec::new()
    };
    let providers: Vec<Value> = if a.oauth2.enabled {
        a.oauth2
            .providers
            .iter()
            .filter_map(|p| ProviderConfig::from_options(p).map(|cfg| provider_info(&cfg, &p.name)))
            .collect()
    } else {
        Vec::new()
    };
    let legacy: Vec<Value> = providers
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p["logo"] = Value::String(String::new());
            p
        })
        .collect();
    let has = |f: &str| identity.iter().any(|x| x == f);
    json!({
        "password": {"identityFields": identity, "enabled": a.password_auth.enabled},
        "oauth2": {"providers": providers, "enabled": a.oauth2.enabled},
        "mfa": {"enabled": a.mfa.enabled, "duration": duration_if(a.mfa.enabled, a.mfa.duration)},
        "otp": {"enabled": a.otp.enabled, "duration": duration_if(a.otp.enabled, a.otp.duration)},
        "authProviders": legacy,
        "usernamePassword": has("username"),
        "emailPassword": has("email"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::auth_options::OAuth2Provider;
    use crate::model::system_collections;

    fn users() -> Collection {
        system_collections::system_collections()
            .into_iter()
            .find(|c| c.name == "users")
            .expect("users collection")
    }

    #[test]
    fn defaults_match_the_verified_shape() {
        let v = auth_methods(&users());
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"password":{"identityFields":["email"],"enabled":true},"oauth2":{"providers":[],"enabled":false},"mfa":{"enabled":false,"duration":0},"otp":{"enabled":false,"duration":0},"authProviders":[],"usernamePassword":false,"emailPassword":true}"#
        );
    }

    #[test]
    fn providers_carry_state_and_pkce() {
        let mut c = users();
        let a = c.auth.as_mut().unwrap();
        a.oauth2.enabled = true;
        a.mfa.enabled = true;
        for name in ["github", "vk", "nope"] {
            a.oauth2.providers.push(OAuth2Provider {
                name: name.into(),
                client_id: "cid".into(),
                client_secret: "s".into(),
                ..OAuth2Provider::default()
            });
        }
        let v = auth_methods(&c);
        assert_eq!(v["mfa"]["duration"], 600);
        let list = v["oauth2"]["providers"].as_array().unwrap();
        assert_eq!(list.len(), 2, "an unknown provider is left out");
        let gh = &list[0];
        let verifier = gh["codeVerifier"].as_str().unwrap();
        assert_eq!(verifier.len(), 43);
        assert_eq!(gh["codeChallenge"], code_challenge(verifier));
        assert_eq!(gh["state"].as_str().unwrap().len(), 30);
        assert!(gh["authURL"].as_str().unwrap().ends_with("&redirect_uri="));
        assert_eq!(gh["authURL"], gh["authUrl"]);
        assert_eq!(list[1]["codeVerifier"], "");
        assert_eq!(list[1]["codeChallengeMethod"], "");
        assert_eq!(v["authProviders"][0]["logo"], "");
        assert_ne!(v["oauth2"]["providers"][0]["logo"], "");
    }
}
