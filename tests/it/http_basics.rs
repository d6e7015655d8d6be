//! Health, unknown routes, CORS, security headers, malformed input and the body limit.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_unknown_routes() {
    let s = Server::start().await;
    let res = s.get("/api/health", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body,
        json!({"message": "API is healthy.", "code": 200, "data": {}})
    );
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert_eq!(res.headers["x-frame-options"], "SAMEORIGIN");

    let token = s.admin_token().await;
    let res = s.get("/api/health", Some(&token)).await;
    assert_eq!(res.body["data"]["realIP"], "127.0.0.1");
    assert_eq!(res.body["data"]["canBackup"], true);

    let cases: &[(&str, &str, &str)] = &[
        ("GET", "/api/nope", "File not found."),
        ("POST", "/api/nope", "The requested resource wasn't found."),
        (
            "DELETE",
            "/api/health",
            "The requested resource wasn't found.",
        ),
        (
            "PUT",
            "/api/settings",
            "The requested resource wasn't found.",
        ),
    ];
    for (method, path, message) in cases {
        let res = s.req(method, path, None, None).await;
        assert_error(&res, 404, message);
    }
}

#[tokio::test]
async fn cors_preflight_mirrors_headers() {
    let s = Server::start().await;
    let res = s
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/api/health", s.url))
        .header("Origin", "http://example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,authorization",
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET,HEAD,PUT,PATCH,POST,DELETE"
    );
    assert_eq!(
        h["access-control-allow-headers"],
        "content-type,authorization"
    );
    assert_eq!(res.status(), 204);
    let vary: Vec<_> = h.get_all("vary").iter().collect();
    assert_eq!(
        vary,
        [
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers"
        ]
    );
    // as PocketBase: no `Allow`, and every OPTIONS is a preflight (204, never routed)
    assert!(h.get("allow").is_none());
    let res = s.req("OPTIONS", "/api/nope", None, None).await;
    assert_eq!(res.status, 204);
    assert_eq!(res.headers["vary"], "Origin");
    assert!(res.headers.get("access-control-allow-origin").is_none());
    // a request without Origin gets only `Vary: Origin`; one with it the allowed origin, errors too
    let res = s.get("/api/health", None).await;
    assert_eq!(res.headers["vary"], "Origin");
    assert!(res.headers.get("access-control-allow-origin").is_none());
    let res = s
        .client
        .get(format!("{}/api/nope", s.url))
        .header("Origin", "http://example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
}

/// `serve --origins`: only the listed origins (exact or with `*`/`?` wildcards) get CORS headers.
#[tokio::test]
async fn cors_origins_restrict_the_allowed_origins() {
    let s = Server::start_with(|c| {
        c.cors_origins = vec!["http://a.example".into(), "https://*.b.example".into()];
    })
    .await;
    let get = |origin: &'static str| {
        s.client
            .get(format!("{}/api/health", s.url))
            .header("Origin", origin)
            .send()
    };
    for (origin, allowed) in [
        ("http://a.example", Some("http://a.example")),
        ("https://api.b.example", Some("https://api.b.example")),
        ("http://c.example", None),
        ("https://b.example", None),
    ] {
        let res = get(origin).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["vary"], "Origin");
        assert_eq!(
            res.headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap()),
            allowed,
            "{origin}"
        );
    }
    let res = s
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/api/health", s.url))
        .header("Origin", "http://c.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert!(res.headers().get("access-control-allow-methods").is_none());
}

#[tokio::test]
async fn malformed_bodies_and_queries_get_error_json() {
    let s = Server::start().await;
    let token = s.admin_token().await;
    // malformed JSON on a collection create
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&token),
            Some(Value::String("{bad".into())),
        )
        .await;
    assert_error(
        &res,
        400,
        "Failed to load the submitted data due to invalid formatting.",
    );
    // a wrong type in a field option
    let body = json!({"name": "c1", "fields": [{"name": "x", "type": "text", "max": "a"}]});
    let res = s
        .req("POST", "/api/collections", Some(&token), Some(body))
        .await;
    assert_error(
        &res,
        400,
        "Failed to load the submitted data due to invalid formatting.",
    );
    // a broken filter and odd paging values
    let res = s.get("/api/collections?filter=(", Some(&token)).await;
    assert_error(
        &res,
        400,
        "Something went wrong while processing your request.",
    );
    let res = s
        .get("/api/collections?page=-4&perPage=abc", Some(&token))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["page"], 1);
    assert_eq!(res.body["perPage"], 30);
    // percent-garbage in the query string is tolerated
    let res = s.get("/api/collections?filter=%zz", Some(&token)).await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let s = Server::start().await;
    let big = "a".repeat(33 << 20);
    let res = s
        .req(
            "POST",
            "/api/collections/_superusers/auth-with-password",
            None,
            Some(Value::String(big)),
        )
        .await;
    assert_error(&res, 413, "Request entity too large.");
}
