//! The local driver: sidecars, keys, deletes and thumbs.

use super::*;

fn store() -> (tempfile::TempDir, FileStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let fs = FileStore::local(dir.path().join("storage"));
    (dir, fs)
}

#[tokio::test]
async fn put_writes_the_sidecar() {
    let (_d, fs) = store();
    fs.put(
        "c/r/a.txt",
        &Content::from(bytes::Bytes::from_static(b"hello world\n")),
        "a.txt",
    )
    .await
    .unwrap();
    let attrs = std::fs::read_to_string(fs.root().unwrap().join("c/r/a.txt.attrs")).unwrap();
    assert_eq!(
        attrs,
        r#"{"user.cache_control":"","user.content_disposition":"","user.content_encoding":"","user.content_language":"","user.content_type":"text/plain; charset=utf-8","user.metadata":{"original-filename":"a.txt"},"md5":"b1kCrCNwJL3QwXbLkwY9xA=="}"#
    );
    let obj = fs.get("c/r/a.txt").await.unwrap();
    assert_eq!(
        (obj.content_type.as_str(), obj.size),
        ("text/plain; charset=utf-8", 12)
    );
    assert!(fs.exists("c/r/a.txt").await);
    assert_eq!(fs.read("c/r/a.txt").await.unwrap(), b"hello world\n");
    // no temporary files are left behind
    let names: Vec<_> = std::fs::read_dir(fs.root().unwrap().join("c/r"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2);
}

#[tokio::test]
async fn missing_sidecar_means_octet_stream() {
    let (_d, fs) = store();
    std::fs::create_dir_all(fs.root().unwrap().join("c/r")).unwrap();
    std::fs::write(fs.root().unwrap().join("c/r/raw.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    assert_eq!(
        fs.get("c/r/raw.png").await.unwrap().content_type,
        "application/octet-stream"
    );
    assert!(matches!(
        fs.get("c/r/none.png").await,
        Err(FilesError::NotFound)
    ));
    assert!(matches!(fs.get("c/r").await, Err(FilesError::NotFound)));
}

#[tokio::test]
async fn bad_keys_are_refused() {
    let (_d, fs) = store();
    for key in [
        "",
        "a.attrs",
        "../x",
        "a/../../x",
        "/abs",
        "a//b",
        "a\\b",
        "a/./b",
    ] {
        assert!(
            matches!(
                fs.put(key, &Content::from(bytes::Bytes::new()), "x").await,
                Err(FilesError::InvalidKey(_))
            ),
            "{key}"
        );
        assert!(!fs.exists(key).await);
        assert!(fs.delete(key).await.is_err());
    }
    assert!(fs.delete_prefix("").await.is_err());
    assert!(fs.delete_prefix("../").await.is_err());
}

#[tokio::test]
async fn deletes_and_prefixes() {
    let (_d, fs) = store();
    for key in [
        "c/r1/a.txt",
        "c/r1/thumbs_a.png/100x100_a.png",
        "c/r1/b.txt",
        "c/r2/a.txt",
        "d/r/x.txt",
    ] {
        fs.put(key, &Content::from(bytes::Bytes::from_static(b"x")), "x")
            .await
            .unwrap();
    }
    fs.delete("c/r1/b.txt").await.unwrap();
    assert!(!fs.root().unwrap().join("c/r1/b.txt.attrs").exists());
    assert!(matches!(
        fs.delete("c/r1/b.txt").await,
        Err(FilesError::NotFound)
    ));
    fs.delete_prefix("c/r1/thumbs_a.png/").await.unwrap();
    assert!(!fs.root().unwrap().join("c/r1/thumbs_a.png").exists());
    assert!(fs.exists("c/r1/a.txt").await);
    fs.delete_prefix("c/").await.unwrap();
    assert!(!fs.root().unwrap().join("c").exists());
    assert!(fs.exists("d/r/x.txt").await);
    // a prefix that is not a directory: a key prefix
    fs.put(
        "d/r/xy.txt",
        &Content::from(bytes::Bytes::from_static(b"x")),
        "x",
    )
    .await
    .unwrap();
    fs.put(
        "d/r/z.txt",
        &Content::from(bytes::Bytes::from_static(b"x")),
        "x",
    )
    .await
    .unwrap();
    fs.delete_prefix("d/r/x").await.unwrap();
    assert!(!fs.exists("d/r/x.txt").await && !fs.exists("d/r/xy.txt").await);
    assert!(fs.exists("d/r/z.txt").await);
    fs.delete_prefix("nothing/here/").await.unwrap();
}

#[tokio::test]
async fn thumbs_are_generated_once() {
    let (_d, fs) = store();
    let img = image::RgbaImage::from_fn(200, 100, |x, _| image::Rgba([x as u8, 0, 0, 255]));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    fs.put(
        "c/r/a.png",
        &Content::from(bytes::Bytes::from(png.into_inner())),
        "a.png",
    )
    .await
    .unwrap();
    let key = thumb_key("c", "r", "a.png", "50x50");
    let jobs: Vec<_> = (0..4)
        .map(|_| {
            let fs = fs.clone();
            let key = key.clone();
            tokio::spawn(async move { fs.ensure_thumb("c/r/a.png", &key, "50x50").await })
        })
        .collect();
    for j in jobs {
        j.await.unwrap().unwrap();
    }
    let obj = fs.get(&key).await.unwrap();
    assert_eq!(obj.content_type, "image/png");
    let attrs = std::fs::read_to_string(fs.root().unwrap().join(format!("{key}.attrs"))).unwrap();
    assert!(attrs.contains(r#""user.metadata":{}"#), "{attrs}");
    assert!(fs.inner.pending.lock().is_empty());
    // a broken original fails (the caller then serves the original)
    fs.put(
        "c/r/bad.png",
        &Content::from(bytes::Bytes::from_static(b"\x89PNG\r\n\x1a\nbroken")),
        "bad.png",
    )
    .await
    .unwrap();
    assert!(fs
        .ensure_thumb(
            "c/r/bad.png",
            &thumb_key("c", "r", "bad.png", "50x50"),
            "50x50"
        )
        .await
        .is_err());
    assert!(fs
        .ensure_thumb("c/r/a.png", &thumb_key("c", "r", "a.png", "0x0"), "0x0")
        .await
        .is_err());
}

#[tokio::test]
async fn put_copies_a_spilled_part() {
    let (dir, fs) = store();
    let mut spool = Spool::new();
    let chunk = vec![7u8; 256 * 1024];
    for _ in 0..6 {
        spool.push(&chunk).unwrap();
    }
    let content = spool.finish().unwrap();
    assert!(matches!(content, Content::Disk(_)));
    fs.put("c/r/big.bin", &content, "big.bin").await.unwrap();
    let path = dir.path().join("storage/c/r/big.bin");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 6 * 256 * 1024);
    let attrs: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("storage/c/r/big.bin.attrs")).unwrap(),
    )
    .unwrap();
    let all = vec![7u8; 6 * 256 * 1024];
    assert_eq!(
        attrs["md5"],
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(&all))
    );
    assert_eq!(attrs["user.content_type"], "application/octet-stream");
}
