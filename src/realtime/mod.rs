//! The realtime broker: connected SSE clients by id, an index from the collection part of their topics to
//! the clients (so a record event touches only the clients subscribed to its collection), the auth state
//! of each client, and one ordered worker thread for broadcast jobs. No rules here: `services::realtime`
//! decides who receives what.

pub mod client;
pub mod topic;

pub use client::{Client, ClientAuth, ClientStream, Sent};
pub use topic::{SubOptions, Subscription, Target};

use crate::model::record::Record;
use crate::model::Collection;
use parking_lot::RwLock;
use rand::Rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A stream ends after this long without a delivered message.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// A stream ends this long after it connected, whatever the traffic.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

type Job = Box<dyn FnOnce() + Send>;

/// Collection part of a topic (`posts` of `posts/*`) → the clients with such a topic, by key.
type TopicIndex = HashMap<Box<str>, HashMap<u64, Arc<Client>>>;

/// Cheap-clone handle to the registry of realtime clients.
#[derive(Clone, Default)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    clients: RwLock<HashMap<Box<str>, Arc<Client>>>,
    topics: RwLock<TopicIndex>,
    next_key: AtomicU64,
    /// Numbers the committed record events (see [`Subscription::since`]).
    event_seq: AtomicU64,
    closing: AtomicBool,
    timeouts: RwLock<(Duration, Duration)>,
    worker: OnceLock<crossbeam_channel::Sender<Job>>,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            clients: RwLock::default(),
            topics: RwLock::default(),
            next_key: AtomicU64::new(1),
            event_seq: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            timeouts: RwLock::new((IDLE_TIMEOUT, MAX_LIFETIME)),
            worker: OnceLock::new(),
        }
    }
}

/// A new client id: 40 characters of `[A-Za-z0-9]`.
fn new_client_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..40)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

impl Broker {
    pub fn new() -> Broker {
        Broker::default()
    }

    /// Changes the idle timeout and the maximum lifetime of streams opened from now on (tests).
    pub fn set_timeouts(&self, idle: Duration, lifetime: Duration) {
        *self.inner.timeouts.write() = (idle, lifetime);
    }

    /// Registers a new client (real IP `ip`) with `PB_CONNECT` already queued; the returned stream is
    /// the response body and unregisters the client when dropped. After [`Broker::close_all`] the
    /// stream ends right after `PB_CONNECT`.
    pub fn connect(&self, ip: String) -> ClientStream {
        let key = self.inner.next_key.fetch_add(1, Ordering::Relaxed);
        let client = Arc::new(Client::new(key, new_client_id(), ip));
        let data = serde_json::json!({ "clientId": client.id() }).to_string();
        client.send("PB_CONNECT".into(), data.into());
        if self.inner.closing.load(Ordering::Relaxed) {
            client.close();
        } else {
            self.inner
                .clients
                .write()
                .insert(client.id().into(), client.clone());
        }
        let (idle, lifetime) = *self.inner.timeouts.read();
        ClientStream::new(client, self.clone(), idle, lifetime)
    }

    /// The connected client with this id.
    pub fn client(&self, id: &str) -> Option<Arc<Client>> {
        self.inner.clients.read().get(id).cloned()
    }

    /// Number of connected clients.
    pub fn len(&self) -> usize {
        self.inner.clients.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes the client from the registry and the topic index, and closes it.
    pub fn unregister(&self, client: &Arc<Client>) {
        {
            let mut clients = self.inner.clients.write();
            if clients
                .get(client.id())
                .is_some_and(|c| Arc::ptr_eq(c, client))
            {
                clients.remove(client.id());
            }
        }
        let mut topics = self.inner.topics.write();
        let subs = std::mem::take(&mut client.state.lock().subs);
        for s in &subs {
            remove_from_index(&mut topics, &s.collection, client.key);
        }
        drop(topics);
        client.close();
    }

    /// Replaces every subscription of the client (empty strings are skipped). Subscriptions the client
    /// already had keep their place in the event sequence.
    pub fn set_subscriptions(&self, client: &Arc<Client>, raw: &[String]) {
        let since = self.inner.event_seq.load(Ordering::SeqCst);
        let old: Vec<Arc<Subscription>> = client.state.lock().subs.clone();
        let subs: Vec<Arc<Subscription>> = raw
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| match old.iter().find(|o| &*o.raw == s.as_str()) {
                Some(kept) => kept.clone(),
                None => {
                    let mut sub = Subscription::parse(s);
                    sub.since = since;
                    Arc::new(sub)
                }
            })
            .collect();
        let mut topics = self.inner.topics.write();
        let mut st = client.state.lock();
        if st.closed {
            return;
        }
        for s in &st.subs {
            remove_from_index(&mut topics, &s.collection, client.key);
        }
        for s in &subs {
            topics
                .entry(s.collection.clone())
                .or_default()
                .insert(client.key, client.clone());
        }
        st.subs = subs;
    }

    /// Removes one subscription (the exact string) from the client.
    pub fn unsubscribe(&self, client: &Arc<Client>, raw: &str) {
        let mut topics = self.inner.topics.write();
        let mut st = client.state.lock();
        let before = st.subs.len();
        st.subs.retain(|s| &*s.raw != raw);
        if st.subs.len() != before {
            let remaining: Vec<Box<str>> = st.subs.iter().map(|s| s.collection.clone()).collect();
            let collection = Subscription::parse(raw).collection;
            if !remaining.contains(&collection) {
                remove_from_index(&mut topics, &collection, client.key);
            }
        }
    }

    /// The clients with a topic on the collection `name` or `id` (each once).
    pub fn subscribers(&self, name: &str, id: &str) -> Vec<Arc<Client>> {
        let topics = self.inner.topics.read();
        let by_name = topics.get(name);
        let by_id = if id != name { topics.get(id) } else { None };
        let mut out: Vec<Arc<Client>> = by_name
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        if let Some(m) = by_id {
            out.extend(
                m.iter()
                    .filter(|(k, _)| !by_name.is_some_and(|n| n.contains_key(*k)))
                    .map(|(_, c)| c.clone()),
            );
        }
        out
    }

    /// Numbers a committed record event; subscriptions added later do not receive it.
    pub fn next_event_seq(&self) -> u64 {
        self.inner.event_seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// True when some client has a topic on the collection `name` or `id`.
    pub fn has_subscribers(&self, name: &str, id: &str) -> bool {
        let topics = self.inner.topics.read();
        topics.contains_key(name) || topics.contains_key(id)
    }

    /// Delivers `data` under `event` to the client; a client whose queue is full is dropped.
    pub fn send(&self, client: &Arc<Client>, event: Arc<str>, data: bytes::Bytes) -> Sent {
        let sent = client.send(event, data);
        if sent == Sent::Overflow {
            tracing::debug!("realtime client {} dropped: not reading", client.id());
            self.unregister(client);
        }
        sent
    }

    /// Runs `job` on the broker's worker thread, after every job queued before it.
    pub fn enqueue(&self, job: impl FnOnce() + Send + 'static) {
        let tx = self.inner.worker.get_or_init(|| {
            let (tx, rx) = crossbeam_channel::unbounded::<Job>();
            let spawned = std::thread::Builder::new()
                .name("realtime".into())
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start the realtime worker: {e}");
            }
            tx
        });
        if tx.send(Box::new(job)).is_err() {
            tracing::warn!("the realtime worker is gone; an event was not broadcast");
        }
    }

    /// Ends every stream and refuses new ones (server shutdown).
    pub fn close_all(&self) {
        self.inner.closing.store(true, Ordering::Relaxed);
        let all: Vec<Arc<Client>> = self.inner.clients.read().values().cloned().collect();
        for c in &all {
            self.unregister(c);
        }
    }

    fn clients_with_auth(&self, mut pick: impl FnMut(&ClientAuth) -> bool) -> Vec<Arc<Client>> {
        self.inner
            .clients
            .read()
            .values()
            .filter(|c| c.state.lock().auth.as_deref().is_some_and(&mut pick))
            .cloned()
            .collect()
    }

    /// An auth record was updated: clients bound to it get the new version, or become guests when its
    /// `tokenKey` changed.
    pub fn refresh_auth_record(&self, collection_id: &str, record: &Record) {
        let bound = self.clients_with_auth(|a| {
            a.collection.id == collection_id && a.record.id() == record.id()
        });
        for c in bound {
            let mut st = c.state.lock();
            let Some(old) = st.auth.clone() else { continue };
            st.auth = if old.record.get_str("tokenKey") == record.get_str("tokenKey") {
                Some(Arc::new(ClientAuth {
                    collection: old.collection.clone(),
                    record: record.clone(),
                }))
            } else {
                None
            };
        }
    }

    /// An auth record was deleted: clients bound to it become guests.
    pub fn drop_auth_record(&self, collection_id: &str, record_id: &str) {
        for c in self
            .clients_with_auth(|a| a.collection.id == collection_id && a.record.id() == record_id)
        {
            c.state.lock().auth = None;
        }
    }

    /// An auth collection changed: clients bound to its records keep their auth with the new
    /// collection, unless the collection is gone or its auth token secret changed.
    pub fn refresh_auth_collection(&self, collection_id: &str, now: Option<&Arc<Collection>>) {
        for c in self.clients_with_auth(|a| a.collection.id == collection_id) {
            let mut st = c.state.lock();
            let Some(old) = st.auth.clone() else { continue };
            st.auth = match now {
                Some(new) if secret_of(new) == secret_of(&old.collection) && new.is_auth() => {
                    Some(Arc::new(ClientAuth {
                        collection: new.clone(),
                        record: old.record.clone(),
                    }))
                }
                _ => None,
            };
        }
    }
}

fn secret_of(c: &Collection) -> Option<&str> {
    c.auth.as_ref().map(|a| a.auth_token.secret.as_str())
}

fn remove_from_index(topics: &mut TopicIndex, collection: &str, key: u64) {
    if let Some(m) = topics.get_mut(collection) {
        m.remove(&key);
        if m.is_empty() {
            topics.remove(collection);
        }
    }
}
