//! Realtime over SSE (spec 05): rule-filtered delivery, deletes, slow clients, unsubscribe, auth
//! interplay, the subscribe errors, the OAuth2 redirect relay, reference clean-up events, legacy admin
//! tokens, and the detached stream on the wire (head, chunking, keep-alive after the end, shutdown).

use crate::support::{assert_error, Server};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One open SSE stream read with reqwest.
struct Sse {
    res: reqwest::Response,
    buf: String,
    id: String,
}

#[derive(Debug, Clone)]
struct Event {
    name: String,
    data: Value,
}

impl Sse {
    async fn open(s: &Server) -> Sse {
        let res = s
            .client
            .get(format!("{}/api/realtime", s.url))
            .send()
            .await
            .expect("connect");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.headers()["x-accel-buffering"], "no");
        let mut sse = Sse {
            res,
            buf: String::new(),
            id: String::new(),
        };
        let (raw, first) = sse
            .next_raw(Duration::from_secs(5))
            .await
            .expect("PB_CONNECT");
        let id = first.data["clientId"]
            .as_str()
            .expect("clientId")
            .to_string();
        assert_eq!(first.name, "PB_CONNECT");
        assert_eq!(id.len(), 40);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(
            raw,
            format!("id:{id}\nevent:PB_CONNECT\ndata:{{\"clientId\":\"{id}\"}}")
        );
        sse.id = id;
        sse
    }

    /// The next message (raw text without the blank line, parsed), or `None` on timeout or end.
    async fn next_raw(&mut self, wait: Duration) -> Option<(String, Event)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(pos) = self.buf.find("\n\n") {
                let raw = self.buf[..pos].to_string();
                self.buf.drain(..pos + 2);
                let mut name = String::new();
                let mut data = Value::Null;
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = serde_json::from_str(v).expect("data is JSON");
                    } else if let Some(v) = line.strip_prefix("id:") {
                        assert!(self.id.is_empty() || v == self.id, "id line: {v}");
                    }
                }
                return Some((raw, Event { name, data }));
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?;
            match chunk.expect("read") {
                Some(bytes) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    async fn next(&mut self, wait: Duration) -> Option<Event> {
        self.next_raw(wait).await.map(|(_, e)| e)
    }

    /// Waits for the event with record `id` and action, failing on anything else first.
    async fn expect(&mut self, action: &str, id: &str) -> Event {
        let e = self
            .next(Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no {action} event for {id}"));
        assert_eq!(e.data["action"], json!(action), "{e:?}");
        assert_eq!(e.data["record"]["id"], json!(id), "{e:?}");
        e
    }

    /// Asserts that nothing arrives within a short while.
    async fn expect_nothing(&mut self) {
        if let Some(e) = self.next(Duration::from_millis(300)).await {
            panic!("unexpected event: {e:?}");
        }
    }
}

async fn subscribe(s: &Server, sse: &Sse, token: Option<&str>, subs: Value) -> crate::support::Res {
    s.req(
        "POST",
        "/api/realtime",
        token,
        Some(json!({"clientId": sse.id, "subscriptions": subs})),
    )
    .await
}

async fn create_user(s: &Server, admin: &str, email: &str) -> (String, String) {
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            Some(admin),
            Some(json!({"email": email, "password": "pass12345", "passwordConfirm": "pass12345"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    (id, s.login("users", email, "pass12345").await)
}

/// `notes`: owner-only list rule, public view rule for `shared` ones, a hidden field.
async fn setup(s: &Server, admin: &str) {
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(admin),
            Some(json!({
                "name": "notes", "type": "base",
                "listRule": "owner = @request.auth.id", "viewRule": "owner = @request.auth.id || shared = true",
                "createRule": "", "updateRule": "", "deleteRule": "",
                "fields": [
                    {"name": "title", "type": "text"},
                    {"name": "body", "type": "text", "max": 0},
                    {"name": "shared", "type": "bool"},
                    {"name": "secret", "type": "text", "hidden": true},
                    {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1}
                ]
            })),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(admin),
            Some(
                json!({"name": "pings", "type": "base", "listRule": "", "viewRule": "",
                "fields": [{"name": "n", "type": "number"}]}),
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

async fn create(s: &Server, token: &str, collection: &str, body: Value) -> String {
    let res = s
        .req(
            "POST",
            &format!("/api/collections/{collection}/records"),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn rule_filtered_delivery() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    let (u1, t1) = create_user(&s, &admin, "u1@example.com").await;
    let (u2, t2) = create_user(&s, &admin, "u2@example.com").await;
    let mut a = Sse::open(&s).await;
    let mut b = Sse::open(&s).await;
    let mut guest = Sse::open(&s).await;
    let mut su = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, Some(&t1), json!(["notes/*"]))
            .await
            .status,
        204
    );
    assert_eq!(
        subscribe(&s, &b, Some(&t2), json!(["notes/*"]))
            .await
            .status,
        204
    );
    assert_eq!(
        subscribe(&s, &guest, None, json!(["notes/*", "pings/*"]))
            .await
            .status,
        204
    );
    assert_eq!(
        subscribe(&s, &su, Some(&admin), json!(["notes/*"]))
            .await
            .status,
        204
    );

    let n1 = create(
        &s,
        &admin,
        "notes",
        json!({"title": "one", "owner": u1, "secret": "s"}),
    )
    .await;
    let n2 = create(&s, &admin, "notes", json!({"title": "two", "owner": u2})).await;
    let p = create(&s, &admin, "pings", json!({"n": 1})).await;

    let e = a.expect("create", &n1).await;
    assert_eq!(e.name, "notes/*");
    assert_eq!(e.data["record"]["title"], "one");
    assert!(
        e.data["record"].get("secret").is_none(),
        "hidden field leaked"
    );
    assert_eq!(
        serde_json::to_string(&e.data).unwrap().find("\"record\""),
        Some(1),
        "record comes first"
    );
    b.expect("create", &n2).await;
    let e = su.expect("create", &n1).await;
    assert_eq!(e.data["record"]["secret"], "s");
    su.expect("create", &n2).await;
    // the guest sees neither note; the ping after them proves they were not just late
    guest.expect("create", &p).await;
    a.expect_nothing().await;
    b.expect_nothing().await;
}

#[tokio::test]
async fn delete_and_batch_delivery_with_options() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    let (u1, t1) = create_user(&s, &admin, "u1@example.com").await;
    let n1 = create(&s, &admin, "notes", json!({"title": "one", "owner": u1})).await;
    let mut a = Sse::open(&s).await;
    let options =
        urlencode(r#"{"query":{"expand":"owner","fields":"id,title,expand.owner.email"}}"#);
    let with_options = format!("notes/*?options={options}");
    let by_id = format!("notes/{n1}");
    assert_eq!(
        subscribe(&s, &a, Some(&t1), json!([by_id, with_options]))
            .await
            .status,
        204
    );
    let res = s
        .req(
            "PATCH",
            &format!("/api/collections/notes/records/{n1}"),
            Some(&admin),
            Some(json!({"title": "last"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = s
        .req(
            "DELETE",
            &format!("/api/collections/notes/records/{n1}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(a.next(Duration::from_secs(5)).await.expect("event"));
    }
    let mut names: Vec<(String, String)> = got
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.data["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    names.sort();
    let mut want = vec![
        (by_id.clone(), "update".to_string()),
        (by_id.clone(), "delete".to_string()),
        (with_options.clone(), "update".to_string()),
        (with_options.clone(), "delete".to_string()),
    ];
    want.sort();
    assert_eq!(names, want);
    for e in &got {
        assert_eq!(e.data["record"]["title"], "last", "{e:?}");
        if e.name == with_options {
            assert_eq!(
                e.data["record"],
                json!({"id": n1, "title": "last", "expand": {"owner": {"email": "u1@example.com"}}})
            );
        } else {
            assert_eq!(e.data["record"]["collectionName"], "notes");
        }
    }

    // a batch: both creates arrive, in commit order, after the commit; a failed batch sends nothing
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({"batch": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "POST",
            "/api/batch",
            Some(&admin),
            Some(json!({"requests": [
                {"method": "POST", "url": "/api/collections/notes/records", "body": {"id": "batchnote00001a", "title": "b1", "owner": u1}},
                {"method": "POST", "url": "/api/collections/notes/records", "body": {"id": "batchnote00002a", "title": "b2", "owner": u1}}
            ]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    a.expect("create", "batchnote00001a").await;
    a.expect("create", "batchnote00002a").await;
    let res = s
        .req(
            "POST",
            "/api/batch",
            Some(&admin),
            Some(json!({"requests": [
                {"method": "POST", "url": "/api/collections/notes/records", "body": {"id": "batchnote00003a", "title": "b3", "owner": u1}},
                {"method": "POST", "url": "/api/collections/notes/records", "body": {"id": "batchnote00001a"}}
            ]})),
        )
        .await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    a.expect_nothing().await;
    // a delete by the owner reaches the subscriber too
    let res = s
        .req(
            "DELETE",
            "/api/collections/notes/records/batchnote00001a",
            Some(&t1),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    a.expect("delete", "batchnote00001a").await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn slow_client_is_dropped_while_others_keep_receiving() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    // a raw client that reads PB_CONNECT and then never reads again
    let addr = s.url.trim_start_matches("http://").to_string();
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let mut slow = sock.connect(addr.parse().unwrap()).await.unwrap();
    slow.write_all(format!("GET /api/realtime HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 512];
    let slow_id = loop {
        let n = slow.read(&mut byte).await.unwrap();
        head.extend_from_slice(&byte[..n]);
        let text = String::from_utf8_lossy(&head).to_string();
        if let Some(pos) = text.find("\nid:") {
            let rest = &text[pos + 4..];
            if rest.len() >= 40 {
                break rest[..40].to_string();
            }
        }
    };
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(json!({"clientId": slow_id, "subscriptions": ["pings/*", "notes/*"]})),
        )
        .await;
    assert_eq!(res.status, 204);
    let mut fast = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &fast, None, json!(["pings/*"])).await.status,
        204
    );

    // ~100 KB per event: the slow client's queue fills up long before 300 events
    let big = "x".repeat(100_000);
    let res = s
        .req(
            "PATCH",
            "/api/collections/pings",
            Some(&admin),
            Some(json!({"fields": [{"name": "n", "type": "number"}, {"name": "pad", "type": "text", "max": 200000}]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let reader = tokio::spawn(async move {
        let mut n = 0;
        while let Some(e) = fast.next(Duration::from_secs(10)).await {
            assert_eq!(e.data["record"]["n"], json!(n), "events in commit order");
            n += 1;
            if n == 300 {
                break;
            }
        }
        n
    });
    for i in 0..300 {
        create(&s, &admin, "pings", json!({"n": i, "pad": big})).await;
    }
    assert_eq!(
        reader.await.unwrap(),
        300,
        "the reading client got every event"
    );
    assert!(
        s.app.realtime().client(&slow_id).is_none(),
        "the slow client was dropped"
    );
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(json!({"clientId": slow_id, "subscriptions": []})),
        )
        .await;
    assert_error(&res, 404, "Missing or invalid client id.");
    drop(slow);
}

#[tokio::test]
async fn unsubscribe_and_subscribe_errors() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    let (_u1, t1) = create_user(&s, &admin, "u1@example.com").await;
    let mut a = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, None, json!(["pings/*", "notes/x"]))
            .await
            .status,
        204
    );
    let p1 = create(&s, &admin, "pings", json!({"n": 1})).await;
    a.expect("create", &p1).await;
    // replace the set: pings is gone, notes by id stays
    let n = create(&s, &admin, "notes", json!({"title": "t", "shared": true})).await;
    assert_eq!(
        subscribe(&s, &a, None, json!([format!("notes/{n}")]))
            .await
            .status,
        204
    );
    create(&s, &admin, "pings", json!({"n": 2})).await;
    let res = s
        .req(
            "PATCH",
            &format!("/api/collections/notes/records/{n}"),
            Some(&admin),
            Some(json!({"title": "u"})),
        )
        .await;
    assert_eq!(res.status, 200);
    a.expect("update", &n).await;
    // an empty list unsubscribes from everything
    assert_eq!(subscribe(&s, &a, None, json!([])).await.status, 204);
    create(&s, &admin, "pings", json!({"n": 3})).await;
    a.expect_nothing().await;

    // errors
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(json!({"clientId": "nope", "subscriptions": []})),
        )
        .await;
    assert_error(&res, 404, "Missing or invalid client id.");
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(json!({"subscriptions": ["pings/*"]})),
        )
        .await;
    assert_error(
        &res,
        400,
        "Something went wrong while processing your request.",
    );
    assert_eq!(res.body["data"]["clientId"]["code"], "validation_required");
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(json!({"clientId": a.id, "subscriptions": vec!["a"; 1001]})),
        )
        .await;
    assert_eq!(
        res.body["data"]["subscriptions"]["code"],
        "validation_length_too_long"
    );
    let res = s
        .req(
            "POST",
            "/api/realtime",
            None,
            Some(Value::String("garbage".into())),
        )
        .await;
    assert_error(
        &res,
        400,
        "Something went wrong while processing your request.",
    );
    // guest → user is allowed, user → guest or another user is not
    assert_eq!(subscribe(&s, &a, Some(&t1), json!([])).await.status, 204);
    let res = subscribe(&s, &a, None, json!([])).await;
    assert_error(
        &res,
        403,
        "The current and the previous request authorization don't match.",
    );
    let res = subscribe(&s, &a, Some(&admin), json!([])).await;
    assert_error(
        &res,
        403,
        "The current and the previous request authorization don't match.",
    );
    // once the stream is closed the id is unknown
    let id = a.id.clone();
    drop(a);
    let mut gone = false;
    for _ in 0..50 {
        let res = s
            .req(
                "POST",
                "/api/realtime",
                None,
                Some(json!({"clientId": id, "subscriptions": []})),
            )
            .await;
        if res.status == 404 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "closed client still registered");
}

#[tokio::test]
async fn auth_changes_reach_realtime_clients() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    let (u1, t1) = create_user(&s, &admin, "u1@example.com").await;
    let mut a = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, Some(&t1), json!(["notes/*", "pings/*"]))
            .await
            .status,
        204
    );
    let n1 = create(&s, &admin, "notes", json!({"title": "mine", "owner": u1})).await;
    a.expect("create", &n1).await;
    // a plain update keeps the auth
    let res = s
        .req(
            "PATCH",
            &format!("/api/collections/users/records/{u1}"),
            Some(&admin),
            Some(json!({"name": "U"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let n2 = create(&s, &admin, "notes", json!({"title": "mine2", "owner": u1})).await;
    a.expect("create", &n2).await;
    // a password change (new tokenKey) makes the client a guest
    let res = s
        .req(
            "PATCH",
            &format!("/api/collections/users/records/{u1}"),
            Some(&admin),
            Some(json!({"password": "newpass123", "passwordConfirm": "newpass123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    create(&s, &admin, "notes", json!({"title": "mine3", "owner": u1})).await;
    let p = create(&s, &admin, "pings", json!({"n": 1})).await;
    a.expect("create", &p).await;
    // guest → auth again with the new token
    let t1b = s.login("users", "u1@example.com", "newpass123").await;
    assert_eq!(
        subscribe(&s, &a, Some(&t1b), json!(["notes/*"]))
            .await
            .status,
        204
    );
    let n4 = create(&s, &admin, "notes", json!({"title": "mine4", "owner": u1})).await;
    a.expect("create", &n4).await;
}

#[tokio::test]
async fn oauth2_redirect_relays_to_the_subscribed_client() {
    let s = Server::start().await;
    let mut a = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, None, json!(["@oauth2"])).await.status,
        204
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/api/oauth2-redirect?state={}&code=abc123", s.url, a.id);
    let res = no_redirects.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 307);
    assert_eq!(
        res.headers()["location"],
        "../_/#/auth/oauth2-redirect-success"
    );
    let e = a.next(Duration::from_secs(5)).await.expect("@oauth2");
    assert_eq!(e.name, "@oauth2");
    assert_eq!(
        serde_json::to_string(&e.data).unwrap(),
        format!(r#"{{"state":"{}","code":"abc123"}}"#, a.id)
    );
    // the subscription is gone: a second redirect fails
    let res = no_redirects.get(&url).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        "../_/#/auth/oauth2-redirect-failure"
    );
    // POST (form_post) answers 303; an error is relayed and counts as a failure
    assert_eq!(
        subscribe(&s, &a, None, json!(["@oauth2"])).await.status,
        204
    );
    let res = no_redirects
        .post(format!("{}/api/oauth2-redirect", s.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("state={}&error=access_denied", a.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "../_/#/auth/oauth2-redirect-failure"
    );
    let e = a.next(Duration::from_secs(5)).await.expect("@oauth2");
    assert_eq!(
        e.data,
        json!({"state": a.id, "code": "", "error": "access_denied"})
    );
    let res = no_redirects
        .get(format!("{}/api/oauth2-redirect", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 307);
    assert_eq!(
        res.headers()["location"],
        "../_/#/auth/oauth2-redirect-failure"
    );
}

#[tokio::test]
async fn idle_streams_end() {
    let s = Server::start().await;
    s.app
        .realtime()
        .set_timeouts(Duration::from_millis(400), Duration::from_secs(60));
    let mut a = Sse::open(&s).await;
    let started = std::time::Instant::now();
    assert!(
        a.next(Duration::from_secs(5)).await.is_none(),
        "stream ended"
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(s.app.realtime().client(&a.id).is_none());
}

/// Reads from a raw socket until `needle` has arrived (after `from`), the socket ends or 5 s pass.
async fn read_until(
    sock: &mut tokio::net::TcpStream,
    got: &mut Vec<u8>,
    from: usize,
    needle: &[u8],
) {
    let found = |g: &Vec<u8>| {
        g.len() >= from + needle.len() && g[from..].windows(needle.len()).any(|w| w == needle)
    };
    let mut buf = [0u8; 4096];
    while !found(got) {
        let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf))
            .await
            .expect("read timed out")
            .expect("read");
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        found(got),
        "{:?} not found in {:?}",
        String::from_utf8_lossy(needle),
        String::from_utf8_lossy(got)
    );
}

/// Decodes a chunked body (without the head); returns the chunks and the bytes after the last chunk.
fn dechunk(mut body: &[u8]) -> (Vec<String>, Vec<u8>) {
    let mut chunks = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("size line");
        let size = usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap(), 16)
            .expect("hex size");
        body = &body[line_end + 2..];
        if size == 0 {
            assert_eq!(&body[..2], b"\r\n", "end of the chunked body");
            return (chunks, body[2..].to_vec());
        }
        chunks.push(String::from_utf8(body[..size].to_vec()).unwrap());
        assert_eq!(&body[size..size + 2], b"\r\n");
        body = &body[size + 2..];
    }
}

#[tokio::test]
async fn streams_end_cleanly_and_their_connection_stays_usable() {
    let s = Server::start().await;
    s.app
        .realtime()
        .set_timeouts(Duration::from_millis(500), Duration::from_secs(60));
    let addr = s.url.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // a second request pipelined behind the stream is answered once the stream ends
    sock.write_all(
        format!(
            "GET /api/realtime HTTP/1.1\r\nHost: {addr}\r\n\r\nGET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    read_until(&mut sock, &mut got, 0, b"\r\n0\r\n\r\n").await;
    let text = String::from_utf8_lossy(&got).to_string();
    let head_end = text.find("\r\n\r\n").expect("head") + 4;
    let head = text[..head_end].to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200 ok\r\n"), "{head}");
    for line in [
        "content-type: text/event-stream",
        "cache-control: no-store",
        "x-accel-buffering: no",
        "transfer-encoding: chunked",
        "x-frame-options: sameorigin",
        "vary: origin",
        "\r\ndate: ",
    ] {
        assert!(head.contains(line), "{line} missing in {head}");
    }
    assert!(!head.contains("connection: close"), "{head}");
    assert!(!head.contains("content-length"), "{head}");
    let (chunks, rest) = dechunk(&got[head_end..]);
    assert_eq!(chunks.len(), 1, "{chunks:?}");
    let id = chunks[0]
        .strip_prefix("id:")
        .map(|r| r[..40].to_string())
        .expect("id line");
    assert_eq!(
        chunks[0],
        format!("id:{id}\nevent:PB_CONNECT\ndata:{{\"clientId\":\"{id}\"}}\n\n")
    );
    assert!(
        s.app.realtime().client(&id).is_none(),
        "ended stream unregistered"
    );
    // the pipelined health check, then one more request on the same connection
    let mut got = rest;
    read_until(&mut sock, &mut got, 0, b"API is healthy.").await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200 OK\r\n"));
    let from = got.len();
    sock.write_all(format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    read_until(&mut sock, &mut got, from, b"API is healthy.").await;

    // a client that asks to close: the same stream, then the server closes the connection
    let mut closing = tokio::net::TcpStream::connect(&addr).await.unwrap();
    closing
        .write_all(
            format!("GET /api/realtime HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut got = Vec::new();
    read_until(&mut closing, &mut got, 0, b"\r\n0\r\n\r\n").await;
    let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
    assert!(
        text.contains("\r\nconnection: close\r\ntransfer-encoding: chunked\r\n"),
        "{text}"
    );
    assert!(text.contains("event:pb_connect"), "{text}");
    let mut rest = [0u8; 16];
    assert_eq!(
        closing.read(&mut rest).await.unwrap(),
        0,
        "connection closed"
    );

    // HTTP/1.0 has no chunked encoding: the stream is the rest of the connection
    let mut old = tokio::net::TcpStream::connect(&addr).await.unwrap();
    old.write_all(b"GET /api/realtime HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    read_until(&mut old, &mut got, 0, b"\"}\n\n").await;
    let text = String::from_utf8_lossy(&got).to_string();
    assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
    assert!(text.contains("\r\n\r\nid:"), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("transfer-encoding"),
        "{text}"
    );
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let dir = tempfile::tempdir().unwrap();
    let app = ferrobase::app::App::open(ferrobase::app::AppConfig::new(dir.path().join("pb_data")))
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ferrobase::http::serve(app.clone(), listener, async {
        let _ = rx.await;
    }));
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(b"GET /api/realtime HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    read_until(&mut sock, &mut got, 0, b"\"}\n\n").await;
    // an idle keep-alive connection does not hold the shutdown either
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut idle_got = Vec::new();
    read_until(&mut idle, &mut idle_got, 0, b"API is healthy.").await;
    assert_eq!(app.realtime().len(), 1);
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shutdown finished")
        .unwrap()
        .unwrap();
    let from = got.len();
    read_until(&mut sock, &mut got, from, b"0\r\n\r\n").await;
    let mut rest = [0u8; 16];
    assert_eq!(sock.read(&mut rest).await.unwrap(), 0, "connection closed");
    assert!(app.realtime().is_empty());
}

#[tokio::test]
async fn deleting_a_record_sends_updates_for_the_records_that_referenced_it() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let collection = |body: Value| {
        let (s, admin) = (&s, &admin);
        async move {
            let res = s
                .req("POST", "/api/collections", Some(admin), Some(body))
                .await;
            assert_eq!(res.status, 200, "{:?}", res.body);
            res.body["id"].as_str().unwrap().to_string()
        }
    };
    let parents = collection(
        json!({"name": "parents", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "t", "type": "text"}]}),
    )
    .await;
    collection(
        json!({"name": "refs", "type": "base", "listRule": "", "viewRule": "",
        "fields": [
            {"name": "many", "type": "relation", "collectionId": parents, "maxSelect": 5},
            {"name": "one", "type": "relation", "collectionId": parents, "maxSelect": 1},
            {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}
        ]}),
    )
    .await;
    collection(json!({"name": "owned", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "parent", "type": "relation", "collectionId": parents, "maxSelect": 1, "cascadeDelete": true}]}))
    .await;
    let p1 = create(&s, &admin, "parents", json!({"t": "1"})).await;
    let p2 = create(&s, &admin, "parents", json!({"t": "2"})).await;
    let res = s
        .req(
            "POST",
            "/api/collections/refs/records",
            Some(&admin),
            Some(json!({"many": [p1, p2], "one": p1})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let r1 = res.body["id"].as_str().unwrap().to_string();
    let created_at = res.body["updated"].as_str().unwrap().to_string();
    let untouched = create(&s, &admin, "refs", json!({"many": [p2]})).await;
    let o1 = create(&s, &admin, "owned", json!({"parent": p1})).await;
    let mut a = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, None, json!(["parents/*", "refs/*", "owned/*"]))
            .await
            .status,
        204
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let res = s
        .req(
            "DELETE",
            &format!("/api/collections/parents/records/{p1}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let mut got = Vec::new();
    while let Some(e) = a.next(Duration::from_millis(500)).await {
        got.push(e);
    }
    let summary: Vec<(String, String, String)> = got
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.data["action"].as_str().unwrap().to_string(),
                e.data["record"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let updates: Vec<&Event> = got.iter().filter(|e| e.name == "refs/*").collect();
    // one save per relation field, as PocketBase does, each with the state it wrote
    assert_eq!(updates.len(), 2, "{summary:?}");
    assert_eq!(updates[0].data["action"], "update");
    assert_eq!(updates[0].data["record"]["id"], json!(r1));
    assert_eq!(updates[0].data["record"]["many"], json!([p2]));
    assert_eq!(updates[0].data["record"]["one"], json!(p1));
    assert_eq!(updates[1].data["record"]["many"], json!([p2]));
    assert_eq!(updates[1].data["record"]["one"], json!(""));
    assert_ne!(
        updates[1].data["record"]["updated"],
        json!(created_at),
        "the save moved the onUpdate autodate"
    );
    assert!(
        !summary.iter().any(|(_, _, id)| id == &untouched),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("owned/*".into(), "delete".into(), o1.clone())),
        "{summary:?}"
    );
    // the deleted record's own event comes after those of the records it took with it
    assert_eq!(
        summary.last(),
        Some(&("parents/*".to_string(), "delete".to_string(), p1.clone())),
        "{summary:?}"
    );
    assert_eq!(summary.len(), 4, "{summary:?}");
    let res = s
        .get(&format!("/api/collections/refs/records/{r1}"), Some(&admin))
        .await;
    assert_eq!(res.body["many"], json!([p2]));
    assert_eq!(res.body["one"], json!(""));
}

#[tokio::test]
async fn legacy_admin_token_subscribes_as_superuser() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    setup(&s, &admin).await;
    let res = s
        .req(
            "POST",
            "/api/admins/auth-with-password",
            None,
            Some(json!({"identity": crate::support::ADMIN_EMAIL, "password": crate::support::ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let legacy = res.body["token"].as_str().unwrap().to_string();
    let mut a = Sse::open(&s).await;
    assert_eq!(
        subscribe(&s, &a, Some(&legacy), json!(["notes/*"]))
            .await
            .status,
        204
    );
    let (u1, t1) = create_user(&s, &admin, "u1@example.com").await;
    // owner-only list rule and a hidden field: only a superuser sees this event with its secret
    let n1 = create(
        &s,
        &admin,
        "notes",
        json!({"title": "one", "owner": u1, "secret": "s"}),
    )
    .await;
    let e = a.expect("create", &n1).await;
    assert_eq!(e.data["record"]["secret"], "s");
    // the same superuser with a current token is the same auth; a user is not
    assert_eq!(
        subscribe(&s, &a, Some(&admin), json!(["notes/*"]))
            .await
            .status,
        204
    );
    let res = subscribe(&s, &a, Some(&t1), json!(["notes/*"])).await;
    assert_error(
        &res,
        403,
        "The current and the previous request authorization don't match.",
    );
}
