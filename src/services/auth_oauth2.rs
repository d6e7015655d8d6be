//! `POST /api/collections/{c}/auth-with-oauth2`: code exchange, user fetch, record lookup (link, email),
//! sign-up through the normal create path, `_externalAuths` links, then the shared success pipeline
//! with the provider data as `meta`.

use super::auth_pipeline::{authenticate, ClientInfo, SignIn};
use super::auth_state::Requester;
use super::record_files::FilePart;
use super::{record_save, record_write};
use crate::app::{App, AppError};
use crate::auth::oauth2::{client, safe_fetch, AuthUser, ProviderConfig};
use crate::model::auth_options::{random_secret, OAuth2MappedFields};
use crate::model::field::value::validate;
use crate::model::record::Record;
use crate::model::{datetime, Collection, Errors, FieldKind, ValidationError};
use crate::store::resolver::RequestInfo;
use crate::store::{self, Tx};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const LOAD_FAILED: &str = "An error occurred while loading the submitted data.";

/// The decoded request body.
#[derive(Debug, Clone, Default)]
pub struct OAuth2Form {
    pub provider: String,
    pub code: String,
    pub code_verifier: String,
    pub redirect_url: String,
    pub create_data: Map<String, Value>,
}

fn body_text(body: &Map<String, Value>, key: &str) -> Result<String, AppError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(AppError::bad_request(LOAD_FAILED)),
    }
}

/// Decodes and validates the body against the collection's configured providers.
pub fn parse_form(c: &Collection, body: Value) -> Result<(OAuth2Form, ProviderConfig), AppError> {
    let Value::Object(body) = body else {
        return Err(AppError::bad_request(LOAD_FAILED));
    };
    let mut redirect_url = body_text(&body, "redirectURL")?;
    if redirect_url.is_empty() {
        redirect_url = body_text(&body, "redirectUrl")?;
    }
    let create_data = match body.get("createData") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(AppError::bad_request(LOAD_FAILED)),
    };
    let form = OAuth2Form {
        provider: body_text(&body, "provider")?,
        code: body_text(&body, "code")?,
        code_verifier: body_text(&body, "codeVerifier")?,
        redirect_url,
        create_data,
    };
    let mut errors = Errors::new();
    let configured = c.auth.as_ref().and_then(|a| {
        a.oauth2
            .providers
            .iter()
            .find(|p| p.name == form.provider)
            .and_then(ProviderConfig::from_options)
    });
    if form.code.is_empty() {
        errors.add("code", ValidationError::required());
    }
    if form.provider.is_empty() {
        errors.add("provider", ValidationError::required());
    } else if form.provider.chars().count() > 100 {
        errors.add(
            "provider",
            ValidationError::new(
                "validation_length_too_long",
                "The length must be no more than {max}.",
            )
            .param("max", 100),
        );
    } else if configured.is_none() {
        errors.add(
            "provider",
            ValidationError::new(
                "validation_invalid_provider",
                &format!(
                    "Provider with name {} is missing or is not enabled.",
                    form.provider
                ),
            )
            .param("name", form.provider.clone()),
        );
    }
    match configured {
        Some(cfg) if errors.is_empty() => Ok((form, cfg)),
        _ => Err(AppError::validation(LOAD_FAILED, errors)),
    }
}

/// The `meta` object of the response.
pub fn meta_json(user: &AuthUser, is_new: bool) -> Value {
    let expiry = user
        .expiry
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(datetime::format)
        .unwrap_or_default();
    json!({
        "id": user.id,
        "name": user.name,
        "username": user.username,
        "email": user.email,
        "avatarURL": user.avatar_url,
        "avatarUrl": user.avatar_url,
        "accessToken": user.access_token,
        "refreshToken": user.refresh_token,
        "expiry": expiry,
        "rawUser": user.raw_user,
        "isNew": is_new,
    })
}

fn external_auths(app: &App) -> Result<Arc<Collection>, AppError> {
    app.find_collection("_externalAuths")
        .ok_or_else(|| AppError::internal("the _externalAuths collection is missing"))
}

/// The existing record for this provider user: its link, the signed-in record of this collection, or
/// the record with the provider's email.
async fn find_existing(
    app: &App,
    c: &Arc<Collection>,
    provider: &str,
    user: &AuthUser,
    requester: &Requester,
) -> Result<Option<Record>, AppError> {
    let ext = external_auths(app)?;
    let (c2, provider, user_id, email) = (
        c.clone(),
        provider.to_string(),
        user.id.clone(),
        user.email.clone(),
    );
    let signed_in = requester
        .as_ref()
        .filter(|a| a.collection.id == c.id)
        .map(|a| a.record.id().to_string());
    let found = app
        .db()
        .read(move |conn| {
            let links = store::records::find_where(
                conn,
                &ext,
                &[
                    ("collectionRef", &c2.id),
                    ("provider", &provider),
                    ("providerId", &user_id),
                ],
                1,
            )?;
            if let Some(link) = links.first() {
                let id = link.get_str("recordRef");
                if let Some(r) = store::records::find_by_id(conn, &c2, id)? {
                    return Ok(Some(r));
                }
            }
            if let Some(id) = signed_in {
                if let Some(r) = store::records::find_by_id(conn, &c2, &id)? {
                    return Ok(Some(r));
                }
            }
            match c2.field("email") {
                Some(f) if !email.is_empty() => {
                    store::records::find_first_by(conn, &c2, f, &email, false)
                }
                _ => Ok(None),
            }
        })
        .await?;
    Ok(found)
}

/// Creates the `_externalAuths` row for (collection, record, provider, providerId) unless it exists.
fn link(
    app: &App,
    tx: &Tx,
    c: &Collection,
    record_id: &str,
    provider: &str,
    provider_id: &str,
) -> Result<(), AppError> {
    let ext = external_auths(app)?;
    let pairs = [
        ("collectionRef", c.id.as_str()),
        ("provider", provider),
        ("providerId", provider_id),
    ];
    if !tx
        .with(|conn| store::records::find_where(conn, &ext, &pairs, 1))?
        .is_empty()
    {
        return Ok(());
    }
    let mut body = Map::new();
    body.insert("collectionRef".into(), json!(c.id));
    body.insert("recordRef".into(), json!(record_id));
    body.insert("provider".into(), json!(provider));
    body.insert("providerId".into(), json!(provider_id));
    let rec = record_save::record_from_body(&ext, &body, &None);
    record_save::save(app, tx, &ext, rec, None).map(|_| ())
}

/// Deletes the record's other OAuth2 links (an unverified account loses links made before this sign-in).
fn unlink_others(
    app: &App,
    tx: &Tx,
    c: &Collection,
    record_id: &str,
    keep: (&str, &str),
) -> Result<(), AppError> {
    let ext = external_auths(app)?;
    let pairs = [("collectionRef", c.id.as_str()), ("recordRef", record_id)];
    for rec in tx.with(|conn| store::records::find_where(conn, &ext, &pairs, i64::MAX))? {
        if (rec.get_str("provider"), rec.get_str("providerId")) != keep {
            record_save::delete(app, tx, &ext, rec)?;
        }
    }
    Ok(())
}

/// Updates an existing record for this sign-in (anti-hijack password reset, email fill, verified) and
/// links the provider.
async fn update_existing(
    app: &App,
    c: &Arc<Collection>,
    id: String,
    provider: String,
    user: AuthUser,
    requester: &Requester,
) -> Result<Record, AppError> {
    let signed_in = requester
        .as_ref()
        .filter(|a| a.collection.id == c.id)
        .map(|a| a.record.id().to_string());
    let (app2, c2) = (app.clone(), c.clone());
    app.db()
        .write(move |tx| {
            let old = tx
                .with(|conn| store::records::find_by_id(conn, &c2, &id))?
                .ok_or_else(AppError::not_found)?;
            let mut rec = old.clone();
            let verified = old.get_bool("verified");
            if !verified {
                unlink_others(&app2, tx, &c2, &id, (&provider, &user.id))?;
                if signed_in.as_deref() != Some(id.as_str()) && !old.get_str("email").is_empty() {
                    rec.set("password", Value::String(random_secret(30)));
                }
            }
            if rec.get_str("email").is_empty() && !user.email.is_empty() {
                rec.set("email", Value::String(user.email.clone()));
            }
            let email = rec.get_str("email");
            if !verified && (email.is_empty() || email == user.email) {
                rec.set("verified", Value::Bool(true));
            }
            let rec = if rec != old {
                record_save::save(&app2, tx, &c2, rec, Some(&old))?
            } else {
                rec
            };
            link(&app2, tx, &c2, rec.id(), &provider, &user.id)?;
            Ok(rec)
        })
        .await
}

/// True when `value` is a valid, unused value for the field `name`.
async fn usable_unique(app: &App, c: &Arc<Collection>, name: &str, value: &str) -> bool {
    let Some(field) = c.field(name) else {
        return false;
    };
    if validate(field, &Value::String(value.to_string())).is_err() {
        return false;
    }
    let (c2, name, value) = (c.clone(), name.to_string(), value.to_string());
    app.db()
        .read(move |conn| store::records::find_where(conn, &c2, &[(&name, &value)], 1))
        .await
        .is_ok_and(|r| r.is_empty())
}

fn has_value(body: &Map<String, Value>, key: &str) -> bool {
    match body.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// The create body of a sign-up (createData + email + mapped fields + a random password) and the
/// avatar file, when `avatarURL` maps to a file field and the download succeeded.
async fn signup_input(
    app: &App,
    c: &Arc<Collection>,
    mapped: &OAuth2MappedFields,
    user: &AuthUser,
    create_data: Map<String, Value>,
) -> (Map<String, Value>, Vec<FilePart>) {
    let mut body = create_data;
    if !has_value(&body, "email") && !user.email.is_empty() {
        body.insert("email".into(), json!(user.email));
    }
    if !has_value(&body, "password") {
        let pass = random_secret(30);
        body.insert("password".into(), json!(pass));
        body.insert("passwordConfirm".into(), json!(pass));
    }
    let mut files = Vec::new();
    for (field, value, kind) in [
        (&mapped.id, &user.id, "id"),
        (&mapped.name, &user.name, "name"),
        (&mapped.username, &user.username, "username"),
        (&mapped.avatar_url, &user.avatar_url, "avatarURL"),
    ] {
        if field.is_empty() || value.is_empty() || has_value(&body, field) {
            continue;
        }
        if kind == "username" && !usable_unique(app, c, field, value).await {
            continue;
        }
        let is_file = c
            .field(field)
            .is_some_and(|f| matches!(f.kind, FieldKind::File(_)));
        if kind == "avatarURL" && is_file {
            match safe_fetch::download(value).await {
                Ok(d) => files.push(FilePart {
                    key: field.clone(),
                    filename: d.filename,
                    content: d.bytes.into(),
                }),
                Err(e) => tracing::warn!("OAuth2 avatar {value} was not downloaded: {e}"),
            }
            continue;
        }
        body.insert(field.clone(), json!(value));
    }
    (body, files)
}

/// Signs up a new record through the API create path, marks it verified when its email is the
/// provider's, and links the provider, all in one transaction.
async fn sign_up(
    app: &App,
    c: &Arc<Collection>,
    form: OAuth2Form,
    user: &AuthUser,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Record, AppError> {
    let mapped = c
        .auth
        .as_ref()
        .map(|a| a.oauth2.mapped_fields.clone())
        .unwrap_or_default();
    let (body, files) = signup_input(app, c, &mapped, user, form.create_data).await;
    let (app2, c2, provider, user2) = (app.clone(), c.clone(), form.provider, user.clone());
    let after = move |tx: &Tx, rec: Record| {
        let rec = if !user2.email.is_empty() && rec.get_str("email") == user2.email {
            let mut verified = rec.clone();
            verified.set("verified", Value::Bool(true));
            record_save::save(&app2, tx, &c2, verified, Some(&rec))?
        } else {
            rec
        };
        link(&app2, tx, &c2, rec.id(), &provider, &user2.id)?;
        Ok(rec)
    };
    record_write::create_then(app, c.clone(), body, files, requester, info, after).await
}

/// `POST /api/collections/{c}/auth-with-oauth2`.
pub async fn auth_with_oauth2(
    app: &App,
    c: Arc<Collection>,
    body: Value,
    sign_in: OAuth2SignIn<'_>,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let requester = sign_in.requester;
    let enabled = c.auth.as_ref().is_some_and(|a| a.oauth2.enabled);
    if !enabled || c.is_superusers() {
        return Err(AppError::Forbidden(
            "The collection is not configured to allow OAuth2 authentication.".into(),
        ));
    }
    let (form, cfg) = parse_form(&c, body)?;
    let tokens = client::exchange(&cfg, &form.code, &form.code_verifier, &form.redirect_url)
        .await
        .map_err(|e| {
            tracing::debug!("OAuth2 code exchange with {} failed: {e}", form.provider);
            AppError::bad_request("Failed to fetch OAuth2 token.")
        })?;
    let user = client::fetch_user(&cfg, &tokens).await.map_err(|e| {
        tracing::debug!("OAuth2 user fetch from {} failed: {e}", form.provider);
        AppError::bad_request("Failed to fetch OAuth2 user.")
    })?;
    let existing = find_existing(app, &c, &form.provider, &user, requester).await?;
    let is_new = existing.is_none();
    let record = match existing {
        Some(r) => {
            let id = r.id().to_string();
            update_existing(app, &c, id, form.provider.clone(), user.clone(), requester).await?
        }
        None => sign_up(app, &c, form, &user, requester, info).await?,
    };
    let meta = meta_json(&user, is_new);
    let sign_in = SignIn {
        method: "oauth2",
        mfa_id: sign_in.mfa_id,
        meta: Some(&meta),
        client: sign_in.client,
        requester,
    };
    authenticate(app, &c, record, sign_in).await
}

/// The request side of an OAuth2 sign-in: who asks, from where, and the `mfaId` it carries.
#[derive(Debug, Clone, Copy)]
pub struct OAuth2SignIn<'a> {
    pub requester: &'a Requester,
    pub client: &'a ClientInfo,
    pub mfa_id: &'a str,
}
