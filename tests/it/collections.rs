//! The collections API: create with every field type, legacy form, schema changes, delete rules, import.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

fn field<'a>(c: &'a Value, name: &str) -> &'a Value {
    c["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

#[tokio::test]
async fn system_collections_match_pocketbase() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let res = s.get("/api/collections?perPage=100", Some(&t)).await;
    let names: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "_mfas",
            "_otps",
            "_externalAuths",
            "_authOrigins",
            "_superusers",
            "users"
        ]
    );
    let ids: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "pbc_2279338944",
            "pbc_1638494021",
            "pbc_2281828961",
            "pbc_4275539003",
            "pbc_3142635823",
            "_pb_users_auth_"
        ]
    );
    let users = s.get("/api/collections/users", Some(&t)).await.body;
    assert_eq!(field(&users, "password")["id"], "password901924565");
    assert_eq!(field(&users, "avatar")["maxSelect"], 1);
    assert_eq!(
        users["authToken"],
        json!({"duration": 432000}),
        "secrets are never sent"
    );
    assert_eq!(users["listRule"], "id = @request.auth.id");
    let scaffolds = s
        .get("/api/collections/meta/scaffolds", Some(&t))
        .await
        .body;
    assert_eq!(scaffolds["base"]["fields"][0]["name"], "id");
    assert_eq!(scaffolds["view"]["viewQuery"], "");
    assert_eq!(scaffolds["auth"]["fields"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn every_field_type_round_trips_with_options() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let body = json!({"name": "allf", "fields": [
        {"name": "t", "type": "text", "min": 1, "max": 9, "pattern": "^a"},
        {"name": "e", "type": "editor", "maxSize": 100, "convertURLs": true},
        {"name": "n", "type": "number", "min": 1.5, "onlyInt": false},
        {"name": "b", "type": "bool"},
        {"name": "em", "type": "email", "onlyDomains": ["x.com"]},
        {"name": "u", "type": "url", "exceptDomains": ["y.com"]},
        {"name": "d", "type": "date"},
        {"name": "ad", "type": "autodate", "onCreate": true},
        {"name": "s", "type": "select", "values": ["a", "b"], "maxSelect": 2},
        {"name": "f", "type": "file", "maxSelect": 3, "thumbs": ["100x100"]},
        {"name": "r", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 5},
        {"name": "j", "type": "json", "maxSize": 10},
        {"name": "p", "type": "password"},
        {"name": "g", "type": "geoPoint"}
    ]});
    let res = s
        .req("POST", "/api/collections", Some(&t), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let c = res.body;
    assert_eq!(c["id"], "pbc_2844260936");
    assert_eq!(field(&c, "t")["id"], "text2238339752");
    assert_eq!(field(&c, "n")["min"], 1.5);
    assert_eq!(field(&c, "n")["max"], Value::Null);
    assert_eq!(field(&c, "e")["convertURLs"], true);
    assert_eq!(field(&c, "s")["maxSelect"], 2);
    assert_eq!(field(&c, "g")["type"], "geoPoint");
    // records get each type's zero value
    let rec = s
        .req(
            "POST",
            "/api/collections/allf/records",
            Some(&t),
            Some(json!({"t": "abc"})),
        )
        .await;
    assert_eq!(rec.status, 200, "{:?}", rec.body);
    let r = rec.body;
    assert_eq!(
        (
            r["n"].clone(),
            r["b"].clone(),
            r["s"].clone(),
            r["j"].clone()
        ),
        (json!(0), json!(false), json!([]), Value::Null)
    );
    assert_eq!(r["g"], json!({"lon": 0, "lat": 0}));
    assert_eq!(r["p"], "");
    assert!(r["ad"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn legacy_schema_body_is_translated() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let body = json!({"name":"articles","type":"base","system":false,"schema":[
        {"system":"id","name":"title","type":"text","required":true},
        {"name":"content","type":"text","required":true},
        {"name":"slug","type":"text","required":true,"options":{"pattern":"^[a-z0-9-]+$"}},
        {"name":"published","type":"bool","required":false},
        {"name":"author","type":"relation","required":true,
         "options":{"collectionId":"_users","cascadeDelete":false,"maxSelect":1}}],
        "listRule":"published = true","viewRule":"published = true","createRule":"@request.auth.id != ''",
        "updateRule":"@request.auth.id = author.id","deleteRule":"@request.auth.id = author.id"});
    let res = s
        .req("POST", "/api/collections", Some(&t), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let c = s.get("/api/collections/articles", Some(&t)).await.body;
    assert!(c.get("schema").is_none());
    assert_eq!(field(&c, "slug")["pattern"], "^[a-z0-9-]+$");
    assert_eq!(field(&c, "author")["collectionId"], "_pb_users_auth_");
    assert_eq!(field(&c, "author")["maxSelect"], 1);
    assert_eq!(field(&c, "title")["system"], false);
    assert_eq!(field(&c, "created")["type"], "autodate");
    // a legacy options.noDecimal + unique field, and a relation given by collection name
    let body = json!({"name": "items", "schema": [
        {"name": "qty", "type": "number", "options": {"noDecimal": true, "min": null}},
        {"name": "code", "type": "text", "unique": true},
        {"name": "art", "type": "relation", "options": {"collectionId": "articles", "maxSelect": null}}
    ]});
    let res = s
        .req("POST", "/api/collections", Some(&t), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(field(&res.body, "qty")["onlyInt"], true);
    assert_eq!(field(&res.body, "art")["collectionId"], c["id"]);
    assert!(field(&res.body, "art")["maxSelect"].as_i64().unwrap() > 1);
    assert_eq!(
        res.body["indexes"][0],
        "CREATE UNIQUE INDEX `idx_items_code` ON `items` (`code`)"
    );
}

#[tokio::test]
async fn validation_errors_match_the_original() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"name": "has spaces!"}),
            "name",
            "validation_match_invalid",
        ),
        (json!({"type": "base"}), "name", "validation_required"),
        (
            json!({"name": "users"}),
            "name",
            "validation_collection_name_exists",
        ),
        (
            json!({"name": "USERS"}),
            "name",
            "validation_collection_name_exists",
        ),
        (json!({"name": "a_via_b"}), "name", "validation_found_via"),
        (
            json!({"name": "_params"}),
            "name",
            "validation_collection_name_invalid",
        ),
        (
            json!({"name": "pbc_3142635823"}),
            "name",
            "validation_collection_name_id_duplicate",
        ),
        (
            json!({"name": "x1", "type": "sheet"}),
            "type",
            "validation_in_invalid",
        ),
        (
            json!({"name": "x2", "listRule": "missing = 1"}),
            "listRule",
            "validation_invalid_rule",
        ),
        (
            json!({"name": "x3", "listRule": "@request.data.x = 1"}),
            "listRule",
            "validation_invalid_rule",
        ),
        (json!({"name": "x4", "indexes": ["bad"]}), "indexes", ""),
        (
            json!({"name": "x5", "type": "view", "viewQuery": "select * from users"}),
            "viewQuery",
            "validation_invalid_view_query",
        ),
        (
            json!({"name": "x6", "type": "view", "viewQuery": "select name from users"}),
            "fields",
            "validation_missing_primary_key",
        ),
        (
            json!({"name": "x7", "type": "view", "viewQuery": "select id from users", "createRule": ""}),
            "createRule",
            "validation_nil",
        ),
        (
            json!({"name": "x8", "type": "auth", "manageRule": ""}),
            "manageRule",
            "validation_nil_or_not_empty_required",
        ),
        (
            json!({"name": "x9", "id": "bad id!"}),
            "id",
            "validation_match_invalid",
        ),
    ];
    for (body, key, code) in cases {
        let res = s
            .req("POST", "/api/collections", Some(&t), Some(body.clone()))
            .await;
        assert_error(&res, 400, "Failed to create collection.");
        assert!(
            res.body["data"].get(key).is_some(),
            "{body} -> {:?}",
            res.body
        );
        if !code.is_empty() {
            assert_eq!(
                res.body["data"][key]["code"], code,
                "{body} -> {:?}",
                res.body
            );
        }
    }
    let res = s
        .req("POST", "/api/collections", Some(&t), Some(json!({"name": "c1", "fields": [{"name": "expand", "type": "text"}, {"name": "", "type": "text"}]})))
        .await;
    assert_eq!(
        res.body["data"],
        json!({"fields": {"1": {"name": {"code": "validation_not_in_invalid", "message": "Must not be in list."}},
                          "2": {"name": {"code": "validation_required", "message": "Cannot be blank."}}}})
    );
    let res = s
        .req(
            "PATCH",
            "/api/collections/_superusers",
            Some(&t),
            Some(json!({"listRule": ""})),
        )
        .await;
    assert_eq!(
        res.body["data"]["listRule"]["code"],
        "validation_collection_system_rule_change"
    );
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&t),
            Some(json!({"type": "base"})),
        )
        .await;
    assert_eq!(
        res.body["data"]["type"]["code"],
        "validation_collection_type_change"
    );
    let res = s
        .req("DELETE", "/api/collections/_mfas", Some(&t), None)
        .await;
    assert_error(&res, 400, "Failed to delete collection.");
}

#[tokio::test]
async fn schema_changes_keep_data() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let body = json!({"name": "things", "listRule": "", "viewRule": "", "fields": [
        {"name": "label", "type": "text"},
        {"name": "tag", "type": "select", "values": ["q", "r"], "maxSelect": 1}
    ], "indexes": ["CREATE UNIQUE INDEX idx_things_label ON things (label)"]});
    let c = s
        .req("POST", "/api/collections", Some(&t), Some(body))
        .await
        .body;
    let rec = s
        .req(
            "POST",
            "/api/collections/things/records",
            Some(&t),
            Some(json!({"label": "one", "tag": "q"})),
        )
        .await
        .body;
    let id = rec["id"].as_str().unwrap().to_string();
    // unique index violations surface as validation errors
    let dup = s
        .req(
            "POST",
            "/api/collections/things/records",
            Some(&t),
            Some(json!({"label": "one"})),
        )
        .await;
    assert_eq!(dup.body["data"]["label"]["code"], "validation_not_unique");

    // rename while the index still uses the old name: rejected, nothing changes
    let mut fields = c["fields"].clone();
    fields[1]["name"] = json!("title");
    let res = s
        .req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": fields.clone()})),
        )
        .await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(
        res.body["data"]["indexes"]["0"]["code"],
        "validation_invalid_index_expression"
    );
    // rename with the index updated: the value follows the field id
    let res = s
        .req("PATCH", "/api/collections/things", Some(&t), Some(json!({"fields": fields.clone(), "indexes": ["CREATE UNIQUE INDEX idx_things_title ON things (title)"]})))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let got = s
        .get(&format!("/api/collections/things/records/{id}"), Some(&t))
        .await
        .body;
    assert_eq!(got["title"], "one");
    assert!(got.get("label").is_none());

    // single -> multiple select keeps the value as a list, and back
    fields[2]["maxSelect"] = json!(2);
    assert_eq!(
        s.req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": fields.clone()}))
        )
        .await
        .status,
        200
    );
    let got = s
        .get(&format!("/api/collections/things/records/{id}"), Some(&t))
        .await
        .body;
    assert_eq!(got["tag"], json!(["q"]));
    fields[2]["maxSelect"] = json!(1);
    assert_eq!(
        s.req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": fields.clone()}))
        )
        .await
        .status,
        200
    );
    let got = s
        .get(&format!("/api/collections/things/records/{id}"), Some(&t))
        .await
        .body;
    assert_eq!(got["tag"], "q");

    // changing the type under the same id is rejected; adding a field gives old rows its zero value
    let mut changed = fields.clone();
    changed[1]["type"] = json!("number");
    let res = s
        .req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": changed})),
        )
        .await;
    assert_eq!(
        res.body["data"]["fields"]["1"]["type"]["code"], "validation_field_type_change",
        "{:?}",
        res.body
    );
    let mut added = fields.as_array().unwrap().clone();
    added.push(json!({"name": "weight", "type": "number"}));
    assert_eq!(
        s.req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": added}))
        )
        .await
        .status,
        200
    );
    let got = s
        .get(&format!("/api/collections/things/records/{id}"), Some(&t))
        .await
        .body;
    assert_eq!(got["weight"], 0);
    // dropping a field drops its column
    let res = s
        .req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"fields": [fields[0].clone(), fields[1].clone()]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let got = s
        .get(&format!("/api/collections/things/records/{id}"), Some(&t))
        .await
        .body;
    assert!(got.get("tag").is_none() && got.get("weight").is_none());
    // rename the collection
    let res = s
        .req(
            "PATCH",
            "/api/collections/things",
            Some(&t),
            Some(json!({"name": "stuff"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_error(
        &s.get("/api/collections/things/records", None).await,
        404,
        "Missing collection context.",
    );
    assert_eq!(
        s.get("/api/collections/stuff/records", None).await.body["totalItems"],
        1
    );
}

#[tokio::test]
async fn views_truncate_delete_and_import() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    s.req("POST", "/api/collections", Some(&t), Some(json!({"name": "posts", "fields": [{"name": "title", "type": "text", "required": true, "max": 50}]}))).await;
    for title in ["a", "b"] {
        s.req(
            "POST",
            "/api/collections/posts/records",
            Some(&t),
            Some(json!({"title": title})),
        )
        .await;
    }
    let view = json!({"name": "v", "type": "view", "listRule": "", "viewQuery": "select id, title, count(id) as n from posts group by id"});
    let res = s
        .req("POST", "/api/collections", Some(&t), Some(view))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(field(&res.body, "title")["max"], 50);
    assert_eq!(field(&res.body, "n")["onlyInt"], true);
    assert_eq!(
        s.get("/api/collections/v/records", None).await.body["totalItems"],
        2
    );
    let res = s
        .req("DELETE", "/api/collections/posts", Some(&t), None)
        .await;
    assert_error(
        &res,
        400,
        "Failed to delete collection probably due to existing reference in v.",
    );
    assert_eq!(
        s.req("DELETE", "/api/collections/v/truncate", Some(&t), None)
            .await
            .status,
        400
    );
    assert_eq!(
        s.req("DELETE", "/api/collections/posts/truncate", Some(&t), None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/api/collections/posts/records", Some(&t)).await.body["totalItems"],
        0
    );
    assert_eq!(
        s.req("DELETE", "/api/collections/v", Some(&t), None)
            .await
            .status,
        204
    );
    assert_eq!(
        s.req("DELETE", "/api/collections/posts", Some(&t), None)
            .await
            .status,
        204
    );

    let res = s
        .req(
            "PUT",
            "/api/collections/import",
            Some(&t),
            Some(json!({"collections": []})),
        )
        .await;
    assert_eq!(
        res.body["data"]["collections"]["code"],
        "validation_required"
    );
    let bad = json!({"collections": [{"name": "ok1"}, {"name": "bad name"}]});
    let res = s
        .req("PUT", "/api/collections/import", Some(&t), Some(bad))
        .await;
    assert_error(&res, 400, "Failed to import collections.");
    assert_eq!(
        res.body["data"]["collections"]["code"],
        "validation_collections_import_failure"
    );
    assert_eq!(
        s.get("/api/collections/ok1", Some(&t)).await.status,
        404,
        "a failed import rolls back"
    );
    let good = json!({"collections": [{"name": "imp", "fields": [{"name": "a", "type": "text"}]}]});
    assert_eq!(
        s.req(
            "PUT",
            "/api/collections/import",
            Some(&t),
            Some(good.clone())
        )
        .await
        .status,
        204
    );
    assert_eq!(
        s.req("PUT", "/api/collections/import", Some(&t), Some(good))
            .await
            .status,
        204,
        "re-import is idempotent"
    );
    let imp = s.get("/api/collections/imp", Some(&t)).await.body;
    assert_eq!(imp["fields"].as_array().unwrap().len(), 2);
}
