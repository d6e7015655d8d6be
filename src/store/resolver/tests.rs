//! Resolver tests over a real SQLite file holding the data of spec 03 §9: every row of the §9 table,
//! the §7 client-filter restrictions and sorting.

use super::*;
use crate::model::field::value::{to_sql_value, zero_value};
use crate::model::field::ColumnKind;
use crate::model::{CollectionType, Field};
use crate::store::rule_query::{self, PageQuery};
use rusqlite::Connection;
use serde_json::{json, Value};

pub(super) const U1: &str = "u1id00000000001";
pub(super) const U2: &str = "u2id00000000002";

pub(super) struct Fx {
    pub conn: Connection,
    pub all: Vec<Collection>,
    _dir: tempfile::TempDir,
}

fn field(v: Value) -> Field {
    serde_json::from_value(v).expect("field json")
}

fn collection(
    kind: CollectionType,
    name: &str,
    id: &str,
    list_rule: Option<&str>,
    fields: Value,
) -> Collection {
    let mut c = Collection::new(kind, name);
    c.id = id.to_string();
    c.list_rule = list_rule.map(str::to_string);
    if let Value::Array(fs) = fields {
        c.fields.extend(fs.into_iter().map(field));
    }
    c
}

fn ddl(f: &Field) -> &'static str {
    match f.column_kind() {
        ColumnKind::PrimaryKey => "TEXT PRIMARY KEY NOT NULL",
        ColumnKind::Text => "TEXT DEFAULT '' NOT NULL",
        ColumnKind::Numeric => "NUMERIC DEFAULT 0 NOT NULL",
        ColumnKind::Bool => "BOOLEAN DEFAULT FALSE NOT NULL",
        ColumnKind::Json => "JSON DEFAULT NULL",
        ColumnKind::JsonArray => "JSON DEFAULT '[]' NOT NULL",
        ColumnKind::GeoPoint => "JSON DEFAULT '{\"lon\":0,\"lat\":0}' NOT NULL",
    }
}

pub(super) fn insert(fx: &Fx, name: &str, values: Value) {
    let c = fx.all.iter().find(|c| c.name == name).expect("collection");
    let cols: Vec<String> = c.fields.iter().map(|f| ident(&f.name)).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let vals: Vec<_> = c
        .fields
        .iter()
        .map(|f| match values.get(&f.name) {
            Some(v) => to_sql_value(f, v),
            None => to_sql_value(f, &zero_value(f)),
        })
        .collect();
    fx.conn
        .execute(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                ident(name),
                cols.join(","),
                marks.join(",")
            ),
            rusqlite::params_from_iter(vals.iter()),
        )
        .expect("insert");
}

/// The §9 data set (plus `bundles` with a multiple relation to posts, and `notes`).
pub(super) fn fixture() -> Fx {
    let users = {
        let mut u = collection(
            CollectionType::Auth,
            "users",
            "_pb_users_auth_",
            Some("id = @request.auth.id"),
            json!([{"name": "name", "type": "text"}]),
        );
        u.view_rule = u.list_rule.clone();
        u
    };
    let tags = collection(
        CollectionType::Base,
        "tags",
        "pbc_tags",
        None,
        json!([{"name": "label", "type": "text"}]),
    );
    let posts = collection(
        CollectionType::Base,
        "posts",
        "pbc_posts",
        Some(""),
        json!([
            {"name": "title", "type": "text"}, {"name": "views", "type": "number"},
            {"name": "published", "type": "bool"},
            {"name": "tags", "type": "select", "values": ["a","b","c","d"], "maxSelect": 4},
            {"name": "category", "type": "select", "values": ["x","y"], "maxSelect": 1},
            {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "tagrefs", "type": "relation", "collectionId": "pbc_tags", "maxSelect": 5},
            {"name": "meta", "type": "json"}, {"name": "pubdate", "type": "date"},
            {"name": "loc", "type": "geoPoint"}, {"name": "secret", "type": "text", "hidden": true}
        ]),
    );
    let comments = collection(
        CollectionType::Base,
        "comments",
        "pbc_comments",
        Some(""),
        json!([
            {"name": "post", "type": "relation", "collectionId": "pbc_posts", "maxSelect": 1},
            {"name": "user", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "msg", "type": "text"}
        ]),
    );
    let bundles = collection(
        CollectionType::Base,
        "bundles",
        "pbc_bundles",
        Some(""),
        json!([
            {"name": "name", "type": "text"},
            {"name": "items", "type": "relation", "collectionId": "pbc_posts", "maxSelect": 5}
        ]),
    );
    let notes = collection(
        CollectionType::Base,
        "notes",
        "pbc_notes",
        Some("owner = @request.auth.id"),
        json!([
            {"name": "text", "type": "text"}, {"name": "n", "type": "number"},
            {"name": "labels", "type": "select", "values": ["a","b","c"], "maxSelect": 3},
            {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "public", "type": "bool"}, {"name": "status", "type": "text"}
        ]),
    );
    let all = vec![users, tags, posts, comments, bundles, notes];
    let dir = tempfile::tempdir().expect("tempdir");
    let conn =
        super::super::db::open_connection(&dir.path().join("data.db"), false, false).expect("open");
    for c in &all {
        let cols: Vec<String> = c
            .fields
            .iter()
            .map(|f| format!("{} {}", ident(&f.name), ddl(f)))
            .collect();
        conn.execute_batch(&format!(
            "CREATE TABLE {} ({});",
            ident(&c.name),
            cols.join(", ")
        ))
        .expect("create");
    }
    let fx = Fx {
        conn,
        all,
        _dir: dir,
    };
    insert(
        &fx,
        "users",
        json!({"id": U1, "email": "u1@example.com", "name": "User One", "emailVisibility": false}),
    );
    insert(
        &fx,
        "users",
        json!({"id": U2, "email": "u2@example.com", "name": "User Two", "emailVisibility": true}),
    );
    for l in ["go", "rust", "zig"] {
        insert(
            &fx,
            "tags",
            json!({"id": format!("tag{l:0>12}"), "label": l}),
        );
    }
    let (go, rust, zig) = ("tag0000000000go", "tag00000000rust", "tag000000000zig");
    insert(
        &fx,
        "posts",
        json!({"id": "p1", "title": "Hello World", "views": 10, "published": true, "tags": ["a","b"],
        "category": "x", "author": U1, "tagrefs": [go, rust], "meta": {"k":1,"arr":[1,2],"s":"str"},
        "pubdate": "2024-01-02 03:04:05.123Z", "loc": {"lon": 23.3, "lat": 42.7}, "secret": "s1"}),
    );
    insert(
        &fx,
        "posts",
        json!({"id": "p2", "title": "Second 100% off_sale", "views": 5, "tags": ["c"], "author": U2,
        "tagrefs": [zig], "meta": [1,2,3]}),
    );
    insert(
        &fx,
        "posts",
        json!({"id": "p3", "title": "third", "views": 98, "tags": ["d","a"], "category": "y", "tagrefs": [go]}),
    );
    insert(
        &fx,
        "posts",
        json!({"id": "p4", "title": "multi", "views": 7, "published": true, "tags": ["a","b"], "category": "x"}),
    );
    insert(
        &fx,
        "comments",
        json!({"id": "c1", "post": "p1", "user": U1, "msg": "first c"}),
    );
    insert(
        &fx,
        "comments",
        json!({"id": "c2", "post": "p1", "user": U2, "msg": "second c"}),
    );
    insert(
        &fx,
        "comments",
        json!({"id": "c3", "post": "p2", "user": U1, "msg": "third c"}),
    );
    insert(
        &fx,
        "bundles",
        json!({"id": "b1", "name": "b1", "items": ["p1", "p2"]}),
    );
    fx
}

/// Who asks: a superuser filter (rule mode), or a client filter by a guest / U1.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Who {
    Super,
    Anon,
    User1,
}

pub(super) fn info_for(fx: &Fx, who: Who) -> RequestInfo {
    let mut info = RequestInfo {
        method: "GET".into(),
        context: "default".into(),
        ..Default::default()
    };
    if who == Who::User1 {
        let users = fx.all.iter().find(|c| c.name == "users").unwrap().clone();
        let values = json!({"id": U1, "email": "u1@example.com", "emailVisibility": false, "verified": false, "name": "User One"});
        info.auth = Some((users.into(), values.as_object().unwrap().clone()));
    }
    info
}

/// Lists `coll` with `filter`/`sort` the way the list use-case does (no list rule on these collections).
pub(super) fn list(
    fx: &Fx,
    who: Who,
    coll: &str,
    filter_text: &str,
    sort: &str,
) -> Result<Vec<String>, String> {
    let c = fx.all.iter().find(|c| c.name == coll).unwrap();
    let info = info_for(fx, who);
    let mode = if who == Who::Super {
        ResolverMode::Rule
    } else {
        ResolverMode::ClientFilter
    };
    let mut r = RecordResolver::with_mode(c, &fx.all, Some(&info), mode);
    let mut sink = ParamSink::new("f");
    let mut wheres = Vec::new();
    if !filter_text.is_empty() {
        let expr = parse_cached(filter_text, ParseKind::Filter).map_err(|e| e.to_string())?;
        wheres.push(filter::build_where(&expr, &mut r, &mut sink).map_err(|e| e.to_string())?);
    }
    let items = filter::parse_sort(sort).map_err(|e| e.to_string())?;
    let order_sql = filter::build_order_by(&items, &mut r, &format!("{}.`_rowid_`", ident(coll)))
        .map_err(|e| e.to_string())?;
    wheres.extend(r.conditions());
    let mut params = rule_query::to_params(r.params().to_vec());
    params.extend(rule_query::to_params(sink.into_params()));
    let q = PageQuery {
        joins: r.joins(),
        where_sql: wheres
            .iter()
            .map(|w| format!("({w})"))
            .collect::<Vec<_>>()
            .join(" AND "),
        order_sql,
        params,
        limit: 100,
        offset: 0,
    };
    let recs = rule_query::list_page(&fx.conn, c, &q).map_err(|e| format!("sql: {e}"))?;
    let total = rule_query::count_matches(&fx.conn, c, &q).map_err(|e| format!("sql: {e}"))?;
    assert_eq!(total as usize, recs.len(), "count of {filter_text:?}");
    Ok(recs.iter().map(|r| r.id().to_string()).collect())
}

fn ids(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// Runs `filter` and compares the matched ids (in rowid order) with `want` (space separated, or
/// `"ERR"`).
pub(super) fn check(fx: &Fx, who: Who, filter_text: &str, want: &str) {
    let got = list(fx, who, "posts", filter_text, "@rowid");
    match (want, got) {
        ("ERR", Err(_)) => {}
        ("ERR", Ok(v)) => panic!("{filter_text:?}: expected an error, got {v:?}"),
        (_, Err(e)) => panic!("{filter_text:?}: {e}"),
        (w, Ok(v)) => assert_eq!(v, ids(w), "{filter_text:?}"),
    }
}

#[test]
fn spec_09_table() {
    let fx = fixture();
    let s = Who::Super;
    for (f, want) in [
        ("title='hello world'", ""),
        ("title ~ 'hello'", "p1"),
        ("title ~ '100%'", ""),
        ("title ~ '100\\%'", "p2"),
        ("title ~ 'off_s'", "p2"),
        ("title ~ 'of_'", ""),
        ("author = ''", "p3 p4"),
        ("author = null", "p3 p4"),
        ("author != 'u1id00000000001'", "p2 p3 p4"),
        ("meta = null", "p3 p4"), // P4 has no meta here (oracle: same)
        ("meta = ''", ""),
        ("meta.k = 1", "p1"),
        ("meta.arr.1 = 2", "p1"),
        ("meta.s = 'str'", "p1"),
        ("meta.nope = null", "p1 p2 p3 p4"),
        ("meta.0 = 1", "p2"),
        ("loc.lat > 42", "p1"),
        ("tags = 'a'", ""),
        ("tags ?= 'a'", ""),
        ("tags ~ 'a'", "p1 p3 p4"),
        ("tags:each ?= 'a'", "p1 p3 p4"),
        ("tags:each = 'a'", ""),
        ("tags:each != 'c'", "p1 p3 p4"),
        ("tags:length = 2", "p1 p3 p4"),
        ("tagrefs.label = 'go'", "p3"),
        ("tagrefs.label ?= 'go'", "p1 p3"),
        ("tagrefs.label != 'go'", "p2 p4"),
        ("tagrefs.label ?!= 'go'", "p1 p2 p4"),
        ("tagrefs ?= 'tag0000000000go'", ""),
        ("tagrefs.id ?= 'tag0000000000go'", "p1 p3"),
        ("tagrefs ~ 'tag0000000000go'", "p1 p3"),
        ("tagrefs.label ?= 'go' && tagrefs.label ?= 'rust'", ""),
        ("comments_via_post.msg ?= 'first c'", "p1"),
        ("comments_via_post.msg = 'first c'", ""),
        ("comments_via_post.user.name ?= 'User Two'", "p1"),
        ("bundles_via_items.name ?= 'b1'", "p1 p2"),
        ("bundles_via_items.name = 'b1'", "p1 p2"),
        ("bundles_via_items.name != 'b1'", "p3 p4"),
        (
            "@collection.comments.post ?= id && @collection.comments.msg ?= 'third c'",
            "p2",
        ),
        (
            "@collection.comments:c1.post = id && @collection.comments:c1.msg = 'third c'",
            "",
        ),
        ("@collection.tags.label ?= 'go'", "p1 p2 p3 p4"),
        ("published = 'true'", ""),
        ("published = true", "p1 p4"),
        ("views > '9'", "p1 p3"),
        ("views = null", ""),
        ("pubdate < @yearStart", "p1 p2 p3 p4"),
        (
            "title = 'third' || title = 'Hello World' && views = 5",
            "p3",
        ),
        (
            "(title = 'third' || title = 'Hello World') && views = 5",
            "",
        ),
        ("title:isset = true", ""),
        ("category:length = 1", "p1 p3 p4"),
        ("author:length = 1", "p1 p2"),
        ("title:length = 5", ""),
        ("title:lower = 'hello world'", "p1"),
        ("author:each = 'u1id00000000001'", "p1"),
        ("author.id = 'u1id00000000001'", "p1"),
        ("secret = 's1'", "p1"),
        ("author.email = 'u1@example.com'", "p1"),
        ("geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 5", "p1"),
        ("strftime('%Y', pubdate) = '2024'", "p1"),
        ("@request.auth.id = ''", "p1 p2 p3 p4"),
        ("@request.auth.nonexistent = null", "p1 p2 p3 p4"),
    ] {
        check(&fx, s, f, want);
    }
    for bad in [
        "views = .5",
        "title == 'x'",
        "a=1 and b=2",
        "TITLE = 'x'",
        "title = third",
        "title:upper='X'",
        "title = 'x'\r",
        "comments_via_post:length = 1",
        "comments_via_post = 'x'",
        "tags:each:lower = 'a'",
        "title.x = 1",
        "author.name.x = 1",
        "title:changed = 1",
        "@collection.nope.x = 1",
        "@collection.tags = 1",
        "@request.method:lower = 'get'",
        "@request.query.x:each = 1",
        "@request.body.title:each = 1",
        "nope_via_post.x = 1",
        "comments_via_user.msg = 1",
    ] {
        check(&fx, s, bad, "ERR");
    }
}

#[test]
fn client_filter_restrictions() {
    let fx = fixture();
    // hidden fields and collections without a list rule
    check(&fx, Who::Anon, "secret = 's1'", "ERR");
    check(&fx, Who::Anon, "author.tokenKey != ''", "ERR");
    check(&fx, Who::Anon, "tagrefs.label = 'go'", "ERR");
    check(&fx, Who::Anon, "author.password != ''", "ERR");
    // the users list rule is ANDed for joined rows
    check(&fx, Who::Anon, "author.name = 'User One'", "");
    check(&fx, Who::User1, "author.name = 'User One'", "p1");
    check(
        &fx,
        Who::Anon,
        "author.name = '' || author.name != ''",
        "p3 p4",
    );
    check(
        &fx,
        Who::User1,
        "author.name = '' || author.name != ''",
        "p1 p3 p4",
    );
    check(
        &fx,
        Who::Anon,
        "comments_via_post.user.name ?= 'User Two'",
        "",
    );
    // emails need emailVisibility, even one's own
    check(&fx, Who::User1, "author.email = 'u1@example.com'", "");
    // a single relation's id needs no join
    check(&fx, Who::Anon, "author.id = 'u1id00000000001'", "p1");
    check(&fx, Who::Anon, "author = 'u1id00000000001'", "p1");
    // plain fields
    check(&fx, Who::Anon, "title ~ 'hello'", "p1");
    // the users collection itself: email visibility on the base collection
    let got = list(&fx, Who::User1, "users", "email != ''", "").unwrap();
    assert_eq!(got, ["u2id00000000002"]);
}

#[test]
fn sorting() {
    let fx = fixture();
    let sorted = |who, sort: &str| list(&fx, who, "posts", "", sort);
    assert_eq!(sorted(Who::Anon, "author.name").unwrap(), ids("p3 p4"));
    assert_eq!(sorted(Who::User1, "author.name").unwrap(), ids("p3 p4 p1"));
    assert_eq!(
        sorted(Who::Super, "author.name").unwrap(),
        ids("p3 p4 p1 p2")
    );
    assert_eq!(
        sorted(Who::Super, "-author.name").unwrap(),
        ids("p2 p1 p3 p4")
    );
    assert_eq!(sorted(Who::Super, "published").unwrap(), ids("p2 p3 p1 p4"));
    assert_eq!(
        sorted(Who::Super, "-published").unwrap(),
        ids("p1 p4 p2 p3")
    );
    assert_eq!(sorted(Who::Super, "-@rowid").unwrap(), ids("p4 p3 p2 p1"));
    assert_eq!(
        sorted(Who::Super, "tags:length").unwrap(),
        ids("p2 p1 p3 p4")
    );
    assert_eq!(sorted(Who::Super, "-meta.k").unwrap(), ids("p1 p2 p3 p4"));
    assert_eq!(
        sorted(Who::Super, "title:lower").unwrap(),
        ids("p1 p4 p2 p3")
    );
    assert_eq!(
        sorted(Who::Super, "comments_via_post.msg").unwrap(),
        ids("p3 p4 p1 p2")
    );
    assert!(sorted(Who::Anon, "secret").is_err());
    assert!(sorted(Who::Super, "@request.auth.id").is_err());
    assert!(sorted(Who::Super, "nope").is_err());
    // the list-rule conditions apply to sorts too; paging keeps the order
    let c = fx.all.iter().find(|c| c.name == "posts").unwrap();
    let mut r = RecordResolver::with_mode(c, &fx.all, None, ResolverMode::Rule);
    let items = filter::parse_sort("-views").unwrap();
    let order_sql = filter::build_order_by(&items, &mut r, "`posts`.`_rowid_`").unwrap();
    let page = |offset| {
        let q = PageQuery {
            order_sql: order_sql.clone(),
            limit: 2,
            offset,
            ..Default::default()
        };
        rule_query::list_page(&fx.conn, c, &q)
            .unwrap()
            .iter()
            .map(|r| r.id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(0), ids("p3 p1"));
    assert_eq!(page(2), ids("p4 p2"));
}

#[test]
fn max_relation_hops() {
    let fx = fixture();
    // posts → comments (back) → post → comments (back) → post → author: 5 hops, allowed
    check(
        &fx,
        Who::Super,
        "comments_via_post.post.comments_via_post.post.author.name ?= 'User One'",
        "p1",
    );
    let seven = "comments_via_post.post.comments_via_post.post.comments_via_post.post.comments_via_post.msg ?= 'x'";
    check(&fx, Who::Super, seven, "ERR");
}
