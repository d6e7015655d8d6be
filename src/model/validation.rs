//! Validation errors: a tree of `{code, message, params}` leaves keyed by field path, as PocketBase sends them.

use serde_json::{Map, Value};

/// One failed check: a stable machine code, a human message and optional parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    pub code: String,
    pub message: String,
    pub params: Option<Map<String, Value>>,
}

impl ValidationError {
    pub fn new(code: &str, message: &str) -> Self {
        ValidationError {
            code: code.to_string(),
            message: message.to_string(),
            params: None,
        }
    }

    /// Adds a parameter; `{name}` placeholders in the message are filled in.
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        let shown = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.message = self.message.replace(&format!("{{{name}}}"), &shown);
        self.params
            .get_or_insert_with(Map::new)
            .insert(name.to_string(), value);
        self
    }

    pub fn required() -> Self {
        Self::new("validation_required", "Cannot be blank.")
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code.clone()));
        m.insert("message".into(), Value::String(self.message.clone()));
        if let Some(p) = &self.params {
            m.insert("params".into(), Value::Object(p.clone()));
        }
        Value::Object(m)
    }
}

/// A node of the error tree: either a leaf error or a map of nested errors.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorNode {
    Leaf(ValidationError),
    Nested(Errors),
}

/// An ordered map from key (field name or list index) to error node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Errors {
    entries: Vec<(String, ErrorNode)>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Sets a leaf error; an existing error under the same key is kept (first error wins).
    pub fn add(&mut self, key: impl Into<String>, err: ValidationError) {
        let key = key.into();
        if !self.entries.iter().any(|(k, _)| *k == key) {
            self.entries.push((key, ErrorNode::Leaf(err)));
        }
    }

    /// Merges nested errors under `key`; nothing happens when `nested` is empty.
    pub fn add_nested(&mut self, key: impl Into<String>, nested: Errors) {
        if nested.is_empty() {
            return;
        }
        let key = key.into();
        if let Some((_, node)) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            if let ErrorNode::Nested(existing) = node {
                for (k, v) in nested.entries {
                    if !existing.entries.iter().any(|(ek, _)| *ek == k) {
                        existing.entries.push((k, v));
                    }
                }
            }
            return;
        }
        self.entries.push((key, ErrorNode::Nested(nested)));
    }

    /// Adds every entry of `other` whose key is not taken yet.
    pub fn extend(&mut self, other: Errors) {
        for (k, node) in other.entries {
            if !self.entries.iter().any(|(ek, _)| *ek == k) {
                self.entries.push((k, node));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&ErrorNode> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Converts into `Ok(())` when empty.
    pub fn into_result(self) -> Result<(), Errors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, node) in &self.entries {
            let v = match node {
                ErrorNode::Leaf(e) => e.to_json(),
                ErrorNode::Nested(n) => n.to_json(),
            };
            m.insert(k.clone(), v);
        }
        Value::Object(m)
    }

    /// Flattens to `key: message; key2.sub: message` (CLI output, logs).
    pub fn summary(&self) -> String {
        let mut out = Vec::new();
        self.collect_summary("", &mut out);
        out.join("; ")
    }

    fn collect_summary(&self, prefix: &str, out: &mut Vec<String>) {
        for (k, node) in &self.entries {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match node {
                ErrorNode::Leaf(e) => out.push(format!("{path}: {}", e.message)),
                ErrorNode::Nested(n) => n.collect_summary(&path, out),
            }
        }
    }
}

impl From<(&str, ValidationError)> for Errors {
    fn from((key, err): (&str, ValidationError)) -> Self {
        let mut e = Errors::new();
        e.add(key, err);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_fill_the_message_and_nest() {
        let mut inner = Errors::new();
        inner.add(
            "name",
            ValidationError::new(
                "validation_max_text_constraint",
                "Must be no more than {max} character(s).",
            )
            .param("max", 5),
        );
        let mut e = Errors::new();
        e.add_nested("fields", inner);
        assert_eq!(
            e.to_json().to_string(),
            r#"{"fields":{"name":{"code":"validation_max_text_constraint","message":"Must be no more than 5 character(s).","params":{"max":5}}}}"#
        );
        assert_eq!(
            e.summary(),
            "fields.name: Must be no more than 5 character(s)."
        );
    }
}
