//! Each built-in provider's user JSON → `AuthUser` (id, name, username, email, avatarURL). Tokens, expiry
//! and the raw JSON are filled in by the client.

use super::{AuthUser, TokenSet};
use serde_json::Value;

/// Maps a provider's user JSON (and, for a few providers, the token answer) to an `AuthUser`.
pub type MapFn = fn(&Value, &TokenSet) -> AuthUser;

/// The string at a `/`-separated path; numbers and booleans are printed, anything else is "".
pub fn text(v: &Value, path: &str) -> String {
    let mut cur = v;
    for key in path.split('/') {
        cur = match (cur, key.parse::<usize>()) {
            (Value::Array(a), Ok(i)) => match a.get(i) {
                Some(x) => x,
                None => return String::new(),
            },
            (Value::Object(o), _) => match o.get(key) {
                Some(x) => x,
                None => return String::new(),
            },
            _ => return String::new(),
        };
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Go's `cast.ToBool`-like truthiness: `true`, `"true"`, `"1"`, non-zero numbers.
pub fn truthy(v: &Value, path: &str) -> bool {
    let s = text(v, path);
    matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "t")
        || s.parse::<f64>().is_ok_and(|n| n != 0.0)
}

fn user(id: String, name: String, username: String, email: String, avatar: String) -> AuthUser {
    AuthUser {
        id,
        name,
        username,
        email,
        avatar_url: avatar,
        ..AuthUser::default()
    }
}

fn when(cond: bool, s: String) -> String {
    if cond {
        s
    } else {
        String::new()
    }
}

/// Standard OIDC claims: the email counts only when `email_verified` is truthy.
pub fn oidc(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "sub"),
        text(v, "name"),
        text(v, "preferred_username"),
        when(truthy(v, "email_verified"), text(v, "email")),
        text(v, "picture"),
    )
}

pub fn apple(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "sub"),
        text(v, "name"),
        String::new(),
        when(truthy(v, "email_verified"), text(v, "email")),
        String::new(),
    )
}

pub fn google(v: &Value, t: &TokenSet) -> AuthUser {
    oidc(v, t)
}

pub fn bitbucket(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "uuid"),
        text(v, "display_name"),
        text(v, "username"),
        String::new(),
        text(v, "links/avatar/href"),
    )
}

/// The primary confirmed address of Bitbucket's `/user/emails` page.
pub fn bitbucket_email(v: &Value) -> Option<String> {
    v.get("values")?
        .as_array()?
        .iter()
        .find(|e| truthy(e, "is_primary") && truthy(e, "is_confirmed"))
        .map(|e| text(e, "email"))
}

pub fn box_com(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "name"),
        String::new(),
        text(v, "login"),
        text(v, "avatar_url"),
    )
}

pub fn discord(v: &Value, _: &TokenSet) -> AuthUser {
    let id = text(v, "id");
    let hash = text(v, "avatar");
    let avatar = when(
        !hash.is_empty(),
        format!("https://cdn.discordapp.com/avatars/{id}/{hash}.png"),
    );
    let mut name = text(v, "global_name");
    if name.is_empty() {
        name = text(v, "username");
    }
    user(
        id,
        name,
        text(v, "username"),
        when(truthy(v, "verified"), text(v, "email")),
        avatar,
    )
}

pub fn facebook(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "name"),
        String::new(),
        text(v, "email"),
        text(v, "picture/data/url"),
    )
}

pub fn gitea(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "full_name"),
        text(v, "login"),
        text(v, "email"),
        text(v, "avatar_url"),
    )
}

pub fn gitee(v: &Value, t: &TokenSet) -> AuthUser {
    let mut u = gitea(v, t);
    u.name = text(v, "name");
    u
}

/// Gitee's `/emails`: the confirmed primary address.
pub fn gitee_email(v: &Value) -> Option<String> {
    v.as_array()?
        .iter()
        .find(|e| {
            text(e, "state") == "confirmed"
                && e.get("scope")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|x| x == "primary"))
        })
        .map(|e| text(e, "email"))
}

pub fn github(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "name"),
        text(v, "login"),
        text(v, "email"),
        text(v, "avatar_url"),
    )
}

/// GitHub's `/user/emails`: the primary verified address.
pub fn github_email(v: &Value) -> Option<String> {
    v.as_array()?
        .iter()
        .find(|e| truthy(e, "primary") && truthy(e, "verified"))
        .map(|e| text(e, "email"))
}

pub fn gitlab(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "name"),
        text(v, "username"),
        text(v, "email"),
        text(v, "avatar_url"),
    )
}

pub fn instagram(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "user_id"),
        text(v, "name"),
        text(v, "username"),
        String::new(),
        text(v, "profile_picture_url"),
    )
}

pub fn kakao(v: &Value, _: &TokenSet) -> AuthUser {
    let nickname = text(v, "kakao_account/profile/nickname");
    let email_ok =
        truthy(v, "kakao_account/is_email_valid") && truthy(v, "kakao_account/is_email_verified");
    user(
        text(v, "id"),
        nickname.clone(),
        nickname,
        when(email_ok, text(v, "kakao_account/email")),
        text(v, "kakao_account/profile/profile_image_url"),
    )
}

pub fn lark(v: &Value, _: &TokenSet) -> AuthUser {
    let mut email = text(v, "data/enterprise_email");
    if email.is_empty() {
        email = text(v, "data/email");
    }
    user(
        text(v, "data/union_id"),
        text(v, "data/name"),
        String::new(),
        email,
        text(v, "data/avatar_url"),
    )
}

pub fn linear(v: &Value, _: &TokenSet) -> AuthUser {
    let active = truthy(v, "data/viewer/active");
    user(
        text(v, "data/viewer/id"),
        text(v, "data/viewer/name"),
        text(v, "data/viewer/displayName"),
        when(active, text(v, "data/viewer/email")),
        text(v, "data/viewer/avatarUrl"),
    )
}

pub fn livechat(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "account_id"),
        text(v, "name"),
        String::new(),
        when(truthy(v, "email_verified"), text(v, "email")),
        text(v, "avatar_url"),
    )
}

pub fn mailcow(v: &Value, _: &TokenSet) -> AuthUser {
    let active = truthy(v, "active");
    user(
        text(v, "id"),
        text(v, "full_name"),
        text(v, "username"),
        when(active, text(v, "email")),
        String::new(),
    )
}

pub fn microsoft(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "displayName"),
        String::new(),
        text(v, "mail"),
        String::new(),
    )
}

pub fn monday(v: &Value, _: &TokenSet) -> AuthUser {
    let ok = truthy(v, "data/me/enabled") && truthy(v, "data/me/is_verified");
    user(
        text(v, "data/me/id"),
        text(v, "data/me/name"),
        String::new(),
        when(ok, text(v, "data/me/email")),
        text(v, "data/me/photo_small"),
    )
}

pub fn notion(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "bot/owner/user/id"),
        text(v, "bot/owner/user/name"),
        String::new(),
        text(v, "bot/owner/user/person/email"),
        text(v, "bot/owner/user/avatar_url"),
    )
}

pub fn patreon(v: &Value, _: &TokenSet) -> AuthUser {
    let verified = truthy(v, "data/attributes/is_email_verified");
    user(
        text(v, "data/id"),
        text(v, "data/attributes/full_name"),
        text(v, "data/attributes/vanity"),
        when(verified, text(v, "data/attributes/email")),
        text(v, "data/attributes/image_url"),
    )
}

pub fn planningcenter(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "data/id"),
        text(v, "data/attributes/name"),
        String::new(),
        String::new(),
        text(v, "data/attributes/avatar"),
    )
}

pub fn spotify(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "id"),
        text(v, "display_name"),
        String::new(),
        text(v, "email"),
        text(v, "images/0/url"),
    )
}

pub fn strava(v: &Value, _: &TokenSet) -> AuthUser {
    let name = format!("{} {}", text(v, "firstname"), text(v, "lastname"));
    user(
        text(v, "id"),
        name.trim().to_string(),
        text(v, "username"),
        String::new(),
        text(v, "profile"),
    )
}

pub fn trakt(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "user/ids/uuid"),
        text(v, "user/name"),
        text(v, "user/username"),
        String::new(),
        text(v, "user/images/avatar/full"),
    )
}

pub fn twitch(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "data/0/id"),
        text(v, "data/0/display_name"),
        text(v, "data/0/login"),
        text(v, "data/0/email"),
        text(v, "data/0/profile_image_url"),
    )
}

pub fn twitter(v: &Value, _: &TokenSet) -> AuthUser {
    user(
        text(v, "data/id"),
        text(v, "data/name"),
        text(v, "data/username"),
        text(v, "data/confirmed_email"),
        text(v, "data/profile_image_url"),
    )
}

/// VK reports the email in the token answer, not in the user JSON.
pub fn vk(v: &Value, t: &TokenSet) -> AuthUser {
    let name = format!(
        "{} {}",
        text(v, "response/0/first_name"),
        text(v, "response/0/last_name")
    );
    let email = t
        .raw
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    user(
        text(v, "response/0/id"),
        name.trim().to_string(),
        text(v, "response/0/screen_name"),
        email,
        text(v, "response/0/photo_max"),
    )
}

pub fn wakatime(v: &Value, _: &TokenSet) -> AuthUser {
    let confirmed = truthy(v, "data/is_email_confirmed");
    user(
        text(v, "data/id"),
        text(v, "data/display_name"),
        text(v, "data/username"),
        when(confirmed, text(v, "data/email")),
        text(v, "data/photo"),
    )
}

pub fn yandex(v: &Value, _: &TokenSet) -> AuthUser {
    let avatar_id = text(v, "default_avatar_id");
    let avatar = when(
        !avatar_id.is_empty() && !truthy(v, "is_avatar_empty"),
        format!("https://avatars.yandex.net/get-yapic/{avatar_id}/islands-200"),
    );
    user(
        text(v, "id"),
        text(v, "real_name"),
        text(v, "login"),
        text(v, "default_email"),
        avatar,
    )
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
