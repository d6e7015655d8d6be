//! Record lists over HTTP (spec 02 §3, 03 §6–§9): filters, sorts, paging, the client-filter
//! restrictions and list rules, on the data set of spec 03 §9.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};

const U1: &str = "u1id00000000001";
const U2: &str = "u2id00000000002";
const INVALID: &str = "Something went wrong while processing your request.";

struct Fx {
    s: Server,
    admin: String,
    u1: String,
}

async fn post(s: &Server, token: &str, path: &str, body: Value) -> Value {
    let res = s.req("POST", path, Some(token), Some(body)).await;
    assert_eq!(res.status, 200, "{path}: {:?}", res.body);
    res.body
}

async fn fixture() -> Fx {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let a = admin.as_str();
    let tags = post(
        &s,
        a,
        "/api/collections",
        json!({"name": "tags", "type": "base", "listRule": null,
        "fields": [{"name": "label", "type": "text"}]}),
    )
    .await;
    let posts = post(&s, a, "/api/collections", json!({"name": "posts", "type": "base", "listRule": "", "viewRule": "",
        "fields": [
            {"name": "title", "type": "text"}, {"name": "views", "type": "number"},
            {"name": "published", "type": "bool"},
            {"name": "tags", "type": "select", "values": ["a","b","c","d"], "maxSelect": 4},
            {"name": "category", "type": "select", "values": ["x","y"], "maxSelect": 1},
            {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "tagrefs", "type": "relation", "collectionId": tags["id"], "maxSelect": 5},
            {"name": "meta", "type": "json"}, {"name": "pubdate", "type": "date"},
            {"name": "secret", "type": "text", "hidden": true}]}))
    .await;
    post(&s, a, "/api/collections", json!({"name": "comments", "type": "base", "listRule": "",
        "fields": [{"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1},
            {"name": "user", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "msg", "type": "text"}]}))
    .await;
    for (id, email, name, vis) in [
        (U1, "u1@example.com", "User One", false),
        (U2, "u2@example.com", "User Two", true),
    ] {
        post(
            &s,
            a,
            "/api/collections/users/records",
            json!({"id": id, "email": email, "name": name,
            "emailVisibility": vis, "password": "pass12345", "passwordConfirm": "pass12345"}),
        )
        .await;
    }
    for l in ["go", "rust", "zig"] {
        post(
            &s,
            a,
            "/api/collections/tags/records",
            json!({"id": format!("tag{l:0>12}"), "label": l}),
        )
        .await;
    }
    let rows = [
        json!({"id": "p10000000000001", "title": "Hello World", "views": 10, "published": true, "tags": ["a","b"],
            "category": "x", "author": U1, "tagrefs": ["tag0000000000go", "tag00000000rust"],
            "meta": {"k": 1, "arr": [1, 2], "s": "str"}, "pubdate": "2024-01-02 03:04:05.123Z", "secret": "s1"}),
        json!({"id": "p20000000000002", "title": "Second 100% off_sale", "views": 5, "tags": ["c"], "author": U2,
            "tagrefs": ["tag000000000zig"], "meta": [1, 2, 3]}),
        json!({"id": "p30000000000003", "title": "third", "views": 98, "tags": ["d","a"], "category": "y",
            "tagrefs": ["tag0000000000go"]}),
        json!({"id": "p40000000000004", "title": "multi", "views": 7, "published": true, "tags": ["a","b"], "category": "x"}),
    ];
    for r in rows {
        post(&s, a, "/api/collections/posts/records", r).await;
    }
    for (id, p, u, m) in [
        ("c10000000000001", "p10000000000001", U1, "first c"),
        ("c20000000000002", "p10000000000001", U2, "second c"),
        ("c30000000000003", "p20000000000002", U1, "third c"),
    ] {
        post(
            &s,
            a,
            "/api/collections/comments/records",
            json!({"id": id, "post": p, "user": u, "msg": m}),
        )
        .await;
    }
    let u1 = s.login("users", "u1@example.com", "pass12345").await;
    Fx { s, admin, u1 }
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lists posts with the raw query `qs` (`key=value` pairs, values encoded here).
async fn list(
    fx: &Fx,
    token: Option<&str>,
    coll: &str,
    params: &[(&str, &str)],
) -> crate::support::Res {
    let qs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    fx.s.get(
        &format!("/api/collections/{coll}/records?{}", qs.join("&")),
        token,
    )
    .await
}

/// The 2-letter id prefixes of the items, e.g. `"p1 p3"`.
fn short_ids(body: &Value) -> String {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or("")[..2].to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn ids(fx: &Fx, token: Option<&str>, filter: &str, sort: &str) -> String {
    let res = list(fx, token, "posts", &[("filter", filter), ("sort", sort)]).await;
    assert_eq!(res.status, 200, "{filter:?} {sort:?}: {:?}", res.body);
    assert_eq!(
        res.body["totalItems"].as_u64().unwrap() as usize,
        res.body["items"].as_array().unwrap().len()
    );
    short_ids(&res.body)
}

#[tokio::test]
async fn filters_of_spec_03_section_9() {
    let fx = fixture().await;
    let a = Some(fx.admin.as_str());
    for (f, want) in [
        ("title ~ 'hello'", "p1"),
        ("title ~ '100\\%'", "p2"),
        ("author = null", "p3 p4"),
        ("meta.arr.1 = 2", "p1"),
        ("tags:each ?= 'a'", "p1 p3 p4"),
        ("tags:each = 'a'", ""),
        ("tagrefs.label = 'go'", "p3"),
        ("tagrefs.label ?= 'go'", "p1 p3"),
        ("tagrefs.label != 'go'", "p2 p4"),
        ("comments_via_post.msg ?= 'first c'", "p1"),
        ("comments_via_post.user.name ?= 'User Two'", "p1"),
        (
            "@collection.comments.post ?= id && @collection.comments.msg ?= 'third c'",
            "p2",
        ),
        (
            "@collection.comments:c1.post = id && @collection.comments:c1.msg = 'third c'",
            "",
        ),
        ("views > '9'", "p1 p3"),
        (
            "title = 'third' || title = 'Hello World' && views = 5",
            "p3",
        ),
        ("secret = 's1'", "p1"),
        ("author.email = 'u1@example.com'", "p1"),
        (
            "owner = @request.auth.id || @request.auth.collectionName = '_superusers'",
            "ERR",
        ),
        (
            "@request.auth.collectionName = '_superusers' && @request.method = 'GET'",
            "p1 p2 p3 p4",
        ),
    ] {
        let res = list(&fx, a, "posts", &[("filter", f), ("sort", "@rowid")]).await;
        if want == "ERR" {
            assert_error(&res, 400, INVALID);
        } else {
            assert_eq!(res.status, 200, "{f}: {:?}", res.body);
            assert_eq!(short_ids(&res.body), want, "{f}");
        }
    }
}

#[tokio::test]
async fn client_filter_restrictions_of_section_7() {
    let fx = fixture().await;
    let u1 = Some(fx.u1.as_str());
    assert_eq!(ids(&fx, None, "author.name = 'User One'", "").await, "");
    assert_eq!(ids(&fx, u1, "author.name = 'User One'", "").await, "p1");
    assert_eq!(
        ids(&fx, u1, "author.email = 'u1@example.com'", "").await,
        ""
    );
    assert_eq!(
        ids(&fx, None, "author.id = 'u1id00000000001'", "").await,
        "p1"
    );
    assert_eq!(
        ids(&fx, None, "author.name = '' || author.name != ''", "@rowid").await,
        "p3 p4"
    );
    assert_eq!(ids(&fx, None, "", "author.name").await, "p3 p4");
    assert_eq!(ids(&fx, u1, "", "author.name").await, "p3 p4 p1");
    assert_eq!(
        ids(&fx, Some(fx.admin.as_str()), "", "author.name").await,
        "p3 p4 p1 p2"
    );
    for f in [
        "secret = 's1'",
        "author.tokenKey != ''",
        "tagrefs.label = 'go'",
        "TITLE = 'x'",
        "title = ",
    ] {
        assert_error(
            &list(&fx, None, "posts", &[("filter", f)]).await,
            400,
            INVALID,
        );
    }
    for s in ["secret", "nope", "title,"] {
        assert_error(
            &list(&fx, None, "posts", &[("sort", s)]).await,
            400,
            INVALID,
        );
    }
    assert_error(
        &list(
            &fx,
            Some(fx.admin.as_str()),
            "posts",
            &[("sort", "@request.auth.id")],
        )
        .await,
        400,
        INVALID,
    );
    // superuser-only fields: a substring check, @collection. first
    let cases = [
        (&[("filter", "@request.auth.id != ''")][..], "@request."),
        (&[("filter", "title = 'see @request.x'")][..], "@request."),
        (
            &[("filter", "@request.a @collection.b")][..],
            "@collection.",
        ),
        (
            &[("sort", "@request.x"), ("filter", "@collection.b")][..],
            "@collection.",
        ),
    ];
    for (params, what) in cases {
        let res = list(&fx, u1, "posts", params).await;
        assert_error(&res, 403, &format!("Only superusers can filter by {what}"));
    }
    // the users list rule applies to the users list itself, and emails need visibility
    let res = list(&fx, u1, "users", &[("filter", "email != ''")]).await;
    assert_eq!(res.body["totalItems"], json!(0), "{:?}", res.body);
    assert_error(
        &list(&fx, None, "tags", &[]).await,
        403,
        "Only superusers can perform this action.",
    );
}

#[tokio::test]
async fn paging_and_list_params() {
    let fx = fixture().await;
    let a = Some(fx.admin.as_str());
    // relation sort (two-step page query) keeps the order across pages
    let mut seen = Vec::new();
    for page in 1..=5 {
        let p = page.to_string();
        let res = list(
            &fx,
            a,
            "posts",
            &[
                ("sort", "-tagrefs.label,title"),
                ("perPage", "1"),
                ("page", &p),
            ],
        )
        .await;
        assert_eq!(res.body["totalItems"], json!(4));
        assert_eq!(res.body["totalPages"], json!(4));
        seen.push(short_ids(&res.body));
    }
    assert_eq!(seen, ["p2", "p1", "p3", "p4", ""]);
    let res = list(
        &fx,
        a,
        "posts",
        &[("skipTotal", "1"), ("perPage", "2"), ("sort", "title")],
    )
    .await;
    assert_eq!(
        (
            res.body["totalItems"].clone(),
            res.body["totalPages"].clone()
        ),
        (json!(-1), json!(-1))
    );
    assert_eq!(short_ids(&res.body), "p1 p2");
    let res = list(&fx, a, "posts", &[("perPage", "5000"), ("page", "-3")]).await;
    assert_eq!(
        (res.body["perPage"].clone(), res.body["page"].clone()),
        (json!(1000), json!(1))
    );
    for bad in [
        ("page", "abc"),
        ("page", "1.5"),
        ("perPage", "x"),
        ("skipTotal", "yes"),
        ("page", " 2"),
    ] {
        assert_error(&list(&fx, a, "posts", &[bad]).await, 400, INVALID);
    }
}

#[tokio::test]
async fn list_rules_of_section_8() {
    let fx = fixture().await;
    let a = fx.admin.as_str();
    let set_rule = |rule: &'static str| {
        let s = &fx.s;
        async move {
            let res = s
                .req(
                    "PATCH",
                    "/api/collections/posts",
                    Some(a),
                    Some(json!({"listRule": rule})),
                )
                .await;
            assert_eq!(res.status, 200, "{rule}: {:?}", res.body);
        }
    };
    let u1 = Some(fx.u1.as_str());
    // a guest's @request.auth.id is NULL, which equals an empty author (oracle: same)
    set_rule("author = @request.auth.id").await;
    assert_eq!(ids(&fx, None, "", "@rowid").await, "p3 p4");
    assert_eq!(ids(&fx, u1, "", "").await, "p1");
    set_rule("@request.auth.id != \"\" && author = @request.auth.id").await;
    assert_eq!(ids(&fx, None, "", "").await, "");
    set_rule("@request.auth.id = \"\"").await;
    assert_eq!(ids(&fx, None, "", "@rowid").await, "p1 p2 p3 p4");
    assert_eq!(ids(&fx, u1, "", "").await, "");
    // hidden fields and @collection in the rule; the filter is ANDed
    set_rule("secret = \"s1\" || @collection.comments.post ?= id").await;
    assert_eq!(ids(&fx, None, "", "@rowid").await, "p1 p2");
    assert_eq!(ids(&fx, None, "views < 10", "").await, "p2");
    // in rules, joined collections keep their rows and emails are not restricted
    set_rule("author.email = \"u1@example.com\"").await;
    assert_eq!(ids(&fx, None, "", "").await, "p1");
    // the rule's joins are shared with the filter's (same alias, so the same joined row)
    set_rule("comments_via_post.msg ?= \"first c\"").await;
    assert_eq!(ids(&fx, None, "", "").await, "p1");
    assert_eq!(
        ids(&fx, None, "comments_via_post.msg ?= 'first c'", "").await,
        "p1"
    );
    assert_eq!(
        ids(&fx, None, "comments_via_post.msg ?= 'second c'", "").await,
        ""
    );
    // rule joins into superuser-only collections are fine; the client filter's are not
    set_rule("tagrefs.label ?= \"go\"").await;
    assert_eq!(ids(&fx, None, "", "@rowid").await, "p1 p3");
    assert_error(
        &list(&fx, None, "posts", &[("filter", "tagrefs.label ?= 'go'")]).await,
        400,
        INVALID,
    );
}
