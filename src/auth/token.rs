//! HS256 record tokens: claims, signing with `tokenKey + secret`, and validation.

use jsonwebtoken::{decode, Algorithm, DecodingKey, EncodingKey, Validation};
use serde::{Deserialize, Serialize};

/// The token types PocketBase issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    Auth,
    File,
    Verification,
    PasswordReset,
    EmailChange,
    /// The pre-0.23 admin API shim's superuser token (`/api/admins/*`): signed like an auth token, its
    /// type makes old SDKs (`authStore.isAdmin`) recognise the admin.
    Admin,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Auth => "auth",
            TokenType::File => "file",
            TokenType::Verification => "verification",
            TokenType::PasswordReset => "passwordReset",
            TokenType::EmailChange => "emailChange",
            TokenType::Admin => "admin",
        }
    }
}

/// The claims of every record token (unused ones are left out of the JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    #[serde(default)]
    pub collection_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refreshable: Option<bool>,
    #[serde(default, rename = "type")]
    pub token_type: String,
}

/// base64url of `{"alg":"HS256","typ":"JWT"}`, the exact header PocketBase writes.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Signs claims with HS256 and the key `token_key + secret`.
pub fn sign(claims: &Claims, token_key: &str, secret: &str) -> Result<String, String> {
    use base64::Engine;
    let key = format!("{token_key}{secret}");
    let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    let message = format!(
        "{HEADER_B64}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(key.as_bytes()),
        Algorithm::HS256,
    )
    .map_err(|e| e.to_string())?;
    Ok(format!("{message}.{signature}"))
}

/// Builds and signs a token of `kind` valid for `duration_secs`.
pub fn new_token(
    kind: TokenType,
    record_id: &str,
    collection_id: &str,
    duration_secs: i64,
    token_key: &str,
    secret: &str,
) -> Result<String, String> {
    let claims = Claims {
        collection_id: collection_id.to_string(),
        exp: Some(chrono::Utc::now().timestamp() + duration_secs),
        id: record_id.to_string(),
        refreshable: matches!(kind, TokenType::Auth | TokenType::Admin).then_some(true),
        token_type: kind.as_str().to_string(),
        ..Default::default()
    };
    sign(&claims, token_key, secret)
}

/// Builds and signs a mail token (`verification`, `passwordReset`, `emailChange`) carrying the record's
/// current `email` and, for email changes, the `newEmail`.
pub fn new_email_token(
    kind: TokenType,
    record_id: &str,
    collection_id: &str,
    duration_secs: i64,
    email: &str,
    new_email: Option<&str>,
    key: (&str, &str),
) -> Result<String, String> {
    let claims = Claims {
        collection_id: collection_id.to_string(),
        email: Some(email.to_string()),
        exp: Some(chrono::Utc::now().timestamp() + duration_secs),
        id: record_id.to_string(),
        new_email: new_email.map(str::to_string),
        token_type: kind.as_str().to_string(),
        ..Default::default()
    };
    sign(&claims, key.0, key.1)
}

/// The claims as written, without any check (signature, expiry, ids); `None` when it is no JWT.
pub fn decode_unchecked(token: &str) -> Option<Claims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.insecure_disable_signature_validation();
    v.validate_exp = false;
    v.required_spec_claims.clear();
    decode::<Claims>(token, &DecodingKey::from_secret(b""), &v)
        .ok()
        .map(|d| d.claims)
}

/// Reads the claims without checking the signature; rejects expired tokens and missing ids.
pub fn peek(token: &str) -> Option<Claims> {
    use base64::engine::{general_purpose::URL_SAFE_NO_PAD, Engine};
    let mut parts = token.split('.');
    let (header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    #[derive(Deserialize)]
    struct Header {
        alg: String,
    }
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.alg != "HS256" {
        return None;
    }
    let c: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if let Some(exp) = c.exp {
        if exp <= chrono::Utc::now().timestamp() {
            return None;
        }
    }
    if c.id.is_empty() || c.collection_id.is_empty() || c.token_type.is_empty() {
        return None;
    }
    Some(c)
}

/// Verifies the HS256 signature with `token_key + secret`. The claims (expiry, type) are checked by
/// [`peek`], which every caller runs first; this only recomputes the signature, without parsing the
/// token a second time.
pub fn verify(token: &str, token_key: &str, secret: &str) -> bool {
    let Some((message, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let key = format!("{token_key}{secret}");
    jsonwebtoken::crypto::verify(
        signature,
        message.as_bytes(),
        &DecodingKey::from_secret(key.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_peek_verify() {
        let t = new_token(TokenType::Auth, "abc", "col", 60, "key", "secret").unwrap();
        assert!(t.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        let c = peek(&t).unwrap();
        assert_eq!(c.id, "abc");
        assert_eq!(c.refreshable, Some(true));
        assert!(verify(&t, "key", "secret"));
        assert!(!verify(&t, "key", "other"));
        // a changed payload or a missing signature fails
        let parts: Vec<&str> = t.split('.').collect();
        let other = new_token(TokenType::Auth, "xyz", "col", 60, "key", "secret").unwrap();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            other.split('.').nth(1).unwrap(),
            parts[2]
        );
        assert!(!verify(&forged, "key", "secret"));
        assert!(!verify(
            &format!("{}.{}", parts[0], parts[1]),
            "key",
            "secret"
        ));
        assert!(!verify("", "key", "secret"));
        // peek wants three parts and an HS256 header
        use base64::engine::{general_purpose::URL_SAFE_NO_PAD, Engine};
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(peek(&format!("{none}.{}.{}", parts[1], parts[2])).is_none());
        assert!(peek(&format!("{}.{}", parts[0], parts[1])).is_none());
        assert!(peek(&format!("{t}.x")).is_none());
        assert_eq!(
            peek(&format!("{}.{}.", parts[0], parts[1])).map(|c| c.id),
            Some("abc".into())
        );
        let expired = new_token(TokenType::Auth, "abc", "col", -10, "key", "secret").unwrap();
        assert!(peek(&expired).is_none());
        assert!(peek("garbage").is_none());
        let m = new_email_token(
            TokenType::EmailChange,
            "abc",
            "col",
            60,
            "a@b.c",
            Some("n@b.c"),
            ("key", "secret"),
        )
        .unwrap();
        let c = decode_unchecked(&m).unwrap();
        assert_eq!(c.email.as_deref(), Some("a@b.c"));
        assert_eq!(c.new_email.as_deref(), Some("n@b.c"));
        assert_eq!(c.token_type, "emailChange");
        assert!(verify(&m, "key", "secret"));
    }
}
