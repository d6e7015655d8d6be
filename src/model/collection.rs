//! The collection: its JSON forms (API, stored row), defaults per type, system fields and ids.

use super::auth_options::{strip_secrets, AuthOptions};
use super::field::{
    crc32, AutodateOptions, BoolOptions, EmailOptions, Field, FieldKind, FileOptions,
    PasswordOptions, TextOptions,
};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionType {
    Base,
    Auth,
    View,
}

impl CollectionType {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionType::Base => "base",
            CollectionType::Auth => "auth",
            CollectionType::View => "view",
        }
    }

    pub fn parse(s: &str) -> Option<CollectionType> {
        match s {
            "base" => Some(CollectionType::Base),
            "auth" => Some(CollectionType::Auth),
            "view" => Some(CollectionType::View),
            _ => None,
        }
    }
}

/// A collection as held in memory. `auth` is `Some` exactly for auth collections.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub id: String,
    pub name: String,
    pub kind: CollectionType,
    pub system: bool,
    pub fields: Vec<Field>,
    pub indexes: Vec<String>,
    pub list_rule: Option<String>,
    pub view_rule: Option<String>,
    pub create_rule: Option<String>,
    pub update_rule: Option<String>,
    pub delete_rule: Option<String>,
    pub view_query: String,
    pub auth: Option<AuthOptions>,
    pub created: String,
    pub updated: String,
}

/// The id of the built-in superusers collection (the JS SDK hard-codes it).
pub const SUPERUSERS_ID: &str = "pbc_3142635823";
pub const SUPERUSERS: &str = "_superusers";
pub const USERS_ID: &str = "_pb_users_auth_";

/// The rule keys in API order.
pub const RULE_KEYS: [&str; 5] = [
    "listRule",
    "viewRule",
    "createRule",
    "updateRule",
    "deleteRule",
];

impl Collection {
    /// A blank collection of the given type with its default fields and options (the scaffold).
    pub fn new(kind: CollectionType, name: &str) -> Collection {
        let mut c = Collection {
            id: String::new(),
            name: name.to_string(),
            kind,
            system: false,
            fields: Vec::new(),
            indexes: Vec::new(),
            list_rule: None,
            view_rule: None,
            create_rule: None,
            update_rule: None,
            delete_rule: None,
            view_query: String::new(),
            auth: None,
            created: String::new(),
            updated: String::new(),
        };
        if kind != CollectionType::View {
            c.fields.push(id_field());
        }
        if kind == CollectionType::Auth {
            c.auth = Some(AuthOptions::default());
            c.fields.extend(auth_system_fields());
        }
        c
    }

    pub fn is_auth(&self) -> bool {
        self.kind == CollectionType::Auth
    }

    pub fn is_view(&self) -> bool {
        self.kind == CollectionType::View
    }

    pub fn is_superusers(&self) -> bool {
        self.name == SUPERUSERS
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_by_id(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn rule(&self, key: &str) -> &Option<String> {
        match key {
            "listRule" => &self.list_rule,
            "viewRule" => &self.view_rule,
            "createRule" => &self.create_rule,
            "updateRule" => &self.update_rule,
            _ => &self.delete_rule,
        }
    }

    /// The default id: `pbc_` + CRC32(type + name).
    pub fn default_id(kind: CollectionType, name: &str) -> String {
        format!(
            "pbc_{}",
            crc32(format!("{}{}", kind.as_str(), name).as_bytes())
        )
    }

    /// The `options` column: auth options, `{"viewQuery":…}` for views, `{}` for base.
    pub fn options_json(&self) -> Value {
        match (&self.auth, self.kind) {
            (Some(a), _) => serde_json::to_value(a).unwrap_or_else(|_| json!({})),
            (None, CollectionType::View) => json!({ "viewQuery": self.view_query }),
            _ => json!({}),
        }
    }

    /// The full JSON, secrets included (used for PATCH merging and export).
    pub fn to_full_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("listRule".into(), json!(self.list_rule));
        m.insert("viewRule".into(), json!(self.view_rule));
        m.insert("createRule".into(), json!(self.create_rule));
        m.insert("updateRule".into(), json!(self.update_rule));
        m.insert("deleteRule".into(), json!(self.delete_rule));
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(self.kind.as_str()));
        m.insert(
            "fields".into(),
            serde_json::to_value(&self.fields).unwrap_or_else(|_| json!([])),
        );
        m.insert("indexes".into(), json!(self.indexes));
        m.insert("created".into(), json!(self.created));
        m.insert("updated".into(), json!(self.updated));
        m.insert("system".into(), json!(self.system));
        if let Value::Object(opts) = self.options_json() {
            for (k, v) in opts {
                m.insert(k, v);
            }
        }
        Value::Object(m)
    }

    /// The API JSON: the full JSON without secrets.
    pub fn to_api_json(&self) -> Value {
        let mut v = self.to_full_json();
        if let Value::Object(m) = &mut v {
            strip_secrets(m);
        }
        v
    }

    /// Builds a collection from a `_collections` row's columns. Lenient with what PocketBase wrote.
    #[allow(clippy::too_many_arguments)]
    pub fn from_row(
        id: String,
        system: bool,
        kind: &str,
        name: String,
        fields: &str,
        indexes: &str,
        rules: [Option<String>; 5],
        options: &str,
        created: String,
        updated: String,
    ) -> Result<Collection, String> {
        let kind = CollectionType::parse(kind).ok_or_else(|| format!("unknown type {kind}"))?;
        let mut fields_json: Value =
            serde_json::from_str(fields).map_err(|e| format!("fields of {name}: {e}"))?;
        strip_nulls(&mut fields_json, 1);
        let fields: Vec<Field> =
            serde_json::from_value(fields_json).map_err(|e| format!("fields of {name}: {e}"))?;
        let indexes: Vec<String> = serde_json::from_str(indexes).unwrap_or_default();
        let mut options: Value = serde_json::from_str(options).unwrap_or_else(|_| json!({}));
        strip_nulls(&mut options, 0);
        let [list_rule, view_rule, create_rule, update_rule, delete_rule] = rules;
        let auth = if kind == CollectionType::Auth {
            Some(
                serde_json::from_value(options.clone())
                    .map_err(|e| format!("options of {name}: {e}"))?,
            )
        } else {
            None
        };
        let view_query = options
            .get("viewQuery")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Collection {
            id,
            name,
            kind,
            system,
            fields,
            indexes,
            list_rule,
            view_rule,
            create_rule,
            update_rule,
            delete_rule,
            view_query,
            auth,
            created,
            updated,
        })
    }
}

/// Removes `null` members of objects nested at least `min_depth` levels down, so that Go's
/// "null means zero value" decoding carries over to serde defaults. Top-level nulls (rules) stay.
pub fn strip_nulls(v: &mut Value, min_depth: usize) {
    fn walk(v: &mut Value, depth: usize, min_depth: usize) {
        match v {
            Value::Object(m) => {
                if depth >= min_depth {
                    m.retain(|_, x| !x.is_null());
                }
                for x in m.values_mut() {
                    walk(x, depth + 1, min_depth);
                }
            }
            Value::Array(a) => {
                for x in a.iter_mut() {
                    walk(x, depth, min_depth);
                }
            }
            _ => {}
        }
    }
    walk(v, 0, min_depth);
}

/// The primary key field every base and auth collection has.
pub fn id_field() -> Field {
    Field::new(
        "id",
        FieldKind::Text(TextOptions {
            min: 15,
            max: 15,
            pattern: "^[a-z0-9]+$".into(),
            autogenerate_pattern: "[a-z0-9]{15}".into(),
            primary_key: true,
            required: true,
            help: String::new(),
        }),
    )
    .system()
}

/// The system fields of an auth collection (after `id`), in PocketBase's order.
pub fn auth_system_fields() -> Vec<Field> {
    vec![
        Field::new(
            "password",
            FieldKind::Password(PasswordOptions {
                min: 8,
                required: true,
                ..Default::default()
            }),
        )
        .system()
        .hidden(),
        Field::new(
            "tokenKey",
            FieldKind::Text(TextOptions {
                min: 30,
                max: 60,
                autogenerate_pattern: "[a-zA-Z0-9]{50}".into(),
                required: true,
                ..Default::default()
            }),
        )
        .system()
        .hidden(),
        Field::new(
            "email",
            FieldKind::Email(EmailOptions {
                required: true,
                ..Default::default()
            }),
        )
        .system(),
        Field::new("emailVisibility", FieldKind::Bool(BoolOptions::default())).system(),
        Field::new("verified", FieldKind::Bool(BoolOptions::default())).system(),
    ]
}

/// `created` (onCreate) and `updated` (onCreate + onUpdate) autodate fields.
pub fn autodate_fields(system: bool) -> Vec<Field> {
    let mut created = Field::new(
        "created",
        FieldKind::Autodate(AutodateOptions {
            on_create: true,
            on_update: false,
        }),
    );
    let mut updated = Field::new(
        "updated",
        FieldKind::Autodate(AutodateOptions {
            on_create: true,
            on_update: true,
        }),
    );
    created.system = system;
    updated.system = system;
    vec![created, updated]
}

/// The avatar field of the default `users` collection.
pub fn avatar_field() -> Field {
    Field::new(
        "avatar",
        FieldKind::File(FileOptions {
            max_select: 1,
            mime_types: [
                "image/jpeg",
                "image/png",
                "image/svg+xml",
                "image/gif",
                "image/webp",
            ]
            .map(String::from)
            .to_vec(),
            ..Default::default()
        }),
    )
}

/// The two indexes every auth collection must have.
pub fn auth_indexes(collection_id: &str, table: &str) -> [String; 2] {
    let cap = |s: String| s.chars().take(64).collect::<String>();
    [
        format!(
            "CREATE UNIQUE INDEX `{}` ON `{table}` (`tokenKey`)",
            cap(format!("idx_tokenKey_{collection_id}"))
        ),
        format!(
            "CREATE UNIQUE INDEX `{}` ON `{table}` (`email`) WHERE `email` != ''",
            cap(format!("idx_email_{collection_id}"))
        ),
    ]
}
