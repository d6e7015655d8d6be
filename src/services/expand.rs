//! `?expand=`: loads the records named by dot paths of relation fields (and `<collection>_via_<field>`
//! back relations) into `record.expand`, one query per relation and level for a whole batch, each
//! filtered by the related collection's viewRule for the requester (`@request.context = "expand"`).
//!
//! Like PocketBase, every comma path is all-or-nothing: a path with an unknown field, or one that
//! reaches a collection the requester may not view (`null` viewRule), adds nothing, silently. A
//! record gets an `expand` object (possibly `{}`) once a path through it succeeded.

use super::auth_state::{self, is_superuser, Requester};
use super::record_enrich;
use super::record_json::{record_json, visibility_for};
use super::rules::{build_condition, request_info};
use crate::app::App;
use crate::auth::token::TokenType;
use crate::model::index::Index;
use crate::model::record::Record;
use crate::model::{Collection, Field};
use crate::store::relations::{self, Condition};
use crate::store::resolver::RequestInfo;
use crate::store::Connection;
use serde_json::{Map, Value};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The deepest level expanded; segments below it are ignored.
pub const MAX_DEPTH: usize = 6;
/// At most this many back-related records are expanded per record.
pub const BACK_RELATION_LIMIT: usize = 1000;

/// One relation of the expand tree and the paths that continue below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandNode {
    pub name: String,
    pub children: Vec<ExpandNode>,
}

/// Parses an `expand` param: comma list of dot paths, spaces removed, outer dots trimmed, paths
/// merged into a tree (a path that prefixes a longer one only counts through it) and cut at
/// [`MAX_DEPTH`] levels.
pub fn parse(param: &str) -> Vec<ExpandNode> {
    let paths: Vec<String> = param
        .split(',')
        .map(|p| p.replace(' ', "").trim_matches('.').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let split: Vec<Vec<&str>> = paths
        .iter()
        .map(|p| p.split('.').take(MAX_DEPTH).collect())
        .collect();
    let refs: Vec<&[&str]> = split.iter().map(Vec::as_slice).collect();
    build_tree(&refs)
}

/// Groups paths by their first segment (in order of first appearance), recursively.
fn build_tree(paths: &[&[&str]]) -> Vec<ExpandNode> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&[&str]>> = HashMap::new();
    for path in paths {
        if let Some((head, rest)) = path.split_first() {
            groups
                .entry(head)
                .or_insert_with(|| {
                    order.push(head);
                    Vec::new()
                })
                .push(rest);
        }
    }
    order
        .into_iter()
        .map(|name| ExpandNode {
            name: name.to_string(),
            children: groups.get(name).map(|g| build_tree(g)).unwrap_or_default(),
        })
        .collect()
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `(collection, field)` of a back-relation name: `<collection>_via_<field>` (the last `_via_` that
/// leaves a field name) or the legacy `<collection>(<field>)`.
fn back_relation_parts(name: &str) -> Option<(&str, &str)> {
    if name.contains('(') {
        let (coll, field) = name.strip_suffix(')')?.split_once('(')?;
        return (is_word(coll) && is_word(field)).then_some((coll, field));
    }
    if !is_word(name) {
        return None;
    }
    const VIA: &str = "_via_";
    (1..name.len().saturating_sub(VIA.len()))
        .rev()
        .find(|&i| name[i..].starts_with(VIA))
        .map(|i| (&name[..i], &name[i + VIA.len()..]))
}

/// The ids a relation value holds, de-duplicated, empty ones dropped.
fn ids_of(v: Option<&Value>) -> Vec<String> {
    let list: Vec<String> = match v {
        Some(Value::String(s)) if s.contains('[') => {
            serde_json::from_str(s).unwrap_or_else(|_| vec![s.clone()])
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    unique(list.into_iter().filter(|s| !s.is_empty()))
}

/// How the records of one tree node relate to their parents.
enum Link<'a> {
    /// A relation field of the parent collection.
    Direct { field: &'a str, single: bool },
    /// A relation field of the target collection pointing back at the parents.
    Back { field: &'a Field, single: bool },
}

/// A record being expanded and the expand map built for it so far.
struct Item {
    rec: Record,
    expand: Option<Map<String, Value>>,
}

/// One expansion run on a reader connection.
struct Expander<'a> {
    app: &'a App,
    conn: &'a Connection,
    collections: &'a [Arc<Collection>],
    /// Plain copies of the collections for the rule builder, made on first use.
    all: OnceCell<Vec<Collection>>,
    info: &'a RequestInfo,
    requester: &'a Requester,
    superuser: bool,
}

impl<'a> Expander<'a> {
    fn new(
        app: &'a App,
        conn: &'a Connection,
        collections: &'a [Arc<Collection>],
        info: &'a RequestInfo,
        requester: &'a Requester,
    ) -> Self {
        Expander {
            app,
            conn,
            collections,
            all: OnceCell::new(),
            info,
            requester,
            superuser: is_superuser(requester),
        }
    }

    fn find_collection(&self, id_or_name: &str) -> Option<&'a Collection> {
        let all = self.collections;
        all.iter()
            .find(|c| c.id == id_or_name)
            .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)))
            .map(|c| &**c)
    }

    /// The target collection of `name` on `c` and how it links, or `None` for an invalid name.
    fn resolve<'c>(&self, c: &'c Collection, name: &str) -> Option<(&'a Collection, Link<'c>)>
    where
        'a: 'c,
    {
        if let Some((coll, field)) = back_relation_parts(name) {
            let target = self.find_collection(coll)?;
            let field = target
                .field(field)
                .filter(|f| f.relation().is_some_and(|r| r.collection_id == c.id))?;
            let single = target
                .indexes
                .iter()
                .filter_map(|i| Index::parse(i))
                .any(|i| i.is_single_unique_on(&field.name));
            return Some((target, Link::Back { field, single }));
        }
        let field = c.field(name)?;
        let target = self.find_collection(&field.relation()?.collection_id)?;
        let single = !field.is_multiple();
        Some((
            target,
            Link::Direct {
                field: &field.name,
                single,
            },
        ))
    }

    /// The records of `c` with these ids that the requester may view; `None` when the collection is
    /// closed to them (or its rule cannot be built), which fails the whole path.
    fn fetch(&self, c: &Collection, ids: &[String]) -> Option<Vec<Record>> {
        let rule = match c.view_rule.as_deref() {
            _ if self.superuser => None,
            None => return None,
            Some(r) if r.trim().is_empty() => None,
            Some(r) => Some(r),
        };
        let result = match rule {
            Some(rule) => {
                let all = self
                    .all
                    .get_or_init(|| self.collections.iter().map(|c| (**c).clone()).collect());
                let (joins, where_sql, params) =
                    match build_condition(c, all, rule, self.info, true, "expand_rule") {
                        Ok(built) => built,
                        Err(e) => {
                            tracing::debug!("expand: viewRule of {} failed: {e:?}", c.name);
                            return None;
                        }
                    };
                let cond = Condition {
                    joins: &joins,
                    where_sql: &where_sql,
                    params: &params,
                };
                relations::find_by_ids(self.conn, c, ids, Some(&cond))
            }
            None => relations::find_by_ids(self.conn, c, ids, None),
        };
        result
            .map_err(|e| tracing::debug!("expand: loading {} failed: {e}", c.name))
            .ok()
    }

    /// Expands `node` on `items` (records of `c`) at `level`; false when every path through it failed.
    fn expand_node(
        &self,
        c: &Collection,
        items: &mut [Item],
        node: &ExpandNode,
        level: usize,
    ) -> bool {
        if level > MAX_DEPTH || items.is_empty() {
            return true;
        }
        let Some((target, link)) = self.resolve(c, &node.name) else {
            return false;
        };
        let (per_item, single): (Vec<Vec<String>>, bool) = match link {
            Link::Direct { field, single } => (
                items.iter().map(|it| ids_of(it.rec.get(field))).collect(),
                single,
            ),
            Link::Back { field, single } => {
                let parents = unique(items.iter().map(|it| it.rec.id().to_string()));
                let found = relations::back_relation_ids(
                    self.conn,
                    target,
                    field,
                    &parents,
                    BACK_RELATION_LIMIT,
                );
                let Ok(found) = found.map_err(|e| tracing::debug!("expand: {e}")) else {
                    return false;
                };
                let lists = items
                    .iter()
                    .map(|it| found.get(it.rec.id()).cloned().unwrap_or_default())
                    .collect();
                (lists, single)
            }
        };
        let wanted = unique(per_item.iter().flatten().cloned());
        let Some(records) = self.fetch(target, &wanted) else {
            return false;
        };
        let mut rels: Vec<Item> = records
            .into_iter()
            .map(|rec| Item { rec, expand: None })
            .collect();
        if !node.children.is_empty() {
            let mut any = false;
            for child in &node.children {
                any |= self.expand_node(target, &mut rels, child, level + 1);
            }
            if !any {
                return false;
            }
        }
        let by_id: HashMap<String, Value> = rels
            .into_iter()
            .map(|it| (it.rec.id().to_string(), self.json(target, it)))
            .collect();
        for (item, ids) in items.iter_mut().zip(per_item) {
            let expand = item.expand.get_or_insert_with(Map::new);
            let mut found = ids.iter().filter_map(|id| by_id.get(id));
            let value = if single {
                found.next().cloned()
            } else {
                let list: Vec<Value> = found.cloned().collect();
                (!list.is_empty()).then_some(Value::Array(list))
            };
            if let Some(value) = value {
                expand.insert(node.name.clone(), value);
            }
        }
        true
    }

    /// The API JSON of an expanded record, with its own expand map.
    fn json(&self, c: &Collection, item: Item) -> Value {
        let mut v = record_json(c, &item.rec, visibility_for(c, &item.rec, self.requester));
        if record_enrich::active(self.app) {
            if let Some(ca) = self.collections.iter().find(|x| x.id == c.id) {
                v = record_enrich::enrich_or_keep(
                    self.app,
                    ca,
                    &item.rec,
                    v,
                    self.requester,
                    self.info,
                );
            }
        }
        if let (Some(expand), Value::Object(obj)) = (item.expand, &mut v) {
            obj.insert("expand".into(), Value::Object(expand));
        }
        v
    }

    /// Runs the whole tree over the top-level records; one expand map (or none) per record.
    fn run(
        &self,
        c: &Collection,
        top: Vec<Record>,
        tree: &[ExpandNode],
    ) -> Vec<Option<Map<String, Value>>> {
        let mut items = self.complete(c, top, tree);
        for node in tree {
            self.expand_node(c, &mut items, node, 1);
        }
        items.into_iter().map(|it| it.expand).collect()
    }

    /// Turns the top-level records into items; relation values the caller could not see (hidden
    /// fields) are read from the table.
    fn complete(&self, c: &Collection, mut top: Vec<Record>, tree: &[ExpandNode]) -> Vec<Item> {
        let needed = direct_fields(c, tree);
        let missing: Vec<String> = top
            .iter()
            .filter(|r| needed.iter().any(|f| !r.data.contains_key(*f)))
            .map(|r| r.id().to_string())
            .collect();
        if !missing.is_empty() {
            if let Ok(stored) = relations::find_by_ids(self.conn, c, &missing, None) {
                let stored: HashMap<&str, &Record> = stored.iter().map(|r| (r.id(), r)).collect();
                for rec in &mut top {
                    if let Some(s) = stored.get(rec.id()) {
                        for f in &needed {
                            if !rec.data.contains_key(*f) {
                                if let Some(v) = s.get(f) {
                                    rec.set(f, v.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        top.into_iter()
            .map(|rec| Item { rec, expand: None })
            .collect()
    }
}

/// The relation fields of `c` the first level of `tree` reads directly.
fn direct_fields<'c>(c: &'c Collection, tree: &[ExpandNode]) -> Vec<&'c str> {
    tree.iter()
        .filter(|n| back_relation_parts(&n.name).is_none())
        .filter_map(|n| c.field(&n.name))
        .filter(|f| f.relation().is_some())
        .map(|f| f.name.as_str())
        .collect()
}

fn unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(v.clone())).collect()
}

/// Expands `items` (records of `c`, already serialised for `requester`) in place, as a GET request.
/// `None` or an empty param does nothing. Invalid or forbidden paths are skipped silently.
pub async fn apply(
    app: &App,
    c: &Arc<Collection>,
    items: &mut [Value],
    expand: Option<&str>,
    requester: &Requester,
) {
    let info = request_info(requester, "GET", "expand");
    apply_with_info(app, c, items, expand, requester, info).await;
}

/// [`apply_with_info`] on the `items` of a list envelope.
pub async fn apply_to_page(
    app: &App,
    c: &Arc<Collection>,
    page: &mut Value,
    expand: Option<&str>,
    requester: &Requester,
    info: RequestInfo,
) {
    if let Some(Value::Array(items)) = page.get_mut("items") {
        apply_with_info(app, c, items, expand, requester, info).await;
    }
}

/// Expands the `record` of a `{token, record}` auth answer. The requester becomes the signed-in
/// record (`@request.auth` in the rules, email and hidden-field visibility), like PocketBase.
pub async fn apply_to_auth_response(
    app: &App,
    c: &Arc<Collection>,
    response: &mut Value,
    expand: Option<&str>,
    mut info: RequestInfo,
) {
    if expand.is_none_or(|e| parse(e).is_empty()) {
        return;
    }
    let token = response
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let requester = auth_state::load_token(app, &token, &[TokenType::Auth]).await;
    info.auth = requester
        .as_ref()
        .map(|a| (a.collection.clone(), a.record.data.clone()));
    if let Some(record) = response.get_mut("record") {
        let items = std::slice::from_mut(record);
        apply_with_info(app, c, items, expand, &requester, info).await;
    }
}

/// [`apply`] with the caller's request data for the rules (`context` is set to `expand`).
pub async fn apply_with_info(
    app: &App,
    c: &Arc<Collection>,
    items: &mut [Value],
    expand: Option<&str>,
    requester: &Requester,
    mut info: RequestInfo,
) {
    let tree = parse(expand.unwrap_or_default());
    if tree.is_empty() || items.is_empty() {
        return;
    }
    info.context = "expand".into();
    let top = top_records(c, items, &tree);
    let collections = app.collections();
    let result = app.db().read_now(|conn| {
        let ex = Expander::new(app, conn, &collections, &info, requester);
        Ok(ex.run(c, top, &tree))
    });
    match result {
        Ok(maps) => merge(items, maps),
        Err(e) => tracing::debug!("expand: {e}"),
    }
}

/// The synchronous form of [`apply_with_info`] for code already holding a reader connection (saves
/// a trip to the reader threads).
pub fn expand_in(
    app: &App,
    conn: &Connection,
    c: &Collection,
    items: &mut [Value],
    expand: &str,
    requester: &Requester,
    mut info: RequestInfo,
) {
    let tree = parse(expand);
    if tree.is_empty() || items.is_empty() {
        return;
    }
    info.context = "expand".into();
    let top = top_records(c, items, &tree);
    let collections = app.collections();
    let maps = Expander::new(app, conn, &collections, &info, requester).run(c, top, &tree);
    merge(items, maps);
}

/// The id and the relation values the first level reads, from the serialised top-level records
/// (only these cross to the reader thread).
fn top_records(c: &Collection, items: &[Value], tree: &[ExpandNode]) -> Vec<Record> {
    let needed = direct_fields(c, tree);
    items
        .iter()
        .map(|v| {
            let mut rec = Record::new(&c.id, &c.name);
            if let Some(obj) = v.as_object() {
                for key in std::iter::once("id").chain(needed.iter().copied()) {
                    if let Some(x) = obj.get(key) {
                        rec.set(key, x.clone());
                    }
                }
            }
            rec
        })
        .collect()
}

/// Puts each built expand map into its record (merging into an `expand` already there).
fn merge(items: &mut [Value], maps: Vec<Option<Map<String, Value>>>) {
    for (item, map) in items.iter_mut().zip(maps) {
        let (Some(map), Value::Object(obj)) = (map, item) else {
            continue;
        };
        match obj.get_mut("expand") {
            Some(Value::Object(existing)) => existing.extend(map),
            _ => {
                obj.insert("expand".into(), Value::Object(map));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(nodes: &[ExpandNode]) -> Vec<String> {
        fn walk(prefix: &str, nodes: &[ExpandNode], out: &mut Vec<String>) {
            for n in nodes {
                let p = if prefix.is_empty() {
                    n.name.clone()
                } else {
                    format!("{prefix}.{}", n.name)
                };
                if n.children.is_empty() {
                    out.push(p);
                } else {
                    walk(&p, &n.children, out);
                }
            }
        }
        let mut out = Vec::new();
        walk("", nodes, &mut out);
        out
    }

    #[test]
    fn parse_normalises_and_merges() {
        assert!(parse("").is_empty());
        assert!(parse(" , . ,..").is_empty());
        assert_eq!(names(&parse("author")), ["author"]);
        assert_eq!(
            names(&parse(" author . tags ,..tags..")),
            ["author.tags", "tags"]
        );
        assert_eq!(names(&parse("author,author.user")), ["author.user"]);
        assert_eq!(names(&parse("a.b,a.c,a")), ["a.b", "a.c"]);
        assert_eq!(names(&parse("a,a")), ["a"]);
        assert_eq!(names(&parse("a..b")), ["a..b"]);
    }

    #[test]
    fn parse_cuts_at_six_levels() {
        let tree = parse("a.b.c.d.e.f.g.h");
        assert_eq!(names(&tree), ["a.b.c.d.e.f"]);
    }

    #[test]
    fn back_relation_names() {
        assert_eq!(
            back_relation_parts("comments_via_post"),
            Some(("comments", "post"))
        );
        assert_eq!(back_relation_parts("a_via_b_via_c"), Some(("a_via_b", "c")));
        assert_eq!(back_relation_parts("a_via_b_via_"), Some(("a", "b_via_")));
        assert_eq!(
            back_relation_parts("comments(post)"),
            Some(("comments", "post"))
        );
        assert_eq!(back_relation_parts("_via_x"), None);
        assert_eq!(back_relation_parts("x_via_"), None);
        assert_eq!(back_relation_parts("author"), None);
        assert_eq!(back_relation_parts("a-b_via_c"), None);
        assert_eq!(back_relation_parts("c(p"), None);
    }

    #[test]
    fn relation_ids() {
        assert_eq!(
            ids_of(Some(&Value::String(String::new()))),
            Vec::<String>::new()
        );
        assert_eq!(
            ids_of(Some(&serde_json::json!(["a", "", "b", "a"]))),
            ["a", "b"]
        );
        assert_eq!(ids_of(Some(&serde_json::json!("x"))), ["x"]);
        assert_eq!(
            ids_of(Some(&serde_json::json!("[\"p\",\"q\"]"))),
            ["p", "q"]
        );
        assert_eq!(ids_of(None), Vec::<String>::new());
    }
}
