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
    build(collection, vis, email_visible, |_, name| {
        record.get(name).cloned()
    })
}

/// [`record_json`] of a record the caller no longer needs: the values move instead of being copied.
pub fn record_json_owned(collection: &Collection, mut record: Record, vis: Visibility) -> Value {
    let email_visible = record.get_bool("emailVisibility");
    if aligned(collection, &record) {
        // a record read from a row holds one value per field, in field order: take them by position
        let mut values: Vec<Value> = std::mem::take(&mut record.data)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        return build(collection, vis, email_visible, |i, _| {
            values.get_mut(i).map(std::mem::take)
        });
    }
    build(collection, vis, email_visible, |_, name| {
        record.data.get_mut(name).map(std::mem::take)
    })
}

/// The text of [`record_json`], written straight from the record (no JSON object is built).
pub fn record_json_text(collection: &Collection, record: &Record, vis: Visibility) -> Vec<u8> {
    let email_visible = record.get_bool("emailVisibility");
    let values: Option<Vec<&Value>> =
        aligned(collection, record).then(|| record.data.values().collect());
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"collectionId\":");
    write_json(&mut out, &collection.id);
    out.extend_from_slice(b",\"collectionName\":");
    write_json(&mut out, &collection.name);
    shown_fields(collection, vis, email_visible, |i, f, blank| {
        out.push(b',');
        write_json(&mut out, &f.name);
        out.push(b':');
        if blank {
            out.extend_from_slice(b"\"\"");
            return;
        }
        let v = match &values {
            Some(values) => values.get(i).copied(),
            None => record.data.get(&f.name),
        };
        match v {
            Some(v) => write_json(&mut out, v),
            None => write_json(&mut out, &crate::model::field::value::zero_value(f)),
        }
    });
    out.push(b'}');
    out
}

fn write_json(out: &mut Vec<u8>, v: &(impl serde::Serialize + ?Sized)) {
    // writing a string or a JSON value into a Vec cannot fail
    let _ = serde_json::to_writer(out, v);
}

/// True when the record holds exactly one value per field, in field order (as read from a row).
fn aligned(collection: &Collection, record: &Record) -> bool {
    record.data.len() == collection.fields.len()
        && record
            .data
            .keys()
            .zip(&collection.fields)
            .all(|(k, f)| *k == f.name)
}

/// Calls `put(index, field, blank)` for every field the API shows, in field order; `blank`: the field
/// shows as `""` (the password field of a base collection).
fn shown_fields(
    collection: &Collection,
    vis: Visibility,
    email_visible: bool,
    mut put: impl FnMut(usize, &crate::model::Field, bool),
) {
    let show_email = vis.email || email_visible;
    for (i, f) in collection.fields.iter().enumerate() {
        if f.hidden && !vis.hidden {
            continue;
        }
        if let FieldKind::Password(_) = f.kind {
            if !collection.is_auth() {
                put(i, f, true);
            }
            continue;
        }
        if collection.is_auth() && f.name == "tokenKey" {
            continue;
        }
        if collection.is_auth() && f.name == "email" && !show_email {
            continue;
        }
        put(i, f, false);
    }
}

/// The JSON object in field order; `value(index, name)` gives a field's value (`None`: its zero value).
fn build(
    collection: &Collection,
    vis: Visibility,
    email_visible: bool,
    mut value: impl FnMut(usize, &str) -> Option<Value>,
) -> Value {
    let mut out = Map::with_capacity(collection.fields.len() + 2);
    out.insert("collectionId".into(), Value::String(collection.id.clone()));
    out.insert(
        "collectionName".into(),
        Value::String(collection.name.clone()),
    );
    shown_fields(collection, vis, email_visible, |i, f, blank| {
        let v = if blank {
            Value::String(String::new())
        } else {
            value(i, &f.name).unwrap_or_else(|| crate::model::field::value::zero_value(f))
        };
        out.insert(f.name.clone(), v);
    });
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CollectionType, Field};
    use serde_json::json;

    /// The moving path gives the same text as the copying one, whatever order the record holds its
    /// values in, with hidden fields skipped or shown and fields missing from the record; so does the text
    /// written straight from the record.
    #[test]
    fn owned_and_copied_json_agree_whatever_the_value_order() {
        let field = |v: Value| serde_json::from_value::<Field>(v).expect("field");
        let mut c = Collection::new(CollectionType::Base, "posts");
        c.id = "pbc_1".into();
        c.fields
            .push(field(json!({"name": "title", "type": "text"})));
        c.fields.push(field(
            json!({"name": "secret", "type": "text", "hidden": true}),
        ));
        c.fields
            .push(field(json!({"name": "views", "type": "number"})));
        c.fields
            .push(field(json!({"name": "tags", "type": "json"})));
        let orders: [&[&str]; 5] = [
            &["id", "title", "secret", "views", "tags"],
            &["tags", "views", "id", "title", "secret"],
            &["id", "title", "views"],
            &["id", "secret", "extra", "views", "tags"],
            &["id", "title", "secret", "views", "tags", "password"],
        ];
        for order in orders {
            for vis in [
                Visibility::default(),
                Visibility {
                    hidden: true,
                    email: true,
                },
            ] {
                let mut rec = Record::new(&c.id, &c.name);
                for k in order {
                    rec.data.insert(k.to_string(), json!(format!("v-{k}")));
                }
                let copied = serde_json::to_string(&record_json(&c, &rec, vis)).expect("json");
                let text = String::from_utf8(record_json_text(&c, &rec, vis)).expect("utf8");
                let owned = serde_json::to_string(&record_json_owned(&c, rec, vis)).expect("json");
                assert_eq!(owned, copied, "{order:?} {vis:?}");
                assert_eq!(text, copied, "{order:?} {vis:?}");
            }
        }
    }
}
