//! `?expand=`: direct, multiple, back and nested relations, depth cap, view rules, and the answers
//! (view, list, create, update, sign-in) that carry it. Expected shapes were checked against
//! PocketBase 0.40.6.

use crate::support::Server;
use serde_json::{json, Value};

const U1: &str = "u1aaaaaaaaaaaaa";
const U2: &str = "u2aaaaaaaaaaaaa";
const PASS: &str = "Passw0rd123";

fn rel(name: &str, collection_id: &str, max: u32) -> Value {
    json!({"name": name, "type": "relation", "collectionId": collection_id, "maxSelect": max})
}

async fn collection(s: &Server, t: &str, body: Value) -> String {
    let res = s.req("POST", "/api/collections", Some(t), Some(body)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

async fn record(s: &Server, t: &str, c: &str, body: Value) {
    let path = format!("/api/collections/{c}/records");
    let res = s.req("POST", &path, Some(t), Some(body)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

/// Collections and records shared by the tests; returns the superuser token.
async fn fixture(s: &Server) -> String {
    let t = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&t),
            Some(json!({"viewRule": "id = @request.auth.id"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let users = "_pb_users_auth_";
    let text = |n: &str| json!({"name": n, "type": "text"});
    let tags = collection(s, &t, json!({"name": "tags", "fields": [text("name")]})).await;
    let otags = collection(
        s,
        &t,
        json!({"name": "otags", "viewRule": "", "fields": [text("name")]}),
    )
    .await;
    let authors = collection(
        s,
        &t,
        json!({"name": "authors", "viewRule": "", "fields": [
        text("name"), {"name": "secret", "type": "text", "hidden": true},
        rel("tagrefs", &tags, 5), rel("otags", &otags, 5), rel("user", users, 1)]}),
    )
    .await;
    let mut hidden_rel = rel("hrel", &authors, 1);
    hidden_rel["hidden"] = json!(true);
    let posts = collection(
        s,
        &t,
        json!({"name": "posts", "viewRule": "", "listRule": "",
        "createRule": "", "updateRule": "", "fields": [text("title"), rel("author", &authors, 1),
        rel("otags", &otags, 5), rel("owner", users, 1), hidden_rel]}),
    )
    .await;
    collection(
        s,
        &t,
        json!({"name": "comments", "viewRule": "", "fields": [text("msg"),
        rel("post", &posts, 1), rel("user", users, 1)]}),
    )
    .await;
    collection(
        s,
        &t,
        json!({"name": "notes", "viewRule": "owner = @request.auth.id",
        "fields": [text("text"), rel("owner", users, 1), rel("post", &posts, 1)]}),
    )
    .await;
    collection(
        s,
        &t,
        json!({"name": "profiles", "viewRule": "", "fields": [text("bio"),
        rel("user", users, 1)], "indexes": ["CREATE UNIQUE INDEX idx_prof ON profiles (user)"]}),
    )
    .await;
    let ctx = collection(
        s,
        &t,
        json!({"name": "ctxonly",
        "viewRule": "@request.context = \"expand\"", "fields": [text("v")]}),
    )
    .await;
    let chain = collection(
        s,
        &t,
        json!({"name": "chain", "viewRule": "",
        "fields": [{"name": "n", "type": "number"}]}),
    )
    .await;
    let fields = json!({"fields": [{"name": "n", "type": "number"}, rel("next", &chain, 1),
        rel("ctx", &ctx, 1)]});
    let res = s
        .req("PATCH", "/api/collections/chain", Some(&t), Some(fields))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    for (id, email, vis) in [(U1, "u1@example.com", false), (U2, "u2@example.com", true)] {
        record(
            s,
            &t,
            "users",
            json!({"id": id, "email": email, "password": PASS,
            "passwordConfirm": PASS, "emailVisibility": vis}),
        )
        .await;
    }
    for (i, n) in ["go", "rust"].iter().enumerate() {
        record(
            s,
            &t,
            "tags",
            json!({"id": format!("tag{i}aaaaaaaaaaa"), "name": n}),
        )
        .await;
    }
    for (i, n) in ["ogo", "orust", "odb"].iter().enumerate() {
        record(
            s,
            &t,
            "otags",
            json!({"id": format!("otg{i}aaaaaaaaaaa"), "name": n}),
        )
        .await;
    }
    record(
        s,
        &t,
        "authors",
        json!({"id": "au1aaaaaaaaaaaa", "name": "John", "secret": "s1",
        "tagrefs": ["tag1aaaaaaaaaaa"], "otags": ["otg2aaaaaaaaaaa", "otg0aaaaaaaaaaa"],
        "user": U1}),
    )
    .await;
    record(
        s,
        &t,
        "authors",
        json!({"id": "au2aaaaaaaaaaaa", "name": "Jane", "user": U2}),
    )
    .await;
    record(
        s,
        &t,
        "posts",
        json!({"id": "po1aaaaaaaaaaaa", "title": "P1",
        "author": "au1aaaaaaaaaaaa", "otags": ["otg1aaaaaaaaaaa", "otg0aaaaaaaaaaa",
        "otg2aaaaaaaaaaa"], "owner": U1, "hrel": "au2aaaaaaaaaaaa"}),
    )
    .await;
    record(
        s,
        &t,
        "posts",
        json!({"id": "po2aaaaaaaaaaaa", "title": "P2",
        "author": "au2aaaaaaaaaaaa", "owner": U2}),
    )
    .await;
    record(
        s,
        &t,
        "posts",
        json!({"id": "po3aaaaaaaaaaaa", "title": "P3"}),
    )
    .await;
    for (id, msg, post, user) in [
        ("cm3aaaaaaaaaaaa", "third", "po1aaaaaaaaaaaa", U2),
        ("cm1aaaaaaaaaaaa", "first", "po1aaaaaaaaaaaa", U1),
        ("cm2aaaaaaaaaaaa", "second", "po2aaaaaaaaaaaa", U1),
    ] {
        record(
            s,
            &t,
            "comments",
            json!({"id": id, "msg": msg, "post": post, "user": user}),
        )
        .await;
    }
    for (id, owner) in [("no1aaaaaaaaaaaa", U1), ("no2aaaaaaaaaaaa", U2)] {
        record(
            s,
            &t,
            "notes",
            json!({"id": id, "owner": owner, "post": "po1aaaaaaaaaaaa"}),
        )
        .await;
    }
    record(
        s,
        &t,
        "profiles",
        json!({"id": "pr1aaaaaaaaaaaa", "bio": "b1", "user": U1}),
    )
    .await;
    record(
        s,
        &t,
        "ctxonly",
        json!({"id": "cx1aaaaaaaaaaaa", "v": "ctx"}),
    )
    .await;
    let mut next = String::new();
    for i in (1..=9).rev() {
        let id = format!("ch{i}aaaaaaaaaaaa");
        record(
            s,
            &t,
            "chain",
            json!({"id": id, "n": i, "next": next,
            "ctx": "cx1aaaaaaaaaaaa"}),
        )
        .await;
        next = id;
    }
    t
}

async fn view(s: &Server, c: &str, id: &str, query: &str, token: Option<&str>) -> Value {
    let res = s
        .get(&format!("/api/collections/{c}/records/{id}?{query}"), token)
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn direct_multiple_and_nested_relations() {
    let s = Server::start().await;
    fixture(&s).await;
    let p1 = "po1aaaaaaaaaaaa";
    let r = view(&s, "posts", p1, "", None).await;
    assert!(r.get("expand").is_none(), "no param, no key");
    let r = view(&s, "posts", p1, "expand=author", None).await;
    let author = &r["expand"]["author"];
    assert_eq!(author["name"], "John");
    assert_eq!(author["collectionName"], "authors");
    assert!(author.get("secret").is_none(), "hidden fields stay hidden");
    assert!(author.get("expand").is_none());
    // multiple: stored order
    let r = view(&s, "posts", p1, "expand=otags", None).await;
    assert_eq!(
        names(&r["expand"]["otags"], "name"),
        ["orust", "ogo", "odb"]
    );
    // nested, merged prefixes, spaces and stray dots
    let r = view(
        &s,
        "posts",
        p1,
        "expand=%20author%20.otags,..otags..,author",
        None,
    )
    .await;
    assert_eq!(
        names(&r["expand"]["author"]["expand"]["otags"], "name"),
        ["odb", "ogo"]
    );
    assert_eq!(r["expand"]["otags"].as_array().unwrap().len(), 3);
    // an empty relation still gives the (empty) expand object
    let r = view(&s, "posts", "po3aaaaaaaaaaaa", "expand=author", None).await;
    assert_eq!(r["expand"], json!({}));
    // invalid paths are ignored: no expand key at all, like PocketBase
    for q in [
        "expand=bogus",
        "expand=title",
        "expand=AUTHOR",
        "expand=,",
        "expand=author.bogus",
    ] {
        let r = view(&s, "posts", p1, q, None).await;
        assert!(r.get("expand").is_none(), "{q}: {r}");
    }
    // one failing path does not spoil the others
    let r = view(
        &s,
        "posts",
        p1,
        "expand=author.bogus,author.otags,otags",
        None,
    )
    .await;
    assert_eq!(
        names(&r["expand"]["author"]["expand"]["otags"], "name"),
        ["odb", "ogo"]
    );
    assert_eq!(r["expand"]["otags"].as_array().unwrap().len(), 3);
    // fields projection reaches into expand
    let r = view(
        &s,
        "posts",
        p1,
        "expand=author&fields=title,expand.author.name",
        None,
    )
    .await;
    assert_eq!(
        r,
        json!({"title": "P1", "expand": {"author": {"name": "John"}}})
    );
}

#[tokio::test]
async fn back_relations() {
    let s = Server::start().await;
    let t = fixture(&s).await;
    let p1 = "po1aaaaaaaaaaaa";
    let r = view(&s, "posts", p1, "expand=comments_via_post", None).await;
    assert_eq!(
        names(&r["expand"]["comments_via_post"], "msg"),
        ["third", "first"]
    );
    let r = view(&s, "posts", p1, "expand=comments(post)", None).await;
    assert_eq!(
        names(&r["expand"]["comments(post)"], "msg"),
        ["third", "first"]
    );
    let r = view(&s, "posts", p1, "expand=COMMENTS_via_post", None).await;
    assert_eq!(
        r["expand"]["COMMENTS_via_post"].as_array().unwrap().len(),
        2
    );
    let r = view(&s, "posts", p1, "expand=comments_via_POST", None).await;
    assert!(r.get("expand").is_none());
    let r = view(
        &s,
        "posts",
        "po3aaaaaaaaaaaa",
        "expand=comments_via_post",
        None,
    )
    .await;
    assert_eq!(r["expand"], json!({}));
    // a single-column unique index makes it a single object
    let r = view(&s, "users", U1, "expand=profiles_via_user", Some(&t)).await;
    assert_eq!(r["expand"]["profiles_via_user"]["bio"], "b1");
    // nested below a back relation; users are visible only to themselves
    let u1 = s.login("users", "u1@example.com", PASS).await;
    let r = view(&s, "posts", p1, "expand=comments_via_post.user", Some(&u1)).await;
    let list = r["expand"]["comments_via_post"].as_array().unwrap();
    assert_eq!(list[0]["expand"], json!({}));
    assert_eq!(list[1]["expand"]["user"]["email"], "u1@example.com");
    // several parents in one list
    let res = s
        .get(
            "/api/collections/posts/records?sort=title&expand=comments_via_post",
            None,
        )
        .await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(
        names(&items[0]["expand"]["comments_via_post"], "id"),
        ["cm3aaaaaaaaaaaa", "cm1aaaaaaaaaaaa"]
    );
    assert_eq!(
        names(&items[1]["expand"]["comments_via_post"], "id"),
        ["cm2aaaaaaaaaaaa"]
    );
    assert_eq!(items[2]["expand"], json!({}));
}

#[tokio::test]
async fn view_rules_decide_what_is_expanded() {
    let s = Server::start().await;
    let t = fixture(&s).await;
    let u1 = s.login("users", "u1@example.com", PASS).await;
    let p1 = "po1aaaaaaaaaaaa";
    let notes = |r: &Value| names(&r["expand"]["notes_via_post"], "id");
    let r = view(&s, "posts", p1, "expand=notes_via_post", None).await;
    assert_eq!(r["expand"], json!({}), "anonymous sees no note");
    let r = view(&s, "posts", p1, "expand=notes_via_post", Some(&u1)).await;
    assert_eq!(notes(&r), ["no1aaaaaaaaaaaa"]);
    let r = view(&s, "posts", p1, "expand=notes_via_post", Some(&t)).await;
    assert_eq!(notes(&r), ["no1aaaaaaaaaaaa", "no2aaaaaaaaaaaa"]);
    // auth records: visible only to themselves, with their email
    let r = view(&s, "posts", p1, "expand=owner", None).await;
    assert_eq!(r["expand"], json!({}));
    let r = view(&s, "posts", p1, "expand=owner", Some(&u1)).await;
    assert_eq!(r["expand"]["owner"]["email"], "u1@example.com");
    let r = view(&s, "posts", "po2aaaaaaaaaaaa", "expand=owner", Some(&u1)).await;
    assert_eq!(r["expand"], json!({}));
    // a null viewRule drops the whole path for everyone but superusers
    let r = view(&s, "posts", p1, "expand=author.tagrefs", None).await;
    assert!(r.get("expand").is_none(), "{r}");
    let r = view(&s, "posts", p1, "expand=author.tagrefs", Some(&t)).await;
    let author = &r["expand"]["author"];
    assert_eq!(names(&author["expand"]["tagrefs"], "name"), ["rust"]);
    assert_eq!(author["secret"], "s1", "superusers see hidden fields");
    // hidden relation fields still expand (the field itself stays hidden)
    let r = view(&s, "posts", p1, "expand=hrel", None).await;
    assert!(r.get("hrel").is_none());
    assert_eq!(r["expand"]["hrel"]["name"], "Jane");
    // rules see @request.context = "expand"
    let r = view(&s, "chain", "ch1aaaaaaaaaaaa", "expand=ctx", None).await;
    assert_eq!(r["expand"]["ctx"]["v"], "ctx");
    let res = s
        .get("/api/collections/ctxonly/records/cx1aaaaaaaaaaaa", None)
        .await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn depth_is_capped_at_six_levels() {
    let s = Server::start().await;
    fixture(&s).await;
    let path = ["next"; 8].join(".");
    let r = view(
        &s,
        "chain",
        "ch1aaaaaaaaaaaa",
        &format!("expand={path}"),
        None,
    )
    .await;
    let mut node = &r;
    let mut depth = 0;
    while let Some(next) = node.get("expand").and_then(|e| e.get("next")) {
        depth += 1;
        node = next;
    }
    assert_eq!(depth, 6);
    assert_eq!(node["n"], 7);
    assert!(node.get("expand").is_none());
    // a seventh segment of another kind is ignored too
    let path = format!("{}.ctx", ["next"; 6].join("."));
    let r = view(
        &s,
        "chain",
        "ch1aaaaaaaaaaaa",
        &format!("expand={path}"),
        None,
    )
    .await;
    let mut node = &r;
    for _ in 0..6 {
        node = &node["expand"]["next"];
    }
    assert_eq!(node["id"], "ch7aaaaaaaaaaaa");
    assert!(node.get("expand").is_none());
}

#[tokio::test]
async fn list_create_update_and_sign_in_answers() {
    let s = Server::start().await;
    fixture(&s).await;
    let res = s
        .get(
            "/api/collections/posts/records?sort=title&expand=author,otags",
            None,
        )
        .await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items[0]["expand"]["author"]["name"], "John");
    assert_eq!(items[0]["expand"]["otags"].as_array().unwrap().len(), 3);
    assert_eq!(items[1]["expand"]["author"]["name"], "Jane");
    assert!(items[1]["expand"].get("otags").is_none());
    assert_eq!(items[2]["expand"], json!({}));

    let body = json!({"title": "new", "author": "au2aaaaaaaaaaaa", "otags": ["otg0aaaaaaaaaaa"]});
    let res = s
        .req(
            "POST",
            "/api/collections/posts/records?expand=author,otags",
            None,
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["expand"]["author"]["name"], "Jane");
    assert_eq!(names(&res.body["expand"]["otags"], "name"), ["ogo"]);
    let res = s
        .req(
            "PATCH",
            "/api/collections/posts/records/po3aaaaaaaaaaaa?expand=author",
            None,
            Some(json!({"author": "au1aaaaaaaaaaaa"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["expand"]["author"]["name"], "John");

    // the rules of a sign-in expand see the signed-in record
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-password?expand=notes_via_owner,profiles_via_user",
            None,
            Some(json!({"identity": "u1@example.com", "password": PASS})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let expand = &res.body["record"]["expand"];
    assert_eq!(names(&expand["notes_via_owner"], "id"), ["no1aaaaaaaaaaaa"]);
    assert_eq!(expand["profiles_via_user"]["bio"], "b1");
    let token = res.body["token"].as_str().unwrap().to_string();
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-refresh?expand=notes_via_owner",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(
        names(&res.body["record"]["expand"]["notes_via_owner"], "id"),
        ["no1aaaaaaaaaaaa"]
    );
}
