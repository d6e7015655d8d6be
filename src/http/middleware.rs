//! Cross-cutting request layers: loading the auth token, security headers and the request log.

use super::error::LoggedError;
use crate::app::App;
use crate::auth::token::TokenType;
use crate::services::auth_state::{load_token, Requester};
use crate::store::logs::LogEntry;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::future::BoxFuture;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

/// The token of the `Authorization` header, with a `Bearer ` prefix (any case) removed.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let raw = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let token = if raw.len() > 7 && raw[..7].eq_ignore_ascii_case("bearer ") {
        raw[7..].trim()
    } else {
        raw
    };
    (!token.is_empty()).then(|| token.to_string())
}

/// Answers some requests before the built-in routes do (the JS routes of `pb_hooks`).
pub trait Intercept: Send + Sync + 'static {
    /// Takes the request (answering it, possibly through `next`), or gives both back untouched.
    #[allow(clippy::result_large_err)]
    fn intercept(
        &self,
        req: Request,
        next: Next,
    ) -> Result<BoxFuture<'static, Response>, (Request, Next)>;
}

/// The state of [`front`].
#[derive(Clone)]
pub struct Front {
    pub app: App,
    pub intercept: Option<Arc<dyn Intercept>>,
}

/// The one layer every API request passes through after routing, in this order: the auth token is
/// loaded (an invalid token simply means a guest), the request is logged, the rate limits are checked,
/// the JS routes may take the request, and PocketBase's security headers are added to the answer. One
/// layer instead of five saves a boxed future and a service clone per step.
pub async fn front(State(front): State<Front>, mut req: Request, next: Next) -> Response {
    let Front { app, intercept } = front;
    let requester: Requester = match bearer_token(req.headers()) {
        Some(t) => load_token(&app, &t, &[TokenType::Auth, TokenType::Admin]).await,
        None => None,
    };
    req.extensions_mut().insert(requester);
    let res = request_log(&app, req, |req| {
        super::rate_limit::rate_limit(&app, req, |req| async move {
            let (req, next) = match &intercept {
                Some(js) => match js.intercept(req, next) {
                    Ok(answer) => return answer.await,
                    Err(back) => back,
                },
                None => (req, next),
            };
            next.run(req).await
        })
    })
    .await;
    security_headers(res)
}

/// PocketBase's default security headers (names parsed once, at compile time).
fn security_headers(mut res: Response) -> Response {
    use axum::http::HeaderName;
    const XSS: HeaderName = HeaderName::from_static("x-xss-protection");
    const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");
    const FRAME: HeaderName = HeaderName::from_static("x-frame-options");
    const COOP: HeaderName = HeaderName::from_static("cross-origin-opener-policy");
    let framing_allowed = res
        .extensions()
        .get::<super::files::AllowFraming>()
        .is_some();
    let h = res.headers_mut();
    h.insert(XSS, HeaderValue::from_static("1; mode=block"));
    h.insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    if !framing_allowed {
        h.insert(FRAME, HeaderValue::from_static("SAMEORIGIN"));
    }
    h.insert(COOP, HeaderValue::from_static("same-origin"));
    res
}

/// The client IP: the remote address, or the configured trusted-proxy header.
pub fn real_ip(app: &App, headers: &HeaderMap, remote: Option<IpAddr>) -> String {
    let settings = app.settings();
    for name in &settings.trusted_proxy.headers {
        if let Some(v) = headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            let ips: Vec<&str> = v
                .split(',')
                .map(str::trim)
                .filter(|s| s.parse::<IpAddr>().is_ok())
                .collect();
            let pick = if settings.trusted_proxy.use_leftmost_ip {
                ips.first()
            } else {
                ips.last()
            };
            if let Some(ip) = pick {
                return ip.to_string();
            }
        }
    }
    remote.map(ip_text).unwrap_or_default()
}

/// The text of `ip`, as `Display` writes it (IPv4 without the formatting machinery: it runs per request).
pub fn ip_text(ip: IpAddr) -> String {
    let IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// The request's real IP (see [`real_ip`]) as an extractor.
pub struct ClientIp(pub String);

impl axum::extract::FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &App,
    ) -> Result<Self, Self::Rejection> {
        let remote = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(real_ip(app, &parts.headers, remote)))
    }
}

/// A header's text (empty when missing or not UTF-8).
fn header_text(v: &Option<HeaderValue>) -> &str {
    v.as_ref()
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .unwrap_or("")
}

/// Record create/update: the body may take the default limit plus what the collection's file fields
/// allow (as PocketBase computes it); [`super::extract::RecordBody`] counts against it.
pub async fn record_body_limit(
    State(app): State<App>,
    axum::extract::Path(params): axum::extract::Path<std::collections::HashMap<String, String>>,
    mut req: Request,
    next: Next,
) -> Response {
    let allowance = params
        .get("collection")
        .and_then(|c| app.find_collection(c))
        .map_or(0, |c| crate::services::record_files::upload_allowance(&c));
    let limit = (super::BODY_LIMIT as u64).saturating_add(allowance);
    req.extensions_mut()
        .insert(super::extract::BodyLimit(limit));
    next.run(req).await
}

/// Routes whose successful requests are not logged. Every other route is, JS routes outside `/api/`
/// included (as PocketBase does; it skips only these and its static file handlers, which belong here
/// once Ferrobase serves `pb_public` and the dashboard).
fn skip_success_log(path: &str) -> bool {
    path == "/api/realtime" || path == "/api/oauth2-redirect" || path.starts_with("/api/logs")
}

/// The `data` of a request log row, serialized once, in PocketBase's key order.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestLogData<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    exec_time: f64,
    url: &'a str,
    method: &'a str,
    status: u16,
    referer: &'a str,
    user_agent: &'a str,
    auth: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    /// Written as `null` next to an error.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "null")]
    details: Option<()>,
    #[serde(rename = "remoteIP", skip_serializing_if = "Option::is_none")]
    remote_ip: Option<&'a str>,
    #[serde(rename = "userIP", skip_serializing_if = "Option::is_none")]
    user_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_id: Option<&'a str>,
}

fn null<S: serde::Serializer>(_: &Option<()>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_unit()
}

/// Writes one `_logs` row per request (queued, written off the request path) around `next`.
async fn request_log<F: Future<Output = Response>>(
    app: &App,
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let start = Instant::now();
    let settings = app.settings();
    if settings.logs.max_days <= 0 {
        return next(req).await;
    }
    let method = req.method().clone();
    let uri = req.uri().clone();
    let referer = req.headers().get(axum::http::header::REFERER).cloned();
    let user_agent = req.headers().get(axum::http::header::USER_AGENT).cloned();
    // only the headers the real-IP resolution may read are kept
    let mut proxy_headers = HeaderMap::new();
    for name in &settings.trusted_proxy.headers {
        if let Ok(n) = axum::http::HeaderName::from_bytes(name.as_bytes()) {
            if let Some(v) = req.headers().get(&n) {
                proxy_headers.insert(n, v.clone());
            }
        }
    }
    let remote = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let auth_name = req
        .extensions()
        .get::<Requester>()
        .and_then(|r| r.as_ref())
        .map(|a| (a.collection.name.clone(), a.record.id().to_string()));
    let res = next(req).await;
    let error = res.extensions().get::<LoggedError>().map(|e| e.0.clone());
    if error.is_none() && skip_success_log(uri.path()) {
        return res;
    }
    let level = if error.is_some() { 8 } else { 0 };
    if level < settings.logs.min_level {
        return res;
    }
    let Some(writer) = app.log_writer() else {
        return res;
    };
    // the request target as the client sent it (origin form: path and query)
    let url = match (uri.scheme(), uri.path_and_query()) {
        (None, Some(pq)) => super::extract::percent_decode(pq.as_str()),
        _ => super::extract::percent_decode(&uri.to_string()),
    };
    let (remote_ip, user_ip) = if settings.logs.log_ip {
        (
            Some(remote.map(ip_text).unwrap_or_default()),
            Some(real_ip(app, &proxy_headers, remote)),
        )
    } else {
        (None, None)
    };
    let data = RequestLogData {
        kind: "request",
        exec_time: start.elapsed().as_secs_f64() * 1000.0,
        url: &url,
        method: method.as_str(),
        status: res.status().as_u16(),
        referer: header_text(&referer),
        user_agent: header_text(&user_agent),
        auth: auth_name.as_ref().map_or("", |a| a.0.as_str()),
        error: error.as_deref(),
        details: error.as_ref().map(|_| ()),
        remote_ip: remote_ip.as_deref(),
        user_ip: user_ip.as_deref(),
        auth_id: settings
            .logs
            .log_auth_id
            .then(|| auth_name.as_ref().map_or("", |a| a.1.as_str())),
    };
    writer.log(LogEntry::new(level, &[method.as_str(), " ", &url], &data));
    res
}

#[cfg(test)]
mod tests {
    use super::ip_text;
    use std::net::IpAddr;

    #[test]
    fn ip_text_matches_display() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.30.40",
            "255.255.255.255",
            "1.10.100.199",
            "::1",
            "2001:db8::7",
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }
}
