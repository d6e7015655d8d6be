//! Applying `settings.rateLimits` (spec 04 §9) to one request: which rule, which limiter, and the 429.
//! The HTTP layer calls this for every route; batch sub-requests call it for their record actions.

use super::auth_state::{is_superuser, Requester};
use super::file_access::ip_allowed;
use crate::app::{App, AppError};
use crate::model::rate_limit::{collection_labels, find_rule, path_labels};
use crate::model::settings::Settings;
use crate::model::Collection;

/// The limited client: its real IP and who it is signed in as.
#[derive(Clone, Copy)]
pub struct Client<'a> {
    pub ip: &'a str,
    pub requester: &'a Requester,
}

fn too_many() -> AppError {
    AppError::TooManyRequests(String::new())
}

/// True when no limit applies: rate limiting is off, the client is a superuser, an excluded IP, or has
/// no IP at all.
fn skipped(app: &App, settings: &Settings, client: Client) -> bool {
    if !app.rate_limiters().enabled() || is_superuser(client.requester) || client.ip.is_empty() {
        return true;
    }
    let excluded = &settings.rate_limits.excluded_ips;
    excluded.iter().any(|e| !e.trim().is_empty()) && ip_allowed(client.ip, excluded)
}

fn take(app: &App, key: &str, client: Client, max: i64, duration: i64) -> Result<(), AppError> {
    if app.rate_limiters().allow(key, client.ip, max, duration) {
        Ok(())
    } else {
        Err(too_many())
    }
}

/// A request on a route without a collection scope: the labels `"METHOD /path"` and `"/path"`; one
/// limiter per rule.
pub fn check_path(app: &App, method: &str, path: &str, client: Client) -> Result<(), AppError> {
    let settings = app.settings();
    if skipped(app, &settings, client) {
        return Ok(());
    }
    let labels = path_labels(method, path);
    let authed = client.requester.is_some();
    match find_rule(
        &settings.rate_limits.rules,
        &[&labels[0], &labels[1]],
        authed,
    ) {
        Some(rule) => {
            let key = format!("{}{}", rule.label, rule.audience);
            take(app, &key, client, rule.max_requests, rule.duration)
        }
        None => Ok(()),
    }
}

/// A collection-scoped action (`tags` such as `["authWithPassword", "auth"]`): the labels
/// `"<collection>:<tag>"`, `"*:<tag>"`, then the path labels. The limiter belongs to the collection,
/// the route (`route`, the matched pattern; batch sub-requests have none) and the tags, whichever
/// rule matched.
pub fn check_collection(
    app: &App,
    c: &Collection,
    tags: &[&str],
    (method, path, route): (&str, &str, &str),
    client: Client,
) -> Result<(), AppError> {
    let settings = app.settings();
    if skipped(app, &settings, client) {
        return Ok(());
    }
    let labels = collection_labels(&c.name, tags, method, path);
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let authed = client.requester.is_some();
    match find_rule(&settings.rate_limits.rules, &labels, authed) {
        Some(rule) => {
            let key = format!("{}{route}{}{}", c.id, tags.join(""), rule.audience);
            take(app, &key, client, rule.max_requests, rule.duration)
        }
        None => Ok(()),
    }
}
