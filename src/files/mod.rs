//! Files: object storage (a local directory with PocketBase's layout and `.attrs` sidecars), upload
//! name normalization, content sniffing, thumbs and the framework-free serving rules.

mod config_file;
mod content;
mod mime;
mod mime_binary;
mod mime_text;
mod name;
mod s3;
pub mod serve;
pub mod thumb;

pub use config_file::{parse_filesystem, CONFIG_FILE};
pub use content::{Content, DiskContent, Spool, SPILL_AT};
pub use mime::{detect_extension, detect_mime, media_type, mime_allowed};
pub use name::{normalize_name, random_suffix, snake_case};
pub use s3::S3Bucket;
pub use thumb::{ThumbSize, DEFAULT_THUMBS, THUMB_SOURCE_TYPES};

use crate::model::settings::S3Config;
use base64::Engine;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("file not found")]
    NotFound,
    #[error("invalid file key {0:?}")]
    InvalidKey(String),
    #[error("storage io: {0}")]
    Io(#[from] std::io::Error),
    #[error("thumb: {0}")]
    Thumb(String),
    #[error("{0}")]
    S3(String),
}

/// A stored object ready to be served.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// Where the bytes are.
    pub source: Source,
    /// From the sidecar (local) or the object's `Content-Type` (S3); `application/octet-stream`
    /// without one.
    pub content_type: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// Where a stored object's bytes are read from.
#[derive(Debug, Clone)]
pub enum Source {
    Local(PathBuf),
    S3 { bucket: S3Bucket, key: String },
}

/// Bytes per read of a local file while streaming.
const CHUNK: u64 = 64 * 1024;

/// Streams `length` bytes of a local file from `start` (the file is opened on the first poll).
fn local_range(
    path: PathBuf,
    start: u64,
    length: u64,
) -> BoxStream<'static, std::io::Result<Bytes>> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let state = (None::<tokio::fs::File>, path, start, length);
    stream::unfold(state, |(file, path, pos, left)| async move {
        if left == 0 {
            return None;
        }
        let opened = match file {
            Some(f) => Ok(f),
            None => match tokio::fs::File::open(&path).await {
                Ok(mut f) => f.seek(std::io::SeekFrom::Start(pos)).await.map(|_| f),
                Err(e) => Err(e),
            },
        };
        let mut file = match opened {
            Ok(f) => f,
            Err(e) => return Some((Err(e), (None, path, pos, 0))),
        };
        let mut buf = vec![0u8; left.min(CHUNK) as usize];
        match file.read(&mut buf).await {
            Ok(0) => {
                let eof = std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "file shrank while serving",
                );
                Some((Err(eof), (None, path, pos, 0)))
            }
            Ok(n) => {
                buf.truncate(n);
                let n = n as u64;
                Some((Ok(Bytes::from(buf)), (Some(file), path, pos + n, left - n)))
            }
            Err(e) => Some((Err(e), (None, path, pos, 0))),
        }
    })
    .boxed()
}

impl StoredObject {
    /// `length` bytes from `start`, streamed without holding the object in memory.
    pub fn read_range(
        &self,
        start: u64,
        length: u64,
    ) -> BoxStream<'static, std::io::Result<Bytes>> {
        match &self.source {
            Source::Local(path) => local_range(path.clone(), start, length),
            Source::S3 { bucket, key } => bucket.read_range(key, start, length),
        }
    }
}

/// `<collectionId>/<recordId>/<name>`.
pub fn record_key(collection_id: &str, record_id: &str, name: &str) -> String {
    format!("{collection_id}/{record_id}/{name}")
}

/// `<collectionId>/<recordId>/thumbs_<name>/<thumb>_<name>`.
pub fn thumb_key(collection_id: &str, record_id: &str, name: &str, thumb: &str) -> String {
    format!("{collection_id}/{record_id}/thumbs_{name}/{thumb}_{name}")
}

const ATTRS_SUFFIX: &str = ".attrs";

/// The object store: a local directory (`pb_data/storage`) or an S3 bucket, behind one API.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<Inner>,
}

enum Backend {
    Local(PathBuf),
    S3(S3Bucket),
}

struct Inner {
    backend: Backend,
    /// At most this many thumbs are generated at once.
    thumb_slots: tokio::sync::Semaphore,
    thumb_wait: Duration,
    /// Thumb generations in flight, so identical requests share one.
    pending: parking_lot::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, FilesError> + Send + 'static,
) -> impl std::future::Future<Output = Result<T, FilesError>> {
    let handle = tokio::task::spawn_blocking(f);
    async move {
        handle
            .await
            .map_err(|e| FilesError::Io(std::io::Error::other(e.to_string())))?
    }
}

/// The sidecar JSON of the local driver (key order as PocketBase writes it).
fn attrs_json(content_type: &str, metadata: Value, md5: [u8; 16]) -> Vec<u8> {
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5);
    let v = json!({
        "user.cache_control": "",
        "user.content_disposition": "",
        "user.content_encoding": "",
        "user.content_language": "",
        "user.content_type": content_type,
        "user.metadata": metadata,
        "md5": md5,
    });
    v.to_string().into_bytes()
}

fn attrs_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(ATTRS_SUFFIX);
    PathBuf::from(p)
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FilesError> {
    let dir = path
        .parent()
        .ok_or_else(|| FilesError::InvalidKey(path.display().to_string()))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp_{}", random_suffix(16)));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}

fn put_blocking(
    path: &Path,
    bytes: &[u8],
    content_type: &str,
    metadata: Value,
) -> Result<(), FilesError> {
    write_atomic(path, bytes)?;
    write_atomic(
        &attrs_path(path),
        &attrs_json(content_type, metadata, Md5::digest(bytes).into()),
    )
}

/// Writes uploaded content (copying a spilled part file by file, never through memory).
fn put_content_blocking(path: &Path, content: &Content, metadata: Value) -> Result<(), FilesError> {
    match content {
        Content::Memory(bytes) => put_blocking(path, bytes, &detect_mime(bytes), metadata),
        Content::Disk(d) => {
            let dir = path
                .parent()
                .ok_or_else(|| FilesError::InvalidKey(path.display().to_string()))?;
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".tmp_{}", random_suffix(16)));
            std::fs::copy(&d.path, &tmp)?;
            std::fs::rename(&tmp, path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
            write_atomic(
                &attrs_path(path),
                &attrs_json(&detect_mime(content.head()), metadata, d.md5),
            )
        }
    }
}

fn get_blocking(path: &Path) -> Result<StoredObject, FilesError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Err(FilesError::NotFound),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FilesError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let content_type = std::fs::read(attrs_path(path))
        .ok()
        .and_then(|raw| serde_json::from_slice::<Value>(&raw).ok())
        .and_then(|v| v.get("user.content_type")?.as_str().map(str::to_string))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "application/octet-stream".to_string());
    Ok(StoredObject {
        source: Source::Local(path.to_path_buf()),
        content_type,
        size: meta.len(),
        modified: meta.modified()?,
    })
}

fn delete_blocking(path: &Path) -> Result<(), FilesError> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FilesError::NotFound),
        Err(e) => return Err(e.into()),
    }
    match std::fs::remove_file(attrs_path(path)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Every file key under `dir` (relative to `root`), sidecars and temporary files left out.
fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
    dirs: &mut Vec<PathBuf>,
) -> Result<(), FilesError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            dirs.push(path.clone());
            walk(root, &path, out, dirs)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let key = rel.to_string_lossy().replace('\\', "/");
            if !key.ends_with(ATTRS_SUFFIX) {
                out.push(key);
            }
        }
    }
    Ok(())
}

fn delete_prefix_blocking(root: &Path, prefix: &str) -> Result<(), FilesError> {
    let base = match prefix.rfind('/') {
        Some(i) => root.join(&prefix[..i]),
        None => root.to_path_buf(),
    };
    let mut keys = Vec::new();
    let mut dirs = Vec::new();
    walk(root, &base, &mut keys, &mut dirs)?;
    let mut first_error = None;
    for key in keys.iter().filter(|k| k.starts_with(prefix)) {
        if let Err(e) = delete_blocking(&root.join(key)) {
            if !matches!(e, FilesError::NotFound) {
                first_error.get_or_insert(e);
            }
        }
    }
    // remove the directories the prefix emptied, deepest first
    if prefix.ends_with('/') {
        dirs.push(root.join(prefix.trim_end_matches('/')));
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let rel = d
            .strip_prefix(root)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if !rel.is_empty() && (format!("{rel}/").starts_with(prefix) || rel.starts_with(prefix)) {
            let _ = std::fs::remove_dir(&d);
        }
    }
    first_error.map_or(Ok(()), Err)
}

impl FileStore {
    /// The local driver over `root` (created on first write). Thumb workers: `PB_THUMBS_MAX_WORKERS`
    /// (default CPUs + 2), slot wait: `PB_THUMBS_MAX_WAIT` seconds (default 60).
    pub fn local(root: PathBuf) -> FileStore {
        FileStore::with_backend(Backend::Local(root))
    }

    /// The S3 driver over a bucket.
    pub fn s3(bucket: S3Bucket) -> FileStore {
        FileStore::with_backend(Backend::S3(bucket))
    }

    /// The bucket of `s3` when it is enabled, else the local directory `root`. Building an S3 client
    /// reads the system TLS roots: call it off the async runtime.
    pub fn from_config(root: PathBuf, s3: &S3Config) -> FileStore {
        if s3.enabled {
            FileStore::s3(S3Bucket::new(s3))
        } else {
            FileStore::local(root)
        }
    }

    /// Whether this store writes to an S3 bucket.
    pub fn is_s3(&self) -> bool {
        matches!(self.inner.backend, Backend::S3(_))
    }

    fn with_backend(backend: Backend) -> FileStore {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = env_number("PB_THUMBS_MAX_WORKERS").map_or(cpus + 2, |n| n as usize);
        let wait = env_number("PB_THUMBS_MAX_WAIT").unwrap_or(60);
        FileStore {
            inner: Arc::new(Inner {
                backend,
                thumb_slots: tokio::sync::Semaphore::new(
                    workers.min(tokio::sync::Semaphore::MAX_PERMITS),
                ),
                thumb_wait: Duration::from_secs(wait),
                pending: parking_lot::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The local directory (`None` for S3).
    pub fn root(&self) -> Option<&Path> {
        match &self.inner.backend {
            Backend::Local(root) => Some(root),
            Backend::S3(_) => None,
        }
    }

    /// Checks a key: nothing that could leave the root, no reserved `.attrs` suffix.
    fn check_key(key: &str) -> Result<(), FilesError> {
        let bad = key.is_empty()
            || key.ends_with(ATTRS_SUFFIX)
            || key.contains('\\')
            || key.contains('\0')
            || key
                .split('/')
                .any(|seg| seg.is_empty() || seg == "." || seg == "..");
        if bad {
            return Err(FilesError::InvalidKey(key.to_string()));
        }
        Ok(())
    }

    /// The local path of a key, or the bucket for S3 (after [`FileStore::check_key`]).
    fn locate(&self, key: &str) -> Result<Located<'_>, FilesError> {
        FileStore::check_key(key)?;
        Ok(match &self.inner.backend {
            Backend::Local(root) => Located::Local(root.join(key)),
            Backend::S3(bucket) => Located::S3(bucket),
        })
    }

    /// Writes an upload and its sidecar (content type sniffed from the bytes, md5, original name).
    pub async fn put(
        &self,
        key: &str,
        content: &Content,
        original_name: &str,
    ) -> Result<(), FilesError> {
        let original_name = truncate_bytes(original_name, 255);
        match self.locate(key)? {
            Located::Local(path) => {
                let metadata = json!({ "original-filename": original_name });
                let content = content.clone();
                blocking(move || put_content_blocking(&path, &content, metadata)).await
            }
            Located::S3(bucket) => {
                let kind = detect_mime(content.head());
                bucket.put(key, content, &kind, Some(original_name)).await
            }
        }
    }

    /// Writes an object with a known content type and no metadata (thumbs).
    pub async fn put_typed(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), FilesError> {
        match self.locate(key)? {
            Located::Local(path) => {
                let content_type = content_type.to_string();
                blocking(move || put_blocking(&path, &bytes, &content_type, json!({}))).await
            }
            Located::S3(bucket) => {
                let content = Content::from(bytes);
                bucket.put(key, &content, content_type, None).await
            }
        }
    }

    /// The object's location, type, size and modification time.
    pub async fn get(&self, key: &str) -> Result<StoredObject, FilesError> {
        match self.locate(key)? {
            Located::Local(path) => blocking(move || get_blocking(&path)).await,
            Located::S3(bucket) => {
                let head = bucket.head(key).await?;
                Ok(StoredObject {
                    source: Source::S3 {
                        bucket: bucket.clone(),
                        key: key.to_string(),
                    },
                    content_type: head.content_type,
                    size: head.size,
                    modified: head.modified,
                })
            }
        }
    }

    /// The object's bytes.
    pub async fn read(&self, key: &str) -> Result<Vec<u8>, FilesError> {
        let path = match self.locate(key)? {
            Located::Local(path) => path,
            Located::S3(bucket) => return bucket.read(key).await,
        };
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FilesError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn exists(&self, key: &str) -> bool {
        match self.locate(key) {
            Ok(Located::Local(p)) => tokio::fs::metadata(p).await.is_ok_and(|m| m.is_file()),
            Ok(Located::S3(bucket)) => bucket.head(key).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Deletes an object and its sidecar.
    pub async fn delete(&self, key: &str) -> Result<(), FilesError> {
        match self.locate(key)? {
            Located::Local(path) => blocking(move || delete_blocking(&path)).await,
            Located::S3(bucket) => bucket.delete(key).await,
        }
    }

    /// Deletes every object whose key starts with `prefix` (a trailing `/` means a directory, which
    /// goes too), then the directories it emptied.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), FilesError> {
        let bad = prefix.is_empty()
            || prefix.starts_with('/')
            || prefix.contains('\\')
            || prefix.contains('\0')
            || prefix.split('/').any(|seg| seg == "." || seg == "..");
        if bad {
            return Err(FilesError::InvalidKey(prefix.to_string()));
        }
        match &self.inner.backend {
            Backend::Local(root) => {
                let root = root.clone();
                let prefix = prefix.to_string();
                blocking(move || delete_prefix_blocking(&root, &prefix)).await
            }
            Backend::S3(bucket) => bucket.delete_prefix(prefix).await,
        }
    }

    /// Makes sure the thumb `thumb_key` of `original_key` exists, generating it once (concurrent
    /// requests for the same thumb wait for the one generation).
    pub async fn ensure_thumb(
        &self,
        original_key: &str,
        thumb_key: &str,
        size: &str,
    ) -> Result<(), FilesError> {
        if self.exists(thumb_key).await {
            return Ok(());
        }
        let parsed = ThumbSize::parse(size)
            .ok_or_else(|| FilesError::Thumb(format!("invalid thumb size {size:?}")))?;
        let gate = self
            .inner
            .pending
            .lock()
            .entry(thumb_key.to_string())
            .or_default()
            .clone();
        let result = {
            let _turn = gate.lock().await;
            if self.exists(thumb_key).await {
                Ok(())
            } else {
                self.generate_thumb(original_key, thumb_key, parsed).await
            }
        };
        // clones are only taken under the map lock, so a count of 1 means nobody else waits
        drop(gate);
        let mut pending = self.inner.pending.lock();
        if pending
            .get(thumb_key)
            .is_some_and(|g| Arc::strong_count(g) == 1)
        {
            pending.remove(thumb_key);
        }
        result
    }

    async fn generate_thumb(
        &self,
        original_key: &str,
        thumb_key: &str,
        size: ThumbSize,
    ) -> Result<(), FilesError> {
        let _slot = tokio::time::timeout(self.inner.thumb_wait, self.inner.thumb_slots.acquire())
            .await
            .map_err(|_| FilesError::Thumb("timed out waiting for a thumb worker".into()))?
            .map_err(|e| FilesError::Thumb(e.to_string()))?;
        let original = self.get(original_key).await?;
        let source = self.read(original_key).await?;
        let (bytes, kind) = blocking(move || {
            thumb::make_thumb(&source, &original.content_type, &size).map_err(FilesError::Thumb)
        })
        .await?;
        self.put_typed(thumb_key, bytes, kind).await
    }
}

/// Where a checked key lives.
enum Located<'a> {
    Local(PathBuf),
    S3(&'a S3Bucket),
}

/// Checks an S3 configuration like PocketBase's settings test: uploads
/// `pb_settings_test_<5 random>/test.txt`, then deletes that prefix (list + delete).
pub async fn test_s3(config: &S3Config) -> Result<(), FilesError> {
    let config = config.clone();
    let bucket = blocking(move || Ok(S3Bucket::new(&config))).await?;
    let prefix = format!("pb_settings_test_{}", random_suffix(5));
    let content = Content::from(b"test".to_vec());
    let key = format!("{prefix}/test.txt");
    bucket
        .put(&key, &content, "text/plain; charset=utf-8", None)
        .await
        .map_err(|e| FilesError::S3(format!("failed to upload a test file: [key: {key}] {e}")))?;
    bucket
        .delete_prefix(&format!("{prefix}/"))
        .await
        .map_err(|e| FilesError::S3(format!("failed to delete a test file: {e}")))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
