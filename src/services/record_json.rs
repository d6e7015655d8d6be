//! A record as the API shows it: field order, `collectionId`/`collectionName`, hidden fields and email visibility.

use super::auth_state::Requester;
use crate::model::record::Record;
use crate::model::{Collection, FieldKind};
use serde_json::{Map, Value};

/// Options of one serialisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visibility {
    /// Show hidden fields (superusers).
    pub hidden: bool,
    /// Show the email even when `emailVisibility` is false.
    pub email: bool,
}

/// What `requester` may see of `record`.
pub fn visibility_for(
    collection: &Collection,
    record: &Record,
    requester: &Requester,
) -> Visibility {
    let superuser = super::auth_state::is_superuser(requester);
    let owner = requester
        .as_ref()
        .is_some_and(|a| a.collection.id == collection.id && a.record.id() == record.id());
    Visibility {
        hidden: superuser,
        email: superuser || owner,
    }
}

/// The API JSON of a record.
pub fn record_json(collection: &Collection, record: &Record, vis: Visibility) -> Value {
    let mut out = Map::with_capacity(collection.fields.len() + 2);
    out.insert("collectionId".into(), Value::String(collection.id.clone()));
    out.insert(
        "collectionName".into(),
        Value::String(collection.name.clone()),
    );
    let show_email = vis.email || record.get_bool("emailVisibility");
    for f in &collection.fields {
        if f.hidden && !vis.hidden {
            continue;
        }
        if let FieldKind::Password(_) = f.kind {
            if collection.is_auth() {
                continue;
            }
            out.insert(f.name.clone(), Value::String(String::new()));
            continue;
        }
        if collection.is_auth() && f.name == "tokenKey" {
            continue;
        }
        if collection.is_auth() && f.name == "email" && !show_email {
            continue;
        }
        let v = record
            .get(&f.name)
            .cloned()
            .unwrap_or_else(|| crate::model::field::value::zero_value(f));
        out.insert(f.name.clone(), v);
    }
    Value::Object(out)
}
