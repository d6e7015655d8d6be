//! The field resolver: turns filter identifiers of one collection (fields, relation paths, `@request.*`,
//! `@collection.*`) into SQL for the filter module, collecting the joins it needs.

use super::sql::ident;
use crate::filter::{
    self, split_modifier, FieldResolver, FilterError, NullFallback, ParamSink, ResolvedOperand,
    SqlValue,
};
use crate::model::{Collection, Field, FieldKind};
use serde_json::{Map, Value};

/// The request data rules may read through `@request.*`.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub method: String,
    pub context: String,
    pub query: Map<String, Value>,
    pub headers: Map<String, Value>,
    pub body: Map<String, Value>,
    /// The auth record's collection and values, when signed in.
    pub auth: Option<(Collection, Map<String, Value>)>,
}

/// Resolves identifiers of `collection` (table alias = its name).
pub struct RecordResolver<'a> {
    collection: &'a Collection,
    all: &'a [Collection],
    request: Option<&'a RequestInfo>,
    /// Client filters may not touch hidden fields; rules may.
    allow_hidden: bool,
    joins: Vec<String>,
    counter: usize,
}

fn resolve_err(ident: &str) -> FilterError {
    FilterError::Resolve(format!("failed to resolve field \"{ident}\""))
}

impl<'a> RecordResolver<'a> {
    pub fn new(
        collection: &'a Collection,
        all: &'a [Collection],
        request: Option<&'a RequestInfo>,
        allow_hidden: bool,
    ) -> Self {
        RecordResolver {
            collection,
            all,
            request,
            allow_hidden,
            joins: Vec::new(),
            counter: 0,
        }
    }

    /// The JOIN clauses collected while resolving.
    pub fn joins(&self) -> String {
        self.joins.join(" ")
    }

    fn alias(&mut self, base: &str) -> String {
        self.counter += 1;
        format!("__{base}{}", self.counter)
    }

    fn find_collection(&self, id_or_name: &str) -> Option<&'a Collection> {
        self.all.iter().find(|c| c.id == id_or_name).or_else(|| {
            self.all
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(id_or_name))
        })
    }

    fn request_value(
        &mut self,
        path: &str,
        modifier: Option<&str>,
        full: &str,
    ) -> Result<ResolvedOperand, FilterError> {
        let Some(req) = self.request else {
            return Ok(ResolvedOperand::null());
        };
        let mut parts = path.splitn(2, '.');
        let section = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("");
        let value: Option<Value> = match section {
            "method" if rest.is_empty() => Some(Value::String(req.method.clone())),
            "context" if rest.is_empty() => Some(Value::String(req.context.clone())),
            "query" if !rest.is_empty() => req.query.get(rest).cloned(),
            "headers" if !rest.is_empty() => req
                .headers
                .get(&rest.replace('-', "_").to_lowercase())
                .cloned(),
            "body" if !rest.is_empty() => {
                let key = rest.split('.').next().unwrap_or("");
                if modifier == Some("isset") {
                    let set = req.body.contains_key(key);
                    return Ok(ResolvedOperand::sql(if set { "TRUE" } else { "FALSE" }));
                }
                req.body.get(key).cloned()
            }
            "auth" if !rest.is_empty() => {
                let Some((ac, values)) = &req.auth else {
                    return Ok(ResolvedOperand::null());
                };
                match rest {
                    "collectionId" => Some(Value::String(ac.id.clone())),
                    "collectionName" => Some(Value::String(ac.name.clone())),
                    _ => values.get(rest.split('.').next().unwrap_or("")).cloned(),
                }
            }
            _ => return Err(resolve_err(full)),
        };
        let sql_value = match (&value, modifier) {
            (Some(Value::Array(a)), Some("length")) => SqlValue::Int(a.len() as i64),
            (Some(Value::String(s)), Some("lower")) => SqlValue::Text(s.to_lowercase()),
            (Some(v), _) => SqlValue::from_json(v),
            (None, _) => SqlValue::Null,
        };
        self.counter += 1;
        let name = format!(":__rq{}", self.counter);
        Ok(ResolvedOperand::param(name, sql_value))
    }

    /// Resolves `path` (dot-separated) starting at `table_alias` of collection `c`.
    fn field_path(
        &mut self,
        c: &'a Collection,
        table_alias: &str,
        path: &[&str],
        modifier: Option<&str>,
        full: &str,
        depth: usize,
    ) -> Result<ResolvedOperand, FilterError> {
        let name = path[0];
        let field: &Field = match c.field(name) {
            Some(f) => f,
            None => {
                // back relation: <collection>_via_<field>
                if let Some((coll, via)) = name.split_once("_via_") {
                    let target = self
                        .find_collection(coll)
                        .ok_or_else(|| resolve_err(full))?;
                    let rel = target
                        .field(via)
                        .filter(|f| f.relation().is_some_and(|r| r.collection_id == c.id))
                        .ok_or_else(|| resolve_err(full))?;
                    if path.len() < 2 {
                        return Err(resolve_err(full));
                    }
                    let alias = self.alias("br");
                    let col = format!("{}.{}", alias, ident(&rel.name));
                    let cond = if rel.is_multiple() {
                        format!("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid({col}) THEN {col} ELSE json_array({col}) END) WHERE value = {}.`id`)", ident_alias(table_alias))
                    } else {
                        format!("{col} = {}.`id`", ident_alias(table_alias))
                    };
                    self.joins.push(format!(
                        "LEFT JOIN {} {alias} ON {cond}",
                        ident(&target.name)
                    ));
                    return self.field_path(target, &alias, &path[1..], modifier, full, depth + 1);
                }
                return Err(resolve_err(full));
            }
        };
        if field.hidden && !self.allow_hidden {
            return Err(resolve_err(full));
        }
        let col = format!("{}.{}", ident_alias(table_alias), ident(&field.name));
        if path.len() == 1 {
            return Ok(match (modifier, &field.kind) {
                (Some("lower"), _) => ResolvedOperand::sql(format!("LOWER({col})")),
                (Some("length"), _) if field.is_multiple() => ResolvedOperand::sql(format!("json_array_length(CASE WHEN json_valid({col}) THEN {col} ELSE json_array({col}) END)")),
                (Some("length"), FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_)) => {
                    ResolvedOperand::sql(format!("(CASE WHEN {col} = '' OR {col} IS NULL THEN 0 ELSE 1 END)"))
                }
                (Some("each"), _) if field.is_multiple() => {
                    let alias = self.alias("je");
                    self.joins.push(format!("LEFT JOIN json_each(CASE WHEN json_valid({col}) THEN {col} ELSE json_array({col}) END) {alias}"));
                    ResolvedOperand::sql(format!("{alias}.value"))
                }
                (Some("length" | "each" | "isset"), _) | (None, _) => {
                    if matches!(field.kind, FieldKind::Json(_)) {
                        ResolvedOperand::sql(format!("JSON_EXTRACT({col}, '$')")).with_null_fallback(NullFallback::Disabled)
                    } else {
                        ResolvedOperand::sql(col)
                    }
                }
                (Some(_), _) => return Err(FilterError::Resolve(format!("unknown modifier in \"{full}\""))),
            });
        }
        match &field.kind {
            FieldKind::Json(_) | FieldKind::GeoPoint(_) => {
                let mut json_path = String::from("$");
                for seg in &path[1..] {
                    if seg.chars().all(|c| c.is_ascii_digit()) {
                        json_path.push_str(&format!("[{seg}]"));
                    } else {
                        json_path.push_str(&format!(".\"{}\"", seg.replace('"', "")));
                    }
                }
                let expr = format!("JSON_EXTRACT({col}, '{json_path}')");
                let expr = if modifier == Some("lower") {
                    format!("LOWER({expr})")
                } else {
                    expr
                };
                Ok(ResolvedOperand::sql(expr).with_null_fallback(NullFallback::Disabled))
            }
            FieldKind::Relation(rel) => {
                if depth >= 6 {
                    return Err(FilterError::Resolve(format!(
                        "max relation depth exceeded in \"{full}\""
                    )));
                }
                let target = self
                    .find_collection(&rel.collection_id)
                    .ok_or_else(|| resolve_err(full))?;
                if !field.is_multiple() && path.len() == 2 && path[1] == "id" && modifier.is_none()
                {
                    return Ok(ResolvedOperand::sql(col));
                }
                let alias = self.alias("rel");
                if field.is_multiple() {
                    let je = self.alias("je");
                    self.joins.push(format!("LEFT JOIN json_each(CASE WHEN json_valid({col}) THEN {col} ELSE json_array({col}) END) {je}"));
                    self.joins.push(format!(
                        "LEFT JOIN {} {alias} ON {alias}.`id` = {je}.value",
                        ident(&target.name)
                    ));
                } else {
                    self.joins.push(format!(
                        "LEFT JOIN {} {alias} ON {alias}.`id` = {col}",
                        ident(&target.name)
                    ));
                }
                self.field_path(target, &alias, &path[1..], modifier, full, depth + 1)
            }
            _ => Err(resolve_err(full)),
        }
    }
}

/// Aliases made here are plain identifiers; the main table is quoted.
fn ident_alias(alias: &str) -> String {
    if alias.starts_with("__") {
        alias.to_string()
    } else {
        ident(alias)
    }
}

impl FieldResolver for RecordResolver<'_> {
    fn resolve(&mut self, identifier: &str) -> Result<ResolvedOperand, FilterError> {
        let (path, modifier) = split_modifier(identifier);
        if let Some(rest) = path.strip_prefix("@request.") {
            return self.request_value(rest, modifier, identifier);
        }
        if let Some(rest) = path.strip_prefix("@collection.") {
            let mut parts = rest.splitn(2, '.');
            let head = parts.next().unwrap_or("");
            let field_path = parts.next().ok_or_else(|| resolve_err(identifier))?;
            let (name, alias_name) = head.split_once(':').unwrap_or((head, head));
            let target = self
                .find_collection(name)
                .ok_or_else(|| resolve_err(identifier))?;
            let alias = format!(
                "__col_{}",
                alias_name.replace(|c: char| !c.is_alphanumeric() && c != '_', "")
            );
            let join = format!("LEFT JOIN {} {alias}", ident(&target.name));
            if !self.joins.contains(&join) {
                self.joins.push(join);
            }
            let segs: Vec<&str> = field_path.split('.').collect();
            let saved = self.allow_hidden;
            let out = self.field_path(target, &alias, &segs, modifier, identifier, 1);
            self.allow_hidden = saved;
            return out;
        }
        if path.starts_with('@') {
            return Err(resolve_err(identifier));
        }
        let segs: Vec<&str> = path.split('.').collect();
        let c = self.collection;
        let name = c.name.clone();
        self.field_path(c, &name, &segs, modifier, identifier, 0)
    }
}

/// Checks that a rule compiles against `c` (the collection save validator uses this).
pub fn check_rule(c: &Collection, all: &[Collection], rule: &str) -> Result<(), String> {
    let limits = filter::Limits {
        max_len: None,
        ..Default::default()
    };
    let expr = filter::parse_with(rule, &limits).map_err(|e| e.to_string())?;
    let req = RequestInfo::default();
    let mut resolver = RecordResolver::new(c, all, Some(&req), true);
    let mut sink = ParamSink::new("r");
    filter::build_where(&expr, &mut resolver, &mut sink).map_err(|e| e.to_string())?;
    Ok(())
}
