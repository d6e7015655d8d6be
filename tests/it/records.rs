//! Record writes: modifiers (atomic under concurrency), form bodies, auth form checks, cascade delete, batch.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

async fn setup_counter(s: &Server, t: &str) -> String {
    let body = json!({"name": "counters", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [{"name": "views", "type": "number"}, {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
                   {"name": "title", "type": "text"}]});
    assert_eq!(
        s.req("POST", "/api/collections", Some(t), Some(body))
            .await
            .status,
        200
    );
    let rec = s
        .req(
            "POST",
            "/api/collections/counters/records",
            None,
            Some(json!({"views": 0})),
        )
        .await;
    rec.body["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_are_atomic() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let id = setup_counter(&s, &t).await;
    let url = format!("{}/api/collections/counters/records/{id}", s.url);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = reqwest::Client::new();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..250 {
                let res = client
                    .patch(&url)
                    .json(&json!({"views+": 1}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rec = s
        .get(&format!("/api/collections/counters/records/{id}"), None)
        .await;
    assert_eq!(rec.body["views"], 2000, "every increment counts");
}

#[tokio::test]
async fn modifiers_and_form_bodies() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let id = setup_counter(&s, &t).await;
    let path = format!("/api/collections/counters/records/{id}");
    let res = s.req("PATCH", &path, None, Some(json!({"views": 100, "views-": 2, "tags+": ["c", "a"], "+tags": "b", "title+": "x"}))).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["views"], 98);
    assert_eq!(res.body["tags"], json!(["b", "c", "a"]));
    assert_eq!(res.body["title"], "");
    let res = s
        .req(
            "PATCH",
            &path,
            None,
            Some(json!({"tags-": "c", "views": null})),
        )
        .await;
    assert_eq!(res.body["tags"], json!(["b", "a"]));
    assert_eq!(res.body["views"], 0);
    // urlencoded bodies: repeated keys become lists, numbers are inferred
    let res = s
        .client
        .post(format!("{}/api/collections/counters/records", s.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("views=7&tags=a&tags=b&title=1.50")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (
            body["views"].clone(),
            body["tags"].clone(),
            body["title"].clone()
        ),
        (json!(7), json!(["a", "b"]), json!("1.50"))
    );
    // other content types and non-object JSON
    let res = s
        .client
        .post(format!("{}/api/collections/counters/records", s.url))
        .header("content-type", "text/plain")
        .body("views=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = s
        .req(
            "POST",
            "/api/collections/counters/records",
            None,
            Some(Value::String("[1,2]".into())),
        )
        .await;
    assert_error(
        &res,
        400,
        "Something went wrong while processing your request.",
    );
}

#[tokio::test]
async fn auth_form_checks() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let url = "/api/collections/users/records";
    let res = s.req("POST", url, None, Some(json!({"email": "v@example.com", "password": "pass12345", "passwordConfirm": "pass12345", "verified": true}))).await;
    assert_eq!(
        res.body["data"]["verified"]["code"], "validation_values_mismatch",
        "{:?}",
        res.body
    );
    let res = s
        .req("POST", url, None, Some(json!({"email": "v@example.com"})))
        .await;
    assert_eq!(res.body["data"]["password"]["code"], "validation_required");
    assert_eq!(
        res.body["data"]["passwordConfirm"]["code"],
        "validation_required"
    );
    let res = s.req("POST", url, None, Some(json!({"email": "v@example.com", "password": "pass12345", "passwordConfirm": "pass12345"}))).await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let user = s.login("users", "v@example.com", "pass12345").await;
    let me = format!("{url}/{id}");
    let res = s
        .req(
            "PATCH",
            &me,
            Some(&user),
            Some(json!({"password": "newpass123", "passwordConfirm": "newpass123"})),
        )
        .await;
    assert_eq!(
        res.body["data"]["oldPassword"]["code"],
        "validation_required"
    );
    let wrong = json!({"password": "newpass123", "passwordConfirm": "newpass123", "oldPassword": "nope12345"});
    let res = s.req("PATCH", &me, Some(&user), Some(wrong)).await;
    assert_eq!(
        res.body["data"]["oldPassword"]["code"],
        "validation_invalid_old_password"
    );
    let res = s
        .req(
            "PATCH",
            &me,
            Some(&user),
            Some(json!({"email": "other@example.com"})),
        )
        .await;
    assert_eq!(
        res.body["data"]["email"]["code"],
        "validation_values_mismatch"
    );
    let res = s
        .req("PATCH", &me, Some(&user), Some(json!({"password": "newpass123", "passwordConfirm": "newpass123", "oldPassword": "pass12345"})))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    // the password change invalidated the old token
    assert_eq!(
        s.req(
            "POST",
            "/api/collections/users/auth-refresh",
            Some(&user),
            None
        )
        .await
        .status,
        401
    );
    s.login("users", "v@example.com", "newpass123").await;
    // superusers may change email and verified without the old password
    let res = s
        .req(
            "PATCH",
            &me,
            Some(&t),
            Some(json!({"email": "w@example.com", "verified": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["email"], "w@example.com");
}

#[tokio::test]
async fn cascade_delete_and_required_references() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let post = s
        .req(
            "POST",
            "/api/collections",
            Some(&t),
            Some(json!({"name": "posts", "fields": [{"name": "title", "type": "text"}]})),
        )
        .await
        .body;
    let pid = post["id"].as_str().unwrap();
    let body = json!({"name": "comments", "fields": [
        {"name": "post", "type": "relation", "collectionId": pid, "cascadeDelete": true, "maxSelect": 1}]});
    assert_eq!(
        s.req("POST", "/api/collections", Some(&t), Some(body))
            .await
            .status,
        200
    );
    let body = json!({"name": "pins", "fields": [
        {"name": "post", "type": "relation", "collectionId": pid, "required": true, "maxSelect": 1}]});
    assert_eq!(
        s.req("POST", "/api/collections", Some(&t), Some(body))
            .await
            .status,
        200
    );
    let body = json!({"name": "lists", "fields": [
        {"name": "posts", "type": "relation", "collectionId": pid, "maxSelect": 5}]});
    assert_eq!(
        s.req("POST", "/api/collections", Some(&t), Some(body))
            .await
            .status,
        200
    );
    let mk = |title: &str| json!({"title": title});
    let p1 = s
        .req(
            "POST",
            "/api/collections/posts/records",
            Some(&t),
            Some(mk("p1")),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p2 = s
        .req(
            "POST",
            "/api/collections/posts/records",
            Some(&t),
            Some(mk("p2")),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c1 = s
        .req(
            "POST",
            "/api/collections/comments/records",
            Some(&t),
            Some(json!({"post": p1})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let l1 = s
        .req(
            "POST",
            "/api/collections/lists/records",
            Some(&t),
            Some(json!({"posts": [p1, p2]})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pin = s
        .req(
            "POST",
            "/api/collections/pins/records",
            Some(&t),
            Some(json!({"post": p2})),
        )
        .await;
    assert_eq!(pin.status, 200, "{:?}", pin.body);

    assert_eq!(
        s.req(
            "DELETE",
            &format!("/api/collections/posts/records/{p1}"),
            Some(&t),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        s.get(&format!("/api/collections/comments/records/{c1}"), Some(&t))
            .await
            .status,
        404,
        "cascaded"
    );
    let list = s
        .get(&format!("/api/collections/lists/records/{l1}"), Some(&t))
        .await
        .body;
    assert_eq!(
        list["posts"],
        json!([p2]),
        "the id is removed from multi relations"
    );
    let res = s
        .req(
            "DELETE",
            &format!("/api/collections/posts/records/{p2}"),
            Some(&t),
            None,
        )
        .await;
    assert_error(&res, 400, "Failed to delete record. Make sure that the record is not part of a required relation reference.");
    assert_eq!(
        s.get(&format!("/api/collections/lists/records/{l1}"), Some(&t))
            .await
            .body["posts"],
        json!([p2]),
        "nothing changed"
    );
}

#[tokio::test]
async fn batch_transactions_and_malformed_envelopes() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    setup_counter(&s, &t).await;
    let res = s.req("POST", "/api/batch", None, Some(json!({"requests": [{"method": "POST", "url": "/api/collections/counters/records", "body": {}}]}))).await;
    assert_error(&res, 403, "Batch requests are not allowed.");
    s.req(
        "PATCH",
        "/api/settings",
        Some(&t),
        Some(json!({"batch": {"enabled": true, "maxRequests": 5}})),
    )
    .await;
    for bad in [
        json!({"requests": [null]}),
        json!({"requests": [{"method": 5, "url": []}]}),
        json!({"requests": [{"method": "GET", "url": "/api/health"}]}),
    ] {
        let res = s.req("POST", "/api/batch", None, Some(bad.clone())).await;
        assert_error(&res, 400, "Batch transaction failed.");
        assert_eq!(
            res.body["data"]["requests"]["0"]["code"], "batch_request_failed",
            "{bad}"
        );
    }
    for bad in [json!({"requests": []}), json!({})] {
        let res = s.req("POST", "/api/batch", None, Some(bad)).await;
        assert_error(&res, 400, "Invalid batch request data.");
    }
    let res = s
        .req("POST", "/api/batch", None, Some(json!({"requests": "x"})))
        .await;
    assert_error(&res, 400, "Failed to read the submitted batch data.");
    let res = s
        .req(
            "POST",
            "/api/batch",
            None,
            Some(Value::String("{broken".into())),
        )
        .await;
    assert_error(&res, 400, "Failed to read the submitted batch data.");
    // a later failure rolls back the earlier writes; @request.context is "batch"
    let reqs = json!({"requests": [
        {"method": "POST", "url": "/api/collections/counters/records?fields=title", "body": {"title": "kept?"}},
        {"method": "PATCH", "url": "/api/collections/counters/records/nope", "body": {}}]});
    let res = s.req("POST", "/api/batch", None, Some(reqs)).await;
    assert_eq!(
        res.body["data"]["requests"]["1"]["response"]["status"], 404,
        "{:?}",
        res.body
    );
    let list = s
        .get(
            "/api/collections/counters/records?filter=title%3D'kept%3F'",
            None,
        )
        .await;
    assert_eq!(list.body["totalItems"], 0);
    let reqs = json!({"requests": [{"method": "POST", "url": "/api/collections/counters/records?fields=title", "body": {"title": "ok"}}]});
    let res = s.req("POST", "/api/batch", None, Some(reqs)).await;
    assert_eq!(res.body, json!([{"status": 200, "body": {"title": "ok"}}]));
}

/// The auth record behind a token is cached between requests: every committed change to it — through
/// the API or by raw SQL on the writer — is seen by the very next request.
#[tokio::test]
async fn a_changed_auth_record_is_seen_by_the_next_request() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let user = json!({"email": "cache@example.com", "password": "Passw0rd123", "passwordConfirm": "Passw0rd123", "name": "bob"});
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            Some(&t),
            Some(user),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let uid = res.body["id"].as_str().expect("id").to_string();
    let ut = s.login("users", "cache@example.com", "Passw0rd123").await;
    // auth-refresh answers with the record the token was loaded with
    let refreshed = || async {
        let res = s
            .req(
                "POST",
                "/api/collections/users/auth-refresh",
                Some(&ut),
                None,
            )
            .await;
        (res.status, res.body["record"]["name"].clone())
    };
    let s = &s;
    let path = format!("/api/collections/users/records/{uid}");
    let patch_user = |body: Value| {
        let (path, t) = (path.clone(), t.clone());
        async move { s.req("PATCH", &path, Some(&t), Some(body)).await.status }
    };
    for _ in 0..3 {
        assert_eq!(refreshed().await, (200, json!("bob")));
    }
    // an API update of the user
    assert_eq!(patch_user(json!({"name": "alice"})).await, 200);
    assert_eq!(refreshed().await, (200, json!("alice")));
    // a raw SQL write on the writer connection (as `$app.db()` does)
    let id = uid.clone();
    s.app
        .db()
        .write(move |tx| {
            tx.with(|c| c.execute("UPDATE users SET name = 'carol' WHERE id = ?1", [&id]))
                .map_err(ferrobase::store::StoreError::from)
        })
        .await
        .expect("raw update");
    assert_eq!(refreshed().await, (200, json!("carol")));
    // a password change renews the token key: the old token stops working at once
    let new_password = json!({"password": "Passw0rd456", "passwordConfirm": "Passw0rd456"});
    assert_eq!(patch_user(new_password).await, 200);
    assert_eq!(refreshed().await.0, 401);
}
