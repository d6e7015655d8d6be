//! The built-in OAuth2 providers: name, display name, default PKCE and scopes, endpoints, how the user is
//! fetched and how its JSON maps to an `AuthUser` (the mapping functions live in `mapping.rs`).

use super::mapping::{self, MapFn};

/// How the user of a provider is obtained after the code exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFetch {
    /// `GET userInfoURL` with `Authorization: Bearer <token>` plus the listed extra headers.
    Get(&'static [(&'static str, HeaderValue)]),
    /// `GET userInfoURL` with `Authorization: OAuth <token>` (Yandex).
    GetOAuthScheme,
    /// `POST userInfoURL` with the JSON body `{"query": …}` (GraphQL APIs).
    GraphQl(&'static str),
    /// The claims of the verified `id_token` (Apple); generic OIDC uses this only without `userInfoURL`.
    IdToken,
}

/// The value of an extra user-info request header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderValue {
    Fixed(&'static str),
    ClientId,
}

/// A second request for the primary verified email, used when the user JSON has none.
#[derive(Debug, Clone, Copy)]
pub struct EmailsLookup {
    pub url: &'static str,
    pub pick: fn(&serde_json::Value) -> Option<String>,
}

/// One built-in provider.
#[derive(Debug, Clone, Copy)]
pub struct ProviderSpec {
    pub name: &'static str,
    pub display_name: &'static str,
    pub pkce: bool,
    pub scopes: &'static [&'static str],
    pub auth_url: &'static str,
    pub token_url: &'static str,
    pub user_info_url: &'static str,
    /// Extra authorize URL params (Apple's `response_mode=form_post`).
    pub auth_params: &'static [(&'static str, &'static str)],
    pub fetch: UserFetch,
    pub emails: Option<EmailsLookup>,
    /// For `id_token` providers: the default JWKS URL and accepted issuers.
    pub jwks_url: &'static str,
    pub issuers: &'static [&'static str],
    pub map: MapFn,
}

const BEARER: UserFetch = UserFetch::Get(&[]);

const fn spec(
    name: &'static str,
    display_name: &'static str,
    pkce: bool,
    scopes: &'static [&'static str],
    urls: [&'static str; 3],
    map: MapFn,
) -> ProviderSpec {
    ProviderSpec {
        name,
        display_name,
        pkce,
        scopes,
        auth_url: urls[0],
        token_url: urls[1],
        user_info_url: urls[2],
        auth_params: &[],
        fetch: BEARER,
        emails: None,
        jwks_url: "",
        issuers: &[],
        map,
    }
}

const OIDC_SCOPES: &[&str] = &["openid", "email", "profile"];

const fn oidc(name: &'static str) -> ProviderSpec {
    ProviderSpec {
        fetch: UserFetch::Get(&[]),
        ..spec(name, "OIDC", true, OIDC_SCOPES, ["", "", ""], mapping::oidc)
    }
}

/// Every built-in provider, by `name`.
pub static PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        auth_params: &[("response_mode", "form_post")],
        fetch: UserFetch::IdToken,
        jwks_url: "https://appleid.apple.com/auth/keys",
        issuers: &["https://appleid.apple.com"],
        ..spec(
            "apple",
            "Apple",
            true,
            &["name", "email"],
            [
                "https://appleid.apple.com/auth/authorize",
                "https://appleid.apple.com/auth/token",
                "",
            ],
            mapping::apple,
        )
    },
    ProviderSpec {
        emails: Some(EmailsLookup {
            url: "https://api.bitbucket.org/2.0/user/emails",
            pick: mapping::bitbucket_email,
        }),
        ..spec(
            "bitbucket",
            "Bitbucket",
            false,
            &["account"],
            [
                "https://bitbucket.org/site/oauth2/authorize",
                "https://bitbucket.org/site/oauth2/access_token",
                "https://api.bitbucket.org/2.0/user",
            ],
            mapping::bitbucket,
        )
    },
    spec(
        "box",
        "Box",
        true,
        &["root_readonly"],
        [
            "https://account.box.com/api/oauth2/authorize",
            "https://api.box.com/oauth2/token",
            "https://api.box.com/2.0/users/me",
        ],
        mapping::box_com,
    ),
    spec(
        "discord",
        "Discord",
        true,
        &["identify", "email"],
        [
            "https://discord.com/api/oauth2/authorize",
            "https://discord.com/api/oauth2/token",
            "https://discord.com/api/users/@me",
        ],
        mapping::discord,
    ),
    spec(
        "facebook",
        "Facebook",
        true,
        &["email"],
        [
            "https://www.facebook.com/v3.2/dialog/oauth",
            "https://graph.facebook.com/v3.2/oauth/access_token",
            "https://graph.facebook.com/me?fields=name,email,picture.type(large)",
        ],
        mapping::facebook,
    ),
    spec(
        "gitea",
        "Gitea/Forgejo",
        true,
        &["read:user", "user:email"],
        [
            "https://gitea.com/login/oauth/authorize",
            "https://gitea.com/login/oauth/access_token",
            "https://gitea.com/api/v1/user",
        ],
        mapping::gitea,
    ),
    ProviderSpec {
        emails: Some(EmailsLookup {
            url: "https://gitee.com/api/v5/emails",
            pick: mapping::gitee_email,
        }),
        ..spec(
            "gitee",
            "Gitee",
            true,
            &["user_info", "emails"],
            [
                "https://gitee.com/oauth/authorize",
                "https://gitee.com/oauth/token",
                "https://gitee.com/api/v5/user",
            ],
            mapping::gitee,
        )
    },
    ProviderSpec {
        emails: Some(EmailsLookup {
            url: "https://api.github.com/user/emails",
            pick: mapping::github_email,
        }),
        ..spec(
            "github",
            "GitHub",
            true,
            &["read:user", "user:email"],
            [
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "https://api.github.com/user",
            ],
            mapping::github,
        )
    },
    spec(
        "gitlab",
        "GitLab",
        true,
        &["read_user"],
        [
            "https://gitlab.com/oauth/authorize",
            "https://gitlab.com/oauth/token",
            "https://gitlab.com/api/v4/user",
        ],
        mapping::gitlab,
    ),
    spec(
        "google",
        "Google",
        true,
        &[
            "https://www.googleapis.com/auth/userinfo.profile",
            "https://www.googleapis.com/auth/userinfo.email",
        ],
        [
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            "https://www.googleapis.com/oauth2/v3/userinfo",
        ],
        mapping::google,
    ),
    spec(
        "instagram2",
        "Instagram",
        true,
        &["instagram_business_basic"],
        [
            "https://www.instagram.com/oauth/authorize",
            "https://api.instagram.com/oauth/access_token",
            "https://graph.instagram.com/me?fields=id,username,account_type,user_id,name,profile_picture_url",
        ],
        mapping::instagram,
    ),
    spec(
        "kakao",
        "Kakao",
        true,
        &["account_email", "profile_nickname", "profile_image"],
        [
            "https://kauth.kakao.com/oauth/authorize",
            "https://kauth.kakao.com/oauth/token",
            "https://kapi.kakao.com/v2/user/me",
        ],
        mapping::kakao,
    ),
    spec(
        "lark",
        "Lark",
        true,
        &[],
        [
            "https://accounts.feishu.cn/open-apis/authen/v1/authorize",
            "https://open.feishu.cn/open-apis/authen/v2/oauth/token",
            "https://open.feishu.cn/open-apis/authen/v1/user_info",
        ],
        mapping::lark,
    ),
    ProviderSpec {
        fetch: UserFetch::GraphQl("query Me { viewer { id displayName name email avatarUrl active } }"),
        ..spec(
            "linear",
            "Linear",
            false,
            &["read"],
            [
                "https://linear.app/oauth/authorize",
                "https://api.linear.app/oauth/token",
                "https://api.linear.app/graphql",
            ],
            mapping::linear,
        )
    },
    spec(
        "livechat",
        "LiveChat",
        true,
        &[],
        [
            "https://accounts.livechat.com/",
            "https://accounts.livechat.com/v2/token",
            "https://accounts.livechat.com/v2/accounts/me",
        ],
        mapping::livechat,
    ),
    spec(
        "mailcow",
        "mailcow",
        true,
        &["profile"],
        ["", "", ""],
        mapping::mailcow,
    ),
    spec(
        "microsoft",
        "Microsoft",
        true,
        &["User.Read"],
        [
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            "https://graph.microsoft.com/v1.0/me",
        ],
        mapping::microsoft,
    ),
    ProviderSpec {
        fetch: UserFetch::GraphQl("query { me { id enabled email name is_verified photo_small } }"),
        ..spec(
            "monday",
            "monday.com",
            true,
            &["me:read"],
            [
                "https://auth.monday.com/oauth2/authorize",
                "https://auth.monday.com/oauth2/token",
                "https://api.monday.com/v2",
            ],
            mapping::monday,
        )
    },
    ProviderSpec {
        fetch: UserFetch::Get(&[("Notion-Version", HeaderValue::Fixed("2022-06-28"))]),
        ..spec(
            "notion",
            "Notion",
            true,
            &[],
            [
                "https://api.notion.com/v1/oauth/authorize",
                "https://api.notion.com/v1/oauth/token",
                "https://api.notion.com/v1/users/me",
            ],
            mapping::notion,
        )
    },
    oidc("oidc"),
    oidc("oidc2"),
    oidc("oidc3"),
    spec(
        "patreon",
        "Patreon",
        true,
        &["identity", "identity[email]"],
        [
            "https://www.patreon.com/oauth2/authorize",
            "https://www.patreon.com/api/oauth2/token",
            "https://www.patreon.com/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified",
        ],
        mapping::patreon,
    ),
    spec(
        "planningcenter",
        "Planning Center",
        true,
        &["people"],
        [
            "https://api.planningcenteronline.com/oauth/authorize",
            "https://api.planningcenteronline.com/oauth/token",
            "https://api.planningcenteronline.com/people/v2/me",
        ],
        mapping::planningcenter,
    ),
    spec(
        "spotify",
        "Spotify",
        true,
        &["user-read-private"],
        [
            "https://accounts.spotify.com/authorize",
            "https://accounts.spotify.com/api/token",
            "https://api.spotify.com/v1/me",
        ],
        mapping::spotify,
    ),
    spec(
        "strava",
        "Strava",
        true,
        &["profile:read_all"],
        [
            "https://www.strava.com/oauth/authorize",
            "https://www.strava.com/api/v3/oauth/token",
            "https://www.strava.com/api/v3/athlete",
        ],
        mapping::strava,
    ),
    ProviderSpec {
        fetch: UserFetch::Get(&[
            ("trakt-api-version", HeaderValue::Fixed("2")),
            ("trakt-api-key", HeaderValue::ClientId),
        ]),
        ..spec(
            "trakt",
            "Trakt",
            true,
            &[],
            [
                "https://trakt.tv/oauth/authorize",
                "https://api.trakt.tv/oauth/token",
                "https://api.trakt.tv/users/settings",
            ],
            mapping::trakt,
        )
    },
    ProviderSpec {
        fetch: UserFetch::Get(&[("Client-Id", HeaderValue::ClientId)]),
        ..spec(
            "twitch",
            "Twitch",
            true,
            &["user:read:email"],
            [
                "https://id.twitch.tv/oauth2/authorize",
                "https://id.twitch.tv/oauth2/token",
                "https://api.twitch.tv/helix/users",
            ],
            mapping::twitch,
        )
    },
    spec(
        "twitter",
        "X/Twitter",
        true,
        &["users.read", "users.email", "tweet.read"],
        [
            "https://x.com/i/oauth2/authorize",
            "https://api.x.com/2/oauth2/token",
            "https://api.x.com/2/users/me?user.fields=id,name,username,profile_image_url,confirmed_email",
        ],
        mapping::twitter,
    ),
    spec(
        "vk",
        "ВКонтакте",
        false,
        &["email"],
        [
            "https://oauth.vk.com/authorize",
            "https://oauth.vk.com/access_token",
            "https://api.vk.com/method/users.get?fields=photo_max,screen_name&v=5.199",
        ],
        mapping::vk,
    ),
    spec(
        "wakatime",
        "WakaTime",
        true,
        &["email"],
        [
            "https://wakatime.com/oauth/authorize",
            "https://wakatime.com/oauth/token",
            "https://wakatime.com/api/v1/users/current",
        ],
        mapping::wakatime,
    ),
    ProviderSpec {
        fetch: UserFetch::GetOAuthScheme,
        ..spec(
            "yandex",
            "Yandex",
            true,
            &["login:email", "login:avatar", "login:info"],
            [
                "https://oauth.yandex.com/authorize",
                "https://oauth.yandex.com/token",
                "https://login.yandex.ru/info?format=json",
            ],
            mapping::yandex,
        )
    },
];

/// The built-in provider called `name`.
pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_match_the_spec_list() {
        let names: Vec<&str> = PROVIDERS.iter().map(|p| p.name).collect();
        let expected = "apple bitbucket box discord facebook gitea gitee github gitlab google instagram2 \
            kakao lark linear livechat mailcow microsoft monday notion oidc oidc2 oidc3 patreon planningcenter \
            spotify strava trakt twitch twitter vk wakatime yandex";
        assert_eq!(names, expected.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn pkce_is_off_only_where_pocketbase_has_it_off() {
        let off: Vec<&str> = PROVIDERS
            .iter()
            .filter(|p| !p.pkce)
            .map(|p| p.name)
            .collect();
        assert_eq!(off, ["bitbucket", "linear", "vk"]);
    }
}
