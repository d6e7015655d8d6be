//! Authentication primitives: password hashing and the HS256 record tokens.

pub mod encryption;
pub mod password;
pub mod token;
