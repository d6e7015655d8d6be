//! Uploaded file content: small parts stay in memory, larger ones spill to a temporary file while they
//! arrive, so a large upload never sits in memory whole.

use super::mime::READ_LIMIT;
use md5::{Digest, Md5};
use std::io::Write;
use std::sync::Arc;

/// Parts up to this size stay in memory.
pub const SPILL_AT: usize = 1 << 20;

/// The bytes of one uploaded file.
#[derive(Debug, Clone)]
pub enum Content {
    Memory(bytes::Bytes),
    Disk(Arc<DiskContent>),
}

/// A spilled part: a temporary file (removed when the last clone is dropped), its size, its first
/// bytes (for type sniffing) and its MD5.
#[derive(Debug)]
pub struct DiskContent {
    pub path: tempfile::TempPath,
    pub size: u64,
    pub head: Vec<u8>,
    pub md5: [u8; 16],
}

impl Content {
    pub fn len(&self) -> u64 {
        match self {
            Content::Memory(b) => b.len() as u64,
            Content::Disk(d) => d.size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first bytes, enough for [`super::detect_mime`] (the whole content when it is small).
    pub fn head(&self) -> &[u8] {
        match self {
            Content::Memory(b) => &b[..b.len().min(READ_LIMIT)],
            Content::Disk(d) => &d.head,
        }
    }

    pub fn md5(&self) -> [u8; 16] {
        match self {
            Content::Memory(b) => Md5::digest(b).into(),
            Content::Disk(d) => d.md5,
        }
    }
}

impl From<bytes::Bytes> for Content {
    fn from(b: bytes::Bytes) -> Self {
        Content::Memory(b)
    }
}

impl From<Vec<u8>> for Content {
    fn from(b: Vec<u8>) -> Self {
        Content::Memory(b.into())
    }
}

/// Collects a part chunk by chunk; past [`SPILL_AT`] bytes everything goes to a temporary file.
pub struct Spool {
    memory: Vec<u8>,
    disk: Option<(std::fs::File, tempfile::TempPath)>,
    size: u64,
    head: Vec<u8>,
    md5: Md5,
}

impl Default for Spool {
    fn default() -> Self {
        Spool::new()
    }
}

impl Spool {
    pub fn new() -> Spool {
        Spool {
            memory: Vec::new(),
            disk: None,
            size: 0,
            head: Vec::new(),
            md5: Md5::new(),
        }
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.size += chunk.len() as u64;
        self.md5.update(chunk);
        if self.head.len() < READ_LIMIT {
            let take = (READ_LIMIT - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if let Some((file, _)) = &mut self.disk {
            return file.write_all(chunk);
        }
        if self.memory.len() + chunk.len() <= SPILL_AT {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        let (mut file, path) = tempfile::NamedTempFile::new()?.into_parts();
        file.write_all(&self.memory)?;
        file.write_all(chunk)?;
        self.memory = Vec::new();
        self.disk = Some((file, path));
        Ok(())
    }

    pub fn finish(self) -> std::io::Result<Content> {
        match self.disk {
            None => Ok(Content::Memory(self.memory.into())),
            Some((mut file, path)) => {
                file.flush()?;
                Ok(Content::Disk(Arc::new(DiskContent {
                    path,
                    size: self.size,
                    head: self.head,
                    md5: self.md5.finalize().into(),
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_parts_stay_in_memory_and_large_ones_spill() {
        let mut small = Spool::new();
        small.push(b"hello ").unwrap();
        small.push(b"world").unwrap();
        let c = small.finish().unwrap();
        assert!(matches!(c, Content::Memory(_)));
        assert_eq!(c.len(), 11);
        assert_eq!(c.head(), b"hello world");
        assert_eq!(c.md5(), <[u8; 16]>::from(Md5::digest(b"hello world")));

        let chunk: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
        let mut big = Spool::new();
        let mut all = Vec::new();
        for _ in 0..20 {
            big.push(&chunk).unwrap();
            all.extend_from_slice(&chunk);
        }
        let c = big.finish().unwrap();
        let Content::Disk(d) = &c else {
            panic!("a 1.25 MiB part must spill to disk");
        };
        assert_eq!(c.len(), all.len() as u64);
        assert_eq!(std::fs::read(&d.path).unwrap(), all);
        assert_eq!(c.head(), &all[..READ_LIMIT]);
        assert_eq!(c.md5(), <[u8; 16]>::from(Md5::digest(&all)));
        let path = d.path.to_path_buf();
        drop(c);
        assert!(!path.exists(), "the temporary file goes with the content");
    }
}
