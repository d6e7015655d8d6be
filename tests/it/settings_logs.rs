//! Settings read/update/validation, secrets, storage in `_params`, and request logs in `auxiliary.db`.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

#[tokio::test]
async fn settings_round_trip_and_secrets() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let res = s.get("/api/settings", Some(&t)).await;
    assert_eq!(res.status, 200);
    let keys: Vec<&String> = res.body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "superuserIPs",
            "smtp",
            "backups",
            "s3",
            "meta",
            "rateLimits",
            "trustedProxy",
            "batch",
            "logs"
        ]
    );
    assert!(res.body["smtp"].get("password").is_none());

    let patch = json!({"meta": {"appName": "Mine"}, "smtp": {"password": "hunter2"}, "s3": {"secret": "s3cret"}});
    let res = s.req("PATCH", "/api/settings", Some(&t), Some(patch)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["meta"]["appName"], "Mine");
    assert_eq!(res.body["meta"]["appURL"], "http://localhost:8090");
    assert!(res.body["smtp"].get("password").is_none() && res.body["s3"].get("secret").is_none());
    // stored with the secret, where PocketBase keeps it
    let stored = s
        .app
        .db()
        .read(|c| ferrobase::store::params::get(c, "settings"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored["smtp"]["password"], "hunter2");
    assert_eq!(stored["meta"]["appName"], "Mine");

    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"meta": {"appURL": "not a url", "appName": ""}})),
        )
        .await;
    assert_error(
        &res,
        400,
        "An error occurred while saving the new settings.",
    );
    assert_eq!(
        res.body["data"]["meta"]["appURL"]["code"],
        "validation_is_url"
    );
    assert_eq!(
        res.body["data"]["meta"]["appName"]["code"],
        "validation_required"
    );
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(Value::String("{oops".into())),
        )
        .await;
    assert_error(
        &res,
        400,
        "An error occurred while loading the submitted data.",
    );
    assert_error(
        &s.get("/api/settings", None).await,
        401,
        "The request requires valid record authorization token.",
    );
}

#[tokio::test]
async fn requests_are_logged_to_auxiliary_db() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let _ = s.get("/api/collections/nope", Some(&t)).await;
    let _ = s.get("/api/health", None).await;
    let (level, data) = s
        .logged("GET /api/collections/nope")
        .await
        .expect("the 404 is logged");
    assert_eq!(level, 8);
    assert_eq!(data["status"], 404);
    assert_eq!(data["auth"], "_superusers");
    assert_eq!(data["type"], "request");
    assert_eq!(data["error"], "The requested resource wasn't found.");
    let (level, _) = s
        .logged("GET /api/health")
        .await
        .expect("the health check is logged");
    assert_eq!(level, 0);
}
