//! Settings encryption with `--encryptionEnv`: AES-256-GCM, stored as base64(nonce ‖ ciphertext), the
//! format PocketBase uses, so encrypted settings move between the two.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;

const NONCE_LEN: usize = 12;

fn cipher(key: &str) -> Result<Aes256Gcm, String> {
    if key.len() != 32 {
        return Err("the encryption key must be exactly 32 bytes long".into());
    }
    Ok(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.as_bytes())))
}

/// Encrypts `data` with a 32-byte key.
pub fn encrypt(data: &[u8], key: &str) -> Result<String, String> {
    let cipher = cipher(key)?;
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let sealed = cipher.encrypt(&nonce, data).map_err(|e| e.to_string())?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Decrypts what `encrypt` (or PocketBase) wrote.
pub fn decrypt(text: &str, key: &str) -> Result<Vec<u8>, String> {
    let cipher = cipher(key)?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| e.to_string())?;
    if raw.len() <= NONCE_LEN {
        return Err("the encrypted value is too short".into());
    }
    let (nonce, sealed) = raw.split_at(NONCE_LEN);
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map_err(|_| "wrong encryption key or corrupt data".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_key() {
        let key = "0123456789abcdef0123456789abcdef";
        let text = encrypt(b"{\"a\":1}", key).unwrap();
        assert_eq!(decrypt(&text, key).unwrap(), b"{\"a\":1}");
        assert!(decrypt(&text, "0123456789abcdef0123456789abcdeX").is_err());
        assert!(decrypt("!!", key).is_err());
        assert!(encrypt(b"x", "short").is_err());
    }
}
