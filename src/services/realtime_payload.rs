//! Who receives a record event and what they see (spec 05 §4.2): per matching subscription the list or
//! view rule, the `filter` option, then the record JSON for that subscriber with `expand` and `fields`.
//! Subscriptions that ask the same thing (same rule, auth record and options) share one check and one
//! serialised payload per event.

use super::auth_state::{AuthState, Requester};
use super::record_json::{record_json, visibility_for};
use super::rules::{RequestInfo, ResolverMode, RuleCondition};
use crate::app::App;
use crate::auth::token::Claims;
use crate::model::record::Record;
use crate::model::Collection;
use crate::realtime::{Client, ClientAuth, SubOptions, Subscription, Target};
use crate::store::Connection;
use bytes::Bytes;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One message for one client.
pub struct Delivery {
    pub client: Arc<Client>,
    pub event: Arc<str>,
    pub data: Bytes,
}

/// What decides a payload: the rule used, the subscriber and the subscription options.
#[derive(Hash, PartialEq, Eq)]
struct Shape {
    view_rule: bool,
    auth: Option<(String, String)>,
    options: Arc<str>,
}

struct Wanted {
    client: Arc<Client>,
    sub: Arc<Subscription>,
    auth: Option<Arc<ClientAuth>>,
}

/// The messages of one record event, for every subscriber allowed to see it. `conn` sees the record
/// as it is to be shown (after commit, or inside the transaction before a delete); `seq` is the
/// event's number (subscriptions added after it are skipped).
pub fn compute(
    app: &App,
    conn: &Connection,
    c: &Arc<Collection>,
    rec: &Record,
    action: Action,
    seq: u64,
) -> Vec<Delivery> {
    let wanted = matching_subscriptions(app, c, rec, seq);
    if wanted.is_empty() {
        return Vec::new();
    }
    let ctx = Ctx {
        app,
        conn,
        c,
        rec,
        action,
        all: app.collections(),
    };
    let mut payloads: HashMap<Shape, Option<Bytes>> = HashMap::new();
    let mut out = Vec::with_capacity(wanted.len());
    for w in wanted {
        let shape = Shape {
            view_rule: matches!(w.sub.target, Target::Record(_)),
            auth: w
                .auth
                .as_ref()
                .map(|a| (a.collection.id.clone(), a.record.id().to_string())),
            options: w.sub.options_key.clone(),
        };
        let payload = payloads.entry(shape).or_insert_with_key(|shape| {
            ctx.payload(shape.view_rule, w.auth.as_deref(), w.sub.options.as_deref())
        });
        if let Some(data) = payload {
            out.push(Delivery {
                client: w.client,
                event: w.sub.raw.clone(),
                data: data.clone(),
            });
        }
    }
    out
}

/// Every (client, subscription) whose topic names this record: `c/*`, `c`, `c/<id>` by name or id.
fn matching_subscriptions(app: &App, c: &Collection, rec: &Record, seq: u64) -> Vec<Wanted> {
    let mut out = Vec::new();
    for client in app.realtime().subscribers(&c.name, &c.id) {
        client.for_each_subscription(|sub, auth| {
            let targeted = match &sub.target {
                Target::All | Target::Alias => true,
                Target::Record(id) => &**id == rec.id(),
            };
            if targeted && sub.since < seq && sub.is_for_collection(&c.name, &c.id) {
                out.push(Wanted {
                    client: client.clone(),
                    sub: sub.clone(),
                    auth: auth.cloned(),
                });
            }
        });
    }
    out
}

struct Ctx<'a> {
    app: &'a App,
    conn: &'a Connection,
    c: &'a Arc<Collection>,
    rec: &'a Record,
    action: Action,
    all: Arc<Vec<Arc<Collection>>>,
}

impl Ctx<'_> {
    /// The `data` of the message for one shape, or `None` when that subscriber may not see the record.
    fn payload(
        &self,
        view_rule: bool,
        auth: Option<&ClientAuth>,
        options: Option<&SubOptions>,
    ) -> Option<Bytes> {
        let requester = requester_of(auth);
        let info = request_info(auth, options);
        let superuser = auth.is_some_and(ClientAuth::is_superuser);
        let rule = if view_rule {
            &self.c.view_rule
        } else {
            &self.c.list_rule
        };
        if !superuser {
            let rule = rule.as_deref()?;
            if !rule.trim().is_empty() && !self.passes(rule, &info, ResolverMode::Rule) {
                return None;
            }
        }
        let filter = options.map(|o| o.query_value("filter")).unwrap_or("");
        if !filter.is_empty() {
            if !superuser && (filter.contains("@collection.") || filter.contains("@request.")) {
                return None;
            }
            let mode = if superuser {
                ResolverMode::Rule
            } else {
                ResolverMode::ClientFilter
            };
            if !self.passes(filter, &info, mode) {
                return None;
            }
        }
        let mut vis = visibility_for(self.c, self.rec, &requester);
        if !vis.email && self.manages(auth, &info) {
            vis.email = true;
        }
        let json = record_json(self.c, self.rec, vis);
        let json = super::record_enrich::enrich_or_keep(
            self.app, self.c, self.rec, json, &requester, &info,
        );
        let mut items = [json];
        let expand = options.map(|o| o.query_value("expand")).unwrap_or("");
        if !expand.is_empty() {
            super::expand::expand_in(
                self.app,
                self.conn,
                self.c,
                &mut items,
                expand,
                &requester,
                info.clone(),
            );
        }
        let [mut record] = items;
        if let Some(fields) = options
            .map(|o| o.query_value("fields"))
            .filter(|f| !f.is_empty())
        {
            record = super::fields::apply(record, Some(&fields.to_string()));
        }
        let mut data = Vec::with_capacity(256);
        data.extend_from_slice(b"{\"record\":");
        serde_json::to_writer(&mut data, &record).ok()?;
        data.extend_from_slice(b",\"action\":\"");
        data.extend_from_slice(self.action.as_str().as_bytes());
        data.extend_from_slice(b"\"}");
        Some(Bytes::from(data))
    }

    /// True when the record satisfies `expr` for this request data; errors (bad expressions) mean no.
    fn passes(&self, expr: &str, info: &RequestInfo, mode: ResolverMode) -> bool {
        let cond = RuleCondition::with_mode(self.c, &self.all, expr, self.rec.id(), info, mode);
        match cond {
            Ok(cond) => cond.exists(self.conn, self.c).unwrap_or(false),
            Err(_) => false,
        }
    }

    /// True when the subscriber passes the auth collection's `manageRule` for this record.
    fn manages(&self, auth: Option<&ClientAuth>, info: &RequestInfo) -> bool {
        let rule = self.c.auth.as_ref().and_then(|a| a.manage_rule.as_deref());
        match (auth, rule) {
            (Some(_), Some(rule)) if !rule.trim().is_empty() => {
                self.passes(rule, info, ResolverMode::Rule)
            }
            _ => false,
        }
    }
}

/// The requester a client's stored auth stands for (no token: realtime never re-checks it).
fn requester_of(auth: Option<&ClientAuth>) -> Requester {
    auth.map(|a| AuthState {
        collection: a.collection.clone(),
        record: a.record.clone(),
        claims: Claims {
            id: a.record.id().to_string(),
            collection_id: a.collection.id.clone(),
            ..Claims::default()
        },
        token: String::new(),
    })
}

/// `@request.*` of a realtime check: `GET`, context `realtime`, the options' query and headers.
fn request_info(auth: Option<&ClientAuth>, options: Option<&SubOptions>) -> RequestInfo {
    let mut info = RequestInfo {
        method: "GET".into(),
        context: "realtime".into(),
        auth: auth.map(|a| (a.collection.clone(), a.record.data.clone())),
        ..Default::default()
    };
    if let Some(o) = options {
        for (k, v) in &o.query {
            info.query.insert(k.clone(), Value::String(v.clone()));
        }
        for (k, v) in &o.headers {
            info.insert_header(k, v);
        }
    }
    info
}
