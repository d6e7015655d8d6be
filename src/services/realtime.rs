//! Realtime use-cases (spec 05): setting a client's subscriptions and auth, the record event broadcast
//! (bound to the model hooks, computed right after the commit, sent in commit order) and the auth
//! refresh of spec 04 §8. Who receives what is in `realtime_payload`.

use super::auth_state::Requester;
use super::realtime_payload::{self, Action, Delivery};
use crate::app::events::{Model, ModelEvent};
use crate::app::{App, AppError};
use crate::model::{Errors, ValidationError};
use crate::realtime::{Broker, ClientAuth};
use crate::store::Tx;
use serde_json::Value;
use std::sync::Arc;

/// The id the broadcast handlers are bound with (PocketBase's names and priority).
const PRIORITY: i32 = -99;

/// The message of a malformed subscribe body.
const INVALID: &str = "Something went wrong while processing your request.";

/// A checked `POST /api/realtime` body.
#[derive(Debug, Clone)]
pub struct SubscribeForm {
    pub client_id: String,
    pub subscriptions: Vec<String>,
}

/// Reads and validates a subscribe body (JSON, or form/multipart text fields when `form_encoded`: a
/// single form value is a one-item list there).
pub fn subscribe_form(body: &Value, form_encoded: bool) -> Result<SubscribeForm, AppError> {
    let invalid = || AppError::bad_request(INVALID);
    let obj = body.as_object().ok_or_else(invalid)?;
    let client_id = match obj.get("clientId") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid()),
    };
    let subscriptions = match obj.get("subscriptions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) if form_encoded => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(invalid))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid()),
    };
    let mut errors = Errors::new();
    let n = client_id.chars().count();
    if n == 0 {
        errors.add("clientId", ValidationError::required());
    } else if n > 255 {
        errors.add("clientId", length_error(1, 255));
    }
    if subscriptions.len() > 1000 {
        errors.add("subscriptions", too_long(1000));
    } else {
        for (i, s) in subscriptions.iter().enumerate() {
            if s.chars().count() > 2500 {
                errors.add(format!("subscriptions.{i}"), too_long(2500));
            }
        }
    }
    errors
        .into_result()
        .map_err(|e| AppError::validation(INVALID, e))?;
    Ok(SubscribeForm {
        client_id,
        subscriptions,
    })
}

fn length_error(min: usize, max: usize) -> ValidationError {
    ValidationError::new(
        "validation_length_out_of_range",
        &format!("The length must be between {min} and {max}."),
    )
    .param("max", max)
    .param("min", min)
}

fn too_long(max: usize) -> ValidationError {
    ValidationError::new(
        "validation_length_too_long",
        &format!("The length must be no more than {max}."),
    )
    .param("max", max)
    .param("min", 0)
}

/// `POST /api/realtime`: binds the requester's auth (guest → auth only) and replaces the subscriptions.
pub fn subscribe(
    app: &App,
    form: &SubscribeForm,
    requester: &Requester,
    ip: &str,
) -> Result<(), AppError> {
    let broker = app.realtime();
    let client = broker
        .client(&form.client_id)
        .ok_or_else(|| AppError::NotFound("Missing or invalid client id.".into()))?;
    if !client.ip().is_empty() && client.ip() != ip {
        return Err(AppError::bad_request("Invalid realtime client."));
    }
    if let Some(old) = client.auth() {
        let same = requester.as_ref().is_some_and(|r| {
            r.collection.id == old.collection.id && r.record.id() == old.record.id()
        });
        if !same {
            return Err(AppError::Forbidden(
                "The current and the previous request authorization don't match.".into(),
            ));
        }
    }
    client.set_auth(requester.as_ref().map(|r| ClientAuth {
        collection: r.collection.clone(),
        record: r.record.clone(),
    }));
    broker.set_subscriptions(&client, &form.subscriptions);
    Ok(())
}

/// `GET|POST /api/oauth2-redirect` (spec 04 §6.3): relays `{state, code[, error]}` to the realtime client
/// `state` when it subscribed to `@oauth2`, then removes that subscription. True when the redirect
/// counts as a success (relayed, with a code and no error).
pub fn oauth2_redirect(app: &App, state: &str, code: &str, error: &str, ip: &str) -> bool {
    if state.is_empty() {
        return false;
    }
    let broker = app.realtime();
    let Some(client) = broker.client(state) else {
        return false;
    };
    if !client.has_subscription("@oauth2") || (!client.ip().is_empty() && client.ip() != ip) {
        return false;
    }
    let mut data = serde_json::Map::new();
    data.insert("state".into(), Value::String(state.to_string()));
    data.insert("code".into(), Value::String(code.to_string()));
    if !error.is_empty() {
        data.insert("error".into(), Value::String(error.to_string()));
    }
    let text = Value::Object(data).to_string();
    broker.send(&client, "@oauth2".into(), text.into());
    broker.unsubscribe(&client, "@oauth2");
    error.is_empty() && !code.is_empty()
}

/// Binds the broadcast and auth-refresh handlers to the model hooks (idempotent: fixed handler ids).
pub fn bind_hooks(app: &App) {
    let hooks = app.hooks();
    hooks.on_model_after_create_success.bind(
        "__pbRealtimeAfterCreate__",
        PRIORITY,
        |e: &mut ModelEvent, next| {
            if let Model::Record(c, r) = &e.model {
                broadcast(&e.app, c, r, Action::Create);
            }
            next.run(e)
        },
    );
    hooks.on_model_after_update_success.bind(
        "__pbRealtimeAfterUpdate__",
        PRIORITY,
        |e: &mut ModelEvent, next| {
            match &e.model {
                Model::Record(c, r) => {
                    if c.is_auth() {
                        e.app.realtime().refresh_auth_record(&c.id, r);
                    }
                    broadcast(&e.app, c, r, Action::Update);
                }
                Model::Collection(c) if c.is_auth() => {
                    let c = Arc::new((**c).clone());
                    e.app.realtime().refresh_auth_collection(&c.id, Some(&c));
                }
                Model::Collection(_) => {}
            }
            next.run(e)
        },
    );
    hooks.on_model_delete.bind(
        "__pbRealtimeDelete__",
        PRIORITY,
        |e: &mut ModelEvent, next| {
            let pending = match (&e.model, Tx::current()) {
                (Model::Record(c, r), Some(tx)) => {
                    // evaluated before the row goes, inside the transaction; sent only once it commits
                    let broker = e.app.realtime();
                    if broker.has_subscribers(&c.name, &c.id) {
                        let seq = u64::MAX;
                        tx.with(|conn| {
                            realtime_payload::compute(&e.app, conn, c, r, Action::Delete, seq)
                        })
                    } else {
                        Vec::new()
                    }
                }
                _ => Vec::new(),
            };
            next.run(e)?;
            if let (false, Some(tx)) = (pending.is_empty(), Tx::current()) {
                let broker = e.app.realtime().clone();
                tx.after_commit(move || {
                    let b = broker.clone();
                    broker.enqueue(move || deliver(&b, pending));
                });
            }
            Ok(())
        },
    );
    hooks.on_model_after_delete_success.bind(
        "__pbRealtimeAfterDelete__",
        PRIORITY,
        |e: &mut ModelEvent, next| {
            match &e.model {
                Model::Record(c, r) if c.is_auth() => {
                    e.app.realtime().drop_auth_record(&c.id, r.id())
                }
                Model::Collection(c) if c.is_auth() => {
                    e.app.realtime().refresh_auth_collection(&c.id, None)
                }
                _ => {}
            }
            next.run(e)
        },
    );
}

/// Broadcasts a committed create or update. The deliveries are computed at once — this runs right after
/// the commit, on the writer thread, so the rule checks see the record as this write left it (a later
/// update or delete cannot hide the event, as in PocketBase, which answers the request only after
/// this) — and sent by the broker's worker, in commit order.
fn broadcast(
    app: &App,
    c: &Arc<crate::model::Collection>,
    rec: &crate::model::record::Record,
    action: Action,
) {
    let broker = app.realtime();
    if !broker.has_subscribers(&c.name, &c.id) {
        return;
    }
    let seq = broker.next_event_seq();
    let out = app
        .db()
        .read_now(|conn| Ok(realtime_payload::compute(app, conn, c, rec, action, seq)));
    match out {
        Ok(deliveries) if deliveries.is_empty() => {}
        Ok(deliveries) => {
            let b = broker.clone();
            broker.enqueue(move || deliver(&b, deliveries));
        }
        Err(e) => tracing::warn!("realtime broadcast failed: {e}"),
    }
}

fn deliver(broker: &Broker, deliveries: Vec<Delivery>) {
    for d in deliveries {
        broker.send(&d.client, d.event, d.data);
    }
}
