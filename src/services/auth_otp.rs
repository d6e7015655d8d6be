//! One-time passwords (04-auth §7.1–7.2): `request-otp` mails a code, `auth-with-otp` signs in with it;
//! codes live bcrypt-hashed (cost 8) in `_otps`.

use super::auth_forms::{
    body_str, check_email, check_text, find_by_email, invalid, password_matches,
};
use super::auth_mail::{self, AuthMail};
use super::auth_mfa::{expired, new_row};
use super::auth_pipeline::{authenticate, SignIn};
use super::auth_state::Requester;
use super::record_save;
use crate::app::{App, AppError};
use crate::model::auth_options::{random_id, OtpConfig};
use crate::model::collection::SUPERUSERS;
use crate::model::record::Record;
use crate::model::{Collection, Errors};
use crate::store::{self, Tx};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The system collection of pending OTPs.
pub const OTPS: &str = "_otps";

/// Code attempts allowed per record and client in one window (independent of the rate-limit settings).
const MAX_ATTEMPTS: u32 = 5;
const ATTEMPT_WINDOW: Duration = Duration::from_secs(180);

/// More live OTPs than this and the newest is returned instead of mailing another one.
const MAX_LIVE: usize = 9;

fn otp_config(c: &Collection) -> Result<&OtpConfig, AppError> {
    c.auth
        .as_ref()
        .map(|a| &a.otp)
        .filter(|o| o.enabled)
        .ok_or_else(|| {
            AppError::Forbidden(
                "The collection is not configured to allow OTP authentication.".into(),
            )
        })
}

fn otps(app: &App) -> Result<Arc<Collection>, AppError> {
    app.find_collection(OTPS)
        .ok_or_else(|| AppError::internal("missing the _otps collection"))
}

/// `length` random digits.
fn random_code(length: i64) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..length.max(1))
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Stores a new OTP for `record` (the code is hashed by the `_otps` password field).
fn insert(
    app: &App,
    tx: &Tx,
    otps: &Arc<Collection>,
    c: &Collection,
    record: &Record,
    code: &str,
) -> Result<Record, AppError> {
    let row = new_row(
        otps,
        &[
            ("collectionRef", Value::String(c.id.clone())),
            ("recordRef", Value::String(record.id().to_string())),
            ("password", Value::String(code.to_string())),
            ("sentTo", Value::String(String::new())),
        ],
    );
    record_save::save(app, tx, otps, row, None)
}

/// `POST …/request-otp`: `{"otpId"}`, also for unknown emails (then nothing is stored or sent).
pub async fn request(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<Value, AppError> {
    let config = otp_config(&c)?.clone();
    let email = body_str(body, "email");
    let mut errors = Errors::new();
    check_email(&mut errors, "email", &email);
    invalid(errors)?;
    let found = find_by_email(app, &c, &email).await?;
    let mut code = random_code(config.length);
    // the hook sees an unknown email too (record null) and may pick the record and the code
    let pick: super::auth_hooks::Pick = |h| &h.on_record_request_otp_request;
    let found = if pick(app.hooks()).is_empty() {
        found
    } else {
        let mut extra = Map::new();
        extra.insert("password".into(), Value::String(code.clone()));
        let ev = super::auth_hooks::fire(app, pick, &c, found, extra, requester).await?;
        if let Some(p) = ev.extra["password"].as_str().filter(|p| !p.is_empty()) {
            code = p.to_string();
        }
        ev.record
    };
    let Some(record) = found else {
        return Ok(json!({ "otpId": random_id(15) }));
    };
    let otps = otps(app)?;
    if !app.is_dev() {
        let (o2, c_id, r_id) = (otps.clone(), c.id.clone(), record.id().to_string());
        let rows = app
            .db()
            .read(move |conn| store::records::find_owned_by(conn, &o2, &c_id, &r_id))
            .await?;
        let live: Vec<&Record> = rows
            .iter()
            .filter(|r| !expired(r, config.duration))
            .collect();
        if live.len() > MAX_LIVE {
            let newest = live.last().map(|r| r.id().to_string()).unwrap_or_default();
            return Ok(json!({ "otpId": newest }));
        }
    }
    let (app2, o2, c2, r2, code2) = (
        app.clone(),
        otps.clone(),
        c.clone(),
        record.clone(),
        code.clone(),
    );
    let row = app
        .db()
        .write(move |tx| insert(&app2, tx, &o2, &c2, &r2, &code2))
        .await?;
    let id = row.id().to_string();
    let mail = AuthMail::Otp {
        id: &id,
        code: &code,
    };
    let msg = auth_mail::compose_with_meta(app, &c, &record, mail);
    let app2 = app.clone();
    let (c_mail, record_mail) = (c.clone(), record.clone());
    app.spawn(async move {
        let sent = match msg {
            Ok((msg, meta)) => {
                super::mail_hooks::deliver_record(
                    &app2,
                    &c_mail,
                    &record_mail,
                    super::mail_hooks::MailKind::Otp,
                    msg,
                    meta,
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = &sent {
            tracing::error!("failed to send the OTP mail: {e}");
        }
        let app3 = app2.clone();
        let saved = app2
            .db()
            .write(move |tx| {
                let Some(old) =
                    tx.with(|conn| store::records::find_by_id(conn, &otps, row.id()))?
                else {
                    return Ok(());
                };
                if sent.is_err() {
                    return record_save::delete(&app3, tx, &otps, old);
                }
                let mut done = old.clone();
                done.set("sentTo", Value::String(email));
                record_save::save(&app3, tx, &otps, done, Some(&old)).map(|_| ())
            })
            .await;
        if let Err(e) = saved {
            tracing::error!("updating the OTP after sending failed: {e}");
        }
    });
    Ok(json!({ "otpId": id }))
}

/// `POST …/auth-with-otp`: the code of a live OTP signs the record in (method `otp`).
pub async fn auth_with_otp(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    sign_in: SignIn<'_>,
) -> Result<Value, AppError> {
    let config = otp_config(&c)?.clone();
    let otp_id = body_str(body, "otpId");
    let code = body_str(body, "password");
    let mut errors = Errors::new();
    check_text(&mut errors, "otpId", &otp_id, 1, 255);
    check_text(&mut errors, "password", &code, 1, 71);
    invalid(errors)?;
    let failed = || AppError::bad_request("Invalid or expired OTP.");
    let otps = otps(app)?;
    let (o2, id2) = (otps.clone(), otp_id.clone());
    let row = app
        .db()
        .read(move |conn| store::records::find_by_id(conn, &o2, &id2))
        .await?
        .filter(|r| r.get_str("collectionRef") == c.id)
        .ok_or_else(failed)?;
    let limit_key = format!(
        "otpAttempts:{}:{}:{}",
        sign_in.client.ip,
        c.id,
        row.get_str("recordRef")
    );
    if !app.memo().attempt(&limit_key, ATTEMPT_WINDOW, MAX_ATTEMPTS) {
        return Err(AppError::TooManyRequests(
            "Too many attempts, please try again later with a new OTP.".into(),
        ));
    }
    if expired(&row, config.duration) {
        return Err(failed());
    }
    let (c2, rid) = (c.clone(), row.get_str("recordRef").to_string());
    let record = app
        .db()
        .read(move |conn| store::records::find_by_id(conn, &c2, &rid))
        .await?
        .ok_or_else(failed)?;
    let pick: super::auth_hooks::Pick = |h| &h.on_record_auth_with_otp_request;
    let record = if pick(app.hooks()).is_empty() {
        record
    } else {
        let mut extra = Map::new();
        let otp: Map<String, Value> = [
            "id",
            "collectionRef",
            "recordRef",
            "sentTo",
            "created",
            "updated",
        ]
        .iter()
        .map(|k| (k.to_string(), row.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
        extra.insert("otp".into(), Value::Object(otp));
        let ev = super::auth_hooks::fire(
            app,
            pick,
            &c,
            Some(record.clone()),
            extra,
            sign_in.requester,
        )
        .await?;
        ev.record.unwrap_or(record)
    };
    if !password_matches(&row, &code).await {
        return Err(failed());
    }
    let (app2, o2) = (app.clone(), otps.clone());
    let sent_to = row.get_str("sentTo").to_string();
    app.db()
        .write(move |tx| record_save::delete(&app2, tx, &o2, row))
        .await?;
    let record = verify_by_otp(app, &c, record, &sent_to).await?;
    authenticate(
        app,
        &c,
        record,
        SignIn {
            method: "otp",
            ..sign_in
        },
    )
    .await
}

/// An unverified record whose OTP went to its own email becomes verified; without MFA its password is
/// randomized too (the code proved ownership of the address, not of the password).
async fn verify_by_otp(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    sent_to: &str,
) -> Result<Record, AppError> {
    if record.get_bool("verified") || sent_to.is_empty() || sent_to != record.get_str("email") {
        return Ok(record);
    }
    let randomize = !c.auth.as_ref().is_some_and(|a| a.mfa.enabled);
    super::auth_forms::update_record(app, c, record.id(), "Failed to authenticate.", move |r| {
        r.set("verified", Value::Bool(true));
        if randomize {
            r.set("password", super::auth_forms::random_password());
        }
    })
    .await
}

/// An OTP made by the CLI (`superuser otp EMAIL`): its id, its code and how long it lives (s).
pub struct CliOtp {
    pub id: String,
    pub code: String,
    pub duration: i64,
}

/// Creates an OTP for a superuser without mailing it.
pub fn create_for_superuser(app: &App, email: &str) -> Result<CliOtp, AppError> {
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(AppError::not_found)?;
    let field = c.field("email").cloned().ok_or_else(AppError::not_found)?;
    let (c2, e2) = (c.clone(), email.to_string());
    let record = app
        .db()
        .read_blocking(move |conn| store::records::find_first_by(conn, &c2, &field, &e2, false))?
        .ok_or_else(|| {
            AppError::NotFound(format!("superuser with email \"{email}\" doesn't exist"))
        })?;
    let config = otp_config(&c)
        .map_err(|_| {
            AppError::bad_request("OTP auth is not enabled for the _superusers collection")
        })?
        .clone();
    let code = random_code(config.length);
    let (app2, otps, code2) = (app.clone(), otps(app)?, code.clone());
    let row = app
        .db()
        .write_blocking(move |tx| insert(&app2, tx, &otps, &c, &record, &code2))?;
    Ok(CliOtp {
        id: row.id().to_string(),
        code,
        duration: config.duration,
    })
}
