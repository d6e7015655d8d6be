//! SQL translation tests (spec 03 §5) with a fake resolver mapping `a` → `[[t.a]]`.

use chrono::{Duration, TimeZone, Utc};

use super::*;

/// Fake store resolver: plain columns, JSON paths (fallback disabled), multi-valued paths,
/// and `@request.*` values as parameters.
#[derive(Default)]
pub(super) struct Fake {
    /// Value of `@request.auth.id` (empty = anonymous).
    pub(super) auth_id: String,
    /// Whether a record field literally named `true` exists.
    pub(super) true_field: bool,
    /// Identifiers seen, in order.
    pub(super) seen: Vec<String>,
}

const COLUMNS: &[&str] = &[
    "a",
    "b",
    "title",
    "author",
    "views",
    "pubdate",
    "created",
    "published",
];

fn multi(sql: &str, value_sql: &str, from_sql: &str) -> ResolvedOperand {
    ResolvedOperand::sql(sql).with_multi_match(MultiMatch {
        value_sql: value_sql.to_string(),
        from_sql: from_sql.to_string(),
        params: vec![],
    })
}

impl FieldResolver for Fake {
    fn resolve(&mut self, id: &str) -> Result<ResolvedOperand, FilterError> {
        self.seen.push(id.to_string());
        let (path, modifier) = split_modifier(id);
        if let Some(rest) = path
            .strip_prefix("meta")
            .or_else(|| path.strip_prefix("loc"))
        {
            let col = &path[..path.len() - rest.len()];
            let json_path = format!("${}", rest);
            return Ok(
                ResolvedOperand::sql(format!("JSON_EXTRACT([[t.{col}]], '{json_path}')"))
                    .with_null_fallback(NullFallback::Disabled),
            );
        }
        match (path, modifier) {
            (c, None) if COLUMNS.contains(&c) => Ok(ResolvedOperand::sql(format!("[[t.{c}]]"))),
            ("title", Some("lower")) => Ok(ResolvedOperand::sql("LOWER([[t.title]])")),
            ("true", None) if self.true_field => Ok(ResolvedOperand::sql("[[t.true]]")),
            ("tagrefs.label", None) => Ok(multi(
                "[[t_tagrefs.label]]",
                "[[mm_tagrefs.label]]",
                "<from tagrefs>",
            )),
            ("tagrefs.d", None) => Ok(multi(
                "[[t_tagrefs.d]]",
                "[[mm_tagrefs.d]]",
                "<from tagrefs>",
            )),
            ("tags", Some("each")) => Ok(multi(
                "[[je_tags.value]]",
                "[[mm_je_tags.value]]",
                "<from tags>",
            )),
            ("@collection.comments.msg", None) => Ok(ResolvedOperand::sql("[[c.msg]]")
                .with_multi_match(MultiMatch {
                    value_sql: "[[mmc.msg]]".into(),
                    from_sql: "comments mmc WHERE mmc.kind = :ck".into(),
                    params: vec![(":ck".into(), SqlValue::Text("k".into()))],
                })),
            ("@request.auth.id", None) => Ok(ResolvedOperand::param(
                ":auth_id",
                SqlValue::Text(self.auth_id.clone()),
            )),
            ("@request.auth.nope", None) => Ok(ResolvedOperand::null()),
            ("@request.body.title", Some("isset")) => Ok(ResolvedOperand::sql("TRUE")),
            ("@request.body.title", None) => Ok(ResolvedOperand::param(
                ":body_title",
                SqlValue::Text("zz".into()),
            )),
            _ => Err(FilterError::Resolve(format!("unknown field {id:?}"))),
        }
    }
}

pub(super) fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 19, 12, 59).unwrap() + Duration::milliseconds(609)
}

pub(super) fn build_with(
    r: &mut Fake,
    filter: &str,
) -> Result<(String, Vec<(String, SqlValue)>), FilterError> {
    let expr = parse(filter)?;
    let mut sink = ParamSink::with_now("f", now());
    let sql = build_where(&expr, r, &mut sink)?;
    Ok((sql, sink.into_params()))
}

pub(super) fn t(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}
pub(super) fn fl(f: f64) -> SqlValue {
    SqlValue::Float(f)
}

/// Asserts the SQL and the exact parameters of a filter.
pub(super) fn check(filter: &str, want_sql: &str, want_params: &[(&str, SqlValue)]) {
    let (sql, params) = match build_with(&mut Fake::default(), filter) {
        Ok(v) => v,
        Err(e) => panic!("{filter:?} failed: {e}"),
    };
    assert_eq!(sql, want_sql, "sql of {filter:?}");
    let want: Vec<(String, SqlValue)> = want_params
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    assert_eq!(params, want, "params of {filter:?}");
}

pub(super) const ESC: &str = "ESCAPE '\\'";

#[test]
fn empty_filter() {
    let mut sink = ParamSink::new("f");
    assert_eq!(
        build_where(&Expr::Empty, &mut Fake::default(), &mut sink).unwrap(),
        "1=1"
    );
    assert!(sink.params().is_empty());
}

#[test]
fn equality_null_fallback_disabled() {
    let j = "JSON_EXTRACT([[t.meta]], '$')";
    check("meta = null", &format!("{j} IS NULL"), &[]);
    check("meta = ''", &format!("{j} IS :f0"), &[(":f0", t(""))]);
    check(
        "meta != 'x'",
        &format!("{j} IS NOT :f0"),
        &[(":f0", t("x"))],
    );
    check(
        "meta.k != 1",
        "JSON_EXTRACT([[t.meta]], '$.k') IS NOT :f0",
        &[(":f0", fl(1.0))],
    );
    check(
        "meta.nope = null",
        "JSON_EXTRACT([[t.meta]], '$.nope') IS NULL",
        &[],
    );
    check("title ?= meta", &format!("[[t.title]] IS {j}"), &[]);
}

#[test]
fn equality_both_empty() {
    check("null = null", "'' = ''", &[]);
    check("'' = null", "'' = ''", &[]);
    check("'' != null", "'' IS NOT ''", &[]);
    check("\"\" ?= ''", "'' = ''", &[]);
}

#[test]
fn equality_known_non_empty() {
    check("title = 'x'", "[[t.title]] = :f0", &[(":f0", t("x"))]);
    check("title != 'x'", "[[t.title]] IS NOT :f0", &[(":f0", t("x"))]);
    check("title ?= 'x'", "[[t.title]] = :f0", &[(":f0", t("x"))]);
    check(
        "title ?!= 'x'",
        "[[t.title]] IS NOT :f0",
        &[(":f0", t("x"))],
    );
    check("published = true", "[[t.published]] = 1", &[]);
    check("published = FALSE", "[[t.published]] = 0", &[]);
    check(
        "published = 'true'",
        "[[t.published]] = :f0",
        &[(":f0", t("true"))],
    );
    check("views = 5", "[[t.views]] = :f0", &[(":f0", fl(5.0))]);
    check("10 = views", ":f0 = [[t.views]]", &[(":f0", fl(10.0))]);
    check("1 = 1", ":f0 = :f1", &[(":f0", fl(1.0)), (":f1", fl(1.0))]);
    check("TRUE = 1", "1 = :f0", &[(":f0", fl(1.0))]);
    check(
        "'third' = title",
        ":f0 = [[t.title]]",
        &[(":f0", t("third"))],
    );
    // An empty side next to a known non-empty one becomes '' (its param is not bound).
    check("'' = 'x'", "'' = :f1", &[(":f1", t("x"))]);
    check("null != 0", "'' IS NOT :f0", &[(":f0", fl(0.0))]);
    check("null != false", "'' IS NOT 0", &[]);
}

#[test]
fn equality_one_side_empty() {
    check(
        "author = ''",
        "([[t.author]] = '' OR [[t.author]] IS NULL)",
        &[],
    );
    check(
        "author = null",
        "([[t.author]] = '' OR [[t.author]] IS NULL)",
        &[],
    );
    check(
        "author != null",
        "([[t.author]] IS NOT '' AND [[t.author]] IS NOT NULL)",
        &[],
    );
    check(
        "author != \"\"",
        "([[t.author]] IS NOT '' AND [[t.author]] IS NOT NULL)",
        &[],
    );
    check(
        "views = null",
        "([[t.views]] = '' OR [[t.views]] IS NULL)",
        &[],
    );
    check(
        "'' = title",
        "('' = [[t.title]] OR [[t.title]] IS NULL)",
        &[],
    );
    check(
        "null != title",
        "('' IS NOT [[t.title]] AND [[t.title]] IS NOT NULL)",
        &[],
    );
    // Anonymous request: @request.auth.id is an empty param.
    check("@request.auth.id = ''", "'' = ''", &[]);
    check(
        "author = @request.auth.id",
        "([[t.author]] = '' OR [[t.author]] IS NULL)",
        &[],
    );
    check("@request.auth.nope = null", "'' = ''", &[]);
}

#[test]
fn equality_request_values() {
    let mut r = Fake {
        auth_id: "U1".into(),
        ..Default::default()
    };
    let (sql, params) = build_with(
        &mut r,
        "author = @request.auth.id && @request.auth.id != ''",
    )
    .unwrap();
    assert_eq!(sql, "([[t.author]] = :auth_id AND :auth_id IS NOT '')");
    assert_eq!(params, vec![(":auth_id".to_string(), t("U1"))]);
}

#[test]
fn equality_coalesce() {
    check(
        "title = author",
        "COALESCE([[t.title]], '') = COALESCE([[t.author]], '')",
        &[],
    );
    check(
        "title != author",
        "COALESCE([[t.title]], '') IS NOT COALESCE([[t.author]], '')",
        &[],
    );
    check(
        "title:lower ?= author",
        "COALESCE(LOWER([[t.title]]), '') = COALESCE([[t.author]], '')",
        &[],
    );
}

#[test]
fn like_operators() {
    let like = |op: &str| format!("[[t.title]] {op} :f0 {ESC}");
    check("title ~ 'hello'", &like("LIKE"), &[(":f0", t("%hello%"))]);
    check("title ~ '100%'", &like("LIKE"), &[(":f0", t("100%"))]);
    check(r"title ~ '100\%'", &like("LIKE"), &[(":f0", t(r"%100\%%"))]);
    check("title ~ 'off_s'", &like("LIKE"), &[(":f0", t(r"%off\_s%"))]);
    check("title ~ 'Sec%'", &like("LIKE"), &[(":f0", t("Sec%"))]);
    check("title ~ '%sale'", &like("LIKE"), &[(":f0", t("%sale"))]);
    check("title ~ ''", &like("LIKE"), &[(":f0", t("%%"))]);
    check("title !~ ''", &like("NOT LIKE"), &[(":f0", t("%%"))]);
    check("title !~ 'x'", &like("NOT LIKE"), &[(":f0", t("%x%"))]);
    check("title ?~ 'x'", &like("LIKE"), &[(":f0", t("%x%"))]);
    check("title ?!~ 'x'", &like("NOT LIKE"), &[(":f0", t("%x%"))]);
    check("title ~ 5", &like("LIKE"), &[(":f0", t("%5%"))]);
    check("title ~ 2.5", &like("LIKE"), &[(":f0", t("%2.5%"))]);
    check(
        "title ~ author",
        &format!("[[t.title]] LIKE ('%' || [[t.author]] || '%') {ESC}"),
        &[],
    );
    check(
        "title ~ null",
        &format!("[[t.title]] LIKE ('%' || NULL || '%') {ESC}"),
        &[],
    );
    check(
        "'x' !~ title",
        &format!(":f0 NOT LIKE ('%' || [[t.title]] || '%') {ESC}"),
        &[(":f0", t("x"))],
    );
    check(
        "title ~ @now",
        &like("LIKE"),
        &[(":f0", t("%2026-11-26 19:12:59.609Z%"))],
    );
    // PocketBase wraps every parameter of the right operand, even inside a function.
    check(
        "title ~ strftime('%Y', 5, 'unixepoch')",
        &format!("[[t.title]] LIKE strftime(:f0,:f1,:f2) {ESC}"),
        &[
            (":f0", t("%Y")),
            (":f1", t("%5%")),
            (":f2", t("%unixepoch%")),
        ],
    );
}

#[test]
fn ordering_operators() {
    for (sym, sql) in [
        (">", ">"),
        (">=", ">="),
        ("<", "<"),
        ("<=", "<="),
        ("?>", ">"),
        ("?>=", ">="),
        ("?<", "<"),
        ("?<=", "<="),
    ] {
        check(
            &format!("views {sym} '9'"),
            &format!("[[t.views]] {sql} :f0"),
            &[(":f0", t("9"))],
        );
    }
    check("views>-1", "[[t.views]] > :f0", &[(":f0", fl(-1.0))]);
    check(
        "pubdate < @yearStart",
        "[[t.pubdate]] < :f0",
        &[(":f0", t("2026-01-01 00:00:00.000Z"))],
    );
    check("views <= null", "[[t.views]] <= NULL", &[]);
}

#[test]
fn macros_and_keywords() {
    check(
        "created >= @todayStart && created <= @todayEnd && @month = 11 && @weekday = 4",
        "([[t.created]] >= :f0 AND [[t.created]] <= :f1 AND :f2 = :f3 AND :f4 = :f5)",
        &[
            (":f0", t("2026-11-26 00:00:00.000Z")),
            (":f1", t("2026-11-26 23:59:59.999Z")),
            (":f2", SqlValue::Int(11)),
            (":f3", fl(11.0)),
            (":f4", SqlValue::Int(4)),
            (":f5", fl(4.0)),
        ],
    );
    // Macros and keywords never reach the resolver; a real field named `true` wins.
    let mut r = Fake::default();
    build_with(&mut r, "title = @now && title = null").unwrap();
    assert_eq!(r.seen, vec!["title", "title", "null"]);
    let mut r = Fake {
        true_field: true,
        ..Default::default()
    };
    let (sql, _) = build_with(&mut r, "published = true").unwrap();
    assert_eq!(
        sql,
        "COALESCE([[t.published]], '') = COALESCE([[t.true]], '')"
    );
}

#[test]
fn precedence_and_groups() {
    check(
        "title='third' || title='Hello World' && views=5",
        "([[t.title]] = :f0 OR [[t.title]] = :f1 AND [[t.views]] = :f2)",
        &[
            (":f0", t("third")),
            (":f1", t("Hello World")),
            (":f2", fl(5.0)),
        ],
    );
    check(
        "(title = 'third' || title = 'Hello World') && views = 5",
        "(([[t.title]] = :f0 OR [[t.title]] = :f1) AND [[t.views]] = :f2)",
        &[
            (":f0", t("third")),
            (":f1", t("Hello World")),
            (":f2", fl(5.0)),
        ],
    );
    check("((views = 5))", "[[t.views]] = :f0", &[(":f0", fl(5.0))]);
}
