//! Superuser and users password auth, refresh, and token handling.

use crate::support::{assert_error, Server, ADMIN_EMAIL, ADMIN_PASSWORD};
use base64::Engine;
use serde_json::{json, Value};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("jwt");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("b64");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn superuser_sign_in_and_errors() {
    let s = Server::start().await;
    let url = "/api/collections/_superusers/auth-with-password";
    let res = s
        .req(
            "POST",
            url,
            None,
            Some(json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["record"]["collectionId"], "pbc_3142635823");
    assert_eq!(res.body["record"]["verified"], true);
    assert!(res.body["record"].get("password").is_none());
    assert!(res.body["record"].get("tokenKey").is_none());
    let token = res.body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    let p = payload(&token);
    assert_eq!(p["type"], "auth");
    assert_eq!(p["refreshable"], true);
    let exp = p["exp"].as_i64().unwrap();
    assert!(
        (exp - chrono::Utc::now().timestamp() - 86400).abs() < 10,
        "superusers get 1 day tokens"
    );

    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"identity": ADMIN_EMAIL, "password": "wrong-password"}),
            400,
            "Failed to authenticate.",
        ),
        (
            json!({"identity": "ghost@example.com", "password": "whatever1"}),
            400,
            "Failed to authenticate.",
        ),
        (
            json!({"identity": "", "password": ""}),
            400,
            "An error occurred while validating the submitted data.",
        ),
        (
            Value::String("{nope".into()),
            400,
            "Failed to load the submitted data due to invalid formatting.",
        ),
    ];
    for (body, status, message) in cases {
        let res = s.req("POST", url, None, Some(body.clone())).await;
        assert_error(&res, status, message);
    }
    let res = s
        .req(
            "POST",
            url,
            None,
            Some(json!({"identity": "", "password": ""})),
        )
        .await;
    assert_eq!(res.body["data"]["identity"]["code"], "validation_required");

    // bare and Bearer tokens both work; garbage, forged and expired ones are guests
    assert_eq!(s.get("/api/collections", Some(&token)).await.status, 200);
    assert_eq!(
        s.get("/api/collections", Some(&format!("Bearer {token}")))
            .await
            .status,
        200
    );
    assert_eq!(
        s.get("/api/collections", Some(&format!("bearer {token}")))
            .await
            .status,
        200
    );
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    for bad in ["not-a-jwt", forged.as_str(), &format!("Token {token}")] {
        let res = s.get("/api/collections", Some(bad)).await;
        assert_error(
            &res,
            401,
            "The request requires valid record authorization token.",
        );
    }
    let expired = ferrobase::auth::token::new_token(
        ferrobase::auth::token::TokenType::Auth,
        p["id"].as_str().unwrap(),
        "pbc_3142635823",
        -60,
        "whatever",
        "whatever",
    )
    .unwrap();
    assert_eq!(s.get("/api/collections", Some(&expired)).await.status, 401);
}

#[tokio::test]
async fn users_sign_in_refresh_and_forbidden() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let body = json!({"email": "u1@example.com", "password": "userpass123", "passwordConfirm": "userpass123"});
    let res = s
        .req("POST", "/api/collections/users/records", None, Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(
        res.body.get("email").is_none(),
        "guests do not see a hidden email"
    );
    let mismatch =
        json!({"email": "u2@example.com", "password": "userpass123", "passwordConfirm": "other"});
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(mismatch),
        )
        .await;
    assert_eq!(
        res.body["data"]["passwordConfirm"]["code"],
        "validation_values_mismatch"
    );

    let user = s.login("users", "u1@example.com", "userpass123").await;
    assert_error(
        &s.get("/api/collections", Some(&user)).await,
        403,
        "The authorized record is not allowed to perform this action.",
    );
    // refresh with the right and the wrong collection
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-refresh",
            Some(&user),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["record"]["email"], "u1@example.com");
    let res = s
        .req(
            "POST",
            "/api/collections/_superusers/auth-refresh",
            Some(&user),
            None,
        )
        .await;
    assert_error(
        &res,
        403,
        "The request requires auth record from _superusers collection.",
    );
    let res = s
        .req("POST", "/api/collections/users/auth-refresh", None, None)
        .await;
    assert_error(
        &res,
        401,
        "The request requires valid record authorization token.",
    );
    // superuser credentials do not work on users; unknown and non-auth collections
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-password",
            None,
            Some(json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_error(&res, 400, "Failed to authenticate.");
    let res = s
        .req(
            "POST",
            "/api/collections/nope/auth-with-password",
            None,
            Some(json!({})),
        )
        .await;
    assert_error(&res, 404, "Missing or invalid collection context.");
    let res = s
        .req(
            "POST",
            "/api/collections/_mfas/auth-with-password",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_error(&res, 404, "Missing or invalid auth collection context.");
}

/// Deleting an auth record deletes its sign-in origins (and OTPs, MFA sessions, OAuth2 links).
#[tokio::test]
async fn deleting_a_user_drops_its_auth_rows() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": "gone@example.com", "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    s.login("users", "gone@example.com", "Passw0rd123").await;
    let origins = format!("/api/collections/_authOrigins/records?filter=recordRef%3D%27{id}%27");
    let origins = origins.as_str();
    let count = s.get(origins, Some(&admin)).await.body["totalItems"].as_i64();
    assert_eq!(count, Some(1));
    let del = s
        .req(
            "DELETE",
            &format!("/api/collections/users/records/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(del.status, 204);
    let count = s.get(origins, Some(&admin)).await.body["totalItems"].as_i64();
    assert_eq!(count, Some(0));
}

/// The hourly clean-up deletes OTPs and MFA sessions older than their collection's durations.
#[tokio::test]
async fn expired_otps_and_mfas_are_cleaned_up() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let user = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": "otp@example.com", "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"})),
        )
        .await;
    let uid = user.body["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (table, body) in [
        (
            "_otps",
            json!({"collectionRef": "_pb_users_auth_", "recordRef": uid, "password": "12345678"}),
        ),
        (
            "_otps",
            json!({"collectionRef": "_pb_users_auth_", "recordRef": uid, "password": "87654321"}),
        ),
        (
            "_mfas",
            json!({"collectionRef": "_pb_users_auth_", "recordRef": uid, "method": "password"}),
        ),
        (
            "_mfas",
            json!({"collectionRef": "_pb_users_auth_", "recordRef": uid, "method": "otp"}),
        ),
    ] {
        let res = s
            .req(
                "POST",
                &format!("/api/collections/{table}/records"),
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(res.status, 200, "{table}: {:?}", res.body);
        ids.push((table, res.body["id"].as_str().unwrap().to_string()));
    }
    // the first row of each table is older than the default durations (otp 180 s, mfa 600 s)
    for (table, id) in [&ids[0], &ids[2]] {
        let c = s.app.find_collection(table).unwrap();
        let id = id.clone();
        s.app
            .db()
            .write(move |tx| {
                let found = tx.with(|conn| ferrobase::store::records::find_by_id(conn, &c, &id))?;
                let mut r = found.expect("row");
                r.set("created", json!("2000-01-01 00:00:00.000Z"));
                ferrobase::store::records::update(tx, &c, &id, &r)
            })
            .await
            .map_err(|e: ferrobase::store::StoreError| e.to_string())
            .unwrap();
    }
    let deleted = ferrobase::services::auth_cleanup::delete_expired(&s.app)
        .await
        .unwrap();
    assert_eq!(deleted, 2);
    for (i, (table, id)) in ids.iter().enumerate() {
        let res = s
            .get(
                &format!("/api/collections/{table}/records/{id}"),
                Some(&admin),
            )
            .await;
        let kept = i == 1 || i == 3;
        assert_eq!(res.status, if kept { 200 } else { 404 }, "{table} {id}");
    }
}
