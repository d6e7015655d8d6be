//! Resolution of one identifier: record field paths (relations, back relations, JSON paths), their
//! modifiers, `@collection.*`, and the multi-match subquery that mirrors the joins (spec 03 §2–§5).

use super::super::sql::ident;
use super::joins::{col, columnify, json_array_length, json_each, json_extract, json_path, Join};
use super::{request, RecordResolver, ResolverMode, MAX_RELATION_HOPS};
use crate::filter::{FilterError, MultiMatch, NullFallback, ResolvedOperand, SqlValue};
use crate::model::index::Index;
use crate::model::{Collection, Field, FieldKind};

/// The modifiers of a last path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Modifier {
    Isset,
    Each,
    Length,
    Lower,
}

pub(super) fn err(msg: String) -> FilterError {
    FilterError::Resolve(msg)
}

/// Splits `name:modifier`. Exactly one `:` makes a modifier, which must be known; any other number of
/// colons leaves the segment whole (it then fails as an unknown field).
pub(super) fn split_modifier(prop: &str) -> Result<(&str, Option<Modifier>), FilterError> {
    let mut parts = prop.split(':');
    let (Some(name), Some(modifier), None) = (parts.next(), parts.next(), parts.next()) else {
        return Ok((prop, None));
    };
    let m = match modifier {
        "isset" => Modifier::Isset,
        "each" => Modifier::Each,
        "length" => Modifier::Length,
        "lower" => Modifier::Lower,
        _ => return Err(err(format!("unknown modifier in {prop:?}"))),
    };
    Ok((name, Some(m)))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `[\w.:]*\w`
fn word_path(s: &str) -> bool {
    s.chars().all(|c| is_word(c) || c == '.' || c == ':') && s.ends_with(is_word)
}

/// The identifier shapes PocketBase accepts at all.
fn allowed(id: &str) -> bool {
    if id == "@request.context" || id == "@request.method" {
        return true;
    }
    for prefix in [
        "@request.auth.",
        "@request.body.",
        "@request.query.",
        "@request.headers.",
    ] {
        if let Some(rest) = id.strip_prefix(prefix) {
            return word_path(rest);
        }
    }
    if let Some(rest) = id.strip_prefix("@collection.") {
        let Some((head, tail)) = rest.split_once('.') else {
            return false;
        };
        let head_ok = match head.split_once(':') {
            Some((n, a)) => {
                !n.is_empty() && n.chars().all(is_word) && !a.is_empty() && a.chars().all(is_word)
            }
            None => !head.is_empty() && head.chars().all(is_word),
        };
        return head_ok && word_path(tail);
    }
    id.starts_with(is_word) && id.chars().all(|c| is_word(c) || c == '.' || c == ':')
}

/// Resolves one identifier against the resolver's base collection.
pub(super) fn resolve(
    r: &mut RecordResolver<'_>,
    identifier: &str,
) -> Result<ResolvedOperand, FilterError> {
    if !allowed(identifier) {
        return Err(err(format!("failed to resolve field {identifier:?}")));
    }
    let props: Vec<&str> = identifier.split('.').collect();
    let mut run = Run::new(r, identifier);
    match props[0] {
        "@collection" => run.collection_field(&props),
        "@request" => request::resolve(&mut run, &props),
        _ => run.process(&props),
    }
}

/// The multi-match subquery being built alongside the main joins.
pub(super) struct Mm {
    pub enabled: bool,
    from_table: String,
    from_alias: String,
    base_alias: String,
    pub joins: Vec<Join>,
    pub active: String,
    pub params: Vec<(String, SqlValue)>,
    pub value: String,
}

impl Mm {
    fn build(&self) -> MultiMatch {
        let mut from = format!("{} {}", ident(&self.from_table), ident(&self.from_alias));
        for j in &self.joins {
            from.push(' ');
            from.push_str(&j.sql());
        }
        from.push_str(&format!(
            " WHERE {} = {}",
            col(&self.from_alias, "id"),
            col(&self.base_alias, "id")
        ));
        MultiMatch {
            value_sql: self.value.clone(),
            from_sql: from,
            params: self.params.clone(),
        }
    }
}

/// The state of one identifier's resolution (PocketBase's "runner").
pub(super) struct Run<'r, 'a> {
    pub r: &'r mut RecordResolver<'a>,
    pub full: &'r str,
    pub coll: &'a Collection,
    pub alias: String,
    pub allow_hidden: bool,
    pub nullify_missing: bool,
    pub mm: Mm,
}

fn is_multi_valuer(f: &Field) -> bool {
    matches!(
        f.kind,
        FieldKind::Select(_) | FieldKind::File(_) | FieldKind::Relation(_)
    )
}

/// `<coll>_via_<field>` (the last `_via_` splits, like PocketBase's greedy pattern).
fn split_via(prop: &str) -> Option<(&str, &str)> {
    let (c, f) = prop.rsplit_once("_via_")?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(is_word);
    (ok(c) && ok(f)).then_some((c, f))
}

fn has_single_unique_index(c: &Collection, column: &str) -> bool {
    c.indexes
        .iter()
        .filter_map(|sql| Index::parse(sql))
        .any(|idx| idx.is_single_unique_on(column))
}

impl<'r, 'a> Run<'r, 'a> {
    fn new(r: &'r mut RecordResolver<'a>, full: &'r str) -> Self {
        let from_alias = format!("__mm_{}", r.base_alias);
        Run {
            coll: r.collection,
            alias: r.base_alias.clone(),
            allow_hidden: r.mode == ResolverMode::Rule,
            nullify_missing: false,
            mm: Mm {
                enabled: false,
                from_table: r.base_table.clone(),
                from_alias: from_alias.clone(),
                base_alias: r.base_alias.clone(),
                joins: Vec::new(),
                active: from_alias,
                params: Vec::new(),
                value: String::new(),
            },
            full,
            r,
        }
    }

    pub(super) fn finish(&self, mut out: ResolvedOperand) -> ResolvedOperand {
        if self.mm.enabled {
            out.multi_match = Some(self.mm.build());
        }
        out
    }

    /// Walks the path segments from the active collection (PocketBase's `processActiveProps`).
    pub(super) fn process(&mut self, props: &[&str]) -> Result<ResolvedOperand, FilterError> {
        let total = props.len();
        for (i, prop) in props.iter().enumerate() {
            if i + 1 == total {
                return self.last_prop(prop);
            }
            let field = self.coll.field(prop);
            if let Some(f) = field {
                if f.hidden && !self.allow_hidden {
                    return Err(err(format!("non-filterable field {prop:?}")));
                }
                if matches!(f.kind, FieldKind::Json(_) | FieldKind::GeoPoint(_)) {
                    return Ok(self.json_path(f, &props[i + 1..]));
                }
            }
            if i >= MAX_RELATION_HOPS {
                return Err(err(format!("max nested relations reached for {prop:?}")));
            }
            match field {
                None => self.back_relation(prop)?,
                Some(f) => {
                    let Some(rel) = f.relation() else {
                        return Err(err(format!("field {prop:?} is not a valid relation")));
                    };
                    let target = self
                        .r
                        .find_collection(&rel.collection_id)
                        .ok_or_else(|| err(format!("failed to load field {prop:?} collection")))?;
                    // `rel.id` of a single relation is the stored column itself: no join
                    if !f.is_multiple() && i + 2 == total && props[i + 1] == "id" {
                        return self.last_prop(prop);
                    }
                    self.relation(f, target)?;
                }
            }
        }
        Err(err(format!("failed to resolve field {:?}", self.full)))
    }

    fn last_prop(&mut self, prop: &str) -> Result<ResolvedOperand, FilterError> {
        let (name, modifier) = split_modifier(prop)?;
        let Some(field) = self.coll.field(name) else {
            if self.nullify_missing {
                return Ok(ResolvedOperand::null());
            }
            return Err(err(format!("unknown field {name:?}")));
        };
        if field.hidden && !self.allow_hidden {
            return Err(err(format!("non-filterable field {name:?}")));
        }
        let column = col(&self.alias, &field.name);
        let mm_column = col(&self.mm.active, &field.name);
        let multi_valuer = is_multi_valuer(field);
        if modifier == Some(Modifier::Length) && multi_valuer {
            self.mm.value = json_array_length(&mm_column);
            return Ok(self.finish(ResolvedOperand::sql(json_array_length(&column))));
        }
        if modifier == Some(Modifier::Each) && multi_valuer {
            let je = format!("__je_{}_{}", self.alias, field.name);
            self.r
                .register_join(Join::expr(json_each(&column), &je), None)?;
            if field.is_multiple() {
                self.mm.enabled = true;
            }
            if self.mm.enabled {
                let je2 = format!("__je_{}_{}", self.mm.active, field.name);
                self.mm.joins.push(Join::expr(json_each(&mm_column), &je2));
                self.mm.value = format!("{}.`value`", ident(&je2));
            }
            return Ok(self.finish(ResolvedOperand::sql(format!("{}.`value`", ident(&je)))));
        }
        let mut out = ResolvedOperand::sql(column.clone());
        let mut mm_value = mm_column.clone();
        if field.name == "email" && !self.allow_hidden && self.coll.is_auth() {
            out.and_condition = Some(format!("{} = TRUE", col(&self.alias, "emailVisibility")));
        }
        if matches!(field.kind, FieldKind::Json(_)) {
            out.sql = json_extract(&column, "");
            out.null_fallback = NullFallback::Disabled;
            mm_value = json_extract(&mm_column, "");
        }
        if modifier == Some(Modifier::Lower) {
            out.sql = format!("LOWER({})", out.sql);
            mm_value = format!("LOWER({mm_value})");
        }
        self.mm.value = mm_value;
        Ok(self.finish(out))
    }

    /// The rest of the path inside a JSON (or geoPoint) field.
    fn json_path(&mut self, f: &Field, rest: &[&str]) -> ResolvedOperand {
        let path = json_path(rest);
        let out = ResolvedOperand::sql(json_extract(&col(&self.alias, &f.name), &path))
            .with_null_fallback(NullFallback::Disabled);
        self.mm.value = json_extract(&col(&self.mm.active, &f.name), &path);
        self.finish(out)
    }

    /// Joins the target of relation field `f` (`rel.<…>`).
    fn relation(&mut self, f: &Field, target: &'a Collection) -> Result<(), FilterError> {
        let name = &f.name;
        let column = col(&self.alias, name);
        let new_alias = format!("{}_{}", self.alias, name);
        let id = col(&new_alias, "id");
        if f.is_multiple() {
            let je = format!("__je_{}_{}", self.alias, name);
            self.r
                .register_join(Join::expr(json_each(&column), &je), None)?;
            let on = format!("{id} = {}.`value`", ident(&je));
            self.r.register_join(
                Join::table(&target.name, &new_alias, Some(on)),
                Some(target),
            )?;
            self.mm.enabled = true;
        } else {
            let on = format!("{id} = {column}");
            self.r.register_join(
                Join::table(&target.name, &new_alias, Some(on)),
                Some(target),
            )?;
        }
        self.coll = target;
        self.alias = new_alias;

        let mm_alias = format!("{}_{}", self.mm.active, name);
        let mm_column = col(&self.mm.active, name);
        let mm_id = col(&mm_alias, "id");
        if f.is_multiple() {
            let je2 = format!("{}_{}_je", self.mm.active, name);
            self.mm.joins.push(Join::expr(json_each(&mm_column), &je2));
            let on = format!("{mm_id} = {}.`value`", ident(&je2));
            self.mm
                .joins
                .push(Join::table(&target.name, &mm_alias, Some(on)));
        } else {
            let on = format!("{mm_id} = {mm_column}");
            self.mm
                .joins
                .push(Join::table(&target.name, &mm_alias, Some(on)));
        }
        self.mm.active = mm_alias;
        Ok(())
    }

    /// Joins the records of `<coll>_via_<field>` that reference the active record.
    fn back_relation(&mut self, prop: &str) -> Result<(), FilterError> {
        let Some((coll_name, field_name)) = split_via(prop) else {
            return Err(err(format!("failed to resolve field {prop:?}")));
        };
        let back = self.r.find_collection(coll_name).ok_or_else(|| {
            err(format!(
                "failed to load back relation field {prop:?} collection"
            ))
        })?;
        let Some(bf) = back.field(field_name) else {
            return Err(err(format!("missing back relation field {field_name:?}")));
        };
        let Some(rel) = bf.relation() else {
            return Err(err(format!("invalid back relation field {field_name:?}")));
        };
        if bf.hidden && !self.allow_hidden {
            return Err(err(format!(
                "non-filterable back relation field {field_name:?}"
            )));
        }
        if rel.collection_id != self.coll.id {
            return Err(err(format!(
                "invalid back relation field {field_name:?} collection reference"
            )));
        }
        let multi_field = bf.is_multiple();
        let is_multi = multi_field || !has_single_unique_index(back, &bf.name);
        let new_alias = format!("{}_{}", self.alias, prop);
        let on = back_on(
            &col(&new_alias, &bf.name),
            &new_alias,
            &self.alias,
            multi_field,
        );
        self.r
            .register_join(Join::table(&back.name, &new_alias, Some(on)), Some(back))?;
        self.coll = back;
        self.alias = new_alias;

        if is_multi {
            self.mm.enabled = true;
        }
        let mm_alias = format!("{}_{}", self.mm.active, prop);
        let on = back_on(
            &col(&mm_alias, &bf.name),
            &mm_alias,
            &self.mm.active,
            multi_field,
        );
        self.mm
            .joins
            .push(Join::table(&back.name, &mm_alias, Some(on)));
        self.mm.active = mm_alias;
        Ok(())
    }

    /// `@collection.<name>[:alias].<path>`: a join of every row of another collection.
    fn collection_field(&mut self, props: &[&str]) -> Result<ResolvedOperand, FilterError> {
        if props.len() < 3 {
            return Err(err(format!(
                "invalid @collection field path in {:?}",
                self.full
            )));
        }
        let (name, alias) = match props[1].split_once(':') {
            Some((n, a)) => (n, Some(a).filter(|a| !a.is_empty())),
            None => (props[1], None),
        };
        let target = self.r.find_collection(name).ok_or_else(|| {
            err(format!(
                "failed to load collection {name:?} from field path {:?}",
                self.full
            ))
        })?;
        self.coll = target;
        self.alias = match alias {
            Some(a) => columnify(&format!("__collection_alias_{a}")),
            None => columnify(&format!("__collection_{}", target.name)),
        };
        self.allow_hidden = true;
        self.mm.enabled = true;
        self.r
            .register_join(Join::table(&target.name, &self.alias, None), Some(target))?;
        self.mm.active = format!("__mm_{}", self.alias);
        self.mm
            .joins
            .push(Join::table(&target.name, &self.mm.active, None));
        self.process(&props[2..])
    }
}

/// The ON clause of a back-relation join.
fn back_on(back_column: &str, back_alias: &str, active_alias: &str, multi_field: bool) -> String {
    let active_id = col(active_alias, "id");
    if multi_field {
        let je = ident(&format!("__je_{back_alias}"));
        format!(
            "{active_id} IN (SELECT {je}.`value` FROM {} {je})",
            json_each(back_column)
        )
    } else {
        format!("{back_column} = {active_id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_shapes() {
        for ok in [
            "title",
            "a.b:lower",
            "@request.context",
            "@request.method",
            "@request.auth.id",
            "@request.body.a.b:each",
            "@request.query.x",
            "@request.headers.user_agent",
            "@collection.posts.title",
            "@collection.posts:p.title:lower",
            "null",
        ] {
            assert!(allowed(ok), "{ok}");
        }
        for bad in [
            "@request",
            "@request.x",
            "@request.method:lower",
            "@request.method.x",
            "@request.body",
            "@request.body.a:",
            "@collection.posts",
            "@collection.posts:.title",
            "@collection.posts:a:b.title",
            "#x",
            "@now",
        ] {
            assert!(!allowed(bad), "{bad}");
        }
    }

    #[test]
    fn modifiers_and_via() {
        assert_eq!(split_modifier("a").unwrap(), ("a", None));
        assert_eq!(
            split_modifier("a:each").unwrap(),
            ("a", Some(Modifier::Each))
        );
        assert_eq!(split_modifier("a:b:c").unwrap(), ("a:b:c", None));
        assert!(split_modifier("a:upper").is_err());
        assert!(split_modifier("a:changed").is_err());
        assert_eq!(split_via("comments_via_post"), Some(("comments", "post")));
        assert_eq!(split_via("a_via_b_via_c"), Some(("a_via_b", "c")));
        assert_eq!(split_via("comments_via_"), None);
        assert_eq!(split_via("title"), None);
    }
}
