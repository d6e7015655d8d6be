//! Syntax tree of a parsed filter expression (the output of [`crate::filter::parse`]).

use std::fmt;

/// A whole filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// The empty string: no filter at all.
    Empty,
    /// A non-empty chain of comparisons and groups.
    Chain(Chain),
}

impl Expr {
    /// True for the empty filter.
    pub fn is_empty(&self) -> bool {
        matches!(self, Expr::Empty)
    }
}

/// A flat chain `node (join node)*`. It is compiled to SQL as written, so `&&` (`AND`)
/// binds tighter than `||` (`OR`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The first node.
    pub first: Box<Node>,
    /// The following nodes, each with the join that precedes it.
    pub rest: Vec<(Join, Node)>,
}

impl Chain {
    /// Iterates over the nodes, ignoring the joins.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        std::iter::once(self.first.as_ref()).chain(self.rest.iter().map(|(_, n)| n))
    }
}

/// `&&` or `||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// `&&`
    And,
    /// `||`
    Or,
}

/// One item of a chain.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `left op right`
    Comparison(Comparison),
    /// A parenthesised sub-chain.
    Group(Chain),
}

/// `left op right`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Left operand.
    pub left: Operand,
    /// Operator.
    pub op: Op,
    /// Right operand.
    pub right: Operand,
}

/// An operand of a comparison or an argument of a function.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A field path, `@request.*`, `@collection.*`, a macro (`@now`) or a keyword
    /// (`null`, `true`, `false`), exactly as written (modifiers included).
    Identifier(String),
    /// A quoted text, already unescaped.
    Text(String),
    /// A number literal (always a float, as in PocketBase).
    Number(f64),
    /// A function call such as `geoDistance(a, b, 1, 2)`.
    Function(Function),
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Function name, case-sensitive (`geoDistance`, `strftime`).
    pub name: String,
    /// Arguments in order.
    pub args: Vec<Operand>,
}

/// The 16 comparison operators. The `Any*` forms are the `?`-prefixed "any of" variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Neq,
    /// `~`
    Like,
    /// `!~`
    NotLike,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `?=`
    AnyEq,
    /// `?!=`
    AnyNeq,
    /// `?~`
    AnyLike,
    /// `?!~`
    AnyNotLike,
    /// `?<`
    AnyLt,
    /// `?<=`
    AnyLte,
    /// `?>`
    AnyGt,
    /// `?>=`
    AnyGte,
}

impl Op {
    /// All operators with their source spelling.
    pub const ALL: [(Op, &'static str); 16] = [
        (Op::Eq, "="),
        (Op::Neq, "!="),
        (Op::Like, "~"),
        (Op::NotLike, "!~"),
        (Op::Lt, "<"),
        (Op::Lte, "<="),
        (Op::Gt, ">"),
        (Op::Gte, ">="),
        (Op::AnyEq, "?="),
        (Op::AnyNeq, "?!="),
        (Op::AnyLike, "?~"),
        (Op::AnyNotLike, "?!~"),
        (Op::AnyLt, "?<"),
        (Op::AnyLte, "?<="),
        (Op::AnyGt, "?>"),
        (Op::AnyGte, "?>="),
    ];

    /// Parses the exact source spelling of an operator.
    pub fn from_symbol(s: &str) -> Option<Op> {
        Op::ALL.iter().find(|(_, sym)| *sym == s).map(|(op, _)| *op)
    }

    /// The source spelling.
    pub fn symbol(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map(|(_, sym)| *sym)
            .unwrap_or("=")
    }

    /// True for the `?` ("any of") variants.
    pub fn is_any(self) -> bool {
        !matches!(
            self,
            Op::Eq | Op::Neq | Op::Like | Op::NotLike | Op::Lt | Op::Lte | Op::Gt | Op::Gte
        )
    }

    /// The operator without its `?` prefix.
    pub fn base(self) -> Op {
        match self {
            Op::AnyEq => Op::Eq,
            Op::AnyNeq => Op::Neq,
            Op::AnyLike => Op::Like,
            Op::AnyNotLike => Op::NotLike,
            Op::AnyLt => Op::Lt,
            Op::AnyLte => Op::Lte,
            Op::AnyGt => Op::Gt,
            Op::AnyGte => Op::Gte,
            other => other,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Counts the comparisons of a chain, groups included (iterative: safe on deep trees).
pub(crate) fn count_comparisons(chain: &Chain) -> usize {
    let mut count = 0;
    let mut stack = vec![chain];
    while let Some(c) = stack.pop() {
        for node in c.nodes() {
            match node {
                Node::Comparison(_) => count += 1,
                Node::Group(g) => stack.push(g),
            }
        }
    }
    count
}

/// Deepest function nesting of a chain, 0 without function calls (iterative).
pub(crate) fn function_depth(chain: &Chain) -> usize {
    let mut max = 0;
    let mut chains = vec![chain];
    let mut operands: Vec<(&Operand, usize)> = Vec::new();
    while let Some(c) = chains.pop() {
        for node in c.nodes() {
            match node {
                Node::Comparison(cmp) => {
                    operands.push((&cmp.left, 0));
                    operands.push((&cmp.right, 0));
                }
                Node::Group(g) => chains.push(g),
            }
        }
        while let Some((operand, depth)) = operands.pop() {
            if let Operand::Function(f) = operand {
                max = max.max(depth + 1);
                operands.extend(f.args.iter().map(|a| (a, depth + 1)));
            }
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_symbols_round_trip() {
        for (op, sym) in Op::ALL {
            assert_eq!(Op::from_symbol(sym), Some(op));
            assert_eq!(op.symbol(), sym);
            assert_eq!(op.to_string(), sym);
            assert_eq!(op.is_any(), sym.starts_with('?'));
            assert_eq!(op.base().symbol(), sym.trim_start_matches('?'));
        }
        assert_eq!(Op::from_symbol("=="), None);
        assert_eq!(Op::from_symbol("=~"), None);
    }
}
