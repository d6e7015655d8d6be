//! `POST /api/collections/{c}/impersonate/{id}` (spec 04 §5.4).

use crate::support::{assert_error, Server};
use base64::Engine;
use serde_json::{json, Value};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("jwt");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("b64");
    serde_json::from_slice(&bytes).expect("json")
}

fn lifetime(token: &str) -> i64 {
    payload(token)["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn impersonate_errors_and_tokens() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email":"imp@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let user = s.login("users", "imp@example.com", "password123").await;
    let url = format!("/api/collections/users/impersonate/{id}");

    let res = s.req("POST", &url, None, None).await;
    assert_error(
        &res,
        401,
        "The request requires valid record authorization token.",
    );
    let res = s.req("POST", &url, Some(&user), None).await;
    assert_error(
        &res,
        403,
        "The authorized record is not allowed to perform this action.",
    );
    for c in ["nope", "_mfas"] {
        let res = s
            .req(
                "POST",
                &format!("/api/collections/{c}/impersonate/{id}"),
                Some(&su),
                None,
            )
            .await;
        assert_error(&res, 404, "Missing or invalid auth collection context.");
    }
    // the record is looked up before the body is read
    let res = s
        .req(
            "POST",
            "/api/collections/users/impersonate/nope",
            Some(&su),
            Some(json!({"duration": -1})),
        )
        .await;
    assert_error(&res, 404, "The requested resource wasn't found.");
    let res = s
        .req("POST", &url, Some(&su), Some(json!({"duration": -1})))
        .await;
    assert_error(
        &res,
        400,
        "An error occurred while validating the submitted data.",
    );
    assert_eq!(
        res.body["data"]["duration"],
        json!({"code":"validation_min_greater_equal_than_required","message":"Must be no less than 0.","params":{"threshold":0}})
    );
    for bad in [
        json!({"duration": "100"}),
        json!({"duration": 1.5}),
        json!([1]),
        Value::String("{x".into()),
    ] {
        let res = s.req("POST", &url, Some(&su), Some(bad)).await;
        assert_error(
            &res,
            400,
            "An error occurred while loading the submitted data.",
        );
    }

    let res = s
        .req(
            "POST",
            &format!("{url}?fields=token,record.id"),
            Some(&su),
            Some(json!({"duration": 3600})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["record"], json!({"id": id}));
    let token = res.body["token"].as_str().unwrap().to_string();
    let claims = payload(&token);
    assert_eq!(claims["refreshable"], false);
    assert_eq!(claims["type"], "auth");
    assert!((lifetime(&token) - 3600).abs() < 10);
    // a static token refreshes to itself
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-refresh",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["token"], token.as_str());
    assert_eq!(res.body["record"]["email"], "imp@example.com");

    // no duration: the collection's auth token duration; forms carry the duration as text
    let res = s.req("POST", &url, Some(&su), None).await;
    assert!((lifetime(res.body["token"].as_str().unwrap()) - 432000).abs() < 10);
    let res = s
        .client
        .post(format!("{}{url}", s.url))
        .header("Authorization", &su)
        .form(&[("duration", "100")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!((lifetime(body["token"].as_str().unwrap()) - 100).abs() < 10);
}

#[tokio::test]
async fn superusers_pass_the_auth_rule() {
    let s = Server::start().await;
    let su = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&su),
            Some(json!({"authRule": "verified = true"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email":"unv@example.com","password":"password123","passwordConfirm":"password123"})),
        )
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = s
        .req(
            "POST",
            &format!("/api/collections/users/impersonate/{id}"),
            Some(&su),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}
