//! Validation of a collection about to be saved, with PocketBase's codes, messages and nesting.

use crate::model::auth_options::AuthOptions;
use crate::model::collection::RULE_KEYS;
use crate::model::field::value::validate_options;
use crate::model::index::Index;
use crate::model::{Collection, CollectionType, Errors, FieldKind, ValidationError};
use regex::Regex;
use std::sync::OnceLock;

fn word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\w+$").expect("static regex"))
}

/// Names of tables that belong to the app itself.
const INTERNAL_TABLES: [&str; 5] = [
    "_params",
    "_collections",
    "_migrations",
    "_logs",
    "sqlite_master",
];

const RESERVED_FIELD_NAMES: [&str; 7] = [
    "null",
    "true",
    "false",
    "_rowid_",
    "collectionId",
    "collectionName",
    "expand",
];

/// Everything the validator needs to know beyond the collection itself.
pub struct ValidateContext<'a> {
    /// The stored version on updates.
    pub old: Option<&'a Collection>,
    /// Every other collection (as the open transaction sees them).
    pub others: &'a [Collection],
    /// The type text as submitted (to report unknown types).
    pub raw_type: &'a str,
    /// Checks a rule against the collection: `Err(raw message)` when it does not compile.
    pub check_rule: &'a dyn Fn(&Collection, &str) -> Result<(), String>,
    /// Index names that exist on other tables: name -> table.
    pub index_owner: &'a dyn Fn(&str) -> Option<String>,
    /// True when a table/view with this name exists that is not a collection.
    pub is_internal_table: &'a dyn Fn(&str) -> bool,
}

fn err(code: &str, message: &str) -> ValidationError {
    ValidationError::new(code, message)
}

/// Validates `c`; the errors mirror PocketBase's `data` object.
pub fn validate_collection(c: &Collection, cx: &ValidateContext) -> Errors {
    let mut errors = Errors::new();
    validate_id(c, cx, &mut errors);
    validate_name(c, cx, &mut errors);
    if CollectionType::parse(cx.raw_type).is_none() {
        errors.add(
            "type",
            err("validation_in_invalid", "Must be a valid value."),
        );
    } else if cx.old.is_some_and(|o| o.kind.as_str() != cx.raw_type) {
        errors.add(
            "type",
            err(
                "validation_collection_type_change",
                "Collection type cannot be changed.",
            ),
        );
    }
    if let Some(old) = cx.old {
        if old.system != c.system {
            errors.add(
                "system",
                err(
                    "validation_collection_system_flag_change",
                    "System collection state cannot be changed.",
                ),
            );
        }
    }
    validate_fields(c, cx, &mut errors);
    validate_rules(c, cx, &mut errors);
    validate_indexes(c, cx, &mut errors);
    if let Some(auth) = &c.auth {
        validate_auth_options(c, auth, cx, &mut errors);
    }
    errors
}

fn validate_id(c: &Collection, cx: &ValidateContext, errors: &mut Errors) {
    if cx.old.is_some() {
        return;
    }
    if c.id.is_empty() || c.id.chars().count() > 100 || !word_re().is_match(&c.id) {
        errors.add(
            "id",
            err("validation_match_invalid", "Must be in a valid format."),
        );
    } else if cx.others.iter().any(|o| o.id.eq_ignore_ascii_case(&c.id)) {
        errors.add(
            "id",
            err(
                "validation_invalid_or_existing_id",
                "The model id is invalid or already exists.",
            ),
        );
    }
}

fn validate_name(c: &Collection, cx: &ValidateContext, errors: &mut Errors) {
    let name = &c.name;
    if name.is_empty() {
        errors.add("name", ValidationError::required());
        return;
    }
    if name.chars().count() > 255 {
        errors.add(
            "name",
            err(
                "validation_length_too_long",
                "The length must be no more than {max}.",
            )
            .param("max", 255),
        );
        return;
    }
    if !word_re().is_match(name) {
        errors.add(
            "name",
            err("validation_match_invalid", "Must be in a valid format."),
        );
        return;
    }
    if name.to_lowercase().contains("_via_") {
        errors.add(
            "name",
            err(
                "validation_found_via",
                "The value cannot contain \"_via_\".",
            ),
        );
        return;
    }
    if let Some(old) = cx.old {
        if old.system && old.name != *name {
            errors.add(
                "name",
                err(
                    "validation_collection_system_name_change",
                    "System collection name cannot be changed.",
                ),
            );
            return;
        }
    }
    if cx.others.iter().any(|o| o.name.eq_ignore_ascii_case(name)) {
        errors.add(
            "name",
            err(
                "validation_collection_name_exists",
                "Collection name must be unique (case insensitive).",
            ),
        );
        return;
    }
    if cx.others.iter().any(|o| o.id.eq_ignore_ascii_case(name)) {
        errors.add(
            "name",
            err(
                "validation_collection_name_id_duplicate",
                "The name must not match an existing collection id.",
            ),
        );
        return;
    }
    let renamed = cx.old.is_none_or(|o| !o.name.eq_ignore_ascii_case(name));
    if renamed
        && (INTERNAL_TABLES.iter().any(|t| t.eq_ignore_ascii_case(name))
            || (cx.is_internal_table)(name))
    {
        errors.add(
            "name",
            err(
                "validation_collection_name_invalid",
                "The name shouldn't match with an existing internal table.",
            ),
        );
    }
}

fn validate_fields(c: &Collection, cx: &ValidateContext, errors: &mut Errors) {
    if let Some(old) = cx.old {
        for of in old.fields.iter().filter(|f| f.system) {
            match c.field_by_id(&of.id) {
                Some(nf) if nf.name == of.name => {}
                _ if c.is_view() => {}
                _ => {
                    errors.add(
                        "fields",
                        err(
                            "validation_system_field_change",
                            "System fields cannot be deleted or renamed.",
                        ),
                    );
                    return;
                }
            }
        }
    }
    if c.is_view() {
        return;
    }
    let pk = c.fields.iter().filter(|f| f.is_primary_key()).count();
    let id_ok = c.field("id").is_some_and(|f| {
        matches!(&f.kind, FieldKind::Text(o) if o.primary_key && o.required && !o.pattern.is_empty()) && !f.hidden
    });
    if pk != 1 || !id_ok {
        errors.add(
            "fields",
            err(
                "validation_missing_primary_key",
                "Missing or invalid \"id\" PK field.",
            ),
        );
        return;
    }
    let mut nested = Errors::new();
    let mut seen_names: Vec<String> = Vec::new();
    let mut seen_ids: Vec<String> = Vec::new();
    for (i, f) in c.fields.iter().enumerate() {
        let mut fe = Errors::new();
        let lower = f.name.to_lowercase();
        if f.name.is_empty() {
            fe.add("name", ValidationError::required());
        } else if f.name.chars().count() > 100 {
            fe.add(
                "name",
                err(
                    "validation_length_too_long",
                    "The length must be no more than {max}.",
                )
                .param("max", 100),
            );
        } else if !word_re().is_match(&f.name) {
            fe.add(
                "name",
                err("validation_match_invalid", "Must be in a valid format."),
            );
        } else if lower.contains("_via_") {
            fe.add(
                "name",
                err(
                    "validation_found_via",
                    "The value cannot contain \"_via_\".",
                ),
            );
        } else if RESERVED_FIELD_NAMES.contains(&f.name.as_str()) {
            fe.add(
                "name",
                err("validation_not_in_invalid", "Must not be in list."),
            );
        } else if c.is_auth() && (f.name == "passwordConfirm" || f.name == "oldPassword") {
            fe.add(
                "name",
                err(
                    "validation_reserved_field_name",
                    "The field name is reserved and cannot be used.",
                ),
            );
        } else if seen_names.contains(&lower) {
            fe.add(
                "name",
                err(
                    "validation_duplicated_field_name",
                    "Duplicated or invalid field name {fieldName}.",
                )
                .param("fieldName", f.name.clone()),
            );
        }
        seen_names.push(lower);
        if f.id.is_empty() {
            fe.add("id", ValidationError::required());
        } else if seen_ids.contains(&f.id) {
            fe.add(
                "id",
                err(
                    "validation_duplicated_field_id",
                    "Duplicated or invalid field id {fieldId}.",
                )
                .param("fieldId", f.id.clone()),
            );
        }
        seen_ids.push(f.id.clone());
        if let Some(of) = cx.old.and_then(|o| o.field_by_id(&f.id)) {
            if of.type_name() != f.type_name() {
                fe.add(
                    "type",
                    err(
                        "validation_field_type_change",
                        "Field type cannot be changed.",
                    ),
                );
            }
            if let (Some(a), Some(b)) = (of.relation(), f.relation()) {
                if a.collection_id != b.collection_id {
                    fe.add(
                        "collectionId",
                        err(
                            "validation_field_relation_change",
                            "The relation collection cannot be changed.",
                        ),
                    );
                }
            }
        }
        if f.is_primary_key() && f.name != "id" {
            fe.add(
                "primaryKey",
                err(
                    "validation_in_invalid",
                    "The primary key must be named \"id\".",
                ),
            );
        }
        if let Some(rel) = f.relation() {
            if !fe.has("collectionId") && !rel.collection_id.is_empty() {
                let target = cx.others.iter().find(|o| o.id == rel.collection_id);
                let self_ref = rel.collection_id == c.id;
                match target {
                    None if !self_ref => fe.add(
                        "collectionId",
                        err(
                            "validation_field_relation_missing_collection",
                            "The relation collection doesn't exist.",
                        ),
                    ),
                    Some(t) if t.is_view() && !c.is_view() => fe.add(
                        "collectionId",
                        err(
                            "validation_field_relation_view",
                            "Non view collections are not allowed to have a view relation.",
                        ),
                    ),
                    _ => {}
                }
            }
        }
        fe.extend(validate_options(f));
        nested.add_nested(i.to_string(), fe);
    }
    errors.add_nested("fields", nested);
}

fn validate_rules(c: &Collection, cx: &ValidateContext, errors: &mut Errors) {
    for key in RULE_KEYS {
        let rule = c.rule(key);
        if c.is_view() && matches!(key, "createRule" | "updateRule" | "deleteRule") {
            if rule.is_some() {
                errors.add(key, err("validation_nil", "Must be blank."));
            }
            continue;
        }
        if let Some(old) = cx.old {
            if old.system && old.rule(key) != rule {
                errors.add(
                    key,
                    err(
                        "validation_collection_system_rule_change",
                        "System collection API rule cannot be changed.",
                    ),
                );
                continue;
            }
        }
        if let Some(r) = rule {
            check_rule_into(c, cx, key, r, errors);
        }
    }
}

fn check_rule_into(
    c: &Collection,
    cx: &ValidateContext,
    key: &str,
    rule: &str,
    errors: &mut Errors,
) {
    if rule.trim().is_empty() {
        return;
    }
    if let Err(raw) = (cx.check_rule)(c, rule) {
        let mut raw = raw;
        if !raw.ends_with('.') {
            raw.push('.');
        }
        errors.add(
            key,
            ValidationError::new(
                "validation_invalid_rule",
                &format!("Invalid rule. Raw error: {raw}"),
            ),
        );
    }
}

fn validate_indexes(c: &Collection, cx: &ValidateContext, errors: &mut Errors) {
    if c.is_view() {
        if !c.indexes.is_empty() {
            errors.add(
                "indexes",
                err(
                    "validation_indexes_not_supported",
                    "The collection doesn't support indexes.",
                ),
            );
        }
        return;
    }
    let mut nested = Errors::new();
    let mut names: Vec<String> = Vec::new();
    let mut defs: Vec<String> = Vec::new();
    for (i, raw) in c.indexes.iter().enumerate() {
        let Some(idx) = Index::parse(raw) else {
            nested.add(
                i.to_string(),
                err(
                    "validation_invalid_index_expression",
                    "Invalid CREATE INDEX expression.",
                ),
            );
            continue;
        };
        let lname = idx.name.to_lowercase();
        if names.contains(&lname) {
            nested.add(
                i.to_string(),
                err(
                    "validation_duplicated_index_name",
                    "The index name already exists.",
                ),
            );
            continue;
        }
        names.push(lname);
        let mut def = idx.clone();
        def.name.clear();
        def.table.clear();
        let def = def.build().to_lowercase();
        if defs.contains(&def) {
            nested.add(
                i.to_string(),
                err(
                    "validation_duplicated_index_definition",
                    "The index definition already exists.",
                ),
            );
            continue;
        }
        defs.push(def);
        if let Some(table) = (cx.index_owner)(&idx.name) {
            let own = table.eq_ignore_ascii_case(&c.name)
                || cx.old.is_some_and(|o| o.name.eq_ignore_ascii_case(&table));
            if !own {
                nested.add(
                    i.to_string(),
                    err(
                        "validation_existing_index_name",
                        "The index name is already used in {usedTableName} collection.",
                    )
                    .param("usedTableName", table),
                );
            }
        }
    }
    errors.add_nested("indexes", nested);
    if c.is_auth() && !errors.has("indexes") {
        for column in ["tokenKey", "email"] {
            let found = c.indexes.iter().filter_map(|i| Index::parse(i)).any(|i| {
                i.unique && i.columns.len() == 1 && i.columns[0].name.eq_ignore_ascii_case(column)
            });
            if !found {
                errors.add(
                    "indexes",
                    err(
                        "validation_missing_required_unique_index",
                        "Missing required unique index for field {fieldName}.",
                    )
                    .param("fieldName", column),
                );
                break;
            }
        }
    }
}

fn duration_check(value: i64, min: i64, max: i64) -> Option<ValidationError> {
    if value < min {
        Some(
            err(
                "validation_min_greater_equal_than_required",
                "Must be no less than {threshold}.",
            )
            .param("threshold", min),
        )
    } else if value > max {
        Some(
            err(
                "validation_max_less_equal_than_required",
                "Must be no greater than {threshold}.",
            )
            .param("threshold", max),
        )
    } else {
        None
    }
}

fn validate_auth_options(
    c: &Collection,
    a: &AuthOptions,
    cx: &ValidateContext,
    errors: &mut Errors,
) {
    if let Some(rule) = &a.auth_rule {
        check_rule_into(c, cx, "authRule", rule, errors);
    }
    match &a.manage_rule {
        Some(rule) if rule.trim().is_empty() => {
            errors.add(
                "manageRule",
                err("validation_nil_or_not_empty_required", "Cannot be blank."),
            );
        }
        Some(rule) => check_rule_into(c, cx, "manageRule", rule, errors),
        None => {}
    }
    // passwordAuth identity fields need a single-column UNIQUE index
    let mut pa = Errors::new();
    for name in &a.password_auth.identity_fields {
        let has_unique = c.indexes.iter().filter_map(|i| Index::parse(i)).any(|i| {
            i.unique && i.columns.len() == 1 && i.columns[0].name.eq_ignore_ascii_case(name)
        });
        if !has_unique {
            pa.add(
                "identityFields",
                err(
                    "validation_missing_unique_constraint",
                    "The field {fieldName} doesn't have a UNIQUE constraint.",
                )
                .param("fieldName", name.clone()),
            );
            break;
        }
    }
    errors.add_nested("passwordAuth", pa);
    super::auth_anonymous::validate_options(c, a, errors);
    if a.mfa.enabled {
        let mut e = Errors::new();
        if let Some(v) = duration_check(a.mfa.duration, 10, 86400) {
            e.add("duration", v);
        }
        let methods = [a.password_auth.enabled, a.oauth2.enabled, a.otp.enabled]
            .iter()
            .filter(|b| **b)
            .count();
        if methods < 2 && e.is_empty() {
            e.add(
                "enabled",
                err(
                    "validation_mfa_not_enough_auths",
                    "MFA requires at least 2 auth methods to be enabled.",
                ),
            );
        }
        if !a.mfa.rule.trim().is_empty() {
            if let Err(raw) = (cx.check_rule)(c, &a.mfa.rule) {
                e.add(
                    "rule",
                    ValidationError::new(
                        "validation_invalid_rule",
                        &format!("Invalid rule. Raw error: {raw}"),
                    ),
                );
            }
        }
        errors.add_nested("mfa", e);
    }
    if a.otp.enabled {
        let mut e = Errors::new();
        if let Some(v) = duration_check(a.otp.duration, 10, 86400) {
            e.add("duration", v);
        }
        if a.otp.length < 4 {
            e.add(
                "length",
                err(
                    "validation_min_greater_equal_than_required",
                    "Must be no less than {threshold}.",
                )
                .param("threshold", 4),
            );
        }
        errors.add_nested("otp", e);
    }
    let tokens = [
        ("authToken", &a.auth_token),
        ("passwordResetToken", &a.password_reset_token),
        ("emailChangeToken", &a.email_change_token),
        ("verificationToken", &a.verification_token),
        ("fileToken", &a.file_token),
    ];
    for (key, t) in tokens {
        let mut e = Errors::new();
        if let Some(v) = duration_check(t.duration, 10, 94_670_856) {
            e.add("duration", v);
        }
        let n = t.secret.chars().count();
        if !(30..=255).contains(&n) {
            e.add(
                "secret",
                err(
                    "validation_length_out_of_range",
                    "The length must be between {min} and {max}.",
                )
                .param("min", 30)
                .param("max", 255),
            );
        }
        errors.add_nested(key, e);
    }
    let templates = [
        ("verificationTemplate", &a.verification_template),
        ("resetPasswordTemplate", &a.reset_password_template),
        (
            "confirmEmailChangeTemplate",
            &a.confirm_email_change_template,
        ),
    ];
    for (key, t) in templates {
        let mut e = Errors::new();
        if t.subject.trim().is_empty() {
            e.add("subject", ValidationError::required());
        }
        if t.body.trim().is_empty() {
            e.add("body", ValidationError::required());
        }
        errors.add_nested(key, e);
    }
    if a.oauth2.enabled {
        let list = oauth2_provider_errors(&a.oauth2.providers);
        let mut o = Errors::new();
        o.add_nested("providers", list);
        errors.add_nested("oauth2", o);
    }
}

/// `oauth2.providers` of an enabled OAuth2 config: duplicates are reported alone (like PocketBase);
/// otherwise each entry needs a known name, clientId, clientSecret and valid URLs.
fn oauth2_provider_errors(providers: &[crate::model::auth_options::OAuth2Provider]) -> Errors {
    let mut list = Errors::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, p) in providers.iter().enumerate() {
        if !p.name.is_empty() && seen.contains(&p.name.as_str()) {
            let mut e = Errors::new();
            e.add(
                "name",
                err(
                    "validation_duplicated_provider",
                    "The provider {name} is already registered.",
                )
                .param("name", p.name.clone()),
            );
            list.add_nested(i.to_string(), e);
        }
        seen.push(&p.name);
    }
    if !list.is_empty() {
        return list;
    }
    for (i, p) in providers.iter().enumerate() {
        let mut e = Errors::new();
        if p.name.is_empty() {
            e.add("name", ValidationError::required());
        } else if crate::auth::oauth2::find(&p.name).is_none() {
            e.add(
                "name",
                err(
                    "validation_missing_provider",
                    "Invalid or missing provider with name {name}.",
                )
                .param("name", p.name.clone()),
            );
            list.add_nested(i.to_string(), e);
            continue;
        }
        if p.client_id.is_empty() {
            e.add("clientId", ValidationError::required());
        }
        if p.client_secret.is_empty() {
            e.add("clientSecret", ValidationError::required());
        }
        for (key, url) in [
            ("authURL", &p.auth_url),
            ("tokenURL", &p.token_url),
            ("userInfoURL", &p.user_info_url),
        ] {
            if !url.is_empty() && !crate::model::settings::is_valid_url(url) {
                e.add(key, err("validation_is_url", "Must be a valid URL."));
            }
        }
        list.add_nested(i.to_string(), e);
    }
    list
}
