//! OAuth2 sign-in primitives: the built-in provider registry, the authorize URL with PKCE, the code
//! exchange, the user fetch (or OIDC `id_token` verification) and the SSRF-safe avatar download.

pub mod client;
pub mod id_token;
pub mod logo;
pub mod mapping;
pub mod providers;
pub mod safe_fetch;
pub mod url_query;

use serde_json::{Map, Value};

pub use providers::{find, ProviderSpec, PROVIDERS};

/// The user as every provider reports it, mapped to PocketBase's common shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthUser {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub avatar_url: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Unix seconds; `None` when the provider gave no `expires_in`.
    pub expiry: Option<i64>,
    /// The provider's user JSON as received.
    pub raw_user: Map<String, Value>,
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: String,
    pub id_token: String,
    /// Unix seconds, from `expires_in`.
    pub expiry: Option<i64>,
    /// Every key of the answer (VK sends the email here).
    pub raw: Map<String, Value>,
}

/// One configured provider: the built-in spec with the collection's overrides applied.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub spec: &'static ProviderSpec,
    pub client_id: String,
    pub client_secret: String,
    pub display_name: String,
    pub auth_url: String,
    pub token_url: String,
    pub user_info_url: String,
    pub pkce: bool,
    pub extra: Map<String, Value>,
}

impl ProviderConfig {
    /// Applies a collection's `oauth2.providers[]` entry over the built-in defaults; `None` for an unknown
    /// provider name.
    pub fn from_options(p: &crate::model::auth_options::OAuth2Provider) -> Option<ProviderConfig> {
        let spec = find(&p.name)?;
        let or = |custom: &str, default: &str| {
            if custom.is_empty() {
                default.to_string()
            } else {
                custom.to_string()
            }
        };
        Some(ProviderConfig {
            spec,
            client_id: p.client_id.clone(),
            client_secret: p.client_secret.clone(),
            display_name: or(&p.display_name, spec.display_name),
            auth_url: or(&p.auth_url, spec.auth_url),
            token_url: or(&p.token_url, spec.token_url),
            user_info_url: or(&p.user_info_url, spec.user_info_url),
            pkce: p.pkce.unwrap_or(spec.pkce),
            extra: p.extra.clone(),
        })
    }
}
