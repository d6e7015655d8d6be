//! One connected SSE client: its subscriptions, auth, a small bounded queue of pending messages and the
//! stream that turns the queue into the response body (with the idle and lifetime limits).

use super::topic::Subscription;
use super::Broker;
use crate::model::record::Record;
use crate::model::Collection;
use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// At most this many messages wait for one client; one more drops the client.
pub const MAX_QUEUED: usize = 1024;
/// At most this many payload bytes wait for one client (payloads are shared between clients).
pub const MAX_QUEUED_BYTES: usize = 4 << 20;
/// One body chunk carries at most about this many bytes of queued messages.
const MAX_CHUNK: usize = 64 << 10;

/// The auth record a client is bound to (set by `POST /api/realtime`).
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub collection: Arc<Collection>,
    pub record: Record,
}

impl ClientAuth {
    pub fn is_superuser(&self) -> bool {
        self.collection.is_superusers()
    }
}

struct Queued {
    event: Arc<str>,
    data: Bytes,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) subs: Vec<Arc<Subscription>>,
    pub(super) auth: Option<Arc<ClientAuth>>,
    queue: VecDeque<Queued>,
    queued_bytes: usize,
    waker: Option<Waker>,
    pub(super) closed: bool,
}

/// What happened to a message handed to [`Client::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Queued,
    /// The client is gone (or was just dropped for not reading); nothing was queued.
    Closed,
    /// The queue was full: the client has been closed and must be unregistered.
    Overflow,
}

/// A connected client.
pub struct Client {
    pub(super) key: u64,
    id: Box<str>,
    ip: Box<str>,
    pub(super) state: Mutex<State>,
}

impl Client {
    pub(super) fn new(key: u64, id: String, ip: String) -> Client {
        Client {
            key,
            id: id.into(),
            ip: ip.into(),
            state: Mutex::new(State::default()),
        }
    }

    /// The 40-character client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The real IP of the connecting request ("" when unknown).
    pub fn ip(&self) -> &str {
        &self.ip
    }

    /// The bound auth record, if any.
    pub fn auth(&self) -> Option<Arc<ClientAuth>> {
        self.state.lock().auth.clone()
    }

    pub fn set_auth(&self, auth: Option<ClientAuth>) {
        self.state.lock().auth = auth.map(Arc::new);
    }

    /// True when the exact subscription string is set.
    pub fn has_subscription(&self, raw: &str) -> bool {
        self.state.lock().subs.iter().any(|s| &*s.raw == raw)
    }

    /// The subscription strings, in submission order.
    pub fn subscriptions(&self) -> Vec<String> {
        self.state
            .lock()
            .subs
            .iter()
            .map(|s| s.raw.to_string())
            .collect()
    }

    /// Calls `f` with each subscription and the bound auth (under the client's lock: keep `f` short).
    pub fn for_each_subscription(
        &self,
        mut f: impl FnMut(&Arc<Subscription>, Option<&Arc<ClientAuth>>),
    ) {
        let st = self.state.lock();
        if st.closed {
            return;
        }
        for s in &st.subs {
            f(s, st.auth.as_ref());
        }
    }

    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// Queues one message (`event` name, `data` JSON) and wakes the stream.
    pub fn send(&self, event: Arc<str>, data: Bytes) -> Sent {
        let mut st = self.state.lock();
        if st.closed {
            return Sent::Closed;
        }
        if st.queue.len() >= MAX_QUEUED || st.queued_bytes + data.len() > MAX_QUEUED_BYTES {
            st.closed = true;
            st.queue = VecDeque::new();
            st.queued_bytes = 0;
            wake(&mut st);
            return Sent::Overflow;
        }
        st.queued_bytes += data.len();
        st.queue.push_back(Queued { event, data });
        wake(&mut st);
        Sent::Queued
    }

    /// Marks the client closed and wakes its stream (which then ends).
    pub(super) fn close(&self) {
        let mut st = self.state.lock();
        st.closed = true;
        st.queue = VecDeque::new();
        st.queued_bytes = 0;
        wake(&mut st);
    }

    /// Takes queued messages as one SSE chunk: `id:…\nevent:…\ndata:…\n\n` per message.
    fn take_chunk(&self, st: &mut State) -> Option<Bytes> {
        if st.queue.is_empty() {
            return None;
        }
        let mut buf = BytesMut::new();
        while let Some(m) = st.queue.front() {
            if !buf.is_empty() && buf.len() + m.data.len() > MAX_CHUNK {
                break;
            }
            let m = st.queue.pop_front().expect("front exists");
            st.queued_bytes -= m.data.len();
            buf.reserve(self.id.len() + m.event.len() + m.data.len() + 20);
            buf.put_slice(b"id:");
            buf.put_slice(self.id.as_bytes());
            buf.put_slice(b"\nevent:");
            buf.put_slice(m.event.as_bytes());
            buf.put_slice(b"\ndata:");
            buf.put_slice(&m.data);
            buf.put_slice(b"\n\n");
        }
        if st.queue.is_empty() {
            // an idle client keeps no queue storage
            st.queue = VecDeque::new();
        }
        Some(buf.freeze())
    }
}

fn wake(st: &mut State) {
    if let Some(w) = st.waker.take() {
        w.wake();
    }
}

/// The body of `GET /api/realtime`: yields queued messages, ends when the client is closed, after
/// `idle` without a delivered message, or `lifetime` after connecting. Dropping it unregisters the
/// client.
pub struct ClientStream {
    client: Arc<Client>,
    broker: Broker,
    ends_at: Instant,
    idle: Duration,
    last_delivery: Instant,
    timer: Pin<Box<Sleep>>,
}

impl ClientStream {
    pub(super) fn new(
        client: Arc<Client>,
        broker: Broker,
        idle: Duration,
        lifetime: Duration,
    ) -> Self {
        let now = Instant::now();
        let ends_at = now + lifetime;
        ClientStream {
            client,
            broker,
            ends_at,
            idle,
            last_delivery: now,
            timer: Box::pin(tokio::time::sleep_until(ends_at.min(now + idle))),
        }
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    fn deadline(&self) -> Instant {
        self.ends_at.min(self.last_delivery + self.idle)
    }
}

impl futures_util::Stream for ClientStream {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        {
            let client = self.client.clone();
            let mut st = client.state.lock();
            if let Some(chunk) = client.take_chunk(&mut st) {
                drop(st);
                self.last_delivery = Instant::now();
                return Poll::Ready(Some(Ok(chunk)));
            }
            if st.closed {
                return Poll::Ready(None);
            }
            match &st.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => st.waker = Some(cx.waker().clone()),
            }
        }
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // the timer is lazy: deliveries only move `last_delivery`, the timer catches up here
            let deadline = self.deadline();
            if Instant::now() >= deadline {
                self.client.close();
                return Poll::Ready(None);
            }
            self.timer.as_mut().reset(deadline);
        }
    }
}

impl Drop for ClientStream {
    fn drop(&mut self) {
        self.broker.unregister(&self.client);
    }
}
