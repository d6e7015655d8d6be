//! The hourly clean-up of expired OTPs and MFA sessions (PocketBase's `__pbOTPCleanup__` and
//! `__pbMFACleanup__` jobs): rows older than their auth collection's `otp.duration`/`mfa.duration` go.

use crate::app::{App, AppError};
use crate::model::datetime;
use crate::store;

/// Deletes every expired `_otps` and `_mfas` row; the number deleted.
pub async fn delete_expired(app: &App) -> Result<usize, AppError> {
    let now = chrono::Utc::now();
    let mut jobs = Vec::new();
    for c in app.collections().iter() {
        let Some(auth) = c.auth.as_ref() else {
            continue;
        };
        for (table, duration) in [("_otps", auth.otp.duration), ("_mfas", auth.mfa.duration)] {
            if let Some(rows) = app.find_collection(table) {
                let cutoff = datetime::format(now - chrono::Duration::seconds(duration.max(0)));
                jobs.push((rows, c.id.clone(), cutoff));
            }
        }
    }
    let deleted = app
        .db()
        .write(move |tx| {
            let mut n = 0;
            for (rows, collection_ref, cutoff) in &jobs {
                n += store::records::delete_owned_before(tx, rows, collection_ref, cutoff)?;
            }
            Ok::<usize, AppError>(n)
        })
        .await?;
    Ok(deleted)
}

/// Runs [`delete_expired`] every hour (needs a tokio runtime).
pub fn spawn_hourly(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = delete_expired(&app).await {
                tracing::warn!("deleting expired OTPs and MFA sessions failed: {e}");
            }
        }
    });
}
