//! Authentication primitives: password hashing, the HS256 record tokens and OAuth2 providers.

pub mod encryption;
pub mod oauth2;
pub mod password;
pub mod token;
