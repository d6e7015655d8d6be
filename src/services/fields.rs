//! The `?fields=` projection applied to JSON responses (`a,b.c,*`, `field:excerpt(max,withEllipsis)`).

use serde_json::{Map, Value};

/// One requested path with its optional excerpt modifier.
#[derive(Debug, Clone)]
struct Pick {
    path: Vec<String>,
    excerpt: Option<(usize, bool)>,
}

/// Splits on commas outside parentheses.
fn split_top(spec: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in spec.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&spec[start..]);
    out
}

fn parse(spec: &str) -> Vec<Pick> {
    split_top(spec)
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (path, modifier) = match item.split_once(':') {
                Some((p, m)) => (p, Some(m)),
                None => (item, None),
            };
            let excerpt = modifier.and_then(|m| {
                let args = m.strip_prefix("excerpt(")?.strip_suffix(')')?;
                let mut parts = args.split(',').map(str::trim);
                let max = parts.next()?.parse().ok()?;
                let ellipsis = parts
                    .next()
                    .map(|v| v == "true" || v == "1")
                    .unwrap_or(false);
                Some((max, ellipsis))
            });
            Pick {
                path: path.split('.').map(String::from).collect(),
                excerpt,
            }
        })
        .collect()
}

/// Strips HTML tags and cuts text to `max` characters.
fn excerpt(v: &Value, max: usize, ellipsis: bool) -> Value {
    let Value::String(s) = v else {
        return v.clone();
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return Value::String(text);
    }
    let mut cut: String = text.chars().take(max).collect();
    cut = cut.trim_end().to_string();
    if ellipsis {
        cut.push_str("...");
    }
    Value::String(cut)
}

fn project_value(v: &Value, picks: &[Pick]) -> Value {
    match v {
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| project_value(i, picks)).collect())
        }
        Value::Object(obj) => Value::Object(project_object(obj, picks)),
        other => other.clone(),
    }
}

fn project_object(obj: &Map<String, Value>, picks: &[Pick]) -> Map<String, Value> {
    let mut out = Map::new();
    let star = picks.iter().find(|p| p.path.len() == 1 && p.path[0] == "*");
    if star.is_some() {
        for (k, v) in obj {
            out.insert(k.clone(), v.clone());
        }
    }
    let mut groups: Vec<(String, Vec<Pick>)> = Vec::new();
    for p in picks {
        let head = &p.path[0];
        if head == "*" {
            continue;
        }
        if p.path.len() == 1 {
            if let Some(v) = obj.get(head) {
                let v = match p.excerpt {
                    Some((max, e)) => excerpt(v, max, e),
                    None => v.clone(),
                };
                out.insert(head.clone(), v);
            }
            continue;
        }
        let rest = Pick {
            path: p.path[1..].to_vec(),
            excerpt: p.excerpt,
        };
        match groups.iter_mut().find(|(k, _)| k == head) {
            Some((_, list)) => list.push(rest),
            None => groups.push((head.clone(), vec![rest])),
        }
    }
    for (key, sub) in groups {
        if let Some(v) = obj.get(&key) {
            out.insert(key, project_value(v, &sub));
        }
    }
    out
}

/// Applies the projection; an empty spec returns the value unchanged.
pub fn apply(value: Value, spec: Option<&String>) -> Value {
    match spec.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => value,
        Some(spec) => project_value(&value, &parse(spec)),
    }
}

/// Applies the projection to each item of a list envelope (`items`).
pub fn apply_to_items(mut envelope: Value, spec: Option<&String>) -> Value {
    if let Some(Value::Array(items)) = envelope.get_mut("items") {
        let picked: Vec<Value> = items.drain(..).map(|i| apply(i, spec)).collect();
        *items = picked;
    }
    envelope
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_nested_and_excerpts() {
        let v = json!({"token": "t", "record": {"id": "1", "email": "a@b.c", "bio": "<p>Hello   big world</p>"}});
        assert_eq!(
            apply(v.clone(), Some(&"token,record.id".to_string())),
            json!({"token": "t", "record": {"id": "1"}})
        );
        assert_eq!(
            apply(v, Some(&"record.bio:excerpt(9,true)".to_string())),
            json!({"record": {"bio": "Hello big..."}})
        );
    }
}
