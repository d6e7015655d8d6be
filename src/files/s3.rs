//! The S3 driver: the same keys as the local directory inside a bucket; the content type lives in the
//! object's `Content-Type`, the original upload name in the `original-filename` user metadata.

use super::{Content, FilesError};
use crate::model::settings::S3Config;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use std::time::SystemTime;

/// A bucket client.
#[derive(Clone)]
pub struct S3Bucket {
    client: Client,
    bucket: String,
}

impl std::fmt::Debug for S3Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Bucket")
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

/// A metadata read of one object.
pub struct S3Head {
    pub content_type: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// `https://` is assumed when the endpoint names no scheme.
fn endpoint_url(endpoint: &str) -> String {
    let e = endpoint.trim().trim_end_matches('/');
    if e.contains("://") {
        e.to_string()
    } else {
        format!("https://{e}")
    }
}

/// The error text of an SDK failure, with its cause chain.
fn sdk_error<E: std::error::Error + 'static>(e: E) -> FilesError {
    FilesError::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

/// A 404 answer becomes [`FilesError::NotFound`]; anything else keeps its text.
fn not_found_or<E: std::error::Error + 'static>(e: aws_sdk_s3::error::SdkError<E>) -> FilesError {
    match e.raw_response().map(|r| r.status().as_u16()) {
        Some(404) => FilesError::NotFound,
        _ => sdk_error(e),
    }
}

impl S3Bucket {
    /// A client for the configured bucket (path-style when `forcePathStyle`, SigV4 with the region).
    /// Builds the TLS client, which reads the system roots: call it off the async runtime.
    pub fn new(c: &S3Config) -> S3Bucket {
        use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let credentials = Credentials::new(
            c.access_key.clone(),
            c.secret.clone(),
            None,
            None,
            "settings",
        );
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(c.region.clone()))
            .endpoint_url(endpoint_url(&c.endpoint))
            .credentials_provider(credentials)
            .force_path_style(c.force_path_style)
            .http_client(http)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        S3Bucket {
            client: Client::from_conf(config),
            bucket: c.bucket.clone(),
        }
    }

    /// Uploads content; a spilled upload streams from its temporary file.
    pub async fn put(
        &self,
        key: &str,
        content: &Content,
        content_type: &str,
        original_name: Option<&str>,
    ) -> Result<(), FilesError> {
        let body = match content {
            Content::Memory(b) => ByteStream::from(b.clone()),
            Content::Disk(d) => ByteStream::from_path(&d.path)
                .await
                .map_err(|e| FilesError::S3(e.to_string()))?,
        };
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(content.len() as i64)
            .body(body);
        if let Some(name) = original_name {
            req = req.metadata("original-filename", name);
        }
        req.send().await.map_err(sdk_error)?;
        Ok(())
    }

    pub async fn head(&self, key: &str) -> Result<S3Head, FilesError> {
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(not_found_or)?;
        let modified = out
            .last_modified()
            .and_then(|t| SystemTime::try_from(*t).ok())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Ok(S3Head {
            content_type: out
                .content_type()
                .filter(|t| !t.is_empty())
                .unwrap_or("application/octet-stream")
                .to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            modified,
        })
    }

    async fn get_body(&self, key: &str, range: Option<String>) -> Result<ByteStream, FilesError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .send()
            .await
            .map_err(not_found_or)?;
        Ok(out.body)
    }

    /// The whole object.
    pub async fn read(&self, key: &str) -> Result<Vec<u8>, FilesError> {
        let body = self.get_body(key, None).await?;
        let data = body
            .collect()
            .await
            .map_err(|e| FilesError::S3(e.to_string()))?;
        Ok(data.into_bytes().to_vec())
    }

    /// `length` bytes from `start`, streamed as they arrive (one ranged GET).
    pub fn read_range(
        &self,
        key: &str,
        start: u64,
        length: u64,
    ) -> BoxStream<'static, std::io::Result<Bytes>> {
        if length == 0 {
            return stream::empty().boxed();
        }
        let (this, key) = (self.clone(), key.to_string());
        let range = format!("bytes={start}-{}", start + length - 1);
        stream::once(async move { this.get_body(&key, Some(range)).await })
            .flat_map(|body| match body {
                Err(e) => {
                    stream::once(async move { Err(std::io::Error::other(e.to_string())) }).boxed()
                }
                Ok(body) => stream::unfold(body, |mut body| async move {
                    let next = body.next().await?;
                    Some((next.map_err(std::io::Error::other), body))
                })
                .boxed(),
            })
            .boxed()
    }

    /// Deletes one object (a missing object is not an error on S3).
    pub async fn delete(&self, key: &str) -> Result<(), FilesError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Every key starting with `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, FilesError> {
        let mut keys = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(sdk_error)?;
            keys.extend(
                out.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
            token = out.next_continuation_token().map(str::to_string);
            if token.is_none() || out.is_truncated() != Some(true) {
                return Ok(keys);
            }
        }
    }

    /// Deletes every object under `prefix`; the first failure is returned after trying them all.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), FilesError> {
        let mut first_error = None;
        for key in self.list(prefix).await? {
            if let Err(e) = self.delete(&key).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}
