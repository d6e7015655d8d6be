//! File serving: headers, download, ranges, conditionals, HEAD, thumbs, protected files and tokens,
//! view records (spec 06 §3–§5). Files are written with `FileStore::put` and set on the record directly.

use crate::support::{assert_error, Server};
use ferrobase::files::record_key;
use ferrobase::store;
use serde_json::{json, Value};

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 7, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Creates a collection (superuser) and returns its id.
async fn collection(s: &Server, t: &str, body: Value) -> String {
    let res = s.req("POST", "/api/collections", Some(t), Some(body)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

/// Creates a record (superuser) and returns its id.
async fn record(s: &Server, t: &str, c: &str, body: Value) -> String {
    let res = s
        .req(
            "POST",
            &format!("/api/collections/{c}/records"),
            Some(t),
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

/// Stores `files` (name, bytes) for the record and sets `field` to their names.
async fn attach(s: &Server, c: &str, id: &str, field: &str, files: &[(&str, Vec<u8>)]) {
    let col = s.app.find_collection(c).expect("collection");
    for (name, bytes) in files {
        let key = record_key(&col.id, id, name);
        s.app
            .files()
            .put(&key, &ferrobase::files::Content::from(bytes.clone()), name)
            .await
            .unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let (c2, id2) = (col.clone(), id.to_string());
    let mut rec = s
        .app
        .db()
        .read(move |conn| store::records::find_by_id(conn, &c2, &id2))
        .await
        .unwrap()
        .unwrap();
    let multiple = col.field(field).unwrap().is_multiple();
    rec.set(
        field,
        if multiple {
            json!(names)
        } else {
            json!(names[0])
        },
    );
    let id2 = id.to_string();
    s.app
        .db()
        .write(move |tx| store::records::update(tx, &col, &id2, &rec))
        .await
        .map_err(|e: store::StoreError| e.to_string())
        .unwrap();
}

async fn get(s: &Server, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut rb = s.client.get(format!("{}{path}", s.url));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn setup_docs(s: &Server, t: &str) -> (String, String) {
    let cid = collection(s, t, json!({"name": "docs", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "one", "type": "file", "maxSelect": 1, "thumbs": ["50x50", "60x30t", "0x30", "40x0"]},
        {"name": "many", "type": "file", "maxSelect": 9}]})).await;
    let id = record(s, t, "docs", json!({"title": "x"})).await;
    attach(
        s,
        "docs",
        &id,
        "one",
        &[("my_photo_7yyfebd9vi.final.PNG", png(200, 100))],
    )
    .await;
    let bmp = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(20, 10)
            .write_to(&mut out, image::ImageFormat::Bmp)
            .unwrap();
        out.into_inner()
    };
    attach(
        s,
        "docs",
        &id,
        "many",
        &[
            ("doc_p7kjo84dn7.txt", b"hello world\n".to_vec()),
            ("pic_abcdefghij.bmp", bmp),
            ("broken_abcdefghij.png", b"\x89PNG\r\n\x1a\nbroken".to_vec()),
            ("empty_abcdefghij.txt", Vec::new()),
        ],
    )
    .await;
    (cid, id)
}

#[tokio::test]
async fn serves_with_pocketbase_headers() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let (cid, id) = setup_docs(&s, &t).await;
    for coll in ["docs", cid.as_str()] {
        let res = get(
            &s,
            &format!("/api/files/{coll}/{id}/my_photo_7yyfebd9vi.final.PNG"),
            &[],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "accept-ranges"), "bytes");
        assert_eq!(
            header(&res, "cache-control"),
            "max-age=2592000, stale-while-revalidate=86400"
        );
        assert_eq!(
            header(&res, "content-disposition"),
            "inline; filename=\"my_photo_7yyfebd9vi.final.PNG\""
        );
        assert_eq!(
            header(&res, "content-security-policy"),
            "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
        );
        assert_eq!(header(&res, "content-type"), "image/png");
        assert!(header(&res, "last-modified").ends_with(" GMT"));
        assert!(res.headers().get("x-frame-options").is_none());
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(res.bytes().await.unwrap().to_vec(), png(200, 100));
    }
    let txt = format!("/api/files/docs/{id}/doc_p7kjo84dn7.txt");
    let res = get(&s, &txt, &[]).await;
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"doc_p7kjo84dn7.txt\""
    );
    assert_eq!(header(&res, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&res, "content-length"), "12");
    let res = get(
        &s,
        &format!("/api/files/docs/{id}/my_photo_7yyfebd9vi.final.PNG?download=1"),
        &[],
    )
    .await;
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"my_photo_7yyfebd9vi.final.PNG\""
    );
    let res = get(
        &s,
        &format!("/api/files/docs/{id}/my_photo_7yyfebd9vi.final.PNG?download=no"),
        &[],
    )
    .await;
    assert!(header(&res, "content-disposition").starts_with("inline"));
    let head = s
        .client
        .head(format!("{}{txt}", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-length"), "12");
    assert!(head.bytes().await.unwrap().is_empty());
    let empty = get(
        &s,
        &format!("/api/files/docs/{id}/empty_abcdefghij.txt"),
        &[("Range", "bytes=5-")],
    )
    .await;
    assert_eq!(
        (empty.status().as_u16(), header(&empty, "content-type")),
        (200, "text/plain".to_string())
    );
    // every failure is the same 404
    std::fs::remove_file(
        s.data_dir()
            .join(format!("storage/{cid}/{id}/doc_p7kjo84dn7.txt")),
    )
    .unwrap();
    let res = s
        .get(&format!("/api/files/nope/{id}/doc_p7kjo84dn7.txt"), None)
        .await;
    assert_error(&res, 404, "Missing or invalid collection context.");
    for path in [
        "/api/files/docs/nope/doc_p7kjo84dn7.txt".to_string(),
        format!("/api/files/docs/{id}/other.txt"),
        format!("/api/files/docs/{id}/doc_p7kjo84dn7.txt"),
        format!("/api/files/docs/{id}/title"),
    ] {
        let res = s.get(&path, None).await;
        assert_error(&res, 404, "The requested resource wasn't found.");
    }
    assert_eq!(
        s.req(
            "POST",
            &format!("/api/files/docs/{id}/other.txt"),
            None,
            None
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn ranges_and_conditionals() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let (_, id) = setup_docs(&s, &t).await;
    let p = format!("/api/files/docs/{id}/doc_p7kjo84dn7.txt");
    let res = get(&s, &p, &[("Range", "bytes=2-4")]).await;
    assert_eq!(res.status(), 206);
    assert_eq!(header(&res, "content-range"), "bytes 2-4/12");
    assert_eq!(header(&res, "content-length"), "3");
    assert_eq!(res.text().await.unwrap(), "llo");
    let res = get(&s, &p, &[("Range", "bytes=0-1,-2")]).await;
    assert_eq!(res.status(), 206);
    let ct = header(&res, "content-type");
    let boundary = ct
        .strip_prefix("multipart/byteranges; boundary=")
        .expect(&ct)
        .to_string();
    let body = res.text().await.unwrap();
    assert_eq!(body, format!("--{boundary}\r\nContent-Range: bytes 0-1/12\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhe\r\n--{boundary}\r\nContent-Range: bytes 10-11/12\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nd\n\r\n--{boundary}--\r\n"));
    let res = get(&s, &p, &[("Range", "bytes=50-60")]).await;
    assert_eq!(res.status(), 416);
    assert_eq!(header(&res, "content-range"), "bytes */12");
    assert!(res.headers().get("cache-control").is_none());
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"data": {}, "message": "The requested range is not satisfiable.", "status": 416})
    );
    let res = get(&s, &p, &[("Range", "garbage")]).await;
    assert_eq!(res.status(), 416);
    assert_eq!(header(&res, "content-type"), "application/json");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"data": {}, "message": "Invalid Range header.", "status": 416})
    );
    let lm = header(&get(&s, &p, &[]).await, "last-modified");
    let res = get(&s, &p, &[("If-Modified-Since", lm.as_str())]).await;
    assert_eq!(res.status(), 304);
    assert!(res.headers().get("content-type").is_none());
    assert_eq!(header(&res, "last-modified"), lm);
    assert_eq!(
        get(
            &s,
            &p,
            &[("If-Modified-Since", "Thu, 01 Jan 2015 00:00:00 GMT")]
        )
        .await
        .status(),
        200
    );
    assert_eq!(get(&s, &p, &[("If-None-Match", "*")]).await.status(), 304);
    assert_eq!(get(&s, &p, &[("If-Match", "\"x\"")]).await.status(), 412);
    let res = get(&s, &p, &[("Range", "bytes=0-1"), ("If-Range", "\"etag\"")]).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn thumbs() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let (cid, id) = setup_docs(&s, &t).await;
    let name = "my_photo_7yyfebd9vi.final.PNG";
    for (thumb, w, h) in [
        ("100x100", 100, 100),
        ("50x50", 50, 50),
        ("60x30t", 60, 30),
        ("0x30", 60, 30),
        ("40x0", 40, 20),
    ] {
        let res = get(
            &s,
            &format!("/api/files/docs/{id}/{name}?thumb={thumb}"),
            &[],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "content-disposition"),
            format!("inline; filename=\"{thumb}_{name}\"")
        );
        assert_eq!(header(&res, "content-type"), "image/png");
        let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (w, h), "{thumb}");
        let stored = s
            .data_dir()
            .join(format!("storage/{cid}/{id}/thumbs_{name}/{thumb}_{name}"));
        assert!(
            stored.exists() && stored.with_extension("PNG.attrs").exists(),
            "{stored:?}"
        );
    }
    // the guide's aliases serve the canonical thumbs
    for (alias, canonical, w, h) in [
        ("40x", "40x0", 40, 20),
        ("x30", "0x30", 60, 30),
        ("100x100!", "100x100", 100, 100),
    ] {
        let res = get(
            &s,
            &format!("/api/files/docs/{id}/{name}?thumb={alias}"),
            &[],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "content-disposition"),
            format!("inline; filename=\"{canonical}_{name}\"")
        );
        let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (w, h), "{alias}");
    }
    // the second request serves the stored thumb
    let stored = s
        .data_dir()
        .join(format!("storage/{cid}/{id}/thumbs_{name}/50x50_{name}"));
    std::fs::write(&stored, png(3, 3)).unwrap();
    let res = get(&s, &format!("/api/files/docs/{id}/{name}?thumb=50x50"), &[]).await;
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (3, 3));
    // sizes not allowed, other types and broken images serve the original
    for (file, thumb) in [
        (name, "70x70"),
        (name, "0x0"),
        (name, "100x"),
        (name, "abc"),
        ("pic_abcdefghij.bmp", "100x100"),
        ("doc_p7kjo84dn7.txt", "100x100"),
        ("broken_abcdefghij.png", "100x100"),
    ] {
        let res = get(
            &s,
            &format!("/api/files/docs/{id}/{file}?thumb={thumb}"),
            &[],
        )
        .await;
        assert_eq!(res.status(), 200, "{file} {thumb}");
        assert_eq!(
            header(&res, "content-disposition")
                .split("filename=")
                .nth(1),
            Some(format!("\"{file}\"").as_str())
        );
    }
    // concurrent identical requests share one generation
    let jobs: Vec<_> = (0..6)
        .map(|_| {
            let url = format!("{}/api/files/docs/{id}/{name}?thumb=60x30t", s.url);
            tokio::spawn(async move { reqwest::get(url).await.unwrap().status().as_u16() })
        })
        .collect();
    for j in jobs {
        assert_eq!(j.await.unwrap(), 200);
    }
}

#[tokio::test]
async fn protected_files_and_tokens() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    for email in ["owner@example.com", "other@example.com"] {
        record(
            &s,
            &t,
            "users",
            json!({"email": email, "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"}),
        )
        .await;
    }
    let owner = s.login("users", "owner@example.com", "Passw0rd123").await;
    let other = s.login("users", "other@example.com", "Passw0rd123").await;
    let guest = s.req("POST", "/api/files/token", None, None).await;
    assert_error(
        &guest,
        401,
        "The request requires valid record authorization token.",
    );
    let token_of = |auth: String| {
        let s = &s;
        async move {
            s.req("POST", "/api/files/token", Some(&auth), None)
                .await
                .body["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (owner_ft, other_ft, admin_ft) = (
        token_of(owner.clone()).await,
        token_of(other).await,
        token_of(t.clone()).await,
    );
    let claims = ferrobase::auth::token::peek(&owner_ft).unwrap();
    assert_eq!(claims.token_type, "file");
    assert_eq!(claims.collection_id, "_pb_users_auth_");
    let ttl = claims.exp.unwrap() - chrono::Utc::now().timestamp();
    assert!((178..=180).contains(&ttl), "{ttl}");
    let owner_rec = ferrobase::auth::token::peek(&owner).unwrap().id;
    collection(&s, &t, json!({"name": "secrets", "viewRule": "public = true || owner = @request.auth.id", "fields": [
        {"name": "owner", "type": "text"}, {"name": "public", "type": "bool"},
        {"name": "doc", "type": "file", "maxSelect": 1, "protected": true},
        {"name": "open", "type": "file", "maxSelect": 1}]})).await;
    let public = record(
        &s,
        &t,
        "secrets",
        json!({"owner": owner_rec, "public": true}),
    )
    .await;
    let private = record(
        &s,
        &t,
        "secrets",
        json!({"owner": owner_rec, "public": false}),
    )
    .await;
    for id in [&public, &private] {
        attach(
            &s,
            "secrets",
            id,
            "doc",
            &[("a_0123456789.txt", b"secret".to_vec())],
        )
        .await;
        attach(
            &s,
            "secrets",
            id,
            "open",
            &[("b_0123456789.txt", b"open".to_vec())],
        )
        .await;
    }
    let status = |id: &str, token: Option<&str>| {
        let url = match token {
            Some(tk) => format!("/api/files/secrets/{id}/a_0123456789.txt?token={tk}"),
            None => format!("/api/files/secrets/{id}/a_0123456789.txt"),
        };
        let s = &s;
        async move { s.get(&url, None).await.status }
    };
    let matrix = [
        (&public, [200, 200, 200, 200]),
        (&private, [404, 200, 404, 200]),
    ];
    for (id, want) in matrix {
        let got = [
            status(id, None).await,
            status(id, Some(&owner_ft)).await,
            status(id, Some(&other_ft)).await,
            status(id, Some(&admin_ft)).await,
        ];
        assert_eq!(got, want, "record {id}");
    }
    // the Authorization header is ignored, an auth token is not a file token, junk is a guest
    let res = s
        .get(
            &format!("/api/files/secrets/{private}/a_0123456789.txt"),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(status(&private, Some(&owner)).await, 404);
    assert_eq!(status(&private, Some("junk")).await, 404);
    // unprotected files are always served
    assert_eq!(
        s.get(
            &format!("/api/files/secrets/{private}/b_0123456789.txt"),
            None
        )
        .await
        .status,
        200
    );
    // the rule sees @request.context = "protectedFile"; a null rule means superusers only
    let patch = |rule: Value| {
        let s = &s;
        let t = t.clone();
        async move {
            assert_eq!(
                s.req(
                    "PATCH",
                    "/api/collections/secrets",
                    Some(&t),
                    Some(json!({"viewRule": rule}))
                )
                .await
                .status,
                200
            )
        }
    };
    patch(json!("@request.context = \"protectedFile\"")).await;
    assert_eq!(status(&private, None).await, 200);
    patch(Value::Null).await;
    assert_eq!(status(&private, Some(&owner_ft)).await, 404);
    assert_eq!(status(&private, Some(&admin_ft)).await, 200);
    // a superuser file token from outside superuserIPs counts as a guest
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"superuserIPs": ["10.9.8.7"]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(status(&private, Some(&admin_ft)).await, 404);
}

#[tokio::test]
async fn view_records_serve_the_source_file() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let (cid, id) = setup_docs(&s, &t).await;
    collection(
        &s,
        &t,
        json!({"name": "v1", "type": "view", "listRule": "", "viewRule": "",
        "viewQuery": "SELECT ('v' || id) as id, one as pic, many FROM docs"}),
    )
    .await;
    collection(
        &s,
        &t,
        json!({"name": "v2", "type": "view", "listRule": "", "viewRule": "",
        "viewQuery": "SELECT id, pic as p2 FROM v1"}),
    )
    .await;
    let res = get(
        &s,
        &format!("/api/files/v1/v{id}/my_photo_7yyfebd9vi.final.PNG"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png(200, 100));
    assert_eq!(
        get(&s, &format!("/api/files/v1/v{id}/doc_p7kjo84dn7.txt"), &[])
            .await
            .status(),
        200
    );
    let res = get(
        &s,
        &format!("/api/files/v1/v{id}/my_photo_7yyfebd9vi.final.PNG?thumb=50x50"),
        &[],
    )
    .await;
    assert_eq!(
        header(&res, "content-disposition"),
        "inline; filename=\"50x50_my_photo_7yyfebd9vi.final.PNG\""
    );
    let thumb = format!("storage/{cid}/{id}/thumbs_my_photo_7yyfebd9vi.final.PNG/50x50_my_photo_7yyfebd9vi.final.PNG");
    assert!(
        s.data_dir().join(thumb).exists(),
        "thumbs of view files live beside the source file"
    );
    assert_eq!(
        get(
            &s,
            &format!("/api/files/v2/v{id}/my_photo_7yyfebd9vi.final.PNG"),
            &[]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        get(
            &s,
            &format!("/api/files/v1/{id}/my_photo_7yyfebd9vi.final.PNG"),
            &[]
        )
        .await
        .status(),
        404
    );
}

/// A multipart body cut anywhere (inside a part's headers, inside a file, before the closing
/// boundary) answers 400 and creates nothing; PocketBase 0.40.6 creates a blank record for the first.
#[tokio::test]
async fn truncated_multipart_creates_nothing() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    collection(
        &s,
        &t,
        json!({"name": "docs", "createRule": "", "fields": [
        {"name": "title", "type": "text"},
        {"name": "one", "type": "file", "maxSelect": 1}]}),
    )
    .await;
    let head = "--XX\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello";
    for body in [
        format!("{head}\r\n--XX\r\nContent-Disp"),
        format!("{head}\r\n--XX\r\nContent-Disposition: form-data; name=\"one\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nabcdef"),
        head.to_string(),
    ] {
        let res = reqwest::Client::new()
            .post(format!("{}/api/collections/docs/records", s.url))
            .header("content-type", "multipart/form-data; boundary=XX")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{body:?}");
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["status"], 400);
    }
    let list = s.get("/api/collections/docs/records", Some(&t)).await;
    assert_eq!(list.body["totalItems"], 0);
    let dir = s.data_dir().join("storage");
    let stored = walk_files(&dir);
    assert!(stored.is_empty(), "{stored:?}");
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}
