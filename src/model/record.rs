//! A record: the values of one row keyed by field name, plus its collection's id and name.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub collection_id: String,
    pub collection_name: String,
    pub data: Map<String, Value>,
}

impl Record {
    pub fn new(collection_id: &str, collection_name: &str) -> Record {
        Record {
            collection_id: collection_id.to_string(),
            collection_name: collection_name.to_string(),
            data: Map::new(),
        }
    }

    pub fn id(&self) -> &str {
        self.get_str("id")
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.data.get(field)
    }

    /// The value as text, "" when missing or not a string.
    pub fn get_str(&self, field: &str) -> &str {
        self.data.get(field).and_then(Value::as_str).unwrap_or("")
    }

    pub fn get_bool(&self, field: &str) -> bool {
        self.data
            .get(field)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn set(&mut self, field: &str, value: Value) {
        self.data.insert(field.to_string(), value);
    }
}
