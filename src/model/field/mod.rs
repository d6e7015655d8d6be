//! The field definition: common keys plus one options struct per type, (de)serialised as PocketBase's flat JSON.

mod options;
pub mod value;

pub use options::*;

use serde::{Deserialize, Serialize};

/// One column of a collection, as stored in `_collections.fields` and sent by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub system: bool,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub presentable: bool,
    #[serde(flatten)]
    pub kind: FieldKind,
}

/// The 14 field types with their type-specific options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FieldKind {
    #[serde(rename = "text")]
    Text(TextOptions),
    #[serde(rename = "editor")]
    Editor(EditorOptions),
    #[serde(rename = "number")]
    Number(NumberOptions),
    #[serde(rename = "bool")]
    Bool(BoolOptions),
    #[serde(rename = "email")]
    Email(EmailOptions),
    #[serde(rename = "url")]
    Url(UrlOptions),
    #[serde(rename = "date")]
    Date(DateOptions),
    #[serde(rename = "autodate")]
    Autodate(AutodateOptions),
    #[serde(rename = "select")]
    Select(SelectOptions),
    #[serde(rename = "file")]
    File(FileOptions),
    #[serde(rename = "relation")]
    Relation(RelationOptions),
    #[serde(rename = "json")]
    Json(JsonOptions),
    #[serde(rename = "password")]
    Password(PasswordOptions),
    #[serde(rename = "geoPoint")]
    GeoPoint(GeoPointOptions),
}

/// Every type name, in the order PocketBase documents them.
pub const FIELD_TYPES: [&str; 14] = [
    "text", "editor", "number", "bool", "email", "url", "date", "autodate", "select", "file",
    "relation", "json", "password", "geoPoint",
];

/// How a field's column is declared in SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    PrimaryKey,
    Text,
    Numeric,
    Bool,
    Json,
    JsonArray,
    GeoPoint,
}

impl Field {
    pub fn new(name: &str, kind: FieldKind) -> Field {
        let mut f = Field {
            id: String::new(),
            name: name.to_string(),
            system: false,
            hidden: false,
            presentable: false,
            kind,
        };
        f.id = default_field_id(f.type_name(), name);
        f
    }

    pub fn system(mut self) -> Field {
        self.system = true;
        self
    }

    pub fn hidden(mut self) -> Field {
        self.hidden = true;
        self
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            FieldKind::Text(_) => "text",
            FieldKind::Editor(_) => "editor",
            FieldKind::Number(_) => "number",
            FieldKind::Bool(_) => "bool",
            FieldKind::Email(_) => "email",
            FieldKind::Url(_) => "url",
            FieldKind::Date(_) => "date",
            FieldKind::Autodate(_) => "autodate",
            FieldKind::Select(_) => "select",
            FieldKind::File(_) => "file",
            FieldKind::Relation(_) => "relation",
            FieldKind::Json(_) => "json",
            FieldKind::Password(_) => "password",
            FieldKind::GeoPoint(_) => "geoPoint",
        }
    }

    /// `required`, for the types that have it (autodate has none).
    pub fn required(&self) -> bool {
        match &self.kind {
            FieldKind::Text(o) => o.required,
            FieldKind::Editor(o) => o.required,
            FieldKind::Number(o) => o.required,
            FieldKind::Bool(o) => o.required,
            FieldKind::Email(o) => o.required,
            FieldKind::Url(o) => o.required,
            FieldKind::Date(o) => o.required,
            FieldKind::Autodate(_) => false,
            FieldKind::Select(o) => o.required,
            FieldKind::File(o) => o.required,
            FieldKind::Relation(o) => o.required,
            FieldKind::Json(o) => o.required,
            FieldKind::Password(o) => o.required,
            FieldKind::GeoPoint(o) => o.required,
        }
    }

    /// True for select/file/relation fields that hold several values (a JSON array column).
    pub fn is_multiple(&self) -> bool {
        match &self.kind {
            FieldKind::Select(o) => o.max_select > 1,
            FieldKind::File(o) => o.max_select > 1,
            FieldKind::Relation(o) => o.max_select > 1,
            _ => false,
        }
    }

    pub fn is_primary_key(&self) -> bool {
        matches!(&self.kind, FieldKind::Text(o) if o.primary_key)
    }

    pub fn column_kind(&self) -> ColumnKind {
        match &self.kind {
            FieldKind::Text(o) if o.primary_key => ColumnKind::PrimaryKey,
            FieldKind::Number(_) => ColumnKind::Numeric,
            FieldKind::Bool(_) => ColumnKind::Bool,
            FieldKind::Json(_) => ColumnKind::Json,
            FieldKind::GeoPoint(_) => ColumnKind::GeoPoint,
            FieldKind::Select(_) | FieldKind::File(_) | FieldKind::Relation(_)
                if self.is_multiple() =>
            {
                ColumnKind::JsonArray
            }
            _ => ColumnKind::Text,
        }
    }

    pub fn relation(&self) -> Option<&RelationOptions> {
        match &self.kind {
            FieldKind::Relation(o) => Some(o),
            _ => None,
        }
    }
}

/// `<type>` + decimal CRC32-IEEE of the name, PocketBase's default field id.
pub fn default_field_id(type_name: &str, name: &str) -> String {
    format!("{type_name}{}", crc32(name.as_bytes()))
}

/// CRC32 (IEEE polynomial), used for default collection and field ids.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ids_match_pocketbase() {
        assert_eq!(default_field_id("text", "id"), "text3208210256");
        assert_eq!(default_field_id("text", "title"), "text724990059");
        assert_eq!(crc32(b"baseposts"), 1125843985);
    }

    #[test]
    fn flat_json_round_trip() {
        let raw = r#"{"id":"number1","name":"n","type":"number","min":null,"max":5,"onlyInt":true,"required":false,"system":false,"hidden":false,"presentable":false,"help":""}"#;
        let f: Field = serde_json::from_str(raw).unwrap();
        assert!(matches!(&f.kind, FieldKind::Number(o) if o.max == Some(5.0) && o.only_int));
        let back = serde_json::to_value(&f).unwrap();
        assert_eq!(back["type"], "number");
        assert_eq!(back["min"], serde_json::Value::Null);
    }
}
