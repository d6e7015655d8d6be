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
    let email_visible = record.get_bool("emailVisibility");
    build(collection, vis, email_visible, |name| {
        record.get(name).cloned()
    })
}

/// [`record_json`] of a record the caller no longer needs: the values move instead of being copied.
pub fn record_json_owned(collection: &Collection, mut record: Record, vis: Visibility) -> Value {
    let email_visible = record.get_bool("emailVisibility");
    build(collection, vis, email_visible, |name| {
        record.data.get_mut(name).map(std::mem::take)
    })
}

/// The JSON object in field order; `value(name)` gives a field's value (`None`: its zero value).
fn build(
    collection: &Collection,
    vis: Visibility,
    email_visible: bool,
    mut value: impl FnMut(&str) -> Option<Value>,
) -> Value {
    let mut out = Map::with_capacity(collection.fields.len() + 2);
    out.insert("collectionId".into(), Value::String(collection.id.clone()));
    out.insert(
        "collectionName".into(),
        Value::String(collection.name.clone()),
    );
    let show_email = vis.email || email_visible;
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
        let v = value(&f.name).unwrap_or_else(|| crate::model::field::value::zero_value(f));
        out.insert(f.name.clone(), v);
    }
    Value::Object(out)
}
