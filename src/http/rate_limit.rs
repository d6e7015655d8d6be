//! The rate limit middleware (04-auth.md §9) and the collection context check of the collection-scoped
//! routes. One step of `middleware::front` serves every route: the matched route pattern says whether the route is
//! collection-scoped and with which tags (see [`scope_of`]), so a new auth endpoint is limited as soon as
//! its pattern is listed there.

use super::error::ApiError;
use super::middleware::real_ip;
use crate::app::App;
use crate::services::auth_state::Requester;
use crate::services::rate_limit::{self, Client};
use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::net::SocketAddr;

/// A collection-scoped route: its rate limit tags, and whether an unknown collection is answered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub tags: &'static [&'static str],
    /// Auth and file routes answer 404 `Missing or invalid collection context.` for an unknown
    /// collection; the record routes leave that to their handler.
    pub strict: bool,
}

const fn strict(tags: &'static [&'static str]) -> Option<Scope> {
    Some(Scope { tags, strict: true })
}

const fn lenient(tags: &'static [&'static str]) -> Option<Scope> {
    Some(Scope {
        tags,
        strict: false,
    })
}

/// The scope of a route, from its method and matched pattern (`/api/collections/{collection}/…` or
/// `/api/files/{collection}/…`; the name of the collection parameter does not matter).
pub fn scope_of(method: &Method, pattern: &str) -> Option<Scope> {
    if let Some(rest) = param_tail(pattern, "/api/files/") {
        return (rest.matches('/').count() == 2 && *method == Method::GET)
            .then_some(())
            .and(strict(&["file"]));
    }
    let rest = param_tail(pattern, "/api/collections/")?.strip_prefix('/')?;
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    match rest {
        "records" if get => lenient(&["list"]),
        "records" if post => lenient(&["create"]),
        r if r.starts_with("records/{") && !r[8..].contains('/') => match *method {
            Method::GET => lenient(&["view"]),
            Method::PATCH => lenient(&["update"]),
            Method::DELETE => lenient(&["delete"]),
            _ => None,
        },
        "auth-methods" if get => strict(&["listAuthMethods"]),
        _ if !post => None,
        "auth-refresh" => strict(&["authRefresh"]),
        "auth-with-password" => strict(&["authWithPassword", "auth"]),
        "auth-with-oauth2" => strict(&["authWithOAuth2", "auth"]),
        "auth-with-otp" => strict(&["authWithOTP", "auth"]),
        "auth-anonymously" => strict(&["authAnonymously", "auth"]),
        "request-otp" => strict(&["requestOTP"]),
        "request-password-reset" => strict(&["requestPasswordReset"]),
        "confirm-password-reset" => strict(&["confirmPasswordReset"]),
        "request-verification" => strict(&["requestVerification"]),
        "confirm-verification" => strict(&["confirmVerification"]),
        "request-email-change" => strict(&["requestEmailChange"]),
        "confirm-email-change" => strict(&["confirmEmailChange"]),
        _ => None,
    }
}

/// What follows `{param}` in `pattern` when it starts with `prefix` + a path parameter.
fn param_tail<'a>(pattern: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = pattern.strip_prefix(prefix)?.strip_prefix('{')?;
    let end = rest.find('}')?;
    Some(&rest[end + 1..])
}

/// The collection segment of a request path (the segment after `/api/collections/` or `/api/files/`).
fn collection_segment(path: &str) -> String {
    let rest = path
        .strip_prefix("/api/collections/")
        .or_else(|| path.strip_prefix("/api/files/"))
        .unwrap_or("");
    let raw = rest.split('/').next().unwrap_or("");
    if raw.contains('%') {
        super::extract::percent_decode(&raw.replace('+', "%2B"))
    } else {
        raw.to_string()
    }
}

/// The rate limit step of `middleware::front`. Runs after routing (it reads the matched pattern) and after the auth token
/// was loaded (superusers are never limited). While rate limiting is off it only does the collection
/// context check of the strict routes.
pub async fn rate_limit<F: Future<Output = Response>>(
    app: &App,
    req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let pattern = req.extensions().get::<MatchedPath>();
    let scope = pattern.and_then(|p| scope_of(req.method(), p.as_str()));
    let enabled = app.rate_limiters().enabled();
    if !enabled && !scope.is_some_and(|s| s.strict) {
        return next(req).await;
    }
    let collection = match scope {
        Some(s) => {
            let found = app.find_collection(&collection_segment(req.uri().path()));
            if found.is_none() && s.strict {
                return ApiError::new(404, "Missing or invalid collection context.")
                    .into_response();
            }
            found
        }
        None => None,
    };
    if !enabled {
        return next(req).await;
    }
    let requester: &Requester = req.extensions().get::<Requester>().unwrap_or(&None);
    let remote = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = real_ip(app, req.headers(), remote);
    let client = Client { ip: &ip, requester };
    let (method, path) = (req.method().as_str(), req.uri().path());
    let checked = match (scope, &collection) {
        (Some(s), Some(c)) => {
            let route = format!("{method} {}", pattern.map_or("", |p| p.as_str()));
            rate_limit::check_collection(app, c, s.tags, (method, path, &route), client)
        }
        _ => rate_limit::check_path(app, method, path, client),
    };
    if let Err(e) = checked {
        return ApiError::from(e).into_response();
    }
    next(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_the_collection_routes() {
        let c = "/api/collections/{collection}";
        let tags = |m: Method, p: &str| scope_of(&m, p).map(|s| (s.tags, s.strict));
        assert_eq!(
            tags(Method::GET, &format!("{c}/records")),
            Some((&["list"][..], false))
        );
        assert_eq!(
            tags(Method::POST, &format!("{c}/records")),
            Some((&["create"][..], false))
        );
        assert_eq!(
            tags(Method::PATCH, &format!("{c}/records/{{id}}")),
            Some((&["update"][..], false))
        );
        assert_eq!(
            tags(Method::POST, &format!("{c}/auth-with-password")),
            Some((&["authWithPassword", "auth"][..], true))
        );
        assert_eq!(
            tags(Method::POST, "/api/collections/{c}/request-otp"),
            Some((&["requestOTP"][..], true))
        );
        assert_eq!(
            tags(Method::GET, "/api/files/{collection}/{record}/{filename}"),
            Some((&["file"][..], true))
        );
        assert_eq!(tags(Method::POST, "/api/files/token"), None);
        assert_eq!(tags(Method::POST, &format!("{c}/impersonate/{{id}}")), None);
        assert_eq!(tags(Method::DELETE, &format!("{c}/truncate")), None);
        assert_eq!(tags(Method::GET, c), None);
        assert_eq!(tags(Method::GET, &format!("{c}/auth-with-password")), None);
    }

    #[test]
    fn collection_segment_is_decoded() {
        assert_eq!(
            collection_segment("/api/collections/users/records"),
            "users"
        );
        assert_eq!(collection_segment("/api/files/a%20b/x/y"), "a b");
        assert_eq!(collection_segment("/api/collections/a+b/records"), "a+b");
    }
}
