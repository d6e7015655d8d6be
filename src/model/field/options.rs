//! The options struct of each field type, with PocketBase's JSON keys and defaults.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serialises whole floats without a fraction (`5`, not `5.0`), as Go does.
pub fn ser_opt_num<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(n) => crate::model::json_number(*n).serialize(s),
    }
}

/// Accepts a number or null (Go's *float64).
fn de_opt_num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(d)
}

/// Accepts null as an empty list (Go decodes `null` into a nil slice).
fn de_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// Thumb sizes, with the guide-style aliases rewritten to PocketBase's forms (see [`canonical_thumb`]).
fn de_thumbs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(de_list(d)?.iter().map(|t| canonical_thumb(t)).collect())
}

/// Rewrites the thumb aliases a widely read guide uses, which PocketBase itself rejects, to the
/// forms PocketBase accepts: `WxH!` (crop) → `WxH`, `Wx` (width only) → `Wx0`, `xH` (height only) →
/// `0xH`. Any other text is returned unchanged (and validated as it is).
pub fn canonical_thumb(thumb: &str) -> String {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(body) = thumb.strip_suffix('!') {
        if let Some((w, h)) = body.split_once('x') {
            if digits(w) && digits(h) {
                return body.to_string();
            }
        }
    } else if let Some(w) = thumb.strip_suffix('x').filter(|w| digits(w)) {
        return format!("{w}x0");
    } else if let Some(h) = thumb.strip_prefix('x').filter(|h| digits(h)) {
        return format!("0x{h}");
    }
    thumb.to_string()
}

/// Accepts null as "" (Go decodes `null` into a zero string).
fn de_str<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Integers may arrive as whole floats (`5.0`); anything fractional is an error.
fn de_int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Option::<f64>::deserialize(d)?.unwrap_or(0.0);
    if v.fract() != 0.0 || !v.is_finite() {
        return Err(serde::de::Error::custom("expected an integer"));
    }
    Ok(v as i64)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextOptions {
    #[serde(deserialize_with = "de_int")]
    pub min: i64,
    #[serde(deserialize_with = "de_int")]
    pub max: i64,
    #[serde(deserialize_with = "de_str")]
    pub pattern: String,
    #[serde(deserialize_with = "de_str")]
    pub autogenerate_pattern: String,
    pub primary_key: bool,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EditorOptions {
    #[serde(deserialize_with = "de_int")]
    pub max_size: i64,
    #[serde(rename = "convertURLs")]
    pub convert_urls: bool,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NumberOptions {
    #[serde(serialize_with = "ser_opt_num", deserialize_with = "de_opt_num")]
    pub min: Option<f64>,
    #[serde(serialize_with = "ser_opt_num", deserialize_with = "de_opt_num")]
    pub max: Option<f64>,
    pub only_int: bool,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BoolOptions {
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmailOptions {
    #[serde(deserialize_with = "de_list")]
    pub except_domains: Vec<String>,
    #[serde(deserialize_with = "de_list")]
    pub only_domains: Vec<String>,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UrlOptions {
    #[serde(deserialize_with = "de_list")]
    pub except_domains: Vec<String>,
    #[serde(deserialize_with = "de_list")]
    pub only_domains: Vec<String>,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DateOptions {
    #[serde(deserialize_with = "de_str")]
    pub min: String,
    #[serde(deserialize_with = "de_str")]
    pub max: String,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AutodateOptions {
    pub on_create: bool,
    pub on_update: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SelectOptions {
    #[serde(deserialize_with = "de_int")]
    pub max_select: i64,
    #[serde(deserialize_with = "de_list")]
    pub values: Vec<String>,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileOptions {
    #[serde(deserialize_with = "de_int")]
    pub max_select: i64,
    #[serde(deserialize_with = "de_int")]
    pub max_size: i64,
    #[serde(deserialize_with = "de_list")]
    pub mime_types: Vec<String>,
    #[serde(deserialize_with = "de_thumbs")]
    pub thumbs: Vec<String>,
    pub protected: bool,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RelationOptions {
    #[serde(deserialize_with = "de_str")]
    pub collection_id: String,
    pub cascade_delete: bool,
    #[serde(deserialize_with = "de_int")]
    pub min_select: i64,
    #[serde(deserialize_with = "de_int")]
    pub max_select: i64,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JsonOptions {
    #[serde(deserialize_with = "de_int")]
    pub max_size: i64,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordOptions {
    #[serde(deserialize_with = "de_int")]
    pub min: i64,
    #[serde(deserialize_with = "de_int")]
    pub max: i64,
    #[serde(deserialize_with = "de_str")]
    pub pattern: String,
    #[serde(deserialize_with = "de_int")]
    pub cost: i64,
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GeoPointOptions {
    pub required: bool,
    #[serde(deserialize_with = "de_str")]
    pub help: String,
}
