//! Field-settings validation on collection save: per-type option bounds, regex compilation, autogenerate
//! samples, domain lists, thumb formats and `help`. Field names and cross-field rules are the collection's job.

use super::super::{Field, FieldKind, TextOptions};
use super::check::check_text;
use super::formats::is_domain;
use super::pattern::generate_from_pattern;
use super::{DEFAULT_PASSWORD_MAX, MAX_SAFE_INT};
use crate::model::json_number;
use crate::model::validation::{Errors, ValidationError};
use regex::Regex;
use std::sync::OnceLock;

/// How many autogenerate samples must pass the field's own validation.
const AUTOGENERATE_SAMPLES: usize = 10;

/// Validates the type-specific settings of one field. Keys are option names (`min`, `values`, `thumbs`
/// with nested list indexes...), to be nested by the caller under `fields.<index>`.
pub fn validate_options(field: &Field) -> Errors {
    let mut e = Errors::new();
    match &field.kind {
        FieldKind::Text(o) => {
            int_bounds(&mut e, "min", o.min, Some(0), Some(MAX_SAFE_INT));
            int_bounds(&mut e, "max", o.max, Some(o.min), Some(MAX_SAFE_INT));
            check_regex(&mut e, "pattern", &o.pattern);
            check_regex(&mut e, "autogeneratePattern", &o.autogenerate_pattern);
            if !e.has("autogeneratePattern") && !e.has("pattern") {
                check_autogenerate(&mut e, o);
            }
            if o.primary_key {
                if o.pattern.is_empty() {
                    e.add("pattern", ValidationError::required());
                }
                if !o.required {
                    e.add("required", ValidationError::required());
                }
            }
            check_help(&mut e, &o.help);
        }
        FieldKind::Editor(o) => {
            int_bounds(&mut e, "maxSize", o.max_size, Some(0), Some(MAX_SAFE_INT));
            check_help(&mut e, &o.help);
        }
        FieldKind::Number(o) => {
            for (key, bound) in [("min", o.min), ("max", o.max)] {
                if o.only_int && bound.is_some_and(|b| b.fract() != 0.0) {
                    e.add(
                        key,
                        ValidationError::new(
                            "validation_only_int_constraint",
                            "Decimal numbers are not allowed.",
                        ),
                    );
                }
            }
            if let (Some(min), Some(max)) = (o.min, o.max) {
                if max < min {
                    e.add(
                        "max",
                        ValidationError::new(
                            "validation_min_number_constraint",
                            "Must be greater or equal than {min}.",
                        )
                        .param("min", json_number(min)),
                    );
                }
            }
            check_help(&mut e, &o.help);
        }
        FieldKind::Bool(o) => check_help(&mut e, &o.help),
        FieldKind::Email(o) => {
            check_domains(&mut e, &o.only_domains, &o.except_domains);
            check_help(&mut e, &o.help);
        }
        FieldKind::Url(o) => {
            check_domains(&mut e, &o.only_domains, &o.except_domains);
            check_help(&mut e, &o.help);
        }
        FieldKind::Date(o) => check_help(&mut e, &o.help),
        FieldKind::Autodate(o) => {
            if !o.on_create && !o.on_update {
                let err = ValidationError::new(
                    "validation_required",
                    "Either onCreate or onUpdate must be enabled.",
                );
                e.add("onCreate", err.clone());
                e.add("onUpdate", err);
            }
        }
        FieldKind::Select(o) => {
            if o.values.is_empty() {
                e.add("values", ValidationError::required());
            }
            int_bounds(
                &mut e,
                "maxSelect",
                o.max_select,
                Some(0),
                Some(o.values.len() as i64),
            );
            check_help(&mut e, &o.help);
        }
        FieldKind::File(o) => {
            int_bounds(
                &mut e,
                "maxSelect",
                o.max_select,
                Some(0),
                Some(MAX_SAFE_INT),
            );
            int_bounds(&mut e, "maxSize", o.max_size, Some(0), Some(MAX_SAFE_INT));
            let mut thumbs = Errors::new();
            for (i, thumb) in o.thumbs.iter().enumerate() {
                if let Some(err) = thumb_error(thumb) {
                    thumbs.add(i.to_string(), err);
                }
            }
            e.add_nested("thumbs", thumbs);
            check_help(&mut e, &o.help);
        }
        FieldKind::Relation(o) => {
            if o.collection_id.is_empty() {
                e.add("collectionId", ValidationError::required());
            }
            int_bounds(
                &mut e,
                "minSelect",
                o.min_select,
                Some(0),
                Some(MAX_SAFE_INT),
            );
            if o.min_select > 0 && o.max_select == 0 {
                e.add("maxSelect", ValidationError::required());
            }
            int_bounds(
                &mut e,
                "maxSelect",
                o.max_select,
                Some(o.min_select),
                Some(MAX_SAFE_INT),
            );
            check_help(&mut e, &o.help);
        }
        FieldKind::Json(o) => {
            int_bounds(&mut e, "maxSize", o.max_size, Some(0), Some(MAX_SAFE_INT));
            check_help(&mut e, &o.help);
        }
        FieldKind::Password(o) => {
            int_bounds(&mut e, "min", o.min, Some(1), Some(DEFAULT_PASSWORD_MAX));
            int_bounds(
                &mut e,
                "max",
                o.max,
                Some(o.min),
                Some(DEFAULT_PASSWORD_MAX),
            );
            int_bounds(&mut e, "cost", o.cost, Some(4), Some(31));
            check_regex(&mut e, "pattern", &o.pattern);
            check_help(&mut e, &o.help);
        }
        FieldKind::GeoPoint(o) => check_help(&mut e, &o.help),
    }
    e
}

/// `value` within `[min, max]`; 0 means unset and is never checked.
fn int_bounds(e: &mut Errors, key: &str, value: i64, min: Option<i64>, max: Option<i64>) {
    if value == 0 {
        return;
    }
    if let Some(min) = min.filter(|m| value < *m) {
        e.add(
            key,
            ValidationError::new(
                "validation_min_greater_equal_than_required",
                "Must be no less than {threshold}.",
            )
            .param("threshold", min),
        );
    } else if let Some(max) = max.filter(|m| value > *m) {
        e.add(
            key,
            ValidationError::new(
                "validation_max_less_equal_than_required",
                "Must be no greater than {threshold}.",
            )
            .param("threshold", max),
        );
    }
}

fn check_help(e: &mut Errors, help: &str) {
    if help.chars().count() > 300 {
        e.add(
            "help",
            ValidationError::new(
                "validation_length_out_of_range",
                "The length must be between {min} and {max}.",
            )
            .param("min", 1)
            .param("max", 300),
        );
    }
}

/// `onlyDomains` and `exceptDomains` are exclusive; otherwise every non-empty entry must be a domain name.
fn check_domains(e: &mut Errors, only: &[String], except: &[String]) {
    if !only.is_empty() && !except.is_empty() {
        let err = ValidationError::new("validation_empty", "Must be blank.");
        e.add("exceptDomains", err.clone());
        e.add("onlyDomains", err);
        return;
    }
    for (key, list) in [("exceptDomains", except), ("onlyDomains", only)] {
        let mut nested = Errors::new();
        for (i, d) in list.iter().enumerate() {
            if !d.is_empty() && !is_domain(d) {
                nested.add(
                    i.to_string(),
                    ValidationError::new("validation_is_domain", "Must be a valid domain."),
                );
            }
        }
        e.add_nested(key, nested);
    }
}

fn thumb_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[0-9]+x[0-9]+[tbf]?$").expect("constant pattern compiles"))
}

/// `WxH` with an optional `t`/`b`/`f` suffix; `0x0` in any form is refused. "" is skipped.
fn thumb_error(thumb: &str) -> Option<ValidationError> {
    if thumb.is_empty() {
        return None;
    }
    if matches!(thumb, "0x0" | "0x0t" | "0x0b" | "0x0f") {
        return Some(ValidationError::new(
            "validation_not_in_invalid",
            "Must not be in list.",
        ));
    }
    if !thumb_regex().is_match(thumb) {
        return Some(ValidationError::new(
            "validation_match_invalid",
            "Must be in a valid format.",
        ));
    }
    None
}

/// Every autogenerated sample must pass the field's min/max/pattern.
fn check_autogenerate(e: &mut Errors, o: &TextOptions) {
    if o.autogenerate_pattern.is_empty() {
        return;
    }
    for _ in 0..AUTOGENERATE_SAMPLES {
        let Some(sample) = generate_from_pattern(&o.autogenerate_pattern) else {
            return;
        };
        if check_text(o, &sample).is_err() {
            e.add(
                "autogeneratePattern",
                ValidationError::new(
                    "validation_invalid_autogenerate_pattern_value",
                    &format!("The provided autogenerate pattern could produce invalid field values, ex.: {sample:?}."),
                ),
            );
            return;
        }
    }
}

fn check_regex(e: &mut Errors, key: &str, pattern: &str) {
    if let Some(err) = regex_error(pattern) {
        e.add(key, err);
    }
}

/// `validation_invalid_regex` with a message in the form Go's regexp parser uses
/// (`Error parsing regexp: <reason>: `<fragment>`.`), or `None` when the pattern compiles.
pub(crate) fn regex_error(pattern: &str) -> Option<ValidationError> {
    if pattern.is_empty() {
        return None;
    }
    let (reason, fragment) = match go_only_error(pattern) {
        Some(found) => found,
        None => match Regex::new(pattern) {
            Ok(_) => return None,
            Err(err) => describe_regex_error(pattern, &err.to_string()),
        },
    };
    Some(ValidationError::new(
        "validation_invalid_regex",
        &format!("Error parsing regexp: {reason}: `{fragment}`."),
    ))
}

/// Errors Go's parser raises where the regex crate does not: repeat counts above 1000 (`a{1001}`) and
/// nested repetition operators (`a**`, `a+*`; a single lazy `?` is fine). Scans left to right, skipping
/// escapes, classes and group flags. Returns `(reason, fragment)`.
fn go_only_error(pattern: &str) -> Option<(String, String)> {
    let chars: Vec<(usize, char)> = pattern.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let byte = |i: usize| chars.get(i).map(|(b, _)| *b).unwrap_or(pattern.len());
    let mut i = 0;
    let mut last_repeat: Option<usize> = None;
    let mut has_atom = false;
    while let Some(c) = at(i) {
        let mut op_end = None;
        match c {
            '\\' => i += 2,
            '[' => {
                let mut j = i + 1;
                if at(j) == Some('^') {
                    j += 1;
                }
                if at(j) == Some(']') {
                    j += 1;
                }
                while let Some(d) = at(j) {
                    match d {
                        ']' => break,
                        '\\' => j += 2,
                        '[' if at(j + 1) == Some(':') => {
                            j += 2;
                            while at(j).is_some_and(|e| e != ']') {
                                j += 1;
                            }
                            j += 1;
                        }
                        _ => j += 1,
                    }
                }
                i = j + 1;
            }
            '(' => {
                i += 1;
                if at(i) == Some('?') {
                    while at(i).is_some_and(|e| !matches!(e, ':' | ')' | '>')) {
                        i += 1;
                    }
                    if at(i) != Some(')') {
                        i += 1;
                    }
                }
                has_atom = false;
                last_repeat = None;
                continue;
            }
            '|' => {
                i += 1;
                has_atom = false;
                last_repeat = None;
                continue;
            }
            '*' | '+' | '?' => op_end = Some(i + 1),
            '{' => {
                let mut j = i + 1;
                let mut numbers = vec![String::new()];
                while let Some(d) = at(j) {
                    if d.is_ascii_digit() {
                        if let Some(n) = numbers.last_mut() {
                            n.push(d);
                        }
                    } else if d == ',' && numbers.len() == 1 {
                        numbers.push(String::new());
                    } else {
                        break;
                    }
                    j += 1;
                }
                if at(j) == Some('}') && !numbers[0].is_empty() {
                    let too_big = numbers
                        .iter()
                        .any(|n| n.len() > 4 || n.parse::<u32>().unwrap_or(0) > 1000);
                    if too_big && has_atom {
                        return Some((
                            "invalid repeat count".into(),
                            pattern[byte(i)..byte(j + 1)].to_string(),
                        ));
                    }
                    op_end = Some(j + 1);
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        match op_end {
            Some(mut end) => {
                if !has_atom {
                    return None; // "missing argument": left to the regex crate
                }
                if at(end) == Some('?') {
                    end += 1;
                }
                if let Some(start) = last_repeat {
                    return Some((
                        "invalid nested repetition operator".into(),
                        pattern[byte(start)..byte(end)].to_string(),
                    ));
                }
                last_repeat = Some(i);
                i = end;
            }
            None => {
                has_atom = true;
                last_repeat = None;
            }
        }
    }
    None
}

/// Maps the regex crate's error text to Go's reason wording, and picks the fragment Go would quote.
fn describe_regex_error(pattern: &str, text: &str) -> (String, String) {
    let reason_line = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.trim());
    let span = caret_span(pattern, text);
    let from_span_start = || span.map(|(s, _)| pattern.get(s..).unwrap_or(pattern).to_string());
    let span_text = || {
        span.and_then(|(s, e)| pattern.get(s..e))
            .unwrap_or(pattern)
            .to_string()
    };
    let r = reason_line.to_ascii_lowercase();
    if r.contains("unclosed character class") {
        (
            "missing closing ]".into(),
            from_span_start().unwrap_or_else(|| pattern.to_string()),
        )
    } else if r.contains("unclosed group") {
        ("missing closing )".into(), pattern.to_string())
    } else if r.contains("unopened group") {
        ("unexpected )".into(), pattern.to_string())
    } else if r.contains("repetition operator missing expression") {
        (
            "missing argument to repetition operator".into(),
            span_text(),
        )
    } else if r.contains("invalid character class range") || r.contains("unicode property") {
        ("invalid character class range".into(), span_text())
    } else if r.contains("incomplete escape sequence") {
        (
            "trailing backslash at end of expression".into(),
            String::new(),
        )
    } else if r.contains("escape sequence") || r.contains("backreference") {
        ("invalid escape sequence".into(), span_text())
    } else if r.contains("look-around") || r.contains("flag") {
        ("invalid or unsupported Perl syntax".into(), span_text())
    } else if r.contains("repetition") || r.contains("decimal") {
        ("invalid repeat count".into(), span_text())
    } else if r.contains("size limit") {
        ("expression too large".into(), pattern.to_string())
    } else if r.contains("nest limit") {
        ("expression nests too deeply".into(), pattern.to_string())
    } else {
        (reason_line.to_string(), span_text())
    }
}

/// The byte span marked by the `^^^` line of a single-line regex error, if any.
fn caret_span(pattern: &str, text: &str) -> Option<(usize, usize)> {
    if pattern.contains('\n') {
        return None;
    }
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.strip_prefix("    ") == Some(pattern) {
            let carets = lines.next()?.strip_prefix("    ")?;
            let start_col = carets.find('^')?;
            let width = carets[start_col..]
                .chars()
                .take_while(|c| *c == '^')
                .count();
            let char_start = pattern.char_indices().nth(start_col).map(|(i, _)| i)?;
            let char_end = pattern
                .char_indices()
                .nth(start_col + width)
                .map(|(i, _)| i)
                .unwrap_or(pattern.len());
            return Some((char_start, char_end));
        }
    }
    None
}
