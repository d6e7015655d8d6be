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
    // A record read from a row holds its values in field order: take them in turn without a lookup.
    // At the first name out of turn (a skipped field, another order) the rest go into a map.
    let mut in_turn = std::mem::take(&mut record.data).into_iter().peekable();
    let mut rest: Option<Map<String, Value>> = None;
    build(collection, vis, email_visible, |name| {
        let rest = match &mut rest {
            Some(map) => map,
            None => {
                if in_turn.peek().is_some_and(|(k, _)| k == name) {
                    return in_turn.next().map(|(_, v)| v);
                }
                rest.insert(in_turn.by_ref().collect())
            }
        };
        rest.get_mut(name).map(std::mem::take)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CollectionType, Field};
    use serde_json::json;

    /// The moving path gives the same text as the copying one, whatever order the record holds its
    /// values in, with hidden fields skipped or shown and fields missing from the record.
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
        let orders: [&[&str]; 4] = [
            &["id", "title", "secret", "views", "tags"],
            &["tags", "views", "id", "title", "secret"],
            &["id", "title", "views"],
            &["id", "secret", "extra", "views", "tags"],
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
                let owned = serde_json::to_string(&record_json_owned(&c, rec, vis)).expect("json");
                assert_eq!(owned, copied, "{order:?} {vis:?}");
            }
        }
    }
}
