//! The standard list query parameters (`page`, `perPage`, `sort`, `filter`, `skipTotal`) and the list envelope.

use serde_json::{json, Value};
use std::collections::HashMap;

pub const DEFAULT_PER_PAGE: i64 = 30;
pub const MAX_PER_PAGE: i64 = 1000;

#[derive(Debug, Clone)]
pub struct ListParams {
    pub page: i64,
    pub per_page: i64,
    pub sort: String,
    pub filter: String,
    pub skip_total: bool,
}

impl ListParams {
    pub fn parse(q: &HashMap<String, String>) -> ListParams {
        let int = |k: &str| q.get(k).and_then(|v| v.trim().parse::<i64>().ok());
        let page = int("page").filter(|p| *p > 0).unwrap_or(1);
        let per_page = match int("perPage") {
            Some(n) if n > 0 => n.min(MAX_PER_PAGE),
            _ => DEFAULT_PER_PAGE,
        };
        let skip_total = q
            .get("skipTotal")
            .is_some_and(|v| matches!(v.to_lowercase().as_str(), "1" | "true" | "t"));
        ListParams {
            page,
            per_page,
            sort: q.get("sort").cloned().unwrap_or_default(),
            filter: q.get("filter").cloned().unwrap_or_default(),
            skip_total,
        }
    }

    /// `{items, page, perPage, totalItems, totalPages}`; totals are -1 with `skipTotal`.
    pub fn envelope(&self, items: Vec<Value>, total: Option<i64>) -> Value {
        let (total_items, total_pages) = match total {
            Some(t) => (t, (t + self.per_page - 1) / self.per_page),
            None => (-1, -1),
        };
        json!({
            "items": items,
            "page": self.page,
            "perPage": self.per_page,
            "totalItems": total_items,
            "totalPages": total_pages,
        })
    }
}
