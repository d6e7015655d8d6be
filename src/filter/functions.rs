//! Filter functions (spec 03 §5.5): argument validation and SQL for `geoDistance` and `strftime`.

use super::ast::{Chain, Function, Node, Operand};
use super::resolver::{MultiMatch, NullFallback, ResolvedOperand};
use super::sql::Builder;
use super::FilterError;

/// Maximum number of `strftime` arguments.
pub const STRFTIME_MAX_ARGS: usize = 10;

fn err(msg: String) -> FilterError {
    FilterError::Function(msg)
}

fn kind(o: &Operand) -> &'static str {
    match o {
        Operand::Identifier(_) => "an identifier",
        Operand::Text(_) => "a text",
        Operand::Number(_) => "a number",
        Operand::Function(_) => "a function",
    }
}

/// Checks a function's name, arity and argument kinds.
pub fn validate(f: &Function) -> Result<(), FilterError> {
    match f.name.as_str() {
        "geoDistance" => {
            if f.args.len() != 4 {
                return Err(err(format!(
                    "geoDistance expects 4 arguments, got {}",
                    f.args.len()
                )));
            }
            for (i, a) in f.args.iter().enumerate() {
                if !matches!(a, Operand::Identifier(_) | Operand::Number(_)) {
                    return Err(err(format!(
                        "geoDistance argument {} must be an identifier or a number, not {}",
                        i + 1,
                        kind(a)
                    )));
                }
            }
            Ok(())
        }
        "strftime" => {
            if f.args.is_empty() || f.args.len() > STRFTIME_MAX_ARGS {
                return Err(err(format!(
                    "strftime expects 1 to {STRFTIME_MAX_ARGS} arguments, got {}",
                    f.args.len()
                )));
            }
            for (i, a) in f.args.iter().enumerate() {
                let ok = match i {
                    1 => matches!(
                        a,
                        Operand::Text(_) | Operand::Identifier(_) | Operand::Number(_)
                    ),
                    _ => matches!(a, Operand::Text(_)),
                };
                if !ok {
                    let what = match i {
                        0 => "the format (argument 1) must be a text".to_string(),
                        1 => {
                            "the time value (argument 2) must be a text, an identifier or a number"
                                .to_string()
                        }
                        _ => format!("modifier argument {} must be a text", i + 1),
                    };
                    return Err(err(format!("strftime: {what}, not {}", kind(a))));
                }
            }
            Ok(())
        }
        other => Err(err(format!("unknown function {other:?}"))),
    }
}

/// Validates every function call of a chain.
pub(crate) fn validate_chain(chain: &Chain) -> Result<(), FilterError> {
    fn operand(o: &Operand) -> Result<(), FilterError> {
        match o {
            Operand::Function(f) => {
                validate(f)?;
                f.args.iter().try_for_each(operand)
            }
            _ => Ok(()),
        }
    }
    chain.nodes().try_for_each(|n| match n {
        Node::Comparison(c) => {
            operand(&c.left)?;
            operand(&c.right)
        }
        Node::Group(g) => validate_chain(g),
    })
}

/// Builds the SQL of a function call. Parameters of the arguments are carried in the returned
/// operand (not yet pushed to the sink).
pub(crate) fn build(b: &mut Builder<'_>, f: &Function) -> Result<ResolvedOperand, FilterError> {
    validate(f)?;
    let mut args = Vec::with_capacity(f.args.len());
    for a in &f.args {
        args.push(b.operand(a)?);
    }
    let mut params = Vec::new();
    for a in &args {
        params.extend(a.params.iter().cloned());
    }
    if f.name == "geoDistance" {
        // Like SQLite's own functions, geoDistance has no "match all" semantic: any
        // multi-match subquery of its arguments is dropped.
        let (lon_a, lat_a, lon_b, lat_b) = (&args[0].sql, &args[1].sql, &args[2].sql, &args[3].sql);
        let sql = format!(
            "(6371 * acos(min(1, max(-1, cos(radians({lat_a})) * cos(radians({lat_b})) * \
             cos(radians({lon_b}) - radians({lon_a})) + sin(radians({lat_a})) * sin(radians({lat_b}))))))"
        );
        return Ok(ResolvedOperand {
            sql,
            params,
            null_fallback: NullFallback::Disabled,
            multi_match: None,
            and_condition: None,
        });
    }
    // strftime
    let render = |time_value: Option<&str>| {
        let parts: Vec<&str> = args
            .iter()
            .enumerate()
            .map(|(i, a)| match (i, time_value) {
                (1, Some(v)) => v,
                _ => a.sql.as_str(),
            })
            .collect();
        format!("strftime({})", parts.join(","))
    };
    let multi_match = match args.get(1).and_then(|a| a.multi_match.as_ref()) {
        Some(mm) => {
            let mut mm_params = mm.params.clone();
            for (i, a) in args.iter().enumerate() {
                if i != 1 {
                    mm_params.extend(a.params.iter().cloned());
                }
            }
            Some(MultiMatch {
                value_sql: render(Some(&mm.value_sql)),
                from_sql: mm.from_sql.clone(),
                params: mm_params,
            })
        }
        None => None,
    };
    Ok(ResolvedOperand {
        sql: render(None),
        params,
        null_fallback: NullFallback::Enforced,
        multi_match,
        and_condition: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, args: Vec<Operand>) -> Function {
        Function {
            name: name.to_string(),
            args,
        }
    }
    fn id(s: &str) -> Operand {
        Operand::Identifier(s.to_string())
    }
    fn txt(s: &str) -> Operand {
        Operand::Text(s.to_string())
    }

    #[test]
    fn validation() {
        let n = Operand::Number(1.0);
        assert!(validate(&f(
            "geoDistance",
            vec![id("a"), id("b"), n.clone(), n.clone()]
        ))
        .is_ok());
        assert!(validate(&f("geoDistance", vec![id("a"), n.clone(), n.clone()])).is_err());
        assert!(validate(&f(
            "geoDistance",
            vec![id("a"), txt("2"), n.clone(), n.clone()]
        ))
        .is_err());
        let nested = Operand::Function(f("strftime", vec![txt("%Y")]));
        assert!(validate(&f(
            "geoDistance",
            vec![nested.clone(), n.clone(), n.clone(), n.clone()]
        ))
        .is_err());
        assert!(validate(&f("strftime", vec![txt("%Y")])).is_ok());
        assert!(validate(&f("strftime", vec![txt("%Y"), id("d"), txt("+1 day")])).is_ok());
        assert!(validate(&f("strftime", vec![txt("%Y"), n.clone(), txt("unixepoch")])).is_ok());
        assert!(validate(&f("strftime", vec![id("title")])).is_err());
        assert!(validate(&f("strftime", vec![txt("%Y"), id("d"), id("title")])).is_err());
        assert!(validate(&f("strftime", vec![txt("%Y"), nested])).is_err());
        assert!(validate(&f("strftime", vec![])).is_err());
        assert!(validate(&f("strftime", vec![txt("a"); 10])).is_ok());
        assert!(validate(&f("strftime", vec![txt("a"); 11])).is_err());
        assert!(validate(&f("foo", vec![])).is_err());
        assert!(validate(&f("GEODISTANCE", vec![n.clone(), n.clone(), n.clone(), n])).is_err());
    }
}
