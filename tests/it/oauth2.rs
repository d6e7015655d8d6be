//! OAuth2: auth-methods, provider option validation and the full code flow against a real OpenID Connect
//! provider (`tests/oidc/server.mjs`, the `oidc-provider` npm package) on loopback.

use crate::support::{assert_error, Server};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The OIDC provider process; killed when dropped.
struct Oidc {
    issuer: String,
    child: Child,
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider. Missing node or npm packages fail the test loudly.
fn start_oidc(redirect_uri: &str) -> Oidc {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "tests/oidc/node_modules is missing: run `npm ci` in tests/oidc (.ci/run does)"
    );
    let mut child = Command::new("node")
        .arg("server.mjs")
        .arg(redirect_uri)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node must be installed to run the OIDC provider");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("read the provider's first line");
    // keep draining: the provider prints notices later, and a closed pipe would kill it
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let v: Value = serde_json::from_str(line.trim())
        .unwrap_or_else(|e| panic!("the OIDC provider did not start ({e}): {line:?}"));
    Oidc {
        issuer: v["issuer"].as_str().expect("issuer").to_string(),
        child,
    }
}

/// A browser: its own cookie jar, no automatic redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Plays the browser side of the code flow from `auth_url` (logging in as `login` and consenting when
/// asked) until the provider redirects to `redirect`; returns the `code`.
async fn authorize(http: &reqwest::Client, auth_url: &str, redirect: &str, login: &str) -> String {
    let action_re = regex::Regex::new(r#"<form[^>]*action="([^"]+)""#).unwrap();
    let hidden_re =
        regex::Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)""#).unwrap();
    let mut next: (String, Option<Vec<(String, String)>>) = (auth_url.to_string(), None);
    for _ in 0..20 {
        let req = match &next.1 {
            None => http.get(&next.0),
            Some(form) => http.post(&next.0).form(form),
        };
        let resp = req.send().await.expect("provider request");
        let here = resp.url().clone();
        if resp.status().is_redirection() {
            let loc = resp.headers()["location"].to_str().unwrap().to_string();
            let target = here.join(&loc).unwrap();
            if target.as_str().starts_with(redirect) {
                let q: Vec<(String, String)> = target.query_pairs().into_owned().collect();
                let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                assert_eq!(get("error"), None, "provider error: {target}");
                return get("code").unwrap_or_else(|| panic!("no code in {target}"));
            }
            next = (target.to_string(), None);
            continue;
        }
        let status = resp.status();
        let html = resp.text().await.unwrap();
        let action = action_re
            .captures(&html)
            .unwrap_or_else(|| panic!("no form on a {status} page: {html}"))[1]
            .to_string();
        let mut form: Vec<(String, String)> = hidden_re
            .captures_iter(&html)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
        if form.iter().any(|(k, v)| k == "prompt" && v == "login") {
            form.push(("login".into(), login.into()));
            form.push(("password".into(), "any".into()));
        }
        next = (here.join(&action).unwrap().to_string(), Some(form));
    }
    panic!("the provider never redirected back");
}

fn provider_body(iss: &str) -> Value {
    json!({"oauth2": {"enabled": true, "providers": [
        {"name": "oidc", "clientId": "basic-client", "clientSecret": "basic-secret",
         "authURL": format!("{iss}/auth"), "tokenURL": format!("{iss}/token"),
         "userInfoURL": format!("{iss}/me"), "displayName": "Test IdP"},
        {"name": "oidc2", "clientId": "post-client", "clientSecret": "post-secret",
         "authURL": format!("{iss}/auth"), "tokenURL": format!("{iss}/token"),
         "extra": {"jwksURL": format!("{iss}/jwks"), "issuers": [iss]}}
    ]}})
}

/// One whole sign-in that must succeed; returns the answer body.
async fn sign_in(
    s: &Server,
    http: &reqwest::Client,
    provider: &str,
    login: &str,
    token: Option<&str>,
) -> Value {
    let res = try_sign_in(s, http, provider, login, token).await;
    assert_eq!(res.status, 200, "auth-with-oauth2: {:?}", res.body);
    res.body
}

/// One whole sign-in: auth-methods → browser → auth-with-oauth2.
async fn try_sign_in(
    s: &Server,
    http: &reqwest::Client,
    provider: &str,
    login: &str,
    token: Option<&str>,
) -> crate::support::Res {
    let methods = s.get("/api/collections/users/auth-methods", None).await;
    assert_eq!(methods.status, 200);
    let p = methods.body["oauth2"]["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == provider)
        .unwrap_or_else(|| panic!("{provider} listed"))
        .clone();
    let redirect = format!("{}/api/oauth2-redirect", s.url);
    let url = format!(
        "{}{}",
        p["authURL"].as_str().unwrap(),
        ferrobase::auth::oauth2::url_query::query_escape(&redirect)
    );
    let code = authorize(http, &url, &redirect, login).await;
    s.req(
        "POST",
        "/api/collections/users/auth-with-oauth2",
        token,
        Some(json!({"provider": provider, "code": code,
                "codeVerifier": p["codeVerifier"], "redirectURL": redirect})),
    )
    .await
}

async fn external_auths(s: &Server, admin: &str, record_id: &str) -> Vec<Value> {
    let res = s
        .get(
            &format!(
                "/api/collections/_externalAuths/records?filter=recordRef%3D%22{record_id}%22"
            ),
            Some(admin),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_code_flow_signs_up_links_and_signs_in_again() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let oidc = start_oidc(&format!("{}/api/oauth2-redirect", s.url));
    let iss = oidc.issuer.clone();
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(provider_body(&iss)),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    // 1. sign-up through userInfoURL (client_secret_basic)
    let alice_browser = browser();
    let first = sign_in(&s, &alice_browser, "oidc", "alice", None).await;
    let meta = &first["meta"];
    assert_eq!(meta["isNew"], true);
    assert_eq!(meta["id"], "alice");
    assert_eq!(meta["email"], "alice@example.com");
    assert_eq!(meta["username"], "alice");
    assert_eq!(meta["avatarURL"], format!("{iss}/avatar.png"));
    assert_eq!(meta["avatarUrl"], meta["avatarURL"]);
    assert_eq!(meta["rawUser"]["sub"], "alice");
    assert!(!meta["accessToken"].as_str().unwrap().is_empty());
    assert!(meta["expiry"].as_str().unwrap().ends_with('Z'));
    let rec = &first["record"];
    assert_eq!(rec["email"], "alice@example.com");
    assert_eq!(rec["verified"], true);
    assert_eq!(rec["name"], "Test User", "mapped name");
    assert_eq!(rec["avatar"], "", "a loopback avatar is never downloaded");
    let alice_id = rec["id"].as_str().unwrap().to_string();
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["meta", "record", "token"]);

    let links = external_auths(&s, &admin, &alice_id).await;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["provider"], "oidc");
    assert_eq!(links[0]["providerId"], "alice");
    assert_eq!(links[0]["collectionRef"], "_pb_users_auth_");

    let token = first["token"].as_str().unwrap();
    let me = s
        .get(
            &format!("/api/collections/users/records/{alice_id}"),
            Some(token),
        )
        .await;
    assert_eq!(me.status, 200, "the token works: {:?}", me.body);

    // 2. the same provider user again: found through its link
    let again = sign_in(&s, &alice_browser, "oidc", "alice", None).await;
    assert_eq!(again["meta"]["isNew"], false);
    assert_eq!(again["record"]["id"], alice_id.as_str());
    assert_eq!(external_auths(&s, &admin, &alice_id).await.len(), 1);

    // 3. id_token path (no userInfoURL; JWKS signature + issuer) with client_secret_post: the
    //    Basic attempt is refused and the body-credentials retry succeeds
    let bob = sign_in(&s, &browser(), "oidc2", "bob", None).await;
    assert_eq!(bob["meta"]["isNew"], true);
    assert_eq!(bob["meta"]["rawUser"]["iss"], iss.as_str());
    assert_eq!(bob["record"]["email"], "bob@example.com");
    let bob_id = bob["record"]["id"].as_str().unwrap().to_string();
    let links = external_auths(&s, &admin, &bob_id).await;
    assert_eq!(links[0]["provider"], "oidc2");

    // 4. an unverified password account with the provider's email is taken over safely: its
    //    password is randomized, it becomes verified and gets linked
    let carol = s
        .req("POST", "/api/collections/users/records", None, Some(json!({
            "email": "carol@example.com", "password": "carolpass1", "passwordConfirm": "carolpass1"})))
        .await;
    assert_eq!(carol.status, 200, "{:?}", carol.body);
    let carol_id = carol.body["id"].as_str().unwrap().to_string();
    let signed = sign_in(&s, &browser(), "oidc", "carol", None).await;
    assert_eq!(signed["meta"]["isNew"], false);
    assert_eq!(signed["record"]["id"], carol_id.as_str());
    assert_eq!(signed["record"]["verified"], true);
    let old_pw = s
        .req(
            "POST",
            "/api/collections/users/auth-with-password",
            None,
            Some(json!({"identity": "carol@example.com", "password": "carolpass1"})),
        )
        .await;
    assert_error(&old_pw, 400, "Failed to authenticate.");

    // 5. a signed-in user links the provider to the own account (no password reset)
    let dave = s
        .req("POST", "/api/collections/users/records", None, Some(json!({
            "email": "dave.pw@example.com", "password": "davepass12", "passwordConfirm": "davepass12"})))
        .await;
    let dave_id = dave.body["id"].as_str().unwrap().to_string();
    let dave_token = s.login("users", "dave.pw@example.com", "davepass12").await;
    let linked = sign_in(&s, &browser(), "oidc", "dave", Some(&dave_token)).await;
    assert_eq!(linked["record"]["id"], dave_id.as_str());
    assert_eq!(linked["meta"]["isNew"], false);
    assert_eq!(external_auths(&s, &admin, &dave_id).await.len(), 1);
    s.login("users", "dave.pw@example.com", "davepass12").await;

    // a code can be used once: replaying it fails the exchange
    let methods = s.get("/api/collections/users/auth-methods", None).await;
    let verifier = methods.body["oauth2"]["providers"][0]["codeVerifier"].clone();
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(
                json!({"provider": "oidc", "code": "bogus", "codeVerifier": verifier,
                "redirectURL": format!("{}/api/oauth2-redirect", s.url)}),
            ),
        )
        .await;
    assert_error(&res, 400, "Failed to fetch OAuth2 token.");

    // sign-up goes through the create API: createRule applies, with the mapped fields in the body
    let set_rule = |rule: Value| {
        s.req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(json!({"createRule": rule})),
        )
    };
    assert_eq!(set_rule(Value::Null).await.status, 200);
    let res = try_sign_in(&s, &browser(), "oidc", "erin", None).await;
    assert_error(&res, 403, "Only superusers can perform this action.");
    assert_eq!(
        set_rule(json!("@request.body.name = 'x'")).await.status,
        200
    );
    let res = try_sign_in(&s, &browser(), "oidc", "erin", None).await;
    assert_error(&res, 400, "Failed to create record.");
    assert_eq!(
        set_rule(json!("@request.body.name = 'Test User'"))
            .await
            .status,
        200
    );
    let erin = sign_in(&s, &browser(), "oidc", "erin", None).await;
    assert_eq!(erin["meta"]["isNew"], true);
}

#[tokio::test]
async fn auth_methods_lists_providers_with_pkce_and_legacy_keys() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let res = s.get("/api/collections/users/auth-methods", None).await;
    assert_eq!(
        serde_json::to_string(&res.body).unwrap(),
        r#"{"password":{"identityFields":["email"],"enabled":true},"oauth2":{"providers":[],"enabled":false},"mfa":{"enabled":false,"duration":0},"otp":{"enabled":false,"duration":0},"authProviders":[],"usernamePassword":false,"emailPassword":true}"#
    );
    let body = json!({"oauth2": {"enabled": true, "providers": [
        {"name": "github", "clientId": "gh", "clientSecret": "s1"},
        {"name": "bitbucket", "clientId": "bb", "clientSecret": "s2"},
        {"name": "oidc", "clientId": "oi", "clientSecret": "s3", "authURL": "https://idp.example.com/auth?x=1",
         "tokenURL": "https://idp.example.com/token", "displayName": "My IdP"}
    ]}, "mfa": {"enabled": true}, "otp": {"enabled": true}});
    let res = s
        .req("PATCH", "/api/collections/users", Some(&admin), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(!res.body.to_string().contains("clientSecret"));

    let m = s
        .get("/api/collections/users/auth-methods", None)
        .await
        .body;
    assert_eq!(m["mfa"], json!({"enabled": true, "duration": 600}));
    assert_eq!(m["otp"], json!({"enabled": true, "duration": 180}));
    let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "password",
            "oauth2",
            "mfa",
            "otp",
            "authProviders",
            "usernamePassword",
            "emailPassword"
        ]
    );
    let gh = &m["oauth2"]["providers"][0];
    let gh_keys: Vec<&String> = gh.as_object().unwrap().keys().collect();
    assert_eq!(
        gh_keys,
        [
            "name",
            "displayName",
            "logo",
            "state",
            "authURL",
            "authUrl",
            "codeVerifier",
            "codeChallenge",
            "codeChallengeMethod"
        ]
    );
    assert_eq!(gh["displayName"], "GitHub");
    let state = gh["state"].as_str().unwrap();
    let challenge = gh["codeChallenge"].as_str().unwrap();
    assert_eq!(
        gh["authURL"],
        format!("https://github.com/login/oauth/authorize?client_id=gh&code_challenge={challenge}&code_challenge_method=S256&response_type=code&scope=read%3Auser+user%3Aemail&state={state}&redirect_uri=")
    );
    let bb = &m["oauth2"]["providers"][1];
    assert_eq!(
        (
            bb["codeVerifier"].as_str(),
            bb["codeChallengeMethod"].as_str()
        ),
        (Some(""), Some(""))
    );
    let oi = &m["oauth2"]["providers"][2];
    assert_eq!(oi["displayName"], "My IdP");
    assert!(oi["authURL"]
        .as_str()
        .unwrap()
        .starts_with("https://idp.example.com/auth?x=1&client_id=oi&"));
    assert_eq!(m["authProviders"][0]["logo"], "");
    assert_eq!(m["authProviders"][0]["name"], "github");
    let again = s
        .get("/api/collections/users/auth-methods", None)
        .await
        .body;
    assert_ne!(
        again["oauth2"]["providers"][0]["state"], gh["state"],
        "fresh state per call"
    );

    // an update that leaves clientSecret out keeps the stored one (merged by provider name)
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(json!({"oauth2": {"providers": [{"name": "oidc", "clientId": "oi2"}]}})),
        )
        .await;
    assert_eq!(res.status, 200, "secret kept: {:?}", res.body);
    assert_eq!(res.body["oauth2"]["providers"][0]["displayName"], "My IdP");
    assert_eq!(res.body["oauth2"]["providers"][0]["clientId"], "oi2");

    let res = s
        .get("/api/collections/posts_not_here/auth-methods", None)
        .await;
    assert_error(&res, 404, "Missing or invalid collection context.");
}

#[tokio::test]
async fn provider_options_are_validated_like_pocketbase() {
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let patch = |providers: Value, enabled: bool| json!({"oauth2": {"enabled": enabled, "providers": providers}});
    let res = s
        .req("PATCH", "/api/collections/users", Some(&admin), Some(patch(json!([
            {"name": "nope", "clientId": "a", "clientSecret": "b"},
            {"name": "github", "clientId": "", "authURL": "notaurl", "tokenURL": "ftp://x", "userInfoURL": "http://"}
        ]), true)))
        .await;
    assert_error(&res, 400, "Failed to update collection.");
    assert_eq!(
        res.body["data"],
        json!({"oauth2": {"providers": {
            "0": {"name": {"code": "validation_missing_provider", "message": "Invalid or missing provider with name nope.", "params": {"name": "nope"}}},
            "1": {"authURL": {"code": "validation_is_url", "message": "Must be a valid URL."},
                  "clientId": {"code": "validation_required", "message": "Cannot be blank."},
                  "clientSecret": {"code": "validation_required", "message": "Cannot be blank."},
                  "userInfoURL": {"code": "validation_is_url", "message": "Must be a valid URL."}}
        }}})
    );
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(patch(
                json!([
                    {"name": "nope"},
                    {"name": "github", "clientId": "x", "clientSecret": "y"},
                    {"name": "github", "clientId": "x", "clientSecret": "y"}
                ]),
                true,
            )),
        )
        .await;
    assert_eq!(
        res.body["data"],
        json!({"oauth2": {"providers": {"2": {"name": {"code": "validation_duplicated_provider",
            "message": "The provider github is already registered.", "params": {"name": "github"}}}}}}),
        "duplicates are reported alone"
    );
    // a disabled OAuth2 config is stored unchecked
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(patch(json!([{"name": "nope", "clientSecret": "z"}]), false)),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    // the endpoint's own checks
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(json!({})),
        )
        .await;
    assert_error(
        &res,
        403,
        "The collection is not configured to allow OAuth2 authentication.",
    );
    s.req("PATCH", "/api/collections/users", Some(&admin), Some(patch(json!([
        {"name": "oidc", "clientId": "c", "clientSecret": "s", "tokenURL": "http://127.0.0.1:9/token"}
    ]), true))).await;
    let post = |body: Value| {
        s.req(
            "POST",
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(body),
        )
    };
    let res = post(json!({})).await;
    assert_error(
        &res,
        400,
        "An error occurred while loading the submitted data.",
    );
    assert_eq!(res.body["data"]["code"]["code"], "validation_required");
    assert_eq!(res.body["data"]["provider"]["code"], "validation_required");
    let res = post(json!({"provider": "github", "code": "x"})).await;
    assert_eq!(
        res.body["data"]["provider"],
        json!({"code": "validation_invalid_provider",
        "message": "Provider with name github is missing or is not enabled.", "params": {"name": "github"}})
    );
    let res = post(json!({"provider": "oidc", "code": "x", "createData": 5})).await;
    assert_error(
        &res,
        400,
        "An error occurred while loading the submitted data.",
    );
    let res = post(json!({"provider": "oidc", "code": "x", "redirectUrl": "http://a"})).await;
    assert_error(&res, 400, "Failed to fetch OAuth2 token.");
    let res = s
        .req(
            "POST",
            "/api/collections/_superusers/auth-with-oauth2",
            None,
            Some(json!({})),
        )
        .await;
    assert_error(
        &res,
        403,
        "The collection is not configured to allow OAuth2 authentication.",
    );
}
