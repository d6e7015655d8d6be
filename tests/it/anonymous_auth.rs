//! Anonymous sign-in (Ferrobase only): `anonymousAuth` on auth collections, `POST …/auth-anonymously`,
//! and turning the guest into a normal account.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

async fn enable(s: &Server, su: &str, extra: Value) -> Value {
    let mut body = json!({"anonymousAuth": {"enabled": true}});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let res = s
        .req("PATCH", "/api/collections/users", Some(su), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body
}

async fn anonymous(s: &Server, body: Value) -> crate::support::Res {
    s.req(
        "POST",
        "/api/collections/users/auth-anonymously",
        None,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn option_is_off_by_default_and_validated() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let res = s.get("/api/collections/users", Some(&su)).await;
    assert!(
        res.body.get("anonymousAuth").is_none(),
        "PocketBase's JSON unchanged"
    );
    let res = anonymous(&s, json!({})).await;
    assert_error(
        &res,
        403,
        "The collection is not configured to allow anonymous authentication.",
    );
    let res = s
        .req("POST", "/api/collections/nope/auth-anonymously", None, None)
        .await;
    assert_error(&res, 404, "Missing or invalid collection context.");

    let body = enable(&s, &su, json!({})).await;
    assert_eq!(body["anonymousAuth"], json!({"enabled": true}));
    let res = s.get("/api/collections/users", Some(&su)).await;
    assert_eq!(res.body["anonymousAuth"], json!({"enabled": true}));
    // superusers never sign in anonymously
    let res = s
        .req(
            "PATCH",
            "/api/collections/_superusers",
            Some(&su),
            Some(json!({"anonymousAuth": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.get("anonymousAuth").is_none());
    // the email field must accept the anonymous domain
    let mut fields = s.get("/api/collections/users", Some(&su)).await.body["fields"].clone();
    for f in fields.as_array_mut().unwrap() {
        if f["name"] == "email" {
            f["onlyDomains"] = json!(["example.com"]);
        }
    }
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&su),
            Some(json!({"fields": fields})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["anonymousAuth"]["enabled"]["code"],
        "validation_anonymous_email_domain"
    );
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&su),
            Some(json!({"anonymousAuth": {"enabled": "yes"}})),
        )
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn guest_sign_in_then_upgrade() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    enable(&s, &su, json!({})).await;
    let res = anonymous(
        &s,
        json!({"name": "Guest 1", "verified": true, "email": "me@example.com"}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let keys: Vec<&String> = res.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["record", "token"]);
    let rec = &res.body["record"];
    let id = rec["id"].as_str().unwrap().to_string();
    assert_eq!(rec["email"], format!("{id}@anonymous.invalid"));
    assert_eq!(rec["name"], "Guest 1");
    assert_eq!(rec["verified"], false);
    let token = res.body["token"].as_str().unwrap().to_string();
    let me = format!("/api/collections/users/records/{id}");
    assert_eq!(s.get(&me, Some(&token)).await.status, 200);
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-refresh",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, 200);

    // a guest cannot verify itself
    let res = s
        .req("PATCH", &me, Some(&token), Some(json!({"verified": true})))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["verified"]["code"],
        "validation_values_mismatch"
    );
    // profile updates work as for everyone
    let res = s
        .req("PATCH", &me, Some(&token), Some(json!({"name": "Renamed"})))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    // upgrade: email + password without oldPassword
    let res = s
        .req(
            "PATCH",
            &me,
            Some(&token),
            Some(json!({"email":"real@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["email"], "real@example.com");
    // the token key rotated with the new credentials: sign in again
    assert_eq!(s.get(&me, Some(&token)).await.status, 404);
    let token = s.login("users", "real@example.com", "password123").await;
    // a normal account again: the next password change needs oldPassword
    let res = s
        .req(
            "PATCH",
            &me,
            Some(&token),
            Some(json!({"password":"password456","passwordConfirm":"password456"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["oldPassword"]["code"],
        "validation_required"
    );
}

#[tokio::test]
async fn another_user_cannot_upgrade_a_guest() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    // an update rule that lets anyone signed in update others (they still need oldPassword)
    enable(&s, &su, json!({"updateRule": "@request.auth.id != ''"})).await;
    let guest = anonymous(&s, json!({})).await.body;
    let id = guest["record"]["id"].as_str().unwrap().to_string();
    let other = anonymous(&s, json!({})).await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = s
        .req(
            "PATCH",
            &format!("/api/collections/users/records/{id}"),
            Some(&other),
            Some(json!({"password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["oldPassword"]["code"],
        "validation_required"
    );
}

#[tokio::test]
async fn create_rule_context_and_rate_limit() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    enable(
        &s,
        &su,
        json!({"createRule": "@request.context = 'anonymous'"}),
    )
    .await;
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email":"x@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    assert_error(&res, 400, "Failed to create record.");
    assert_eq!(anonymous(&s, json!({})).await.status, 200);
    // createRule null: only superusers create records, so no guests either
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&su),
            Some(json!({"createRule": null})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(anonymous(&s, json!({})).await.status, 403);
    // the auth rule still applies
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&su),
            Some(json!({"createRule": "", "authRule": "verified = true"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = anonymous(&s, json!({})).await;
    assert_error(
        &res,
        403,
        "The request doesn't satisfy the collection requirements to authenticate.",
    );
    // rate limits: the auth-anonymously route carries the `auth` tag (default *:auth, 2 per 3 s)
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&su),
            Some(json!({"rateLimits": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(anonymous(&s, json!({})).await.status, 403);
    assert_eq!(anonymous(&s, json!({})).await.status, 403);
    assert_eq!(anonymous(&s, json!({})).await.status, 429);
}
