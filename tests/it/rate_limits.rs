//! `settings.rateLimits` (spec 04 §9): the global and the collection-scoped limiters, audiences,
//! superusers, excluded IPs, resets on settings changes, and the collection context 404s.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

async fn set_limits(s: &Server, su: &str, limits: Value) {
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(su),
            Some(json!({ "rateLimits": limits })),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

async fn bad_login(s: &Server, token: Option<&str>) -> u16 {
    s.req(
        "POST",
        "/api/collections/users/auth-with-password",
        token,
        Some(json!({"identity":"nobody@example.com","password":"wrong-password"})),
    )
    .await
    .status
}

async fn statuses(s: &Server, path: &str, token: Option<&str>, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(s.get(path, token).await.status);
    }
    out
}

async fn make_user(s: &Server) -> String {
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email":"rl@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    s.login("users", "rl@example.com", "password123").await
}

#[tokio::test]
async fn default_rules_limit_auth_attempts_once_enabled() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    for _ in 0..5 {
        assert_eq!(bad_login(&s, None).await, 400, "disabled by default");
    }
    set_limits(&s, &su, json!({"enabled": true})).await;
    assert_eq!(bad_login(&s, None).await, 400);
    assert_eq!(bad_login(&s, None).await, 400);
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-password",
            None,
            Some(json!({"identity":"x@example.com","password":"y"})),
        )
        .await;
    assert_eq!(
        res.body,
        json!({"data":{},"message":"Too Many Requests.","status":429})
    );
    // the *:auth rule counts per collection route: the superusers' sign-in has its own window
    s.admin_token().await;
    // superusers are never limited
    for _ in 0..4 {
        assert_eq!(bad_login(&s, Some(&su)).await, 400);
    }
    // a settings change resets every limiter
    set_limits(&s, &su, json!({"enabled": true})).await;
    assert_eq!(bad_login(&s, None).await, 400);
}

#[tokio::test]
async fn global_and_collection_windows_are_separate() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    set_limits(
        &s,
        &su,
        json!({"enabled": true, "rules": [{"label": "/api/", "duration": 10, "maxRequests": 3}]}),
    )
    .await;
    assert_eq!(
        statuses(&s, "/api/health", None, 4).await,
        [200, 200, 200, 429]
    );
    // the record routes are collection-scoped: their own window under the same prefix rule
    assert_eq!(
        statuses(&s, "/api/collections/users/records", None, 4).await,
        [200, 200, 200, 429]
    );
    // another route of the same collection has another window
    assert_eq!(
        statuses(&s, "/api/collections/users/records/nope", None, 1).await,
        [404]
    );
}

#[tokio::test]
async fn tags_audiences_and_windows() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let user = make_user(&s).await;
    set_limits(
        &s,
        &su,
        json!({"enabled": true, "rules": [
            {"label": "users:list", "audience": "@guest", "duration": 1, "maxRequests": 1},
            {"label": "/api/", "audience": "@auth", "duration": 10, "maxRequests": 2},
            {"label": "*:file", "duration": 10, "maxRequests": 1}
        ]}),
    )
    .await;
    let list = "/api/collections/users/records";
    assert_eq!(statuses(&s, list, None, 2).await, [200, 429]);
    // a user does not fit @guest: the @auth prefix rule applies instead
    assert_eq!(statuses(&s, list, Some(&user), 3).await, [200, 200, 429]);
    // guests have no rule for /api/health
    assert_eq!(statuses(&s, "/api/health", None, 3).await, [200, 200, 200]);
    // *:file
    assert_eq!(
        statuses(&s, "/api/files/users/x/y.txt", None, 2).await,
        [404, 429]
    );
    // the window restarts after its duration
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(statuses(&s, list, None, 2).await, [200, 429]);
}

#[tokio::test]
async fn excluded_ips_and_client_ips() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let rules = json!([{"label": "/api/health", "duration": 10, "maxRequests": 1}]);
    set_limits(
        &s,
        &su,
        json!({"enabled": true, "rules": rules, "excludedIPs": ["127.0.0.0/8"]}),
    )
    .await;
    assert_eq!(statuses(&s, "/api/health", None, 3).await, [200, 200, 200]);
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&su),
            Some(json!({"rateLimits": {"excludedIPs": []}, "trustedProxy": {"headers": ["X-Real-Ip"]}})),
        )
        .await;
    assert_eq!(res.status, 200);
    // one window per client IP
    let from = |ip: &'static str| {
        s.client
            .get(format!("{}/api/health", s.url))
            .header("X-Real-Ip", ip)
            .send()
    };
    assert_eq!(from("10.0.0.1").await.unwrap().status(), 200);
    assert_eq!(from("10.0.0.1").await.unwrap().status(), 429);
    assert_eq!(from("10.0.0.2").await.unwrap().status(), 200);
}

#[tokio::test]
async fn collection_context_404s() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    for enabled in [false, true] {
        set_limits(&s, &su, json!({ "enabled": enabled })).await;
        let res = s
            .req(
                "POST",
                "/api/collections/nope/auth-with-password",
                None,
                Some(Value::String("{bad json".into())),
            )
            .await;
        assert_error(&res, 404, "Missing or invalid collection context.");
        let res = s
            .req("POST", "/api/collections/nope/auth-refresh", None, None)
            .await;
        assert_error(&res, 404, "Missing or invalid collection context.");
        let res = s.get("/api/files/nope/a/b.txt", None).await;
        assert_error(&res, 404, "Missing or invalid collection context.");
        let res = s.get("/api/collections/nope/records", None).await;
        assert_error(&res, 404, "Missing collection context.");
        let res = s
            .req(
                "POST",
                "/api/collections/_mfas/auth-with-password",
                None,
                None,
            )
            .await;
        assert_error(&res, 404, "Missing or invalid auth collection context.");
    }
}

#[tokio::test]
async fn batch_record_actions_are_limited_on_their_own() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&su),
            Some(json!({"name":"posts","type":"base","createRule":"","fields":[{"name":"title","type":"text"}]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&su),
            Some(
                json!({"batch": {"enabled": true}, "rateLimits": {"enabled": true,
                "rules": [{"label": "*:create", "duration": 10, "maxRequests": 1}]}}),
            ),
        )
        .await;
    assert_eq!(res.status, 200);
    let create =
        json!({"method": "POST", "url": "/api/collections/posts/records", "body": {"title": "a"}});
    let res = s
        .req(
            "POST",
            "/api/batch",
            None,
            Some(json!({"requests": [create, create]})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["requests"]["1"]["response"],
        json!({"data":{},"message":"Too Many Requests.","status":429})
    );
    // the direct route has its own window
    let post = |t: &'static str| {
        s.req(
            "POST",
            "/api/collections/posts/records",
            None,
            Some(json!({ "title": t })),
        )
    };
    assert_eq!(post("b").await.status, 200);
    assert_eq!(post("c").await.status, 429);
}
