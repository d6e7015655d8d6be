//! The one identifier-quoting helper and small SQL text builders shared by the store.

/// Quotes an identifier with backticks (validated names never contain one; any are doubled anyway).
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_ident(&mut out, name);
    out
}

/// Appends [`ident`]`(name)` to `out`.
pub fn push_ident(out: &mut String, name: &str) {
    out.push('`');
    for (i, part) in name.split('`').enumerate() {
        if i > 0 {
            out.push_str("``");
        }
        out.push_str(part);
    }
    out.push('`');
}

/// `` `table`.`a`, `table`.`b`, … `` for every field of `c`, built once per column set and reused (the
/// list is on every record query; building it is many small allocations).
pub fn column_list(c: &crate::model::Collection) -> std::sync::Arc<str> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<str>>>> = OnceLock::new();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.name.hash(&mut h);
    for f in &c.fields {
        f.name.hash(&mut h);
    }
    let key = h.finish();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return hit.clone();
    }
    let table = ident(&c.name);
    let list: Arc<str> = c
        .fields
        .iter()
        .map(|f| format!("{table}.{}", ident(&f.name)))
        .collect::<Vec<_>>()
        .join(", ")
        .into();
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() > 10_000 {
        map.clear();
    }
    map.insert(key, list.clone());
    list
}
