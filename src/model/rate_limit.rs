//! Choosing the rate limit rule for a request (04-auth.md §9): the labels a request is known by, tried
//! in order, against `settings.rateLimits.rules`, exact labels first, then the `/`-suffixed prefix rules.

use super::settings::{RateLimitRule, AUDIENCE_AUTH, AUDIENCE_GUEST};

/// True when a rule's audience applies to a guest (`authed == false`) or an authenticated request.
fn audience_fits(rule: &RateLimitRule, authed: bool) -> bool {
    match rule.audience.as_str() {
        "" => true,
        AUDIENCE_AUTH => authed,
        AUDIENCE_GUEST => !authed,
        _ => false,
    }
}

/// The first rule matching one of `labels` (most specific label first) whose audience fits.
///
/// Every label is first compared exactly with every rule; only when none matches are the rules whose
/// label ends in `/` tried as prefixes (`label + "/"` starting with the rule's label), again label by label.
pub fn find_rule<'a>(
    rules: &'a [RateLimitRule],
    labels: &[&str],
    authed: bool,
) -> Option<&'a RateLimitRule> {
    let fits = |r: &&RateLimitRule| audience_fits(r, authed);
    for label in labels {
        if let Some(rule) = rules.iter().filter(fits).find(|r| r.label == *label) {
            return Some(rule);
        }
    }
    for label in labels {
        let found = rules.iter().filter(fits).find(|r| {
            r.label.ends_with('/')
                && (label.starts_with(r.label.as_str())
                    || r.label.strip_suffix('/') == Some(*label))
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The labels of a request on a route without a collection scope: `"METHOD /path"`, `"/path"`.
pub fn path_labels(method: &str, path: &str) -> [String; 2] {
    [format!("{method} {path}"), path.to_string()]
}

/// The labels of a collection-scoped request: `"<collection>:<tag>"` for every tag, then
/// `"*:<tag>"` for every tag, then the path labels.
pub fn collection_labels(collection: &str, tags: &[&str], method: &str, path: &str) -> Vec<String> {
    let mut labels = Vec::with_capacity(tags.len() * 2 + 2);
    labels.extend(tags.iter().map(|t| format!("{collection}:{t}")));
    labels.extend(tags.iter().map(|t| format!("*:{t}")));
    labels.extend(path_labels(method, path));
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::default_rate_limit_rules;

    fn rule(label: &str, audience: &str) -> RateLimitRule {
        RateLimitRule::new(label, audience, 1, 1)
    }

    fn find<'a>(rules: &'a [RateLimitRule], labels: &[String], authed: bool) -> Option<&'a str> {
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        find_rule(rules, &labels, authed).map(|r| r.label.as_str())
    }

    #[test]
    fn defaults_pick_tags_before_paths() {
        let rules = default_rate_limit_rules();
        let auth = collection_labels(
            "users",
            &["authWithPassword", "auth"],
            "POST",
            "/api/collections/users/auth-with-password",
        );
        assert_eq!(find(&rules, &auth, false), Some("*:auth"));
        let list = collection_labels("users", &["list"], "GET", "/api/collections/users/records");
        assert_eq!(find(&rules, &list, false), Some("/api/"));
        let create = collection_labels(
            "users",
            &["create"],
            "POST",
            "/api/collections/users/records",
        );
        assert_eq!(find(&rules, &create, true), Some("*:create"));
        assert_eq!(
            find(&rules, &path_labels("POST", "/api/batch"), false),
            Some("/api/batch")
        );
        assert_eq!(
            find(&rules, &path_labels("GET", "/api/health"), false),
            Some("/api/")
        );
        assert_eq!(find(&rules, &path_labels("GET", "/"), false), None);
    }

    #[test]
    fn collection_tag_beats_wildcard_and_audience_filters() {
        let rules = vec![
            rule("*:list", ""),
            rule("users:list", "@guest"),
            rule("GET /api/collections/users/records", "@auth"),
        ];
        let labels = collection_labels("users", &["list"], "GET", "/api/collections/users/records");
        assert_eq!(find(&rules, &labels, false), Some("users:list"));
        assert_eq!(find(&rules, &labels, true), Some("*:list"));
        let only_auth = vec![rule("users:list", "@auth")];
        assert_eq!(find(&only_auth, &labels, false), None);
    }

    #[test]
    fn prefixes_need_a_trailing_slash_and_come_after_exact_labels() {
        let rules = vec![rule("/api/", ""), rule("/api/health", "")];
        assert_eq!(
            find(&rules, &path_labels("GET", "/api/health"), false),
            Some("/api/health")
        );
        // "/api" + "/" starts with "/api/"
        assert_eq!(
            find(&rules, &path_labels("GET", "/api"), false),
            Some("/api/")
        );
        let no_slash = vec![rule("/api", "")];
        assert_eq!(find(&no_slash, &path_labels("GET", "/api/x"), false), None);
        let method_prefix = vec![rule("POST /api/", "")];
        assert_eq!(
            find(&method_prefix, &path_labels("POST", "/api/x"), false),
            Some("POST /api/")
        );
        assert_eq!(
            find(&method_prefix, &path_labels("GET", "/api/x"), false),
            None
        );
    }
}
