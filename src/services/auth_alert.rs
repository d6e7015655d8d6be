//! The new-location alert of the sign-in pipeline (04-auth §4 step 5): `_authOrigins` fingerprints and
//! the "Login from a new location" mail.

use super::auth_mail::{self, AuthMail};
use super::auth_mfa::new_row;
use super::auth_pipeline::ClientInfo;
use super::record_save;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::{datetime, Collection};
use crate::store;
use md5::{Digest, Md5};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The system collection of known sign-in origins.
pub const AUTH_ORIGINS: &str = "_authOrigins";

/// Origins kept per record (the oldest go first).
const MAX_ORIGINS: usize = 5;

/// How long the pipeline waits for the alert mail.
const SEND_WAIT: Duration = Duration::from_secs(15);

/// The User-Agent as fingerprinted: at most 200 bytes, then `...`.
fn short_agent(ua: &str) -> String {
    if ua.len() <= 200 {
        return ua.to_string();
    }
    format!("{}...", String::from_utf8_lossy(&ua.as_bytes()[..200]))
}

/// `md5_hex(ip + userAgent)`.
pub fn fingerprint(client: &ClientInfo) -> String {
    let digest = Md5::digest(format!("{}{}", client.ip, short_agent(&client.user_agent)));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sends the alert when this origin is new for a record that has signed in before, and remembers the
/// origin. Failures are only logged: they never fail the sign-in.
pub async fn run(app: &App, c: &Arc<Collection>, record: &Record, client: &ClientInfo) {
    let enabled = c.auth.as_ref().is_some_and(|a| a.auth_alert.enabled);
    if !enabled || record.get_str("email").is_empty() {
        return;
    }
    let Some(origins) = app.find_collection(AUTH_ORIGINS) else {
        return;
    };
    let fp = fingerprint(client);
    let (o2, c_id, r_id) = (origins.clone(), c.id.clone(), record.id().to_string());
    let known = app
        .db()
        .read(move |conn| store::records::find_owned_by(conn, &o2, &c_id, &r_id))
        .await;
    let known = match known {
        Ok(k) => k,
        Err(e) => return tracing::error!("reading the auth origins failed: {e}"),
    };
    let current = known
        .iter()
        .find(|o| o.get_str("fingerprint") == fp)
        .cloned();
    if current.is_none() && !known.is_empty() {
        let info = format!(
            "{} - {} {}",
            datetime::now(),
            client.ip,
            short_agent(&client.user_agent)
        );
        let mail = AuthMail::LoginAlert { info: &info };
        match tokio::time::timeout(SEND_WAIT, auth_mail::send(app, c, record, mail)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("failed to send the login alert: {e}"),
            Err(_) => tracing::error!("the login alert mail timed out"),
        }
    }
    if let Err(e) = remember(app, &origins, c, record, known, current, fp).await {
        tracing::error!("saving the auth origin failed: {e}");
    }
}

/// Touches the known origin, or adds the new one after dropping the oldest beyond the limit.
async fn remember(
    app: &App,
    origins: &Arc<Collection>,
    c: &Collection,
    record: &Record,
    known: Vec<Record>,
    current: Option<Record>,
    fp: String,
) -> Result<(), AppError> {
    let app2 = app.clone();
    let origins = origins.clone();
    let (c_id, r_id) = (c.id.clone(), record.id().to_string());
    app.db()
        .write(move |tx| {
            if let Some(old) = current {
                record_save::save(&app2, tx, &origins, old.clone(), Some(&old))?;
                return Ok(());
            }
            let mut known = known;
            known.sort_by(|a, b| a.get_str("updated").cmp(b.get_str("updated")));
            let excess = (known.len() + 1).saturating_sub(MAX_ORIGINS);
            for old in known.into_iter().take(excess) {
                record_save::delete(&app2, tx, &origins, old)?;
            }
            let row = new_row(
                &origins,
                &[
                    ("collectionRef", Value::String(c_id)),
                    ("recordRef", Value::String(r_id)),
                    ("fingerprint", Value::String(fp)),
                ],
            );
            record_save::save(&app2, tx, &origins, row, None).map(|_| ())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_matches_pocketbase() {
        let client = ClientInfo {
            ip: "127.0.0.1".into(),
            user_agent: "Python-urllib/3.11".into(),
        };
        // md5("127.0.0.1Python-urllib/3.11"), the row PocketBase stored for that client
        assert_eq!(fingerprint(&client), "4b90572f2f48b839cbbb422b9c2d2b35");
        assert_eq!(short_agent(&"x".repeat(250)).len(), 203);
    }
}
