//! Rust-bound hooks on the collection and record paths: order, event data, and aborting.

use crate::support::Server;
use ferrobase::app::AppError;
use serde_json::json;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn collection_and_record_hooks_fire_in_order_and_can_abort() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let hooks = s.app.hooks();
    for (name, hook) in [
        ("model", &hooks.on_model_create),
        ("modelExecute", &hooks.on_model_create_execute),
    ] {
        let seen = seen.clone();
        hook.bind_func(move |e, next| {
            seen.lock().unwrap().push(name.to_string());
            next.run(e)
        });
    }
    {
        let seen = seen.clone();
        hooks.on_collection_create.bind_func(move |e, next| {
            seen.lock()
                .unwrap()
                .push(format!("create:{}", e.collection.name));
            if e.collection.name == "forbidden" {
                return Err(AppError::bad_request("Not this one."));
            }
            next.run(e)
        });
    }
    {
        let seen = seen.clone();
        hooks.on_collection_validate.bind_func(move |e, next| {
            seen.lock().unwrap().push("validate".into());
            next.run(e)
        });
    }
    {
        let seen = seen.clone();
        hooks
            .on_collection_after_create_success
            .bind_func(move |e, next| {
                seen.lock()
                    .unwrap()
                    .push(format!("success:{}", e.collection.name));
                next.run(e)
            });
    }
    {
        let seen = seen.clone();
        hooks.on_record_create.bind_func(move |e, next| {
            e.record.set("title", json!("set by hook"));
            seen.lock().unwrap().push("record".into());
            next.run(e)
        });
    }
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&t),
            Some(json!({"name": "ok", "fields": [{"name": "title", "type": "text"}]})),
        )
        .await;
    assert_eq!(res.status, 200);
    let got = seen.lock().unwrap().clone();
    assert_eq!(
        got,
        [
            "model",
            "create:ok",
            "validate",
            "modelExecute",
            "success:ok"
        ]
    );

    seen.lock().unwrap().clear();
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&t),
            Some(json!({"name": "forbidden"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["message"], "Not this one.");
    assert_eq!(
        s.get("/api/collections/forbidden", Some(&t)).await.status,
        404
    );

    let rec = s
        .req(
            "POST",
            "/api/collections/ok/records",
            Some(&t),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(rec.body["title"], "set by hook");
    assert_eq!(ferrobase::app::HOOK_NAMES[0], "onBootstrap");
}
