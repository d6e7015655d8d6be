//! The collections a fresh data dir starts with, with PocketBase's ids, fields, rules and indexes.

use super::collection::{
    auth_indexes, autodate_fields, avatar_field, Collection, CollectionType, SUPERUSERS,
    SUPERUSERS_ID, USERS_ID,
};
use super::field::{Field, FieldKind, PasswordOptions, TextOptions};

const OWNER_RULE: &str =
    "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

fn text(name: &str, required: bool) -> Field {
    Field::new(
        name,
        FieldKind::Text(TextOptions {
            required,
            ..Default::default()
        }),
    )
    .system()
}

fn internal(
    name: &str,
    id: &str,
    extra: Vec<Field>,
    rules: [bool; 5],
    indexes: Vec<String>,
) -> Collection {
    let mut c = Collection::new(CollectionType::Base, name);
    c.id = id.into();
    c.system = true;
    c.fields.push(text("collectionRef", true));
    c.fields.push(text("recordRef", true));
    c.fields.extend(extra);
    c.fields.extend(autodate_fields(true));
    let rule = |on: bool| on.then(|| OWNER_RULE.to_string());
    c.list_rule = rule(rules[0]);
    c.view_rule = rule(rules[1]);
    c.create_rule = rule(rules[2]);
    c.update_rule = rule(rules[3]);
    c.delete_rule = rule(rules[4]);
    c.indexes = indexes;
    c
}

/// Every system collection, in creation order.
pub fn system_collections() -> Vec<Collection> {
    let mfas = internal(
        "_mfas",
        "pbc_2279338944",
        vec![text("method", true)],
        [true, true, false, false, false],
        vec![
            "CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)"
                .into(),
        ],
    );
    let otp_password = Field::new(
        "password",
        FieldKind::Password(PasswordOptions {
            cost: 8,
            required: true,
            ..Default::default()
        }),
    )
    .system()
    .hidden();
    let otps = internal(
        "_otps",
        "pbc_1638494021",
        vec![otp_password, text("sentTo", false).hidden()],
        [true, true, false, false, false],
        vec![
            "CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)"
                .into(),
        ],
    );
    let external = internal(
        "_externalAuths",
        "pbc_2281828961",
        vec![text("provider", true), text("providerId", true)],
        [true, true, false, false, true],
        vec![
            "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)".into(),
            "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)".into(),
        ],
    );
    let origins = internal(
        "_authOrigins",
        "pbc_4275539003",
        vec![text("fingerprint", true)],
        [true, true, false, false, true],
        vec!["CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (collectionRef, recordRef, fingerprint)".into()],
    );

    let mut superusers = Collection::new(CollectionType::Auth, SUPERUSERS);
    superusers.id = SUPERUSERS_ID.into();
    superusers.system = true;
    superusers.fields.extend(autodate_fields(true));
    if let Some(a) = superusers.auth.as_mut() {
        a.auth_token.duration = 86400;
    }
    superusers.indexes = auth_indexes(SUPERUSERS_ID, SUPERUSERS).to_vec();

    let mut users = Collection::new(CollectionType::Auth, "users");
    users.id = USERS_ID.into();
    users.fields.push(Field::new(
        "name",
        FieldKind::Text(TextOptions {
            max: 255,
            ..Default::default()
        }),
    ));
    users.fields.push(avatar_field());
    users.fields.extend(autodate_fields(false));
    let owner = Some("id = @request.auth.id".to_string());
    users.list_rule = owner.clone();
    users.view_rule = owner.clone();
    users.create_rule = Some(String::new());
    users.update_rule = owner.clone();
    users.delete_rule = owner;
    if let Some(a) = users.auth.as_mut() {
        a.oauth2.mapped_fields.name = "name".into();
        a.oauth2.mapped_fields.avatar_url = "avatar".into();
    }
    users.indexes = auth_indexes(USERS_ID, "users").to_vec();

    vec![mfas, otps, external, origins, superusers, users]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_field_ids_match_pocketbase() {
        let all = system_collections();
        let su = all.iter().find(|c| c.name == "_superusers").unwrap();
        assert_eq!(
            su.id,
            Collection::default_id(CollectionType::Auth, "_superusers")
        );
        let ids: Vec<_> = su.fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "text3208210256",
                "password901924565",
                "text2504183744",
                "email3885137012",
                "bool1547992806",
                "bool256245529",
                "autodate2990389176",
                "autodate3332085495"
            ]
        );
        let otps = all.iter().find(|c| c.name == "_otps").unwrap();
        assert_eq!(otps.fields[4].id, "text3866985172");
    }
}
