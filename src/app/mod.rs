//! `App`: the cheap-clone handle to everything a running instance owns (databases, caches, hooks, settings).

mod error;
pub mod events;
pub mod hooks;
pub mod memo;
pub mod rate_limit;

pub use error::AppError;
pub use hooks::{Hooks, HOOK_NAMES};

use crate::model::settings::Settings;
use crate::model::Collection;
use crate::store::{self, Db, StoreError, Tx};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// Start-up options (the CLI flags).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub data_dir: PathBuf,
    pub dev: bool,
    /// Number of reader connections per database.
    pub readers: usize,
    /// The 32-byte key that encrypts the stored settings (`--encryptionEnv`).
    pub encryption_key: Option<String>,
    /// The JS migrations directory (`--migrationsDir`, default `<dataDir>/../pb_migrations`).
    pub migrations_dir: PathBuf,
    /// Whether collection changes through the REST API write migration files (`--automigrate`;
    /// the CLI defaults it to on, a library caller to off).
    pub automigrate: bool,
    /// The origins CORS allows (`serve --origins`; empty: any).
    pub cors_origins: Vec<String>,
}

impl AppConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> AppConfig {
        let data_dir: PathBuf = data_dir.into();
        AppConfig {
            migrations_dir: data_dir.join("..").join("pb_migrations"),
            automigrate: false,
            data_dir,
            dev: false,
            readers: 2,
            encryption_key: None,
            cors_origins: Vec::new(),
        }
    }
}

/// The running instance. Clone freely: it is an `Arc`.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    config: AppConfig,
    db: Db,
    aux: Db,
    collections: RwLock<Arc<Vec<Arc<Collection>>>>,
    settings: RwLock<Arc<Settings>>,
    hooks: Hooks,
    logs: OnceLock<store::logs::LogWriter>,
    files: RwLock<crate::files::FileStore>,
    /// The `filesystem` section of `pb_config.yaml` beside the data dir, if any.
    file_config: Option<crate::model::settings::S3Config>,
    rate_limiters: rate_limit::RateLimiters,
    realtime: crate::realtime::Broker,
    /// The tokio runtime the app was opened in, for background work started from the writer thread.
    runtime: Option<tokio::runtime::Handle>,
    /// Resend blocks and attempt limits of the auth mails and OTPs.
    memo: memo::Memo,
}

impl App {
    /// Opens (creating when new) `data.db` and `auxiliary.db` in the data dir and loads collections and settings.
    pub fn open(config: AppConfig) -> Result<App, AppError> {
        std::fs::create_dir_all(&config.data_dir).map_err(AppError::internal)?;
        let db = Db::open(&config.data_dir.join("data.db"), config.readers, config.dev)?;
        let aux = Db::open(&config.data_dir.join("auxiliary.db"), 1, false)?;
        store::schema::bootstrap_data(&db)?;
        store::schema::bootstrap_aux(&aux)?;
        let collections = db.read_blocking(store::collections::load_all)?;
        let stored = db.read_blocking(|c| store::params::get_raw(c, "settings"))?;
        let settings = match stored {
            Some(raw) => decode_settings(&raw, config.encryption_key.as_deref())?,
            None => {
                let s = Settings::default();
                let text = encode_settings(&s, config.encryption_key.as_deref())?;
                db.write_blocking(move |tx| store::params::set_raw(tx, "settings", &text))?;
                s
            }
        };
        let file_config = read_config_file(&config.data_dir);
        let s3 = storage_s3(&settings, file_config.as_ref());
        let files = crate::files::FileStore::from_config(config.data_dir.join("storage"), &s3);
        Ok(App {
            inner: Arc::new(AppInner {
                rate_limiters: rate_limit::RateLimiters::new(settings.rate_limits.enabled),
                files: RwLock::new(files),
                file_config,
                realtime: crate::realtime::Broker::new(),
                runtime: tokio::runtime::Handle::try_current().ok(),
                config,
                db,
                aux,
                collections: RwLock::new(Arc::new(collections.into_iter().map(Arc::new).collect())),
                settings: RwLock::new(Arc::new(settings)),
                hooks: Hooks::default(),
                logs: OnceLock::new(),
                memo: memo::Memo::default(),
            }),
        })
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.config.data_dir
    }

    pub fn is_dev(&self) -> bool {
        self.inner.config.dev
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn aux_db(&self) -> &Db {
        &self.inner.aux
    }

    pub fn hooks(&self) -> &Hooks {
        &self.inner.hooks
    }

    /// Runs `fut` in the background on the app's runtime (or to completion right here without one).
    pub fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        match &self.inner.runtime {
            Some(rt) => {
                rt.spawn(fut);
            }
            None => {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(fut);
                }
            }
        }
    }

    /// Short-lived marks and counters (mail resend blocks, OTP attempt limits).
    pub fn memo(&self) -> &memo::Memo {
        &self.inner.memo
    }

    /// The realtime clients and their subscriptions.
    pub fn realtime(&self) -> &crate::realtime::Broker {
        &self.inner.realtime
    }

    /// The file storage (`pb_data/storage` or the S3 bucket).
    pub fn files(&self) -> crate::files::FileStore {
        self.inner
            .files
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The S3 settings uploads use: `settings.s3` when enabled (the API wins), else the
    /// `filesystem` section of `pb_config.yaml`, else none (local storage).
    pub fn storage_s3_config(&self) -> crate::model::settings::S3Config {
        storage_s3(&self.settings(), self.inner.file_config.as_ref())
    }

    /// Rebuilds the file storage from the current settings (after they changed). The S3 client
    /// reads the system TLS roots, so it is built on a blocking thread.
    pub async fn reload_files(&self) -> Result<(), AppError> {
        let s3 = self.storage_s3_config();
        let root = self.data_dir().join("storage");
        let files =
            tokio::task::spawn_blocking(move || crate::files::FileStore::from_config(root, &s3))
                .await
                .map_err(AppError::internal)?;
        *self.inner.files.write().unwrap_or_else(|p| p.into_inner()) = files;
        Ok(())
    }

    /// Starts the request-log writer and the retention job (`__pbLogsCleanup__`: at start, then every
    /// 6 hours, logs older than `logs.maxDays` or below `logs.minLevel` go). Needs a tokio runtime.
    pub fn start_log_writer(&self) {
        if self
            .inner
            .logs
            .set(store::logs::LogWriter::start(self.inner.aux.clone()))
            .is_err()
        {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(6 * 3600));
            loop {
                every.tick().await;
                let logs = app.settings().logs.clone();
                if let Err(e) =
                    store::logs::prune(&app.inner.aux, logs.max_days, logs.min_level).await
                {
                    tracing::warn!("pruning logs failed: {e}");
                }
            }
        });
    }

    pub fn log_writer(&self) -> Option<&store::logs::LogWriter> {
        self.inner.logs.get()
    }

    /// The stored text of `s` (encrypted when the app has a key).
    pub fn encode_settings(&self, s: &Settings) -> Result<String, AppError> {
        encode_settings(s, self.inner.config.encryption_key.as_deref())
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.inner
            .settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the settings; every rate limiter starts over.
    pub fn set_settings(&self, s: Settings) {
        self.inner.rate_limiters.reset(s.rate_limits.enabled);
        *self
            .inner
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(s);
    }

    /// The request rate limiters (`settings.rateLimits`).
    pub fn rate_limiters(&self) -> &rate_limit::RateLimiters {
        &self.inner.rate_limiters
    }

    /// The committed collections, in creation order.
    pub fn collections(&self) -> Arc<Vec<Arc<Collection>>> {
        self.inner
            .collections
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A committed collection by id or name (names case-insensitively).
    pub fn find_collection(&self, id_or_name: &str) -> Option<Arc<Collection>> {
        let all = self.collections();
        let found = all
            .iter()
            .find(|c| c.id == id_or_name)
            .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)));
        found.cloned()
    }

    /// Replaces the collection cache with the state of the open transaction once it commits.
    pub fn refresh_collections_after_commit(&self, tx: &Tx) -> Result<(), StoreError> {
        let fresh = tx.with(store::collections::load_all)?;
        let app = self.clone();
        tx.after_commit(move || {
            *app.inner
                .collections
                .write()
                .unwrap_or_else(|p| p.into_inner()) =
                Arc::new(fresh.into_iter().map(Arc::new).collect());
        });
        Ok(())
    }

    /// A collection by id or name (names case-insensitively) as the open transaction sees it.
    pub fn find_collection_in(
        &self,
        tx: &Tx,
        id_or_name: &str,
    ) -> Result<Option<Arc<Collection>>, StoreError> {
        // the committed cache is right unless this transaction changed collections
        if tx.collections_unchanged() {
            return Ok(self.find_collection(id_or_name));
        }
        let all = self.collections_in(tx)?;
        let found = all.iter().position(|c| c.id == id_or_name).or_else(|| {
            all.iter()
                .position(|c| c.name.eq_ignore_ascii_case(id_or_name))
        });
        Ok(found.map(|i| Arc::new(all[i].clone())))
    }

    /// The collections as the open transaction sees them.
    pub fn collections_in(&self, tx: &Tx) -> Result<Vec<Collection>, StoreError> {
        tx.with(store::collections::load_all)
    }
}

/// Reads `pb_config.yaml` beside the data dir (a missing or unreadable file means none).
fn read_config_file(data_dir: &Path) -> Option<crate::model::settings::S3Config> {
    let path = data_dir.parent()?.join(crate::files::CONFIG_FILE);
    let text = std::fs::read_to_string(path).ok()?;
    crate::files::parse_filesystem(&text).filter(|c| c.enabled)
}

fn storage_s3(
    settings: &Settings,
    file: Option<&crate::model::settings::S3Config>,
) -> crate::model::settings::S3Config {
    if settings.s3.enabled {
        return settings.s3.clone();
    }
    file.cloned().unwrap_or_default()
}

fn encode_settings(s: &Settings, key: Option<&str>) -> Result<String, AppError> {
    let json = s.to_stored().to_string();
    match key {
        Some(k) => crate::auth::encryption::encrypt(json.as_bytes(), k).map_err(AppError::internal),
        None => Ok(json),
    }
}

/// Reads the stored settings; refuses (rather than overwriting them) when they cannot be read.
fn decode_settings(raw: &[u8], key: Option<&str>) -> Result<Settings, AppError> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) {
        if v.is_object() {
            return Ok(Settings::from_stored(&v));
        }
    }
    let Some(key) = key else {
        return Err(AppError::internal(
            "failed to read the stored app settings: they are not JSON (encrypted? start with --encryptionEnv)",
        ));
    };
    let text = String::from_utf8_lossy(raw);
    let plain = crate::auth::encryption::decrypt(&text, key)
        .map_err(|e| AppError::internal(format!("failed to decrypt the app settings: {e}")))?;
    let v: serde_json::Value = serde_json::from_slice(&plain)
        .map_err(|e| AppError::internal(format!("the decrypted app settings are not JSON: {e}")))?;
    Ok(Settings::from_stored(&v))
}
