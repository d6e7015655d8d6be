//! The options of auth collections (flattened into the collection JSON), with their defaults and templates.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailTemplate {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthAlertConfig {
    pub enabled: bool,
    pub email_template: EmailTemplate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OAuth2Provider {
    pub pkce: Option<bool>,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(rename = "authURL")]
    pub auth_url: String,
    #[serde(rename = "tokenURL")]
    pub token_url: String,
    #[serde(rename = "userInfoURL")]
    pub user_info_url: String,
    pub display_name: String,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuth2MappedFields {
    pub id: String,
    pub name: String,
    pub username: String,
    #[serde(rename = "avatarURL")]
    pub avatar_url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OAuth2Config {
    pub providers: Vec<OAuth2Provider>,
    pub mapped_fields: OAuth2MappedFields,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PasswordAuthConfig {
    pub enabled: bool,
    pub identity_fields: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MfaConfig {
    pub enabled: bool,
    pub duration: i64,
    pub rule: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OtpConfig {
    pub enabled: bool,
    pub duration: i64,
    pub length: i64,
    pub email_template: EmailTemplate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenConfig {
    pub secret: String,
    pub duration: i64,
}

/// Anonymous sign-in (Ferrobase only, not in PocketBase): `POST …/auth-anonymously` creates a guest
/// account. Written to the JSON only when enabled, so other collections look exactly like PocketBase's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnonymousAuthConfig {
    pub enabled: bool,
}

impl AnonymousAuthConfig {
    fn is_off(&self) -> bool {
        !self.enabled
    }
}

/// The email domain of anonymous accounts (`.invalid` is reserved: no address there can exist).
pub const ANONYMOUS_EMAIL_DOMAIN: &str = "anonymous.invalid";

/// Everything an auth collection stores in `_collections.options`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthOptions {
    pub auth_rule: Option<String>,
    pub manage_rule: Option<String>,
    pub auth_alert: AuthAlertConfig,
    pub oauth2: OAuth2Config,
    pub password_auth: PasswordAuthConfig,
    pub mfa: MfaConfig,
    pub otp: OtpConfig,
    pub auth_token: TokenConfig,
    pub password_reset_token: TokenConfig,
    pub email_change_token: TokenConfig,
    pub verification_token: TokenConfig,
    pub file_token: TokenConfig,
    pub verification_template: EmailTemplate,
    pub reset_password_template: EmailTemplate,
    pub confirm_email_change_template: EmailTemplate,
    #[serde(skip_serializing_if = "AnonymousAuthConfig::is_off")]
    pub anonymous_auth: AnonymousAuthConfig,
}

impl Default for AuthOptions {
    fn default() -> Self {
        let token = |duration| TokenConfig {
            secret: random_secret(50),
            duration,
        };
        AuthOptions {
            auth_rule: Some(String::new()),
            manage_rule: None,
            auth_alert: AuthAlertConfig {
                enabled: true,
                email_template: template(
                    "Login from a new location",
                    "<p>Hi,</p>\n<p>Your {APP_NAME} account was just used to sign in from a device or place we have not seen before:</p>\n<p><em>{ALERT_INFO}</em></p>\n<p><strong>If that was not you, change your {APP_NAME} password right away; doing so signs out every other session.</strong></p>\n<p>If it was you, nothing needs to be done.</p>\n<p>\n  Regards,<br/>\n  The {APP_NAME} team\n</p>",
                ),
            },
            oauth2: OAuth2Config::default(),
            password_auth: PasswordAuthConfig {
                enabled: true,
                identity_fields: vec!["email".into()],
            },
            mfa: MfaConfig {
                enabled: false,
                duration: 600,
                rule: String::new(),
            },
            otp: OtpConfig {
                enabled: false,
                duration: 180,
                length: 8,
                email_template: template(
                    "OTP for {APP_NAME}",
                    "<p>Hi,</p>\n<p>Your one-time sign-in code is <strong>{OTP}</strong>.</p>\n<p><i>Did not request a code? You can safely ignore this message.</i></p>\n<p>\n  Regards,<br/>\n  The {APP_NAME} team\n</p>",
                ),
            },
            auth_token: token(432000),
            password_reset_token: token(1800),
            email_change_token: token(1800),
            verification_token: token(86400),
            file_token: token(180),
            verification_template: template(
                "Verify your {APP_NAME} email",
                "<p>Hi,</p>\n<p>Welcome to {APP_NAME}! Please confirm that this email address is yours.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-verification/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Confirm email</a>\n</p>\n<p><i>If you did not sign up, you can ignore this message.</i></p>\n<p>\n  Regards,<br/>\n  The {APP_NAME} team\n</p>",
            ),
            reset_password_template: template(
                "Reset your {APP_NAME} password",
                "<p>Hi,</p>\n<p>Use the button below to choose a new password.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Choose a new password</a>\n</p>\n<p><i>If you did not ask for a password reset, you can ignore this message.</i></p>\n<p>\n  Regards,<br/>\n  The {APP_NAME} team\n</p>",
            ),
            confirm_email_change_template: template(
                "Confirm your {APP_NAME} new email address",
                "<p>Hi,</p>\n<p>Use the button below to confirm your new email address.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Confirm new email</a>\n</p>\n<p><i>If you did not ask to change your email address, you can ignore this message.</i></p>\n<p>\n  Regards,<br/>\n  The {APP_NAME} team\n</p>",
            ),
            anonymous_auth: AnonymousAuthConfig::default(),
        }
    }
}

fn template(subject: &str, body: &str) -> EmailTemplate {
    EmailTemplate {
        subject: subject.into(),
        body: body.into(),
    }
}

/// Random text from `[A-Za-z0-9]`.
pub fn random_secret(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// Random text from `[a-z0-9]` (record-style ids).
pub fn random_id(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// The token configs by their JSON key, for validation and secret masking.
pub const TOKEN_KEYS: [&str; 5] = [
    "authToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
    "fileToken",
];

/// Removes every secret (token secrets, OAuth2 client secrets) from an options JSON object.
pub fn strip_secrets(options: &mut Map<String, Value>) {
    for key in TOKEN_KEYS {
        if let Some(Value::Object(t)) = options.get_mut(key) {
            t.remove("secret");
        }
    }
    if let Some(Value::Object(o)) = options.get_mut("oauth2") {
        if let Some(Value::Array(providers)) = o.get_mut("providers") {
            for p in providers {
                if let Value::Object(p) = p {
                    p.remove("clientSecret");
                }
            }
        }
    }
}
