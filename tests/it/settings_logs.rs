//! Settings read/update/validation, secrets, storage in `_params`, and request logs in `auxiliary.db`.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};
use std::time::Duration;

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
    let aux = s.data_dir().join("auxiliary.db");
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let conn = rusqlite::Connection::open(&aux).unwrap();
        let mut stmt = conn
            .prepare("SELECT level, message, data FROM _logs ORDER BY created")
            .unwrap();
        rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if rows.len() >= 3 {
            break;
        }
    }
    let failed = rows
        .iter()
        .find(|r| r.1 == "GET /api/collections/nope")
        .expect("the 404 is logged");
    assert_eq!(failed.0, 8);
    let data: Value = serde_json::from_str(&failed.2).unwrap();
    assert_eq!(data["status"], 404);
    assert_eq!(data["auth"], "_superusers");
    assert_eq!(data["type"], "request");
    assert_eq!(data["error"], "The requested resource wasn't found.");
    let ok = rows
        .iter()
        .find(|r| r.1 == "GET /api/health")
        .expect("the health check is logged");
    assert_eq!(ok.0, 0);
}
