//! App settings (`GET/PATCH /api/settings`, `_params` row `settings`): the model, fresh-install defaults, stored and public JSON, PATCH merging and validation.
//!
//! JSON decoding (`from_stored`, `apply_patch`) follows the original's decoder: objects merge key by key,
//! arrays are rebuilt from zeroed elements, `null` resets a value to its zero value, keys match exactly
//! or else case-insensitively ignoring `_` and `-`, unknown keys are ignored, and two keys that land on
//! the same field are an error. The validators live in `settings_validate.rs` (included below with
//! `#[path]`, so it must not be declared in `model/mod.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[path = "settings_validate.rs"]
mod validate;

pub use validate::{
    cron_error, is_valid_cron, is_valid_email, is_valid_host, is_valid_ip_or_cidr, is_valid_url,
    parse_cron, CronSchedule,
};

/// `audience` of a rate limit rule that only applies to requests without auth.
pub const AUDIENCE_GUEST: &str = "@guest";
/// `audience` of a rate limit rule that only applies to authenticated requests.
pub const AUDIENCE_AUTH: &str = "@auth";

/// Why a PATCH body (or [`parse_patch_body`] input) could not be loaded. The API answers all of
/// these with 400 and empty `data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsPatchError {
    /// The body is not valid JSON (only from [`parse_patch_body`]).
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// A value has the wrong JSON type (e.g. a string for `smtp.port`, `3.5` for an integer).
    #[error("{path}: expected {expected}")]
    InvalidType {
        path: String,
        expected: &'static str,
    },
    /// Two keys of one object name the same field (`port` and `Port`, `localName` and `local_name`).
    /// (A key repeated verbatim is caught by [`parse_patch_body`], as a `Syntax` error.)
    #[error("{path}: duplicate name {name:?}")]
    DuplicateName { path: String, name: String },
}

/// Decoding context: the current path (for error messages) and whether type errors are fatal.
struct Cx {
    strict: bool,
    path: Vec<String>,
}

impl Cx {
    fn path(&self) -> String {
        self.path.join(".")
    }

    /// A value of the wrong type: an error when strict, otherwise the target is left unchanged.
    fn mismatch(&self, expected: &'static str) -> Result<(), SettingsPatchError> {
        if self.strict {
            Err(SettingsPatchError::InvalidType {
                path: self.path(),
                expected,
            })
        } else {
            Ok(())
        }
    }
}

/// A value that can be decoded over an existing one.
trait Merge: Sized {
    /// The value `null` decodes to.
    fn zero() -> Self;
    fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError>;
}

impl Merge for String {
    fn zero() -> Self {
        String::new()
    }
    fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError> {
        match v {
            Value::Null => self.clear(),
            Value::String(s) => s.clone_into(self),
            _ => return cx.mismatch("a string"),
        }
        Ok(())
    }
}

impl Merge for i64 {
    fn zero() -> Self {
        0
    }
    fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError> {
        match v {
            Value::Null => *self = 0,
            // Only integer literals: `3.0`, `1e2` and out-of-range values are rejected.
            Value::Number(n) => match n.as_i64() {
                Some(i) => *self = i,
                None => return cx.mismatch("an integer"),
            },
            _ => return cx.mismatch("an integer"),
        }
        Ok(())
    }
}

impl Merge for bool {
    fn zero() -> Self {
        false
    }
    fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError> {
        match v {
            Value::Null => *self = false,
            Value::Bool(b) => *self = *b,
            _ => return cx.mismatch("a boolean"),
        }
        Ok(())
    }
}

impl<T: Merge> Merge for Vec<T> {
    fn zero() -> Self {
        Vec::new()
    }
    /// Arrays replace the old list wholesale; each element is decoded over a zero value.
    fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError> {
        match v {
            Value::Null => self.clear(),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    cx.path.push(i.to_string());
                    let mut el = T::zero();
                    el.merge(item, cx)?;
                    cx.path.pop();
                    out.push(el);
                }
                *self = out;
            }
            _ => return cx.mismatch("an array"),
        }
        Ok(())
    }
}

/// Folds a key for the case-insensitive match: `_` and `-` dropped, letters upper-cased
/// (including the two non-ASCII letters that fold to ASCII ones).
fn fold_name(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| match c {
            '\u{017F}' => 'S',
            '\u{212A}' => 'K',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The field a JSON key decodes into: the exact name first, then the folded one.
fn field_index(names: &[&str], key: &str) -> Option<usize> {
    names.iter().position(|n| *n == key).or_else(|| {
        let folded = fold_name(key);
        names.iter().position(|n| fold_name(n) == folded)
    })
}

/// Defines a settings section: the struct (with explicit JSON names), its `Default` (the given
/// fresh-install values) and its `Merge` decoder.
macro_rules! section {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $(#[$fattr:meta])* $field:ident : $ty:ty = $json:literal => $default:expr, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            $( $(#[$fattr])* #[serde(rename = $json)] pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl Merge for $name {
            fn zero() -> Self {
                Self { $( $field: <$ty as Merge>::zero(), )* }
            }

            fn merge(&mut self, v: &Value, cx: &mut Cx) -> Result<(), SettingsPatchError> {
                const NAMES: &[&str] = &[$($json),*];
                let obj = match v {
                    Value::Null => {
                        *self = Self::zero();
                        return Ok(());
                    }
                    Value::Object(obj) => obj,
                    _ => return cx.mismatch("an object"),
                };
                let mut seen = [false; NAMES.len()];
                for (key, val) in obj {
                    let Some(i) = field_index(NAMES, key) else { continue };
                    if std::mem::replace(&mut seen[i], true) && cx.strict {
                        return Err(SettingsPatchError::DuplicateName { path: cx.path(), name: key.clone() });
                    }
                    cx.path.push(NAMES[i].to_string());
                    match NAMES[i] {
                        $( $json => self.$field.merge(val, cx)?, )*
                        _ => {}
                    }
                    cx.path.pop();
                }
                Ok(())
            }
        }
    };
}

section! {
    /// All app settings. Field order is the JSON key order of GET /api/settings and of the stored row.
    pub struct Settings {
        superuser_ips: Vec<String> = "superuserIPs" => Vec::new(),
        smtp: SmtpConfig = "smtp" => SmtpConfig::default(),
        backups: BackupsConfig = "backups" => BackupsConfig::default(),
        s3: S3Config = "s3" => S3Config::default(),
        meta: MetaConfig = "meta" => MetaConfig::default(),
        rate_limits: RateLimitsConfig = "rateLimits" => RateLimitsConfig::default(),
        trusted_proxy: TrustedProxyConfig = "trustedProxy" => TrustedProxyConfig::default(),
        batch: BatchConfig = "batch" => BatchConfig::default(),
        logs: LogsConfig = "logs" => LogsConfig::default(),
    }
}

section! {
    /// Outgoing mail. `password` is write-only (never in API responses) but always stored.
    pub struct SmtpConfig {
        enabled: bool = "enabled" => false,
        port: i64 = "port" => 587,
        host: String = "host" => "smtp.example.com".into(),
        username: String = "username" => String::new(),
        password: String = "password" => String::new(),
        /// `""` (means PLAIN), `PLAIN` or `LOGIN`.
        auth_method: String = "authMethod" => String::new(),
        /// true = implicit TLS; false = STARTTLS when offered.
        tls: bool = "tls" => false,
        local_name: String = "localName" => String::new(),
    }
}

section! {
    /// An S3 bucket (`s3` for uploads, `backups.s3` for backups). `secret` is write-only and is
    /// stored only when non-empty.
    pub struct S3Config {
        enabled: bool = "enabled" => false,
        bucket: String = "bucket" => String::new(),
        region: String = "region" => String::new(),
        endpoint: String = "endpoint" => String::new(),
        access_key: String = "accessKey" => String::new(),
        #[serde(skip_serializing_if = "String::is_empty")]
        secret: String = "secret" => String::new(),
        force_path_style: bool = "forcePathStyle" => false,
    }
}

section! {
    /// Automatic backups.
    pub struct BackupsConfig {
        /// `""` (off), a 5-field cron expression or a macro such as `@daily`.
        cron: String = "cron" => String::new(),
        cron_max_keep: i64 = "cronMaxKeep" => 3,
        s3: S3Config = "s3" => S3Config::default(),
    }
}

section! {
    /// Application identity, used in emails and links.
    pub struct MetaConfig {
        accent_color: String = "accentColor" => "#1055c9".into(),
        app_name: String = "appName" => "Acme".into(),
        app_url: String = "appURL" => "http://localhost:8090".into(),
        sender_name: String = "senderName" => "Support".into(),
        sender_address: String = "senderAddress" => "support@example.com".into(),
        hide_controls: bool = "hideControls" => false,
    }
}

section! {
    /// Request rate limiting (04-auth.md §9).
    pub struct RateLimitsConfig {
        rules: Vec<RateLimitRule> = "rules" => default_rate_limit_rules(),
        excluded_ips: Vec<String> = "excludedIPs" => Vec::new(),
        enabled: bool = "enabled" => false,
    }
}

section! {
    /// One rate limit rule: at most `max_requests` per `duration` seconds per client IP.
    pub struct RateLimitRule {
        /// `METHOD /path`, `/path` (a trailing `/` makes a prefix), `collection:tag`, `*:tag` or `tag`.
        label: String = "label" => String::new(),
        /// `""` (everyone), [`AUDIENCE_GUEST`] or [`AUDIENCE_AUTH`].
        audience: String = "audience" => String::new(),
        duration: i64 = "duration" => 0,
        max_requests: i64 = "maxRequests" => 0,
    }
}

section! {
    /// Which proxy headers carry the real client IP.
    pub struct TrustedProxyConfig {
        headers: Vec<String> = "headers" => Vec::new(),
        use_leftmost_ip: bool = "useLeftmostIP" => false,
    }
}

section! {
    /// `POST /api/batch`.
    pub struct BatchConfig {
        enabled: bool = "enabled" => false,
        max_requests: i64 = "maxRequests" => 50,
        /// Seconds.
        timeout: i64 = "timeout" => 3,
        /// Bytes; 0 means the built-in default (about 128 MB).
        max_body_size: i64 = "maxBodySize" => 0,
    }
}

section! {
    /// Request logs.
    pub struct LogsConfig {
        /// Bytes of `data` JSON kept per entry; 0 means the built-in default (16 KiB).
        max_data_size: i64 = "maxDataSize" => 0,
        /// Retention in days; 0 turns request logging and log storage off.
        max_days: i64 = "maxDays" => 5,
        /// slog level: -4 debug, 0 info, 4 warn, 8 error.
        min_level: i64 = "minLevel" => 0,
        log_ip: bool = "logIP" => true,
        log_auth_id: bool = "logAuthId" => false,
    }
}

impl RateLimitRule {
    pub fn new(label: &str, audience: &str, duration: i64, max_requests: i64) -> Self {
        RateLimitRule {
            label: label.to_string(),
            audience: audience.to_string(),
            duration,
            max_requests,
        }
    }
}

/// The rules of a fresh install.
pub fn default_rate_limit_rules() -> Vec<RateLimitRule> {
    vec![
        RateLimitRule::new("*:auth", "", 3, 2),
        RateLimitRule::new("*:create", "", 5, 20),
        RateLimitRule::new("/api/batch", "", 1, 3),
        RateLimitRule::new("/api/", "", 10, 300),
    ]
}

impl Settings {
    /// Reads the stored settings JSON (the `_params` row, secrets included). Lenient: missing sections
    /// and keys keep their defaults, values of the wrong type are skipped, unknown keys are ignored.
    pub fn from_stored(v: &Value) -> Settings {
        let mut s = Settings::default();
        let mut cx = Cx {
            strict: false,
            path: Vec::new(),
        };
        if v.is_object() {
            // Never fails when not strict.
            let _ = s.merge(v, &mut cx);
        }
        s
    }

    /// The JSON to store, secrets included, with the original's keys (so it can read it back).
    pub fn to_stored(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The API shape: like [`Settings::to_stored`] without `smtp.password`, `s3.secret` and
    /// `backups.s3.secret` (the keys are left out).
    pub fn to_public(&self) -> Value {
        let mut v = self.to_stored();
        for (section, key) in [("smtp", "password"), ("s3", "secret")] {
            if let Some(Value::Object(m)) = v.get_mut(section) {
                m.shift_remove(key);
            }
        }
        if let Some(Value::Object(m)) = v.get_mut("backups").and_then(|b| b.get_mut("s3")) {
            m.shift_remove("secret");
        }
        v
    }

    /// Decodes a PATCH body over a copy of these settings (not validated; call [`Settings::validate`]).
    /// A secret left out keeps its value, `""` or `null` clears it. Errors mean the body could not be
    /// loaded at all (the original answers 400 `An error occurred while loading the submitted data.`).
    pub fn apply_patch(&self, patch: &Value) -> Result<Settings, SettingsPatchError> {
        if !patch.is_object() {
            return Err(SettingsPatchError::InvalidType {
                path: String::new(),
                expected: "an object",
            });
        }
        let mut s = self.clone();
        let mut cx = Cx {
            strict: true,
            path: Vec::new(),
        };
        s.merge(patch, &mut cx)?;
        Ok(s)
    }

    /// Checks every rule; the error tree is keyed like the JSON (`rateLimits.rules.0.label`), with
    /// keys in the original's (sorted) order.
    pub fn validate(&self) -> Result<(), crate::model::validation::Errors> {
        validate::validate(self)
    }
}

/// Parses a request body as JSON, rejecting repeated keys inside any object (the original refuses
/// them, and `serde_json::Value` would silently keep the last one). Use it before [`Settings::apply_patch`].
pub fn parse_patch_body(body: &[u8]) -> Result<Value, SettingsPatchError> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(body);
    let v = NoDuplicates
        .deserialize(&mut de)
        .map_err(|e| SettingsPatchError::Syntax(e.to_string()))?;
    de.end()
        .map_err(|e| SettingsPatchError::Syntax(e.to_string()))?;
    Ok(v)
}

/// Builds a `Value` like serde_json does, but fails on a repeated object key.
struct NoDuplicates;

impl<'de> serde::de::DeserializeSeed<'de> for NoDuplicates {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(NoDuplicates)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!("duplicate name {k:?}")));
            }
            let v = map.next_value_seed(NoDuplicates)?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// GET /api/settings of a fresh install of the original (key order included).
    const ORACLE_PUBLIC: &str = r##"{"superuserIPs":[],"smtp":{"enabled":false,"port":587,"host":"smtp.example.com","username":"","authMethod":"","tls":false,"localName":""},"backups":{"cron":"","cronMaxKeep":3,"s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"","forcePathStyle":false}},"s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"","forcePathStyle":false},"meta":{"accentColor":"#1055c9","appName":"Acme","appURL":"http://localhost:8090","senderName":"Support","senderAddress":"support@example.com","hideControls":false},"rateLimits":{"rules":[{"label":"*:auth","audience":"","duration":3,"maxRequests":2},{"label":"*:create","audience":"","duration":5,"maxRequests":20},{"label":"/api/batch","audience":"","duration":1,"maxRequests":3},{"label":"/api/","audience":"","duration":10,"maxRequests":300}],"excludedIPs":[],"enabled":false},"trustedProxy":{"headers":[],"useLeftmostIP":false},"batch":{"enabled":false,"maxRequests":50,"timeout":3,"maxBodySize":0},"logs":{"maxDataSize":0,"maxDays":5,"minLevel":0,"logIP":true,"logAuthId":false}}"##;

    /// The `_params` row the original writes on a fresh install.
    const ORACLE_STORED: &str = r##"{"superuserIPs":[],"smtp":{"enabled":false,"port":587,"host":"smtp.example.com","username":"","password":"","authMethod":"","tls":false,"localName":""},"backups":{"cron":"","cronMaxKeep":3,"s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"","forcePathStyle":false}},"s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"","forcePathStyle":false},"meta":{"accentColor":"#1055c9","appName":"Acme","appURL":"http://localhost:8090","senderName":"Support","senderAddress":"support@example.com","hideControls":false},"rateLimits":{"rules":[{"label":"*:auth","audience":"","duration":3,"maxRequests":2},{"label":"*:create","audience":"","duration":5,"maxRequests":20},{"label":"/api/batch","audience":"","duration":1,"maxRequests":3},{"label":"/api/","audience":"","duration":10,"maxRequests":300}],"excludedIPs":[],"enabled":false},"trustedProxy":{"headers":[],"useLeftmostIP":false},"batch":{"enabled":false,"maxRequests":50,"timeout":3,"maxBodySize":0},"logs":{"maxDataSize":0,"maxDays":5,"minLevel":0,"logIP":true,"logAuthId":false}}"##;

    fn patch(s: &Settings, body: Value) -> Settings {
        s.apply_patch(&body).expect("patch loads")
    }

    fn with_secrets() -> Settings {
        patch(
            &Settings::default(),
            json!({"smtp":{"password":"pw"},"s3":{"secret":"s1"},"backups":{"s3":{"secret":"s2"}}}),
        )
    }

    #[test]
    fn defaults_serialise_like_the_original() {
        let d = Settings::default();
        assert_eq!(d.to_public().to_string(), ORACLE_PUBLIC);
        assert_eq!(
            d.to_public(),
            serde_json::from_str::<Value>(ORACLE_PUBLIC).unwrap()
        );
        assert_eq!(d.to_stored().to_string(), ORACLE_STORED);
        assert!(d.validate().is_ok());
    }

    #[test]
    fn stored_json_round_trips_with_secrets() {
        let s = with_secrets();
        let stored = s.to_stored();
        assert_eq!(stored["smtp"]["password"], "pw");
        assert_eq!(stored["s3"]["secret"], "s1");
        assert_eq!(stored["backups"]["s3"]["secret"], "s2");
        // The secret sits after accessKey, as the original writes it.
        let keys: Vec<&String> = stored["s3"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "enabled",
                "bucket",
                "region",
                "endpoint",
                "accessKey",
                "secret",
                "forcePathStyle"
            ]
        );
        assert_eq!(Settings::from_stored(&stored), s);
        // The derived serde impls agree with the stored format.
        assert_eq!(serde_json::from_value::<Settings>(stored).unwrap(), s);
    }

    #[test]
    fn from_stored_is_lenient() {
        assert_eq!(Settings::from_stored(&json!({})), Settings::default());
        assert_eq!(Settings::from_stored(&json!("junk")), Settings::default());
        let s = Settings::from_stored(&json!({
            "meta": {"appName": "X", "appURL": 5, "verificationTemplate": {"body": "old"}},
            "logs": {"logIp": false},
            "smtp": {"port": "25", "password": "pw"},
            "rateLimits": {"rules": [{"label": "/a", "duration": "x", "maxRequests": 4}]},
            "superuserIPs": null,
            "tokens": {"recordAuthToken": {"secret": "x"}}
        }));
        assert_eq!(s.meta.app_name, "X");
        assert_eq!(s.meta.app_url, "http://localhost:8090");
        assert!(!s.logs.log_ip, "keys also match case-insensitively");
        assert_eq!(s.smtp.port, 587);
        assert_eq!(s.smtp.password, "pw");
        assert_eq!(
            s.rate_limits.rules,
            vec![RateLimitRule::new("/a", "", 0, 4)]
        );
        assert!(s.superuser_ips.is_empty());
        assert_eq!(s.backups, BackupsConfig::default());
    }

    #[test]
    fn public_json_leaves_secrets_out() {
        let p = with_secrets().to_public();
        assert_eq!(p.to_string(), ORACLE_PUBLIC);
        assert!(p["smtp"].get("password").is_none());
        assert!(p["s3"].get("secret").is_none());
        assert!(p["backups"]["s3"].get("secret").is_none());
    }

    #[test]
    fn objects_merge_key_by_key() {
        let base = with_secrets();
        let s = patch(
            &base,
            json!({"smtp":{"enabled":true,"host":"mail.test","port":2525}}),
        );
        assert!(s.smtp.enabled);
        assert_eq!(s.smtp.host, "mail.test");
        assert_eq!(s.smtp.port, 2525);
        assert_eq!(s.smtp.password, "pw");
        assert_eq!(s.smtp.local_name, base.smtp.local_name);
        assert_eq!(s.meta, base.meta);
        let s = patch(&base, json!({"backups":{"cron":"@daily"}}));
        assert_eq!(s.backups.cron, "@daily");
        assert_eq!(s.backups.s3.secret, "s2");
        assert_eq!(s.backups.cron_max_keep, 3);
    }

    #[test]
    fn arrays_are_replaced_with_fresh_elements() {
        let base = Settings::default();
        let s = patch(&base, json!({"rateLimits":{"rules":[{"label":"/x"}]}}));
        assert_eq!(
            s.rate_limits.rules,
            vec![RateLimitRule::new("/x", "", 0, 0)]
        );
        assert_eq!(s.rate_limits.excluded_ips, base.rate_limits.excluded_ips);
        let s = patch(&base, json!({"superuserIPs":["1.2.3.4"]}));
        let s = patch(&s, json!({"superuserIPs":["::1", null]}));
        assert_eq!(s.superuser_ips, ["::1", ""]);
        let s = patch(&s, json!({"rateLimits":{"rules":[]}}));
        assert!(s.rate_limits.rules.is_empty());
    }

    #[test]
    fn secrets_are_kept_unless_sent() {
        let base = with_secrets();
        let kept = patch(
            &base,
            json!({"smtp":{"username":"u"},"s3":{"enabled":false}}),
        );
        assert_eq!(kept.smtp.password, "pw");
        assert_eq!(kept.s3.secret, "s1");
        let cleared = patch(
            &base,
            json!({"smtp":{"password":""},"s3":{"secret":null},"backups":{"s3":{"secret":"new"}}}),
        );
        assert_eq!(cleared.smtp.password, "");
        assert_eq!(cleared.s3.secret, "");
        assert_eq!(cleared.backups.s3.secret, "new");
        assert!(cleared.to_stored()["s3"].get("secret").is_none());
    }

    #[test]
    fn null_resets_to_zero_values() {
        let base = with_secrets();
        let s = patch(
            &base,
            json!({"meta":null,"smtp":{"port":null,"enabled":null},"superuserIPs":null,"rateLimits":{"rules":null},"s3":null}),
        );
        assert_eq!(s.meta.app_name, "");
        assert_eq!(s.meta.accent_color, "");
        assert_eq!(s.smtp.port, 0);
        assert_eq!(s.smtp.password, "pw");
        assert!(s.rate_limits.rules.is_empty());
        assert_eq!(s.s3.secret, "");
        assert_eq!(s.backups.s3.secret, "s2");
    }

    #[test]
    fn unknown_keys_are_ignored_and_names_fold() {
        let base = Settings::default();
        let s = patch(
            &base,
            json!({"unknown":1,"smtp":{"zzz":"x","PORT":25,"local_name":"mx"},"rate_limits":{"Excluded-IPs":["::1"]}}),
        );
        assert_eq!(s.smtp.port, 25);
        assert_eq!(s.smtp.local_name, "mx");
        assert_eq!(s.rate_limits.excluded_ips, ["::1"]);
        assert_eq!(
            base.apply_patch(&json!({"smtp":{"port":1,"Port":2}})),
            Err(SettingsPatchError::DuplicateName {
                path: "smtp".into(),
                name: "Port".into()
            })
        );
        assert!(base
            .apply_patch(&json!({"rateLimits":{"rules":[{"maxRequests":1,"max_requests":2}]}}))
            .is_err());
    }

    #[test]
    fn wrong_types_are_errors() {
        let base = Settings::default();
        for body in [
            json!({"smtp":{"port":"x"}}),
            json!({"smtp":{"port":3.5}}),
            json!({"smtp":{"port":3.0}}),
            json!({"smtp":{"port":1e2}}),
            json!({"smtp":{"port":u64::MAX}}),
            json!({"meta":{"appName":5}}),
            json!({"meta":{"hideControls":"true"}}),
            json!({"smtp":"x"}),
            json!({"superuserIPs":[1]}),
            json!({"superuserIPs":"1.2.3.4"}),
            json!({"rateLimits":{"rules":[{"label":"/x","duration":1.5}]}}),
            json!([]),
            json!("x"),
            Value::Null,
        ] {
            assert!(base.apply_patch(&body).is_err(), "{body}");
        }
        assert_eq!(
            base.apply_patch(&json!({"rateLimits":{"rules":[{"duration":"1"}]}})),
            Err(SettingsPatchError::InvalidType {
                path: "rateLimits.rules.0.duration".into(),
                expected: "an integer"
            })
        );
    }

    #[test]
    fn patch_body_parser_rejects_repeated_keys() {
        assert_eq!(
            parse_patch_body(br#"{"meta":{"appName":"A"},"x":[1,2.5,null,true]}"#).unwrap(),
            json!({"meta":{"appName":"A"},"x":[1,2.5,null,true]})
        );
        for body in [
            &br#"{"smtp":{"port":1},"smtp":{"host":"a"}}"#[..],
            br#"{"a":{"zzz":1,"zzz":2}}"#,
            br#"{"a":[{"b":1,"b":1}]}"#,
            br#"{} x"#,
            br#"{"#,
        ] {
            assert!(
                matches!(parse_patch_body(body), Err(SettingsPatchError::Syntax(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn spec_validation_example() {
        let s = patch(
            &Settings::default(),
            json!({"meta":{"appName":"","senderAddress":"invalid"},
                   "rateLimits":{"rules":[{"label":"bad label!","duration":1,"maxRequests":0}]}}),
        );
        let errs = s.validate().unwrap_err();
        assert_eq!(
            errs.to_json().to_string(),
            r#"{"meta":{"appName":{"code":"validation_required","message":"Cannot be blank."},"senderAddress":{"code":"validation_is_email","message":"Must be a valid email address."}},"rateLimits":{"rules":{"0":{"label":{"code":"validation_match_invalid","message":"Must be in a valid format."},"maxRequests":{"code":"validation_required","message":"Cannot be blank."}}}}}"#
        );
    }
}
