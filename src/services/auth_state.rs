//! Who is asking: the auth record loaded from a request token.

use crate::app::App;
use crate::auth::token::{self, Claims, TokenType};
use crate::model::record::Record;
use crate::model::Collection;
use crate::store;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::{Duration, Instant};

/// The authenticated record of a request.
#[derive(Debug, Clone)]
pub struct AuthState {
    pub collection: Arc<Collection>,
    pub record: Record,
    pub claims: Claims,
    pub token: String,
}

impl AuthState {
    pub fn is_superuser(&self) -> bool {
        self.collection.is_superusers()
    }
}

/// The requester of an operation: a guest, or an auth record.
pub type Requester = Option<AuthState>;

/// True when the requester is a superuser.
pub fn is_superuser(r: &Requester) -> bool {
    r.as_ref().is_some_and(AuthState::is_superuser)
}

/// Loads and verifies a token of one of the `allowed` types; `None` for anything invalid.
pub async fn load_token(app: &App, raw: &str, allowed: &[TokenType]) -> Option<AuthState> {
    load_token_now(app, raw, allowed)
}

/// The synchronous body of [`load_token`] (a point read on this thread's connection).
pub fn load_token_now(app: &App, raw: &str, allowed: &[TokenType]) -> Option<AuthState> {
    let claims = token::peek(raw)?;
    if !allowed.iter().any(|t| t.as_str() == claims.token_type) {
        return None;
    }
    let collection = app.find_collection(&claims.collection_id)?;
    let auth = collection.auth.as_ref()?;
    let secret = match claims.token_type.as_str() {
        "auth" => auth.auth_token.secret.clone(),
        "admin" if collection.is_superusers() => auth.auth_token.secret.clone(),
        "file" => auth.file_token.secret.clone(),
        "verification" => auth.verification_token.secret.clone(),
        "passwordReset" => auth.password_reset_token.secret.clone(),
        "emailChange" => auth.email_change_token.secret.clone(),
        _ => return None,
    };
    let record = cached_record(app, &collection, &claims.id)?;
    if !token::verify(raw, record.get_str("tokenKey"), &secret) {
        return None;
    }
    Some(AuthState {
        collection,
        record,
        claims,
        token: raw.to_string(),
    })
}

/// A cached auth record: trusted while its table's change counter is the one read before it was loaded,
/// its collection is the very same (schema changes make a new one) and it is younger than `AUTH_CACHE_TTL`
/// (writes from other processes are not counted).
struct Cached {
    collection: Weak<Collection>,
    counter: u64,
    loaded: Instant,
    record: Record,
}

const AUTH_CACHE_TTL: Duration = Duration::from_secs(2);
const AUTH_CACHE_MAX: usize = 4096;

static AUTH_CACHE: LazyLock<Mutex<HashMap<(String, String), Cached>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The committed auth record `id` of `collection`, from the cache when it is known to be current.
fn cached_record(app: &App, collection: &Arc<Collection>, id: &str) -> Option<Record> {
    let counter = store::changes::counter(&collection.name);
    let key = (collection.id.clone(), id.to_string());
    {
        let cache = AUTH_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&key) {
            if c.counter == counter
                && c.loaded.elapsed() < AUTH_CACHE_TTL
                // alive and the same: a freed one's address could be reused by a newer collection
                && c.collection.upgrade().is_some_and(|a| Arc::ptr_eq(&a, collection))
            {
                return Some(c.record.clone());
            }
        }
    }
    let record = app
        .db()
        .read_now(|conn| store::records::find_by_id(conn, collection, id))
        .ok()??;
    let mut cache = AUTH_CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= AUTH_CACHE_MAX {
        cache.clear();
    }
    cache.insert(
        key,
        Cached {
            collection: Arc::downgrade(collection),
            counter,
            loaded: Instant::now(),
            record: record.clone(),
        },
    );
    Some(record)
}

/// Issues a new auth token for `record`.
pub fn new_auth_token(collection: &Collection, record: &Record) -> Result<String, String> {
    let auth = collection.auth.as_ref().ok_or("not an auth collection")?;
    token::new_token(
        TokenType::Auth,
        record.id(),
        &collection.id,
        auth.auth_token.duration,
        record.get_str("tokenKey"),
        &auth.auth_token.secret,
    )
}

/// Issues a non-refreshable auth token for `record`, valid `duration_secs` (0: the collection's
/// `authToken.duration`). `auth-refresh` hands such a token back unchanged.
pub fn new_static_auth_token(
    collection: &Collection,
    record: &Record,
    duration_secs: i64,
) -> Result<String, String> {
    let auth = collection.auth.as_ref().ok_or("not an auth collection")?;
    let duration = if duration_secs > 0 {
        duration_secs
    } else {
        auth.auth_token.duration
    };
    let claims = Claims {
        collection_id: collection.id.clone(),
        exp: Some(chrono::Utc::now().timestamp().saturating_add(duration)),
        id: record.id().to_string(),
        refreshable: Some(false),
        token_type: TokenType::Auth.as_str().to_string(),
        ..Default::default()
    };
    token::sign(&claims, record.get_str("tokenKey"), &auth.auth_token.secret)
}
