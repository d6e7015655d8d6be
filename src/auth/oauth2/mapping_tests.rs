//! One sample user JSON per built-in provider (in that provider's documented shape) and the expected
//! `AuthUser` fields.

use super::super::{find, TokenSet, PROVIDERS};
use super::*;
use serde_json::json;

/// (provider, user JSON, [id, name, username, email, avatarURL])
fn cases() -> Vec<(&'static str, Value, [&'static str; 5])> {
    vec![
        (
            "apple",
            json!({"sub": "001.apple", "email": "a@privaterelay.appleid.com", "email_verified": "true", "iss": "https://appleid.apple.com"}),
            ["001.apple", "", "", "a@privaterelay.appleid.com", ""],
        ),
        (
            "bitbucket",
            json!({"uuid": "{b-1}", "display_name": "Bit Bucket", "username": "bb", "links": {"avatar": {"href": "https://bb/a.png"}}}),
            ["{b-1}", "Bit Bucket", "bb", "", "https://bb/a.png"],
        ),
        (
            "box",
            json!({"id": "11446498", "type": "user", "name": "Aaron Levie", "login": "ceo@example.com", "avatar_url": "https://box/a.jpg"}),
            ["11446498", "Aaron Levie", "", "ceo@example.com", "https://box/a.jpg"],
        ),
        (
            "discord",
            json!({"id": "80351110224678912", "username": "nelly", "global_name": "Nelly", "avatar": "8342729096ea3675442027381ff50dfe", "verified": true, "email": "nelly@discord.com"}),
            ["80351110224678912", "Nelly", "nelly", "nelly@discord.com", "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"],
        ),
        (
            "facebook",
            json!({"id": "10", "name": "Face Book", "email": "fb@example.com", "picture": {"data": {"url": "https://fb/p.jpg"}}}),
            ["10", "Face Book", "", "fb@example.com", "https://fb/p.jpg"],
        ),
        (
            "gitea",
            json!({"id": 7, "login": "tea", "full_name": "Tea Pot", "email": "tea@example.com", "avatar_url": "https://gitea/a.png"}),
            ["7", "Tea Pot", "tea", "tea@example.com", "https://gitea/a.png"],
        ),
        (
            "gitee",
            json!({"id": 8, "login": "gt", "name": "Gi Tee", "email": "gt@example.com", "avatar_url": "https://gitee/a.png"}),
            ["8", "Gi Tee", "gt", "gt@example.com", "https://gitee/a.png"],
        ),
        (
            "github",
            json!({"id": 1, "login": "octocat", "name": "The Octocat", "email": "octo@github.com", "avatar_url": "https://github.com/images/error/octocat_happy.gif"}),
            ["1", "The Octocat", "octocat", "octo@github.com", "https://github.com/images/error/octocat_happy.gif"],
        ),
        (
            "gitlab",
            json!({"id": 2, "username": "lab", "name": "Git Lab", "email": "lab@example.com", "avatar_url": "https://gitlab/a.png"}),
            ["2", "Git Lab", "lab", "lab@example.com", "https://gitlab/a.png"],
        ),
        (
            "google",
            json!({"sub": "1099", "name": "Goo Gle", "picture": "https://g/p.png", "email": "g@gmail.com", "email_verified": true}),
            ["1099", "Goo Gle", "", "g@gmail.com", "https://g/p.png"],
        ),
        (
            "instagram2",
            json!({"id": "app-scoped", "user_id": "1784", "username": "insta", "name": "Insta Gram", "profile_picture_url": "https://ig/p.jpg"}),
            ["1784", "Insta Gram", "insta", "", "https://ig/p.jpg"],
        ),
        (
            "kakao",
            json!({"id": 123, "kakao_account": {"profile": {"nickname": "kk", "profile_image_url": "https://k/p.jpg"}, "email": "k@kakao.com", "is_email_valid": true, "is_email_verified": true}}),
            ["123", "kk", "kk", "k@kakao.com", "https://k/p.jpg"],
        ),
        (
            "lark",
            json!({"code": 0, "data": {"union_id": "on_1", "name": "Lark User", "avatar_url": "https://lark/a.png", "email": "l@lark.com"}}),
            ["on_1", "Lark User", "", "l@lark.com", "https://lark/a.png"],
        ),
        (
            "linear",
            json!({"data": {"viewer": {"id": "lin-1", "displayName": "lin", "name": "Lin Ear", "email": "lin@example.com", "avatarUrl": "https://linear/a.png", "active": true}}}),
            ["lin-1", "Lin Ear", "lin", "lin@example.com", "https://linear/a.png"],
        ),
        (
            "livechat",
            json!({"account_id": "lc-1", "name": "Live Chat", "email": "lc@example.com", "email_verified": true, "avatar_url": "https://lc/a.png"}),
            ["lc-1", "Live Chat", "", "lc@example.com", "https://lc/a.png"],
        ),
        (
            "mailcow",
            json!({"success": true, "id": "42", "username": "mc", "full_name": "Mail Cow", "email": "mc@example.com", "active": 1}),
            ["42", "Mail Cow", "mc", "mc@example.com", ""],
        ),
        (
            "microsoft",
            json!({"id": "ms-1", "displayName": "Micro Soft", "mail": "ms@example.com", "userPrincipalName": "ms@contoso"}),
            ["ms-1", "Micro Soft", "", "ms@example.com", ""],
        ),
        (
            "monday",
            json!({"data": {"me": {"id": 99, "name": "Mon Day", "email": "md@example.com", "enabled": true, "is_verified": true, "photo_small": "https://m/p.png"}}}),
            ["99", "Mon Day", "", "md@example.com", "https://m/p.png"],
        ),
        (
            "notion",
            json!({"object": "user", "type": "bot", "bot": {"owner": {"type": "user", "user": {"id": "n-1", "name": "No Tion", "avatar_url": "https://n/a.png", "person": {"email": "n@example.com"}}}}}),
            ["n-1", "No Tion", "", "n@example.com", "https://n/a.png"],
        ),
        (
            "oidc",
            json!({"sub": "s-1", "name": "O Idc", "preferred_username": "oidcuser", "picture": "https://o/p.png", "email": "o@example.com", "email_verified": true}),
            ["s-1", "O Idc", "oidcuser", "o@example.com", "https://o/p.png"],
        ),
        (
            "oidc2",
            json!({"sub": "s-2", "email": "o2@example.com", "email_verified": false}),
            ["s-2", "", "", "", ""],
        ),
        (
            "oidc3",
            json!({"sub": "s-3", "email": "o3@example.com", "email_verified": "1"}),
            ["s-3", "", "", "o3@example.com", ""],
        ),
        (
            "patreon",
            json!({"data": {"id": "p-1", "attributes": {"full_name": "Pat Reon", "vanity": "pat", "email": "p@example.com", "is_email_verified": true, "image_url": "https://p/i.png"}}}),
            ["p-1", "Pat Reon", "pat", "p@example.com", "https://p/i.png"],
        ),
        (
            "planningcenter",
            json!({"data": {"id": "pc-1", "attributes": {"name": "Plan Center", "avatar": "https://pc/a.png"}}}),
            ["pc-1", "Plan Center", "", "", "https://pc/a.png"],
        ),
        (
            "spotify",
            json!({"id": "sp-1", "display_name": "Spot Ify", "email": "sp@example.com", "images": [{"url": "https://sp/i.png", "height": 300}]}),
            ["sp-1", "Spot Ify", "", "sp@example.com", "https://sp/i.png"],
        ),
        (
            "strava",
            json!({"id": 1234567890987654321_u64, "username": "marianne_t", "firstname": "Marianne", "lastname": "Teutenberg", "profile": "https://s/large.jpg"}),
            ["1234567890987654321", "Marianne Teutenberg", "marianne_t", "", "https://s/large.jpg"],
        ),
        (
            "trakt",
            json!({"user": {"username": "justin", "name": "Justin Nemeth", "ids": {"slug": "justin", "uuid": "b6589fc6"}, "images": {"avatar": {"full": "https://t/a.jpg"}}}}),
            ["b6589fc6", "Justin Nemeth", "justin", "", "https://t/a.jpg"],
        ),
        (
            "twitch",
            json!({"data": [{"id": "141981764", "login": "twitchdev", "display_name": "TwitchDev", "email": "td@example.com", "profile_image_url": "https://tw/p.png"}]}),
            ["141981764", "TwitchDev", "twitchdev", "td@example.com", "https://tw/p.png"],
        ),
        (
            "twitter",
            json!({"data": {"id": "2244994945", "name": "X Dev", "username": "XDevelopers", "profile_image_url": "https://x/p.jpg", "confirmed_email": "x@example.com"}}),
            ["2244994945", "X Dev", "XDevelopers", "x@example.com", "https://x/p.jpg"],
        ),
        (
            "vk",
            json!({"response": [{"id": 210700286, "first_name": "Lindsey", "last_name": "Stirling", "screen_name": "lindseystirling", "photo_max": "https://vk/p.jpg"}]}),
            ["210700286", "Lindsey Stirling", "lindseystirling", "vk@example.com", "https://vk/p.jpg"],
        ),
        (
            "wakatime",
            json!({"data": {"id": "w-1", "display_name": "Waka Time", "username": "waka", "email": "w@example.com", "is_email_confirmed": true, "photo": "https://w/p.png"}}),
            ["w-1", "Waka Time", "waka", "w@example.com", "https://w/p.png"],
        ),
        (
            "yandex",
            json!({"id": "1000034426", "login": "ivan", "real_name": "Ivan Ivanov", "default_email": "ivan@yandex.ru", "default_avatar_id": "131652443", "is_avatar_empty": false}),
            ["1000034426", "Ivan Ivanov", "ivan", "ivan@yandex.ru", "https://avatars.yandex.net/get-yapic/131652443/islands-200"],
        ),
    ]
}

#[test]
fn every_provider_maps_its_documented_user_json() {
    let tokens = TokenSet {
        raw: json!({"access_token": "t", "email": "vk@example.com"})
            .as_object()
            .unwrap()
            .clone(),
        ..TokenSet::default()
    };
    let cases = cases();
    assert_eq!(cases.len(), PROVIDERS.len(), "one case per provider");
    for (name, raw, [id, n, username, email, avatar]) in cases {
        let spec = find(name).unwrap_or_else(|| panic!("{name} is registered"));
        let u = (spec.map)(&raw, &tokens);
        assert_eq!(
            [u.id.as_str(), &u.name, &u.username, &u.email, &u.avatar_url],
            [id, n, username, email, avatar],
            "{name}"
        );
    }
}

#[test]
fn unverified_emails_are_dropped() {
    let t = TokenSet::default();
    let d = json!({"id": "1", "username": "u", "verified": false, "email": "d@example.com"});
    assert_eq!(discord(&d, &t).email, "");
    let k = json!({"id": 1, "kakao_account": {"email": "k@example.com", "is_email_valid": true, "is_email_verified": false}});
    assert_eq!(kakao(&k, &t).email, "");
    let l = json!({"account_id": "1", "email": "l@example.com", "email_verified": false});
    assert_eq!(livechat(&l, &t).email, "");
    let y = json!({"id": "1", "default_avatar_id": "5", "is_avatar_empty": true});
    assert_eq!(yandex(&y, &t).avatar_url, "");
}

#[test]
fn email_lookups_pick_the_primary_verified_address() {
    let gh = json!([
        {"email": "old@example.com", "primary": false, "verified": true},
        {"email": "main@example.com", "primary": true, "verified": true}
    ]);
    assert_eq!(github_email(&gh).as_deref(), Some("main@example.com"));
    let unverified = json!([{"email": "main@example.com", "primary": true, "verified": false}]);
    assert_eq!(github_email(&unverified), None);
    let bb =
        json!({"values": [{"email": "b@example.com", "is_primary": true, "is_confirmed": true}]});
    assert_eq!(bitbucket_email(&bb).as_deref(), Some("b@example.com"));
    let ge = json!([{"email": "g@example.com", "state": "confirmed", "scope": ["primary", "committed"]}]);
    assert_eq!(gitee_email(&ge).as_deref(), Some("g@example.com"));
}

#[test]
fn text_reads_paths_numbers_and_missing_keys() {
    let v = json!({"a": {"b": [{"c": 5}]}, "s": "x", "n": null});
    assert_eq!(text(&v, "a/b/0/c"), "5");
    assert_eq!(text(&v, "s"), "x");
    assert_eq!(text(&v, "n"), "");
    assert_eq!(text(&v, "a/b/3/c"), "");
    assert_eq!(text(&v, "zz/y"), "");
}
