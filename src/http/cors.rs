//! CORS as PocketBase answers it (`serve --origins`, default any origin).
//!
//! - Every answer gets `Vary: Origin`.
//! - A request without `Origin` passes through untouched; one from an allowed origin gets
//!   `Access-Control-Allow-Origin` (`*` when any origin is allowed, else the origin itself); one from
//!   another origin passes through without it.
//! - Every `OPTIONS` request is a preflight, answered here with 204 and never routed (nor logged): from an
//!   allowed origin with `Access-Control-Allow-Origin`, `Access-Control-Allow-Methods` (the six API
//!   methods), the request's own `Access-Control-Request-Headers` mirrored, and two more `Vary` entries;
//!   otherwise with `Vary: Origin` alone.
//!
//! An `--origins` entry is an exact origin, `*`, or a pattern where `*` stands for any text and `?` for
//! one character (`https://*.example.com`).

use axum::body::Body;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN, VARY,
};
use axum::http::{HeaderValue, Method, Request, Response, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

const ALLOW_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE";

/// The allowed origins.
#[derive(Debug)]
struct Origins {
    any: bool,
    exact: Vec<String>,
    patterns: Vec<regex::Regex>,
}

impl Origins {
    fn new(list: &[String]) -> Origins {
        let list: Vec<&str> = list
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .collect();
        let any = list.is_empty() || list.contains(&"*");
        let exact = list.iter().map(|o| o.to_string()).collect();
        let patterns = list
            .iter()
            .filter(|o| o.contains(['*', '?']) && **o != "*")
            .filter_map(|o| {
                let re = regex::escape(o).replace(r"\*", ".*").replace(r"\?", ".");
                regex::Regex::new(&format!("^{re}$")).ok()
            })
            .collect();
        Origins {
            any,
            exact,
            patterns,
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`; `None`: not allowed.
    fn allow(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        if self.any {
            return Some(HeaderValue::from_static("*"));
        }
        let text = origin.to_str().ok()?;
        if self.exact.iter().any(|o| o == text) {
            return Some(origin.clone());
        }
        // like PocketBase: patterns only for `scheme://host` origins of a sane length
        let host = &text[text.find("://")? + 3..];
        if host.len() > 253 {
            return None;
        }
        self.patterns
            .iter()
            .any(|re| re.is_match(text))
            .then(|| origin.clone())
    }
}

/// The CORS layer over the router.
#[derive(Clone, Debug)]
pub struct CorsLayer {
    origins: Arc<Origins>,
}

impl CorsLayer {
    /// `origins` as `--origins` gives them (empty: any origin).
    pub fn new(origins: &[String]) -> CorsLayer {
        CorsLayer {
            origins: Arc::new(Origins::new(origins)),
        }
    }
}

impl<S> tower::Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            origins: self.origins.clone(),
        }
    }
}

/// See [`CorsLayer`].
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    origins: Arc<Origins>,
}

impl<S, B> tower::Service<Request<B>> for Cors<S>
where
    S: tower::Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = CorsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let allow = req
            .headers()
            .get(ORIGIN)
            .and_then(|o| self.origins.allow(o));
        if req.method() != Method::OPTIONS {
            return CorsFuture::Routed {
                inner: self.inner.call(req),
                allow,
            };
        }
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NO_CONTENT;
        let h = res.headers_mut();
        h.append(VARY, HeaderValue::from_static("Origin"));
        if let Some(allow) = allow {
            h.append(
                VARY,
                HeaderValue::from_static("Access-Control-Request-Method"),
            );
            h.append(
                VARY,
                HeaderValue::from_static("Access-Control-Request-Headers"),
            );
            h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow);
            h.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            if let Some(asked) = req
                .headers()
                .get(ACCESS_CONTROL_REQUEST_HEADERS)
                .filter(|v| !v.is_empty())
            {
                h.insert(ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
            }
        }
        CorsFuture::Preflight { res: Some(res) }
    }
}

pin_project_lite::pin_project! {
    /// The answer of [`Cors`]: a preflight's, or the routed one with the CORS headers added.
    #[project = CorsProj]
    pub enum CorsFuture<F> {
        Preflight { res: Option<Response<Body>> },
        Routed { #[pin] inner: F, allow: Option<HeaderValue> },
    }
}

impl<F, E> Future for CorsFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CorsProj::Preflight { res } => Poll::Ready(Ok(res.take().unwrap_or_default())),
            CorsProj::Routed { inner, allow } => {
                let mut res = match inner.poll(cx) {
                    Poll::Ready(Ok(res)) => res,
                    other => return other,
                };
                let h = res.headers_mut();
                h.append(VARY, HeaderValue::from_static("Origin"));
                if let Some(allow) = allow.take() {
                    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow);
                }
                Poll::Ready(Ok(res))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Origins;
    use axum::http::HeaderValue;

    fn allow(list: &[&str], origin: &str) -> Option<String> {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        Origins::new(&list)
            .allow(&HeaderValue::from_str(origin).expect("header"))
            .map(|v| v.to_str().expect("text").to_string())
    }

    #[test]
    fn origins_match_like_pocketbase() {
        assert_eq!(allow(&[], "http://a.example").as_deref(), Some("*"));
        assert_eq!(allow(&["*"], "http://a.example").as_deref(), Some("*"));
        let list = [
            "http://a.example",
            "https://*.b.example",
            "http://c?.example",
        ];
        assert_eq!(
            allow(&list, "http://a.example").as_deref(),
            Some("http://a.example")
        );
        assert_eq!(allow(&list, "http://A.example"), None);
        assert_eq!(allow(&list, "http://x.example"), None);
        assert_eq!(
            allow(&list, "https://api.b.example").as_deref(),
            Some("https://api.b.example")
        );
        assert_eq!(allow(&list, "https://b.example"), None);
        assert_eq!(
            allow(&list, "http://c1.example").as_deref(),
            Some("http://c1.example")
        );
        assert_eq!(allow(&list, "http://c12.example"), None);
        assert_eq!(allow(&list, "no-scheme.b.example"), None);
    }
}
