//! Parser tests (spec 03 §1–§3): input → AST or error, limits, and a no-panic fuzz.

use super::*;

fn id(s: &str) -> Operand {
    Operand::Identifier(s.to_string())
}
fn txt(s: &str) -> Operand {
    Operand::Text(s.to_string())
}
fn num(n: f64) -> Operand {
    Operand::Number(n)
}
fn cmp(left: Operand, op: Op, right: Operand) -> Node {
    Node::Comparison(Comparison { left, op, right })
}
fn chain(first: Node, rest: Vec<(Join, Node)>) -> Chain {
    Chain {
        first: Box::new(first),
        rest,
    }
}
fn one(node: Node) -> Expr {
    Expr::Chain(chain(node, vec![]))
}
fn func(name: &str, args: Vec<Operand>) -> Operand {
    Operand::Function(Function {
        name: name.to_string(),
        args,
    })
}

fn ok(input: &str) -> Expr {
    match parse(input) {
        Ok(e) => e,
        Err(e) => panic!("{input:?} should parse: {e}"),
    }
}

fn syntax_err(input: &str) {
    match parse(input) {
        Err(_) => {}
        Ok(e) => panic!("{input:?} should fail, got {e:?}"),
    }
}

#[test]
fn empty_input() {
    assert_eq!(parse("").unwrap(), Expr::Empty);
    assert!(parse("").unwrap().is_empty());
    for blank in [" ", "\n", "\t ", "// only a comment", "()", "(a=1) && ()"] {
        syntax_err(blank);
    }
}

#[test]
fn simple_comparisons_and_operators() {
    for (op, sym) in Op::ALL {
        assert_eq!(
            ok(&format!("title {sym} 'x'")),
            one(cmp(id("title"), op, txt("x")))
        );
        assert_eq!(
            ok(&format!("title{sym}'x'")),
            one(cmp(id("title"), op, txt("x")))
        );
    }
    assert_eq!(ok("1 = 1"), one(cmp(num(1.0), Op::Eq, num(1.0))));
    assert_eq!(
        ok("'third' = title"),
        one(cmp(txt("third"), Op::Eq, id("title")))
    );
    assert_eq!(ok("10 = views"), one(cmp(num(10.0), Op::Eq, id("views"))));
    assert_eq!(ok("TRUE = 1"), one(cmp(id("TRUE"), Op::Eq, num(1.0))));
    assert_eq!(
        ok("title = third"),
        one(cmp(id("title"), Op::Eq, id("third")))
    );
}

#[test]
fn numbers() {
    assert_eq!(ok("views>-1"), one(cmp(id("views"), Op::Gt, num(-1.0))));
    assert_eq!(ok("a = -14"), one(cmp(id("a"), Op::Eq, num(-14.0))));
    assert_eq!(ok("a = 10.5"), one(cmp(id("a"), Op::Eq, num(10.5))));
    assert_eq!(ok("a = 01"), one(cmp(id("a"), Op::Eq, num(1.0))));
    assert_eq!(ok("a!=-1.5"), one(cmp(id("a"), Op::Neq, num(-1.5))));
    for bad in [
        "views = .5",
        "views = 5.",
        "views = --1",
        "views = - 1",
        "views = 1e5",
        "views = 5x",
        "views = 1.2.3",
    ] {
        syntax_err(bad);
    }
}

#[test]
fn texts_and_escapes() {
    let t = |input: &str, want: &str| {
        assert_eq!(
            ok(input),
            one(cmp(id("title"), Op::Eq, txt(want))),
            "{input}"
        );
    };
    t(r#"title = 'it\'s "q" \ back'"#, r#"it's "q" \ back"#);
    t(r"title = 'a\b'", r"a\b");
    t(r#"title = "a\"b""#, r#"a"b"#);
    t(r#"title = "a\'b""#, "a'b");
    t(r#"title = '\"'"#, "\"");
    t(r"title = 'a\\b'", r"a\b");
    t(r"title = 'a\\'", r"a\");
    t(r"title = 'a\\\b'", r"a\\b");
    t(r"title = 'x\nb\tc\rd'", "x\nb\tc\rd");
    t(r"title = 'x\u0041'", r"x\u0041");
    t(r"title = '100\%'", r"100\%");
    t("title = ''", "");
    t("title = \"\"", "");
    t("title = 'a\rb'", "a\rb");
    t("title = 'multi\nline'", "multi\nline");
    t("title = 'ünï // not a comment'", "ünï // not a comment");
    for bad in [
        "title = 'abc",
        "title = \"abc",
        r"title = 'a\'",
        "title = 'a\"",
        "title = 'a' 'b'",
    ] {
        syntax_err(bad);
    }
}

#[test]
fn identifiers() {
    for good in [
        "title",
        "_title",
        "a_",
        "@request.auth.id",
        "@request.body.tags:each",
        "@collection.comments:c1.post",
        "#a",
        "rel.rel2.field:lower",
        "comments_via_post.msg",
        "meta.arr.1",
        "@now",
        "a..b",
    ] {
        assert_eq!(
            ok(&format!("{good} = 1")),
            one(cmp(id(good), Op::Eq, num(1.0)))
        );
        assert!(is_valid_identifier(good), "{good}");
    }
    for bad in [
        "@",
        "_",
        "#",
        "a.",
        "a:",
        "@request.",
        "a@b",
        "@#a",
        "9a",
        "a-b",
    ] {
        syntax_err(&format!("{bad} = 1"));
        assert!(!is_valid_identifier(bad), "{bad}");
    }
}

#[test]
fn whitespace_comments_and_cr() {
    let want = Expr::Chain(chain(
        cmp(id("a"), Op::Eq, num(1.0)),
        vec![(Join::And, cmp(id("b"), Op::Eq, num(2.0)))],
    ));
    assert_eq!(ok("a=1&&b=2"), want);
    assert_eq!(ok("  a = 1\t&&\n b = 2  "), want);
    assert_eq!(
        ok("a = 1 // first\n// whole line\n&& b = 2 // trailing"),
        want
    );
    assert_eq!(ok("// lead\na = 1 && b = 2\n"), want);
    assert_eq!(
        ok("title = 'a' // c\r\n"),
        one(cmp(id("title"), Op::Eq, txt("a")))
    );
    syntax_err("title = 'x'\r\n");
    syntax_err("title = 'x'\r");
    syntax_err("a = 1\r\n&& b = 2");
    syntax_err("a = 1 / b");
}

#[test]
fn joins_and_groups() {
    let a = || cmp(id("title"), Op::Eq, txt("third"));
    let b = || cmp(id("title"), Op::Eq, txt("Hello World"));
    let c = || cmp(id("views"), Op::Eq, num(5.0));
    assert_eq!(
        ok("title='third' || title='Hello World' && views=5"),
        Expr::Chain(chain(a(), vec![(Join::Or, b()), (Join::And, c())]))
    );
    assert_eq!(
        ok("(title = 'third' || title = 'Hello World') && views = 5"),
        Expr::Chain(chain(
            Node::Group(chain(a(), vec![(Join::Or, b())])),
            vec![(Join::And, c())]
        ))
    );
    // Groups of a single node are flattened.
    assert_eq!(ok("((( views = 5 )))"), one(c()));
    assert_eq!(
        ok("((a = 1 && (b = 2)))"),
        Expr::Chain(chain(
            cmp(id("a"), Op::Eq, num(1.0)),
            vec![(Join::And, cmp(id("b"), Op::Eq, num(2.0)))]
        ))
    );
    for bad in [
        "a = 1 &&",
        "&& a = 1",
        "a = 1 && && b = 2",
        "a = 1 & b = 2",
        "a = 1 &&& b = 2",
        "a = 1 | b = 2",
        "a = 1 and b = 2",
        "a = 1 or b = 2",
        "a = 1 b = 2",
        "(a = 1",
        "a = 1)",
        "((a = 1)",
        "(a = 1))",
        "(a = 1)(b = 2)",
        "a = (1)",
        "(a) = 1",
    ] {
        syntax_err(bad);
    }
}

#[test]
fn operator_errors() {
    for bad in [
        "title == 'x'",
        "title =! 'x'",
        "title =~ 'x'",
        "title ! 'x'",
        "title ? 'x'",
        "title ?? 'x'",
        "title <> 'x'",
        "title",
        "title =",
        "= 'x'",
        "'x'",
        "title = 'x' = 'y'",
    ] {
        syntax_err(bad);
    }
}

#[test]
fn functions() {
    assert_eq!(
        ok("geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 5"),
        one(cmp(
            func(
                "geoDistance",
                vec![id("loc.lon"), id("loc.lat"), num(23.32), num(42.69)]
            ),
            Op::Lt,
            num(5.0)
        ))
    );
    assert_eq!(
        ok("geoDistance( 1 , 2 ,3,4 , ) > 1"),
        ok("geoDistance(1,2,3,4) > 1")
    );
    assert_eq!(
        ok("geoDistance(1,2,3,4 // c\n) > 1"),
        ok("geoDistance(1,2,3,4) > 1")
    );
    assert_eq!(
        ok("strftime('%Y-%m', created) = strftime('%Y-%m', @now)"),
        one(cmp(
            func("strftime", vec![txt("%Y-%m"), id("created")]),
            Op::Eq,
            func("strftime", vec![txt("%Y-%m"), id("@now")])
        ))
    );
    assert!(matches!(parse("foo(1) = 1"), Err(FilterError::Function(_))));
    assert!(matches!(
        parse("geoDistance(1,2,3) > 1"),
        Err(FilterError::Function(_))
    ));
    assert!(matches!(
        parse("geoDistance(1,'2',3,4) > 1"),
        Err(FilterError::Function(_))
    ));
    assert!(matches!(
        parse("strftime(title) = 'x'"),
        Err(FilterError::Function(_))
    ));
    // Nested calls parse but no function accepts a function argument.
    assert!(matches!(
        parse("strftime('%Y', strftime('%Y')) = 1"),
        Err(FilterError::Function(_))
    ));
    assert!(matches!(
        parse("geoDistance(geoDistance(geoDistance(1,2,3,4),2,3,4),2,3,4) > 1"),
        Err(FilterError::Function(_))
    ));
    assert!(matches!(
        parse("geoDistance(geoDistance(geoDistance(geoDistance(1,2,3,4),2,3,4),2,3,4),2,3,4) > 1"),
        Err(FilterError::FunctionTooDeep { max: 3 })
    ));
    for bad in [
        "geoDistance (1,2,3,4) > 1",
        "geoDistance(1,2,3,4,,) > 1",
        "geoDistance(,1,2,3,4) > 1",
        "geoDistance(1 2,3,4) > 1",
        "geoDistance(1,2,3,4 > 1",
    ] {
        syntax_err(bad);
    }
}

#[test]
fn limits() {
    let at_limit = format!("title = '{}'", "a".repeat(MAX_FILTER_LEN - 10));
    assert_eq!(at_limit.len(), MAX_FILTER_LEN);
    assert!(parse(&at_limit).is_ok());
    let over = format!("title = '{}'", "a".repeat(MAX_FILTER_LEN - 9));
    assert_eq!(parse(&over), Err(FilterError::TooLong { max: 3500 }));
    // The limit counts bytes, like PocketBase (2010 chars, 4010 bytes → refused).
    let multibyte = format!("title = '{}'", "ä".repeat(2000));
    assert_eq!(parse(&multibyte), Err(FilterError::TooLong { max: 3500 }));

    let n = |count: usize, item: &str| vec![item; count].join(" && ");
    assert!(parse(&n(200, "views=1")).is_ok());
    assert_eq!(
        parse(&n(201, "views=1")),
        Err(FilterError::TooManyComparisons { max: 200 })
    );
    assert_eq!(
        parse(&n(201, "(views=1)")),
        Err(FilterError::TooManyComparisons { max: 200 })
    );

    let unlimited = Limits {
        max_len: None,
        max_comparisons: 1000,
        max_function_depth: 3,
    };
    assert!(parse_with(&over, &unlimited).is_ok());
    assert!(parse_with(&n(201, "a=1"), &unlimited).is_ok());
}

#[test]
fn deep_parentheses_do_not_overflow() {
    // The deepest nesting that fits in 3500 bytes; PocketBase accepts it.
    let depth = 1745;
    let input = format!("{}views=1{}", "(".repeat(depth), ")".repeat(depth));
    assert!(input.len() <= MAX_FILTER_LEN);
    let expr = parse(&input).unwrap();
    struct R;
    impl FieldResolver for R {
        fn resolve(&mut self, id: &str) -> Result<ResolvedOperand, FilterError> {
            Ok(ResolvedOperand::sql(format!("[[{id}]]")))
        }
    }
    let mut sink = ParamSink::new("f");
    assert_eq!(
        build_where(&expr, &mut R, &mut sink).unwrap(),
        "[[views]] = :f0"
    );
    // Deep nesting that cannot be flattened runs into the comparison limit.
    let nested = format!("{}a=1{}", "(a=1 && ".repeat(300), ")".repeat(300));
    assert!(nested.len() <= MAX_FILTER_LEN);
    assert_eq!(
        parse(&nested),
        Err(FilterError::TooManyComparisons { max: 200 })
    );
    let calls = format!("{}1{} = 1", "f(".repeat(1000), ")".repeat(1000));
    assert_eq!(parse(&calls), Err(FilterError::FunctionTooDeep { max: 3 }));
    // Far beyond the limit, with the length limit lifted, still no crash.
    let no_limits = Limits {
        max_len: None,
        max_comparisons: 10,
        max_function_depth: 3,
    };
    let huge = format!("{}a=1{}", "(".repeat(20_000), ")".repeat(20_000));
    assert_eq!(
        parse_with(&huge, &no_limits),
        Err(FilterError::TooDeep { max: MAX_NESTING })
    );
    let at_cap = format!("{}a=1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(parse_with(&at_cap, &no_limits).is_ok());
    let chained = format!("{}a=1{}", "(a=1 && ".repeat(1700), ")".repeat(1700));
    assert_eq!(
        parse_with(&chained, &no_limits),
        Err(FilterError::TooManyComparisons { max: 10 })
    );
    // Parentheses inside texts and comments do not count.
    let quoted = format!(
        "a = '{}' // {}\n&& b = 1",
        "(".repeat(5000),
        "(".repeat(5000)
    );
    assert!(parse_with(&quoted, &no_limits).is_ok());
}

#[test]
fn error_messages() {
    let msg = |f: &str| parse(f).unwrap_err().to_string();
    assert_eq!(
        msg("title = 'abc"),
        "invalid filter expression: unterminated quoted text starting at position 8"
    );
    assert_eq!(
        msg("(a = 1"),
        "invalid filter expression: unclosed '(' at position 0"
    );
    assert_eq!(
        msg("title == 'x'"),
        "invalid filter expression: unexpected '=' at position 6, expected operator"
    );
    assert_eq!(
        msg("a = 1 and b = 2"),
        "invalid filter expression: unexpected 'a' at position 6, expected && or ||, end of input"
    );
    assert!(msg("title = 'x'\r\n").contains("\\r is not allowed"));
    assert!(msg("@ = 1").contains("invalid identifier"));
    assert!(msg("foo(1) = 1").contains("unknown function"));
    assert!(msg("'é😀' = 1 x").contains("position 9"));
}

/// A tiny xorshift generator so the fuzz test is deterministic without extra crates.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "a",
        "b.c",
        "@request.auth.id",
        "@now",
        "tags:each",
        "null",
        "TRUE",
        "_",
        "@",
        "#",
        "1",
        "-2.5",
        ".",
        "5.",
        "'x'",
        "\"y\"",
        "'",
        "\"",
        "\\",
        "(",
        ")",
        "=",
        "!=",
        "?=",
        "~",
        "!~",
        "?!~",
        "<",
        ">=",
        "==",
        "&&",
        "||",
        "&",
        "|",
        " ",
        "\t",
        "\n",
        "\r",
        "//c\n",
        "/",
        ",",
        "geoDistance(",
        "strftime(",
        "foo(",
        "é",
        "\u{0}",
        "%",
        "_",
        "😀",
        ":",
        "x:changed",
        "@request.body.t:changed",
    ];
    struct Loose;
    impl FieldResolver for Loose {
        fn resolve(&mut self, id: &str) -> Result<ResolvedOperand, FilterError> {
            if id.len().is_multiple_of(3) {
                return Err(FilterError::Resolve(format!("unknown field {id:?}")));
            }
            let mut r = ResolvedOperand::sql(format!("[[t.{id}]]"));
            if id.contains('.') {
                r = r.with_multi_match(MultiMatch {
                    value_sql: "v".into(),
                    from_sql: "x".into(),
                    params: vec![],
                });
            }
            if id.starts_with('@') {
                r = ResolvedOperand::param(":r", SqlValue::Text(String::new()));
            }
            Ok(r)
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..10_000 {
        let len = 1 + rng.below(14);
        let mut s = String::new();
        for _ in 0..len {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
        // Also random bytes turned into a (lossy) string.
        let raw: Vec<u8> = (0..rng.below(20)).map(|_| rng.next() as u8).collect();
        for input in [s, String::from_utf8_lossy(&raw).into_owned()] {
            if let Ok(expr) = parse(&input) {
                parsed += 1;
                let mut sink = ParamSink::new("f");
                let _ = build_where(&expr, &mut Loose, &mut sink);
            }
            let _ = parse_sort(&input);
        }
    }
    assert!(
        parsed > 0,
        "the fuzz corpus should contain some valid filters"
    );
}
