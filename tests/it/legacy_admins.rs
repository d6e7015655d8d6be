//! The pre-0.23 admin API shim (`/api/admins/*`): raw HTTP shapes, and the official JS SDK 0.21
//! (`tests/sdk021`, installed by `.ci/run`) signing in and listing admins.

use crate::support::{assert_error, Server, ADMIN_EMAIL, ADMIN_PASSWORD};
use base64::Engine;
use serde_json::{json, Value};
use std::path::PathBuf;

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("jwt");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("b64");
    serde_json::from_slice(&bytes).expect("json")
}

async fn admin_sign_in(s: &Server) -> Value {
    let res = s
        .req(
            "POST",
            "/api/admins/auth-with-password",
            None,
            Some(json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body
}

#[tokio::test]
async fn sign_in_refresh_and_token_shape() {
    let s = Server::start().await;
    let body = admin_sign_in(&s).await;
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["token", "admin"]);
    let admin = body["admin"].as_object().unwrap();
    let keys: Vec<&String> = admin.keys().collect();
    assert_eq!(keys, ["id", "created", "updated", "avatar", "email"]);
    assert_eq!(admin["email"], ADMIN_EMAIL);
    assert_eq!(admin["avatar"], 0);
    let token = body["token"].as_str().unwrap();
    let claims = payload(token);
    assert_eq!(claims["type"], "admin");
    assert_eq!(claims["collectionId"], "pbc_3142635823");
    // an old-style header (no Bearer) works on new routes too
    let res = s.get("/api/collections", Some(token)).await;
    assert_eq!(res.status, 200);
    let res = s
        .req("POST", "/api/admins/auth-refresh", Some(token), None)
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["admin"]["id"], body["admin"]["id"]);
    assert_eq!(
        payload(res.body["token"].as_str().unwrap())["type"],
        "admin"
    );
    // the oldest SDKs sent `email` instead of `identity`
    let res = s
        .req(
            "POST",
            "/api/admins/auth-with-password",
            None,
            Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "POST",
            "/api/admins/auth-with-password",
            None,
            Some(json!({"identity": ADMIN_EMAIL, "password": "wrong-one"})),
        )
        .await;
    assert_error(&res, 400, "Failed to authenticate.");
    let res = s.req("POST", "/api/admins/auth-refresh", None, None).await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn admin_tokens_only_count_for_superusers() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email":"u@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let user = s.login("users", "u@example.com", "password123").await;
    // a user token is no admin token
    let res = s.get("/api/admins", Some(&user)).await;
    assert_error(
        &res,
        403,
        "The authorized record is not allowed to perform this action.",
    );
    let res = s
        .req("POST", "/api/admins/auth-refresh", Some(&user), None)
        .await;
    assert_eq!(res.status, 403);
    let res = s.get("/api/admins", None).await;
    assert_eq!(res.status, 401);
    // an "admin" token signed for a users record is not accepted anywhere
    let uid = s.app.find_collection("users").unwrap();
    let rec = s
        .get(
            "/api/collections/users/records?filter=email='u@example.com'",
            Some(&su),
        )
        .await;
    let id = rec.body["items"][0]["id"].as_str().unwrap().to_string();
    let stored = s
        .app
        .db()
        .read_now(|c| ferrobase::store::records::find_by_id(c, &uid, &id))
        .unwrap()
        .unwrap();
    let forged = ferrobase::auth::token::new_token(
        ferrobase::auth::token::TokenType::Admin,
        &id,
        &uid.id,
        600,
        stored.get_str("tokenKey"),
        &uid.auth.as_ref().unwrap().auth_token.secret,
    )
    .unwrap();
    let res = s.get("/api/collections/users/records", Some(&forged)).await;
    assert_eq!(res.body["totalItems"], 0, "a guest sees no users");
}

#[tokio::test]
async fn crud_and_password_reset() {
    let s = Server::start().await;
    let token = admin_sign_in(&s).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = s
        .req(
            "POST",
            "/api/admins",
            Some(&token),
            Some(json!({"email":"b@example.com","password":"Bbbbbbbb123","passwordConfirm":"Bbbbbbbb123","avatar":4})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    assert_eq!(res.body["email"], "b@example.com");
    let res = s.get("/api/admins?sort=-created", Some(&token)).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["totalItems"], 2);
    assert_eq!(res.body["items"][0]["id"], id.as_str());
    assert!(res.body["items"][0].get("collectionId").is_none());
    let res = s
        .req(
            "PATCH",
            &format!("/api/admins/{id}"),
            Some(&token),
            Some(json!({"password":"Cccccccc123","passwordConfirm":"Cccccccc123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    s.login("_superusers", "b@example.com", "Cccccccc123").await;
    let res = s.get(&format!("/api/admins/{id}"), Some(&token)).await;
    assert_eq!(res.body["email"], "b@example.com");
    let res = s.get("/api/admins/nope", Some(&token)).await;
    assert_eq!(res.status, 404);

    // request: validated, then always 204
    let res = s
        .req(
            "POST",
            "/api/admins/request-password-reset",
            None,
            Some(json!({"email":"ghost@example.com"})),
        )
        .await;
    assert_eq!(res.status, 204);
    let res = s
        .req(
            "POST",
            "/api/admins/request-password-reset",
            None,
            Some(json!({"email":"not-an-email"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["data"]["email"]["code"], "validation_is_email");

    // confirm: a passwordReset token of a superuser sets the password
    let c = s.app.find_collection("_superusers").unwrap();
    let rec = s
        .app
        .db()
        .read_now(|conn| ferrobase::store::records::find_by_id(conn, &c, &id))
        .unwrap()
        .unwrap();
    let auth = c.auth.as_ref().unwrap();
    let reset = ferrobase::auth::token::new_token(
        ferrobase::auth::token::TokenType::PasswordReset,
        &id,
        &c.id,
        600,
        rec.get_str("tokenKey"),
        &auth.password_reset_token.secret,
    )
    .unwrap();
    let confirm = |token: &str, p: &str, pc: &str| json!({"token": token, "password": p, "passwordConfirm": pc});
    let url = "/api/admins/confirm-password-reset";
    let res = s
        .req("POST", url, None, Some(confirm(&reset, "Dddddddd123", "x")))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["data"]["passwordConfirm"]["code"],
        "validation_values_mismatch"
    );
    let res = s
        .req(
            "POST",
            url,
            None,
            Some(confirm(&token, "Dddddddd123", "Dddddddd123")),
        )
        .await;
    assert_eq!(
        res.body["data"]["token"]["code"],
        "validation_invalid_token"
    );
    let res = s
        .req(
            "POST",
            url,
            None,
            Some(confirm(&reset, "Dddddddd123", "Dddddddd123")),
        )
        .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    s.login("_superusers", "b@example.com", "Dddddddd123").await;
    // the token key rotated: the same reset token is spent
    let res = s
        .req(
            "POST",
            url,
            None,
            Some(confirm(&reset, "Eeeeeeee123", "Eeeeeeee123")),
        )
        .await;
    assert_eq!(res.status, 400);

    let res = s
        .req("DELETE", &format!("/api/admins/{id}"), Some(&token), None)
        .await;
    assert_eq!(res.status, 204);
    let me = admin_sign_in(&s).await["admin"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = s
        .req("DELETE", &format!("/api/admins/{me}"), Some(&token), None)
        .await;
    assert_error(&res, 400, "You can't delete the only existing superuser.");
}

/// The official JS SDK 0.21 against this server. Needs `npm install` in `tests/sdk021` (done by
/// `.ci/run`); missing dependencies fail the test.
#[tokio::test]
async fn official_sdk_0_21_admins() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk021");
    assert!(
        dir.join("node_modules/pocketbase/package.json").is_file(),
        "the JS SDK 0.21 is not installed: run `npm install` in {} (.ci/run does)",
        dir.display()
    );
    let s = Server::start().await;
    let run = tokio::process::Command::new("node")
        .arg(dir.join("admins.mjs"))
        .env("PB_URL", &s.url)
        .env("PB_EMAIL", ADMIN_EMAIL)
        .env("PB_PASSWORD", ADMIN_PASSWORD)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), run)
        .await
        .expect("the SDK script timed out")
        .expect("node must be installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "SDK 0.21 script failed:\n{text}");
    assert!(text.contains("8 passed, 0 failed"), "{text}");
}
