//! Rule tests (spec 03 §4, §8): `@request.*` values and modifiers, auth and body-relation joins, the
//! create rule's one-row CTE, and rule checks on one record.

use super::tests::{fixture, info_for, insert, Fx, Who, U1, U2};
use super::*;
use crate::model::record::Record;
use crate::store::rule_query;
use serde_json::json;

fn info(fx: &Fx, who: Who, body: Value) -> RequestInfo {
    let mut i = info_for(fx, who);
    i.method = "POST".into();
    i.body = body.as_object().cloned().unwrap_or_default();
    i
}

/// Evaluates a create rule for `notes` with `record` as the new values.
fn create_ok(fx: &Fx, rule: &str, record: Value, info: &RequestInfo) -> Result<bool, String> {
    let c = fx.all.iter().find(|c| c.name == "notes").unwrap();
    let expr = parse_cached(rule, ParseKind::Rule).map_err(|e| e.to_string())?;
    let mut rec = Record::new(&c.id, &c.name);
    rec.data = record.as_object().cloned().unwrap_or_default();
    let (sql, params) = rule_query::create_rule_statement(c, &fx.all, &expr, &rec, info)
        .map_err(|e| e.to_string())?;
    rule_query::exists_query(&fx.conn, &sql, &params).map_err(|e| format!("sql: {e} in {sql}"))
}

/// Evaluates a rule on one stored record of `coll`.
fn rule_ok(fx: &Fx, coll: &str, id: &str, rule: &str, info: &RequestInfo) -> Result<bool, String> {
    let c = fx.all.iter().find(|c| c.name == coll).unwrap();
    let expr = parse_cached(rule, ParseKind::Rule).map_err(|e| e.to_string())?;
    let mut r = RecordResolver::with_mode(c, &fx.all, Some(info), ResolverMode::Rule);
    let mut sink = ParamSink::new("rule");
    let sql = filter::build_where(&expr, &mut r, &mut sink).map_err(|e| e.to_string())?;
    let mut params = rule_query::to_params(r.params().to_vec());
    params.extend(rule_query::to_params(sink.into_params()));
    rule_query::record_exists_where(&fx.conn, c, id, &r.joins(), &sql, &params)
        .map_err(|e| format!("sql: {e}"))
}

#[test]
fn create_rules_of_spec_8_1() {
    let fx = fixture();
    let rule = "@request.auth.id != \"\" && owner = @request.auth.id";
    let anon = info(&fx, Who::Anon, json!({"owner": U1}));
    assert_eq!(create_ok(&fx, rule, json!({"owner": U1}), &anon), Ok(false));
    let u1 = info(&fx, Who::User1, json!({"owner": U2}));
    assert_eq!(create_ok(&fx, rule, json!({"owner": U2}), &u1), Ok(false));
    let u1 = info(&fx, Who::User1, json!({"owner": U1}));
    assert_eq!(create_ok(&fx, rule, json!({"owner": U1}), &u1), Ok(true));
    // relation paths of the new values join the real tables
    assert_eq!(
        create_ok(&fx, "owner.name = 'User One'", json!({"owner": U1}), &u1),
        Ok(true)
    );
    assert_eq!(
        create_ok(&fx, "owner.name = 'User One'", json!({"owner": U2}), &u1),
        Ok(false)
    );

    let lower = "@request.body.text:lower != \"bad\"";
    let bad = info(&fx, Who::Anon, json!({"text": "BAD"}));
    assert_eq!(
        create_ok(&fx, lower, json!({"text": "BAD"}), &bad),
        Ok(false)
    );
    let good = info(&fx, Who::Anon, json!({"text": "fine"}));
    assert_eq!(
        create_ok(&fx, lower, json!({"text": "fine"}), &good),
        Ok(true)
    );

    let labels = "@request.body.labels:length <= 2 && @request.body.labels:each != \"c\"";
    for (l, want) in [
        (json!(["a", "b", "c"]), false),
        (json!(["a", "c"]), false),
        (json!(["a", "b"]), true),
    ] {
        let i = info(&fx, Who::Anon, json!({"labels": l}));
        assert_eq!(
            create_ok(&fx, labels, json!({"labels": l}), &i),
            Ok(want),
            "{l}"
        );
    }
    // :each with nothing submitted holds vacuously
    let none = info(&fx, Who::Anon, json!({}));
    assert_eq!(create_ok(&fx, labels, json!({}), &none), Ok(true));

    let n = "@request.body.n:isset = false || @request.body.n < 100";
    for (body, want) in [
        (json!({"n": 150}), false),
        (json!({"n": "99"}), true),
        (json!({}), true),
    ] {
        let i = info(&fx, Who::Anon, body.clone());
        assert_eq!(create_ok(&fx, n, body.clone(), &i), Ok(want), "{body}");
    }
    // "99" < 100 only because `n` is a number field: the string is converted
    let i = info(&fx, Who::Anon, json!({"text": "99"}));
    assert_eq!(
        create_ok(&fx, "@request.body.text < 100", json!({}), &i),
        Ok(false)
    );

    let mut q = info(&fx, Who::Anon, json!({}));
    q.query.insert("k".into(), json!("block"));
    assert_eq!(
        create_ok(&fx, "@request.query.k != \"block\"", json!({}), &q),
        Ok(false)
    );
    q.insert_header("X-Token", "block");
    assert_eq!(
        create_ok(&fx, "@request.headers.x_token != \"block\"", json!({}), &q),
        Ok(false)
    );
    assert_eq!(
        create_ok(
            &fx,
            "@request.headers.x_token = \"block\" && @request.method = 'POST'",
            json!({}),
            &q
        ),
        Ok(true)
    );
    // a query value named like a number field becomes a number too
    q.query.insert("n".into(), json!("5"));
    assert_eq!(create_ok(&fx, "@request.query.n = 5 && @request.query.k:isset = true && @request.query.z:isset = false", json!({}), &q), Ok(true));
    // unknown body keys: nested values, missing → NULL
    let i = info(&fx, Who::Anon, json!({"extra": {"x": [1, 2]}}));
    assert_eq!(
        create_ok(
            &fx,
            "@request.body.extra.x.1 = 2 && @request.body.nope = null",
            json!({}),
            &i
        ),
        Ok(true)
    );
    // errors
    for bad in [
        "@request.body.text:each = 'x'",
        "@request.body.text:length = 1",
        "@request.body.nofield:length = 1",
        "nope = 1",
    ] {
        assert!(create_ok(&fx, bad, json!({}), &i).is_err(), "{bad}");
    }
    // the new record's own fields, including :length of its submitted multi values
    assert_eq!(
        create_ok(
            &fx,
            "labels:length = 2 && text = 'x'",
            json!({"labels": ["a", "b"], "text": "x"}),
            &i
        ),
        Ok(true)
    );
    // with a multi-match on the CTE (back relation to a fresh id never matches)
    assert_eq!(
        create_ok(
            &fx,
            "@request.body.owner.name = 'User One'",
            json!({}),
            &info(&fx, Who::Anon, json!({"owner": U1}))
        ),
        Ok(true)
    );
    assert_eq!(
        create_ok(
            &fx,
            "@request.body.owner.name = 'User One'",
            json!({}),
            &info(&fx, Who::Anon, json!({}))
        ),
        Ok(false)
    );
}

#[test]
fn auth_values_and_joins() {
    let fx = fixture();
    let u1 = info(&fx, Who::User1, json!({}));
    let anon = info(&fx, Who::Anon, json!({}));
    let r = |rule: &str, i: &RequestInfo| rule_ok(&fx, "posts", "p1", rule, i);
    assert_eq!(r("@request.auth.name = 'User One'", &u1), Ok(true));
    assert_eq!(r("@request.auth.name = 'User One'", &anon), Ok(false));
    assert_eq!(r("@request.auth.name:lower = 'user one'", &u1), Ok(true));
    assert_eq!(r("@request.auth.nonexistent = null", &u1), Ok(true));
    assert_eq!(r("@request.auth.nonexistent = null", &anon), Ok(true));
    assert_eq!(r("@request.auth.id = ''", &anon), Ok(true));
    assert_eq!(r("@request.auth.tokenKey = ''", &u1), Ok(true));
    assert_eq!(
        r(
            "@request.auth.email = 'u1@example.com' && @request.auth.verified = false",
            &u1
        ),
        Ok(true)
    );
    assert_eq!(r("@request.auth.collectionName = 'users' && @request.auth.collectionId = '_pb_users_auth_'", &u1), Ok(true));
    assert_eq!(r("author = @request.auth.id", &u1), Ok(true));
    assert_eq!(
        rule_ok(&fx, "posts", "p2", "author = @request.auth.id", &u1),
        Ok(false)
    );
    // rules may use hidden fields, @collection and unrestricted emails
    assert_eq!(
        r("secret = 's1' && author.email = 'u1@example.com'", &anon),
        Ok(true)
    );
    assert_eq!(
        rule_ok(&fx, "posts", "p2", "@collection.comments.post ?= id", &anon),
        Ok(true)
    );
    assert_eq!(
        rule_ok(&fx, "posts", "p3", "@collection.comments.post ?= id", &anon),
        Ok(false)
    );
    // a missing record never matches
    assert_eq!(rule_ok(&fx, "posts", "nope", "1 = 1", &anon), Ok(false));
}

#[test]
fn update_rule_with_body_and_changed() {
    let fx = fixture();
    insert(
        &fx,
        "notes",
        json!({"id": "n1", "owner": U1, "status": "draft", "n": 8}),
    );
    let rule = "owner = @request.auth.id && @request.body.status:changed = false";
    let send = |body: Value| rule_ok(&fx, "notes", "n1", rule, &info(&fx, Who::User1, body));
    assert_eq!(send(json!({"status": "done"})), Ok(false));
    assert_eq!(send(json!({"status": "draft"})), Ok(true));
    assert_eq!(send(json!({"text": "x"})), Ok(true));
    let owner = "owner = @request.auth.id && @request.body.owner:isset = false";
    let u1 = info(&fx, Who::User1, json!({"owner": U1}));
    assert_eq!(rule_ok(&fx, "notes", "n1", owner, &u1), Ok(false));
    let n = "@request.body.n:isset = false || @request.body.n < 10";
    assert_eq!(
        rule_ok(
            &fx,
            "notes",
            "n1",
            n,
            &info(&fx, Who::User1, json!({"n": 13}))
        ),
        Ok(false)
    );
    assert_eq!(
        rule_ok(
            &fx,
            "notes",
            "n1",
            n,
            &info(&fx, Who::User1, json!({"n": 9}))
        ),
        Ok(true)
    );
    let mut batch = info(&fx, Who::Anon, json!({}));
    assert_eq!(
        rule_ok(&fx, "notes", "n1", "@request.context = 'batch'", &batch),
        Ok(false)
    );
    batch.context = "batch".into();
    assert_eq!(
        rule_ok(&fx, "notes", "n1", "@request.context = 'batch'", &batch),
        Ok(true)
    );
}

#[test]
fn check_rule_compiles_or_explains() {
    let fx = fixture();
    let posts = fx.all.iter().find(|c| c.name == "posts").unwrap();
    assert!(check_rule(
        posts,
        &fx.all,
        "secret = 's1' || @collection.comments.post ?= id"
    )
    .is_ok());
    assert!(check_rule(
        posts,
        &fx.all,
        "@request.body.tags:each != 'x' && @request.auth.x.y = 1"
    )
    .is_ok());
    assert!(check_rule(posts, &fx.all, "@request.body.title:each = 1")
        .unwrap_err()
        .contains("multivalue"));
    assert!(check_rule(posts, &fx.all, "nope = 1")
        .unwrap_err()
        .contains("unknown field"));
    assert!(check_rule(posts, &fx.all, "title:upper = 1")
        .unwrap_err()
        .contains("unknown modifier"));
}
