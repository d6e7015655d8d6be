//! The `?fields=` projection lives in `services::fields` (realtime payloads use it too).

pub use crate::services::fields::{apply, apply_to_items};
