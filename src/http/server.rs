//! The server loop: accepts TCP connections and serves each with hyper (HTTP/1.1 with keep-alive, or
//! HTTP/2 with prior knowledge), with graceful shutdown. A streaming response marked [`Detachable`] (the
//! realtime SSE stream) leaves hyper once it is ready: this module writes its head and chunks itself, so
//! an idle stream holds no hyper connection (no read and write buffers), and hands the connection back to
//! hyper when the stream ends.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, Version};
use axum::Router;
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use parking_lot::Mutex;
use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What a client sends first on an HTTP/2 connection with prior knowledge.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Bytes a client may send while its detached stream runs (kept for hyper); past that they stay unread.
const MAX_PENDING: usize = 16 << 10;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, Infallible>> + Send>>;

/// A streaming response body the connection loop may take over from hyper. The handler puts the marker in
/// the response extensions when [`can_detach`] allows it; otherwise (or on HTTP/2) hyper streams the
/// body as usual.
#[derive(Clone)]
pub struct Detachable(Arc<Mutex<Option<Chunks>>>);

impl Detachable {
    /// Wraps `stream`: the response body and the marker that can take the stream out of it.
    pub fn new(
        stream: impl Stream<Item = Result<Bytes, Infallible>> + Send + 'static,
    ) -> (Body, Detachable) {
        let shared = Arc::new(Mutex::new(Some(Box::pin(stream) as Chunks)));
        (
            Body::from_stream(SharedChunks(shared.clone())),
            Detachable(shared),
        )
    }

    fn take(&self) -> Option<Chunks> {
        self.0.lock().take()
    }
}

/// The response body side of a [`Detachable`]: ends at once when the stream was taken.
struct SharedChunks(Arc<Mutex<Option<Chunks>>>);

impl Stream for SharedChunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0.lock().as_mut() {
            Some(s) => s.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

/// True when the response to this request may leave hyper: an HTTP/1.1 `GET` without a body (so that
/// nothing of the request is left unread when the connection goes back to hyper).
pub fn can_detach(method: &Method, version: Version, headers: &HeaderMap) -> bool {
    let no_body = headers
        .get(header::CONTENT_LENGTH)
        .is_none_or(|v| v.as_bytes() == b"0")
        && !headers.contains_key(header::TRANSFER_ENCODING);
    method == Method::GET && version == Version::HTTP_11 && no_body
}

/// True when the request asks to close the connection after its response.
fn wants_close(headers: &HeaderMap) -> bool {
    headers.get_all(header::CONNECTION).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")))
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets every connection
/// finish its current request and waits for them.
pub async fn run(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (live_tx, live_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (router, stop, live) = (router.clone(), stop_rx.clone(), live_rx.clone());
        tokio::spawn(async move {
            serve_connection(tcp, remote, router, stop).await;
            drop(live);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(live_rx);
    live_tx.closed().await;
}

/// Connection-level accept errors are the client's problem; others (e.g. out of file descriptors) are
/// logged and slow the loop down for a second.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Resolves once shutdown has started (or the server loop is gone).
async fn stopping(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn serve_connection(
    mut tcp: TcpStream,
    remote: SocketAddr,
    router: Router,
    stop: watch::Receiver<bool>,
) {
    let sniffed = tokio::select! {
        s = sniff_h2(&mut tcp) => s,
        () = stopping(stop.clone()) => return,
    };
    let Ok((is_h2, mut prefix)) = sniffed else {
        return;
    };
    if is_h2 {
        serve_h2(ConnIo::new(tcp, prefix, None), remote, router, stop).await;
        return;
    }
    loop {
        // boxed: the hyper phase's state is freed while a detached stream runs
        let Some((detached_tcp, unread, takeover)) =
            Box::pin(serve_h1(tcp, prefix, remote, &router, &stop)).await
        else {
            return;
        };
        let keep_alive = takeover.keep_alive;
        let Some((back, pending)) = stream_detached(detached_tcp, takeover, unread).await else {
            return;
        };
        tcp = back;
        prefix = pending;
        if !keep_alive || *stop.borrow() {
            let _ = tcp.shutdown().await;
            return;
        }
    }
}

/// Reads the first bytes: HTTP/2 when they are the HTTP/2 preface. The bytes read are returned for replay.
async fn sniff_h2(tcp: &mut TcpStream) -> io::Result<(bool, Bytes)> {
    let mut buf = [0u8; H2_PREFACE.len()];
    let mut n = 0;
    while n < buf.len() {
        let k = tcp.read(&mut buf[n..]).await?;
        if k == 0 {
            break;
        }
        n += k;
        if buf[..n] != H2_PREFACE[..n] {
            break;
        }
    }
    Ok((buf[..n] == *H2_PREFACE, Bytes::copy_from_slice(&buf[..n])))
}

async fn serve_h2(io: ConnIo, remote: SocketAddr, router: Router, stop: watch::Receiver<bool>) {
    let service = ConnService {
        router,
        remote,
        shared: None,
    };
    let builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    let mut conn = pin!(builder.serve_connection(TokioIo::new(io), service));
    let mut stopping = pin!(stopping(stop));
    let mut draining = false;
    let _ = poll_fn(|cx| {
        if !draining && stopping.as_mut().poll(cx).is_ready() {
            draining = true;
            conn.as_mut().graceful_shutdown();
        }
        conn.as_mut().poll(cx)
    })
    .await;
}

/// Runs hyper's HTTP/1 side until the connection ends, or until a response detached: then the socket, the
/// bytes hyper read but did not use, and the detached response come back.
async fn serve_h1(
    tcp: TcpStream,
    prefix: Bytes,
    remote: SocketAddr,
    router: &Router,
    stop: &watch::Receiver<bool>,
) -> Option<(TcpStream, Bytes, Takeover)> {
    let shared = Arc::new(ConnShared::default());
    let service = ConnService {
        router: router.clone(),
        remote,
        shared: Some(shared.clone()),
    };
    let io = ConnIo::new(tcp, prefix, Some(shared.clone()));
    let mut conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(io), service);
    let mut stopping = pin!(stopping(stop.clone()));
    let mut draining = false;
    let done = poll_fn(|cx| {
        if !draining && stopping.as_mut().poll(cx).is_ready() {
            draining = true;
            Pin::new(&mut conn).graceful_shutdown();
        }
        conn.poll_without_shutdown(cx)
    })
    .await;
    let takeover = shared.takeover.lock().take();
    if done.is_err() {
        return None;
    }
    let parts = conn.into_parts();
    let mut io = parts.io.into_inner();
    match takeover {
        Some(t) => {
            let unread = if io.prefix.is_empty() {
                parts.read_buf
            } else {
                let mut all = BytesMut::from(&parts.read_buf[..]);
                all.extend_from_slice(&io.prefix);
                all.freeze()
            };
            Some((io.tcp, unread, t))
        }
        None => {
            // what hyper would have done at the end of the connection
            let _ = io.tcp.shutdown().await;
            None
        }
    }
}

/// A response taken over from hyper: its encoded head, its body, and whether the connection may serve
/// more requests after it.
struct Takeover {
    head: Vec<u8>,
    body: Chunks,
    keep_alive: bool,
}

/// Shared by a connection's service and its IO during the HTTP/1 phase.
#[derive(Default)]
struct ConnShared {
    /// Set once a response detached: hyper's remaining output (a stand-in response) is discarded.
    detached: AtomicBool,
    takeover: Mutex<Option<Takeover>>,
}

/// The per-connection service: adds `ConnectInfo`, calls the router and, on HTTP/1, detaches marked
/// responses.
#[derive(Clone)]
struct ConnService {
    router: Router,
    remote: SocketAddr,
    shared: Option<Arc<ConnShared>>,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let keep_alive = !wants_close(req.headers());
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(ConnectInfo(self.remote));
        let mut router = self.router.clone();
        let call = tower::Service::call(&mut router, req);
        let shared = self.shared.clone();
        Box::pin(async move {
            let res = call.await?;
            Ok(match shared {
                Some(shared) => detach(&shared, res, keep_alive),
                None => res,
            })
        })
    }
}

/// Takes a marked response's stream out of hyper; hyper gets a stand-in that closes its side of the
/// connection (and whose bytes are discarded).
fn detach(shared: &ConnShared, mut res: Response<Body>, keep_alive: bool) -> Response<Body> {
    let Some(marker) = res.extensions_mut().remove::<Detachable>() else {
        return res;
    };
    let Some(body) = marker.take() else {
        return res;
    };
    let head = encode_head(&res, keep_alive);
    *shared.takeover.lock() = Some(Takeover {
        head,
        body,
        keep_alive,
    });
    shared.detached.store(true, Ordering::Release);
    let mut stand_in = Response::new(Body::empty());
    stand_in
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    stand_in
}

/// The HTTP/1.1 head of a chunked response, written as hyper writes it (with `connection: close` when
/// the connection ends after it).
fn encode_head(res: &Response<Body>, keep_alive: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    let status = res.status();
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("<none>").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in res.headers() {
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !keep_alive && !res.headers().contains_key(header::CONNECTION) {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    if !res.headers().contains_key(header::DATE) {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(httpdate::fmt_http_date(SystemTime::now()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Writes a detached response until its stream ends, watching the socket for the client going away.
/// When the stream ends normally, returns the connection and what the client sent meanwhile.
async fn stream_detached(
    mut tcp: TcpStream,
    takeover: Takeover,
    unread: Bytes,
) -> Option<(TcpStream, Bytes)> {
    let Takeover { head, mut body, .. } = takeover;
    tcp.write_all(&head).await.ok()?;
    drop(head);
    let mut pending = BytesMut::new();
    if !unread.is_empty() {
        pending.extend_from_slice(&unread);
    }
    drop(unread);
    loop {
        tokio::select! {
            chunk = body.next() => match chunk {
                Some(Ok(data)) => write_chunk(&mut tcp, data).await.ok()?,
                Some(Err(never)) => match never {},
                None => {
                    tcp.write_all(b"0\r\n\r\n").await.ok()?;
                    return Some((tcp, pending.freeze()));
                }
            },
            ready = tcp.readable(), if pending.len() < MAX_PENDING => {
                ready.ok()?;
                let mut buf = [0u8; 1024];
                match tcp.try_read(&mut buf) {
                    Ok(0) => return None,
                    Ok(n) => pending.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => return None,
                }
            }
        }
    }
}

/// One chunk of a chunked body: `<hex size>\r\n<data>\r\n`.
async fn write_chunk(tcp: &mut TcpStream, data: Bytes) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let size = format!("{:X}\r\n", data.len());
    let mut buf = Buf::chain(Buf::chain(size.as_bytes(), data), &b"\r\n"[..]);
    tcp.write_all_buf(&mut buf).await
}

/// The socket as hyper sees it: replays bytes read before hyper took over, and discards hyper's output
/// once a response detached.
struct ConnIo {
    tcp: TcpStream,
    prefix: Bytes,
    shared: Option<Arc<ConnShared>>,
}

impl ConnIo {
    fn new(tcp: TcpStream, prefix: Bytes, shared: Option<Arc<ConnShared>>) -> ConnIo {
        ConnIo {
            tcp,
            prefix,
            shared,
        }
    }

    fn discarding(&self) -> bool {
        self.shared
            .as_ref()
            .is_some_and(|s| s.detached.load(Ordering::Acquire))
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        if me.prefix.is_empty() {
            return Pin::new(&mut me.tcp).poll_read(cx, buf);
        }
        let n = me.prefix.len().min(buf.remaining());
        buf.put_slice(&me.prefix[..n]);
        me.prefix.advance(n);
        if me.prefix.is_empty() {
            me.prefix = Bytes::new();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.discarding() {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.discarding() {
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.discarding() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.discarding() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
