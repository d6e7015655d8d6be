//! The one identifier-quoting helper and small SQL text builders shared by the store.

/// Quotes an identifier with backticks (validated names never contain one; any are doubled anyway).
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}
