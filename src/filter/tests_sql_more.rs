//! SQL translation tests, part 2 (spec 03 §5.4–§5.5): multi-match, `:changed`, functions,
//! resolver errors and shared sinks.

use super::tests_sql::{build_with, check, fl, t, Fake, ESC};
use super::*;

fn not_exists(inner: &str, value_sql: &str, from: &str, alias: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM (SELECT {value_sql} AS multiMatchValue FROM {from}) {alias} WHERE NOT ({inner}))"
    )
}

#[test]
fn multi_match_all_vs_any() {
    let ne = |inner: &str| not_exists(inner, "[[mm_tagrefs.label]]", "<from tagrefs>", "__smf0");
    check(
        "tagrefs.label = 'go'",
        &format!(
            "(([[t_tagrefs.label]] = :f0) AND ({}))",
            ne("__smf0.multiMatchValue = :f0")
        ),
        &[(":f0", t("go"))],
    );
    check(
        "tagrefs.label ?= 'go'",
        "[[t_tagrefs.label]] = :f0",
        &[(":f0", t("go"))],
    );
    check(
        "tagrefs.label != 'go'",
        &format!(
            "(([[t_tagrefs.label]] IS NOT :f0) AND ({}))",
            ne("__smf0.multiMatchValue IS NOT :f0")
        ),
        &[(":f0", t("go"))],
    );
    check(
        "tagrefs.label ?!= 'go'",
        "[[t_tagrefs.label]] IS NOT :f0",
        &[(":f0", t("go"))],
    );
    check(
        "tagrefs.label = title",
        &format!(
            "((COALESCE([[t_tagrefs.label]], '') = COALESCE([[t.title]], '')) AND ({}))",
            ne("COALESCE(__smf0.multiMatchValue, '') = COALESCE([[t.title]], '')")
        ),
        &[],
    );
    // The other operand's disabled fallback is not carried into the subquery (as in PocketBase).
    check(
        "tagrefs.label = meta",
        &format!(
            "(([[t_tagrefs.label]] IS JSON_EXTRACT([[t.meta]], '$')) AND ({}))",
            ne("COALESCE(__smf0.multiMatchValue, '') = COALESCE(JSON_EXTRACT([[t.meta]], '$'), '')")
        ),
        &[],
    );
    check(
        "tagrefs.label ~ 'x'",
        &format!(
            "(([[t_tagrefs.label]] LIKE :f0 {ESC}) AND ({}))",
            ne(&format!("__smf0.multiMatchValue LIKE :f0 {ESC}"))
        ),
        &[(":f0", t("%x%"))],
    );
    check(
        "'x' ~ tagrefs.label",
        &format!(
            "((:f0 LIKE ('%' || [[t_tagrefs.label]] || '%') {ESC}) AND ({}))",
            ne(&format!(
                ":f0 LIKE ('%' || __smf0.multiMatchValue || '%') {ESC}"
            ))
        ),
        &[(":f0", t("x"))],
    );
    check(
        "tagrefs.label > 5",
        &format!(
            "(([[t_tagrefs.label]] > :f0) AND ({}))",
            ne("__smf0.multiMatchValue > :f0")
        ),
        &[(":f0", fl(5.0))],
    );
    check(
        "tags:each = null",
        &format!(
            "((([[je_tags.value]] = '' OR [[je_tags.value]] IS NULL)) AND ({}))",
            not_exists(
                "(__smf0.multiMatchValue = '' OR __smf0.multiMatchValue IS NULL)",
                "[[mm_je_tags.value]]",
                "<from tags>",
                "__smf0"
            )
        ),
        &[],
    );
}

#[test]
fn multi_match_both_sides_and_params() {
    let left = not_exists(
        "COALESCE(__smf0.multiMatchValue, '') = COALESCE([[je_tags.value]], '')",
        "[[mm_tagrefs.label]]",
        "<from tagrefs>",
        "__smf0",
    );
    let right = not_exists(
        "COALESCE([[t_tagrefs.label]], '') = COALESCE(__smf1.multiMatchValue, '')",
        "[[mm_je_tags.value]]",
        "<from tags>",
        "__smf1",
    );
    check(
        "tagrefs.label = tags:each",
        &format!(
            "((((COALESCE([[t_tagrefs.label]], '') = COALESCE([[je_tags.value]], '')) AND ({left}))) AND ({right}))"
        ),
        &[],
    );
    // The subquery's own parameters are bound only when the subquery is used.
    check(
        "@collection.comments.msg ?= 'hi'",
        "[[c.msg]] = :f0",
        &[(":f0", t("hi"))],
    );
    check(
        "@collection.comments.msg = 'hi'",
        &format!(
            "(([[c.msg]] = :f0) AND ({}))",
            not_exists(
                "__smf0.multiMatchValue = :f0",
                "[[mmc.msg]]",
                "comments mmc WHERE mmc.kind = :ck",
                "__smf0"
            )
        ),
        &[(":f0", t("hi")), (":ck", t("k"))],
    );
}

#[test]
fn changed_modifier() {
    let mut r = Fake::default();
    let (sql, params) = build_with(&mut r, "@request.body.title:changed = false").unwrap();
    assert_eq!(sql, "(TRUE = 1 AND :body_title IS NOT [[t.title]]) IS 0");
    assert_eq!(params, vec![(":body_title".to_string(), t("zz"))]);
    assert_eq!(
        r.seen,
        vec![
            "@request.body.title:isset",
            "true",
            "@request.body.title",
            "title",
            "false"
        ]
    );
}

#[test]
fn changed_only_on_plain_body_fields() {
    for bad in [
        "title:changed = true",
        "@request.body.title:changed:changed = true",
        "@request.body.:changed = true",
    ] {
        let mut r = Fake::default();
        assert!(build_with(&mut r, bad).is_err(), "{bad}");
        assert_eq!(r.seen.len(), 1, "{bad}: {:?}", r.seen);
    }
}

#[test]
fn functions_sql() {
    let lon = "JSON_EXTRACT([[t.loc]], '$.lon')";
    let lat = "JSON_EXTRACT([[t.loc]], '$.lat')";
    check(
        "geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 5",
        &format!(
            "(6371 * acos(min(1, max(-1, cos(radians({lat})) * cos(radians(:f1)) * \
             cos(radians(:f0) - radians({lon})) + sin(radians({lat})) * sin(radians(:f1)))))) < :f2"
        ),
        &[(":f0", fl(23.32)), (":f1", fl(42.69)), (":f2", fl(5.0))],
    );
    // Null fallback disabled, and no multi-match for geoDistance.
    let (sql, _) = build_with(
        &mut Fake::default(),
        "geoDistance(tagrefs.label, 1, 2, null) = 5",
    )
    .unwrap();
    assert!(sql.ends_with("IS :f2"), "{sql}");
    assert!(
        sql.contains("radians(NULL)") && !sql.contains("NOT EXISTS"),
        "{sql}"
    );

    check(
        "strftime('%Y', pubdate) = '2024'",
        "strftime(:f0,[[t.pubdate]]) = :f1",
        &[(":f0", t("%Y")), (":f1", t("2024"))],
    );
    check(
        "strftime('%Y', pubdate) = ''",
        "(strftime(:f0,[[t.pubdate]]) = '' OR strftime(:f0,[[t.pubdate]]) IS NULL)",
        &[(":f0", t("%Y"))],
    );
    check(
        "strftime('%Y', '2024-01-01') = title",
        "COALESCE(strftime(:f0,:f1), '') = COALESCE([[t.title]], '')",
        &[(":f0", t("%Y")), (":f1", t("2024-01-01"))],
    );
    check(
        "strftime('') = title",
        "COALESCE(strftime(:f0), '') = COALESCE([[t.title]], '')",
        &[(":f0", t(""))],
    );
    check(
        "strftime('%Y', pubdate) = meta",
        "strftime(:f0,[[t.pubdate]]) IS JSON_EXTRACT([[t.meta]], '$')",
        &[(":f0", t("%Y"))],
    );
    check(
        "strftime('%Y-%m', created) = strftime('%Y-%m', @now)",
        "COALESCE(strftime(:f0,[[t.created]]), '') = COALESCE(strftime(:f1,:f2), '')",
        &[
            (":f0", t("%Y-%m")),
            (":f1", t("%Y-%m")),
            (":f2", t("2026-11-26 19:12:59.609Z")),
        ],
    );
    check(
        "strftime('%Y', null, '+1 day') != 1",
        "strftime(:f0,NULL,:f1) IS NOT :f2",
        &[(":f0", t("%Y")), (":f1", t("+1 day")), (":f2", fl(1.0))],
    );
    // A multi-valued time value keeps the "all of" semantic on the formatted values.
    check(
        "strftime('%Y', tagrefs.d) = '2024'",
        &format!(
            "((strftime(:f0,[[t_tagrefs.d]]) = :f1) AND ({}))",
            not_exists(
                "__smf0.multiMatchValue = :f1",
                "strftime(:f0,[[mm_tagrefs.d]])",
                "<from tagrefs>",
                "__smf0"
            )
        ),
        &[(":f0", t("%Y")), (":f1", t("2024"))],
    );
}

#[test]
fn resolver_errors() {
    for bad in [
        "TITLE = 'x'",
        "title = third",
        "title:upper = 'X'",
        "nope > 1",
        "@NOW = 1",
    ] {
        let err = build_with(&mut Fake::default(), bad).unwrap_err();
        assert!(matches!(err, FilterError::Resolve(_)), "{bad}: {err:?}");
        assert!(err.to_string().contains("unknown field"), "{bad}: {err}");
    }
    assert!(build_with(
        &mut Fake::default(),
        "title = 'x' && geoDistance(x, 1, 2, 3) > 1"
    )
    .is_err());
}

#[test]
fn several_filters_share_a_sink() {
    let mut r = Fake::default();
    let mut sink = ParamSink::new("q");
    let a = build_where(&parse("tagrefs.label = 'a'").unwrap(), &mut r, &mut sink).unwrap();
    let b = build_where(&parse("tagrefs.label = 'b'").unwrap(), &mut r, &mut sink).unwrap();
    assert!(a.contains(":q0") && a.contains("__smq0"), "{a}");
    assert!(b.contains(":q1") && b.contains("__smq1"), "{b}");
    assert_eq!(
        sink.params(),
        &[(":q0".to_string(), t("a")), (":q1".to_string(), t("b"))]
    );
}

#[test]
fn references_whole_names_only() {
    use super::sql::references;
    assert!(references("a = :f1", ":f1"));
    assert!(!references("a = :f10", ":f1"));
    assert!(references("a = :f10 OR b = :f1)", ":f1"));
    assert!(!references("a = 1", ""));
}

/// A resolver whose `email` operand carries an `and_condition` (spec 03 §7).
struct EmailResolver;

impl FieldResolver for EmailResolver {
    fn resolve(&mut self, id: &str) -> Result<ResolvedOperand, FilterError> {
        match id {
            "email" => {
                Ok(ResolvedOperand::sql("[[u.email]]").with_and_condition("[[u.vis]] = TRUE"))
            }
            "name" => Ok(ResolvedOperand::sql("[[u.name]]")),
            _ => Err(FilterError::Resolve(format!("unknown field {id:?}"))),
        }
    }
}

#[test]
fn and_condition_wraps_each_comparison() {
    let build = |f: &str| {
        let expr = parse(f).unwrap();
        let mut sink = ParamSink::new("f");
        build_where(&expr, &mut EmailResolver, &mut sink).unwrap()
    };
    assert_eq!(
        build("email = 'a' || name = 'b'"),
        "((([[u.email]] = :f0) AND ([[u.vis]] = TRUE)) OR [[u.name]] = :f1)"
    );
    assert_eq!(
        build("email = name"),
        "((COALESCE([[u.email]], '') = COALESCE([[u.name]], '')) AND ([[u.vis]] = TRUE))"
    );
    assert_eq!(
        build("email != ''"),
        "((([[u.email]] IS NOT '' AND [[u.email]] IS NOT NULL)) AND ([[u.vis]] = TRUE))"
    );
}
