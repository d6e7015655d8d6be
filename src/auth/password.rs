//! Password hashes: argon2id for new passwords; bcrypt hashes written by PocketBase still verify.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes a new password with argon2id (PHC string `$argon2id$…`).
pub fn hash(plain: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Hashes with bcrypt at `cost` (PocketBase's `$2a$` format), for values PocketBase itself must read back.
pub fn hash_bcrypt(plain: &str, cost: u32) -> Result<String, String> {
    bcrypt::hash_with_result(plain, cost.clamp(4, 31))
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| e.to_string())
}

/// Checks `plain` against an argon2 or bcrypt hash. Unknown formats never match.
pub fn verify(plain: &str, hash: &str) -> bool {
    if hash.starts_with("$argon2") {
        return PasswordHash::new(hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(plain.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
    }
    if hash.starts_with("$2") {
        return bcrypt::verify(plain, hash).unwrap_or(false);
    }
    false
}

/// A valid hash of a random password, used to spend the same time on unknown identities.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::model::auth_options::random_secret(30)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_and_bcrypt_verify() {
        let h = hash("Passw0rd123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Passw0rd123", &h));
        assert!(!verify("wrong", &h));
        let b = hash_bcrypt("secret123", 4).unwrap();
        assert!(b.starts_with("$2a$04$"));
        assert!(verify("secret123", &b));
        assert!(!verify("x", "plain"));
    }
}
