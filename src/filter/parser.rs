//! Chumsky grammar of the filter language (spec 03 §1): text → [`Chain`], plus the identifier rules.

use chumsky::error::RichPattern;
use chumsky::prelude::*;

use super::ast::{Chain, Function, Join, Node, Op, Operand};

type Extra<'src> = extra::Err<Rich<'src, char>>;

/// True for the characters an identifier may start with.
fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '@' || c == '#'
}

/// True for the characters an identifier may continue with.
fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':'
}

/// Checks the full identifier syntax: `[A-Za-z_@#][A-Za-z0-9_.:]*`, not ending in `.`/`:`,
/// and not a lone `@`, `_` or `#`.
pub fn is_valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !is_ident_start(first) || !chars.all(is_ident_continue) {
        return false;
    }
    let last = s.chars().next_back().unwrap_or('.');
    if last == '.' || last == ':' {
        return false;
    }
    !(s.len() == 1 && matches!(first, '@' | '_' | '#'))
}

/// Whitespace (space, tab, LF) and `//` comments. `\r` is deliberately not whitespace.
fn ws<'src>() -> impl Parser<'src, &'src str, (), Extra<'src>> + Clone {
    let comment = just("//").then(none_of('\n').repeated()).ignored();
    one_of(" \t\n").ignored().or(comment).repeated().ignored()
}

/// A quoted text. `\\`, `\'`, `\"`, `\n`, `\t` and `\r` are unescaped (as PocketBase 0.40.6
/// does); any other backslash is kept literally.
fn quoted_text<'src>() -> impl Parser<'src, &'src str, String, Extra<'src>> + Clone {
    let quoted = |q: char| {
        let escape = just('\\').ignore_then(one_of("\\'\"ntr").map(|c| match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            other => other,
        }));
        let element = escape.or(just('\\')).or(none_of(q));
        just(q)
            .ignore_then(element.repeated().collect::<String>())
            .then_ignore(just(q).labelled("closing quote"))
    };
    quoted('\'').or(quoted('"'))
}

/// `-? digit+ (. digit+)?`
fn number<'src>() -> impl Parser<'src, &'src str, f64, Extra<'src>> + Clone {
    just('-')
        .or_not()
        .then(text::digits(10))
        .then(just('.').then(text::digits(10)).or_not())
        .to_slice()
        .try_map(|s: &str, span| match s.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(Rich::custom(span, format!("invalid number {s:?}"))),
        })
}

/// An identifier token (validated).
fn identifier<'src>() -> impl Parser<'src, &'src str, String, Extra<'src>> + Clone {
    any()
        .filter(|c: &char| is_ident_start(*c))
        .then(any().filter(|c: &char| is_ident_continue(*c)).repeated())
        .to_slice()
        .try_map(|s: &str, span| {
            if is_valid_identifier(s) {
                Ok(s.to_string())
            } else {
                Err(Rich::custom(span, format!("invalid identifier {s:?}")))
            }
        })
}

/// identifier | text | number | function call (identifier immediately followed by `(`).
fn operand<'src>() -> impl Parser<'src, &'src str, Operand, Extra<'src>> + Clone {
    recursive(|operand| {
        let comma = ws().then(just(',')).then(ws());
        let args = just('(')
            .ignore_then(ws())
            .ignore_then(
                operand
                    .separated_by(comma)
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .then_ignore(ws())
            .then_ignore(just(')').labelled("')'"));
        let ident_or_call = identifier()
            .then(args.or_not())
            .map(|(name, args)| match args {
                Some(args) => Operand::Function(Function { name, args }),
                None => Operand::Identifier(name),
            });
        choice((
            quoted_text().map(Operand::Text),
            number().map(Operand::Number),
            ident_or_call,
        ))
        .boxed()
    })
}

/// One of the 16 operators (the longest run of operator characters must be a valid one).
fn operator<'src>() -> impl Parser<'src, &'src str, Op, Extra<'src>> + Clone {
    one_of("=?!<>~")
        .repeated()
        .at_least(1)
        .to_slice()
        .try_map(|s: &str, span| {
            Op::from_symbol(s).ok_or_else(|| Rich::custom(span, format!("invalid operator {s:?}")))
        })
        .labelled("operator")
}

/// `&&` or `||`.
fn join<'src>() -> impl Parser<'src, &'src str, Join, Extra<'src>> + Clone {
    one_of("&|")
        .repeated()
        .at_least(1)
        .to_slice()
        .try_map(|s: &str, span| match s {
            "&&" => Ok(Join::And),
            "||" => Ok(Join::Or),
            _ => Err(Rich::custom(
                span,
                format!("invalid join {s:?} (expected && or ||)"),
            )),
        })
        .labelled("&& or ||")
}

/// The whole input: optional whitespace, a chain, optional whitespace, end of input.
fn filter<'src>() -> impl Parser<'src, &'src str, Chain, Extra<'src>> {
    let chain = recursive(|chain| {
        let group = just('(')
            .ignore_then(ws())
            .ignore_then(chain)
            .then_ignore(ws())
            .then_ignore(just(')').labelled("')'"))
            // A group holding a single node is that node: this keeps `((((a=1))))` flat,
            // so the tree depth is bounded by the number of comparisons.
            .map(|inner: Chain| {
                if inner.rest.is_empty() {
                    *inner.first
                } else {
                    Node::Group(inner)
                }
            });
        let comparison = operand()
            .then_ignore(ws())
            .then(operator())
            .then_ignore(ws())
            .then(operand())
            .map(|((left, op), right)| {
                Node::Comparison(super::ast::Comparison { left, op, right })
            });
        let node = group.or(comparison).boxed();
        node.clone()
            .then(
                ws().ignore_then(join())
                    .then_ignore(ws())
                    .then(node)
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .map(|(first, rest)| Chain {
                first: Box::new(first),
                rest,
            })
            .boxed()
    });
    ws().ignore_then(chain).then_ignore(ws()).then_ignore(end())
}

/// Parses a non-empty input into a chain, or returns a human-readable error message.
pub(crate) fn parse_chain(input: &str) -> Result<Chain, String> {
    let mut chain = filter().parse(input).into_result().map_err(|errs| {
        errs.into_iter()
            .next()
            .map(|e| describe(input, &e))
            .unwrap_or_else(|| "invalid filter expression".to_string())
    })?;
    // `((a = 1 && b = 2))`: the whole input is one group.
    while chain.rest.is_empty() {
        match *chain.first {
            Node::Group(inner) => chain = inner,
            first => {
                chain.first = Box::new(first);
                break;
            }
        }
    }
    Ok(chain)
}

/// Turns a chumsky error into a short message with the character position.
fn describe(input: &str, e: &Rich<'_, char>) -> String {
    let start = e.span().start.min(input.len());
    let pos = input.get(..start).map(|s| s.chars().count()).unwrap_or(0);
    if let chumsky::error::RichReason::Custom(msg) = e.reason() {
        return format!("{msg} at position {pos}");
    }
    // Some failures carry no token although the input goes on: show the char at the spot.
    let found = match e
        .found()
        .copied()
        .or_else(|| input.get(start..).and_then(|s| s.chars().next()))
    {
        Some('\r') => "a carriage return (\\r is not allowed)".to_string(),
        Some(c) => format!("{c:?}"),
        None => "end of input".to_string(),
    };
    let mut expected: Vec<String> = Vec::new();
    for pattern in e.expected() {
        let text = match pattern {
            RichPattern::Token(t) if matches!(**t, '(' | ')' | ',') => format!("'{}'", **t),
            RichPattern::Label(label) => label.to_string(),
            RichPattern::EndOfInput => "end of input".to_string(),
            _ => continue,
        };
        if !expected.contains(&text) {
            expected.push(text);
        }
    }
    if expected.is_empty() {
        format!("unexpected {found} at position {pos}")
    } else {
        format!(
            "unexpected {found} at position {pos}, expected {}",
            expected.join(", ")
        )
    }
}

/// What [`prescan`] found.
pub(crate) struct Prescan {
    /// Deepest parenthesis nesting (function calls included).
    pub depth: usize,
    /// A clear error for an unterminated text or an unclosed `(`, if any.
    pub error: Option<String>,
}

/// Iterative pass run before the recursive parser: measures the parenthesis nesting (texts and
/// comments ignored) and spots unterminated texts and unclosed parentheses, which the parser
/// itself reports poorly.
pub(crate) fn prescan(input: &str) -> Prescan {
    let mut open: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut chars = input.chars().enumerate().peekable();
    while let Some((pos, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Prescan {
                        depth,
                        error: Some(format!(
                            "unterminated quoted text starting at position {pos}"
                        )),
                    };
                }
            }
            '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => {
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '(' => {
                open.push(pos);
                depth = depth.max(open.len());
            }
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    let error = open
        .last()
        .map(|pos| format!("unclosed '(' at position {pos}"));
    Prescan { depth, error }
}
