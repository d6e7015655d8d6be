//! The event types hook handlers receive.

use super::{App, AppError};
use crate::model::record::Record;
use crate::model::Collection;
use std::sync::Arc;

/// A collection being created, updated or deleted.
pub struct CollectionEvent {
    pub app: App,
    pub collection: Collection,
    /// Set on the `…AfterError` hooks.
    pub error: Option<AppError>,
}

/// A record being created, updated or deleted.
pub struct RecordEvent {
    pub app: App,
    pub collection: Arc<Collection>,
    pub record: Record,
    /// Set on the `…AfterError` hooks.
    pub error: Option<AppError>,
}

/// Either kind of model, for the generic `onModel…` hooks.
pub enum Model {
    Collection(Box<Collection>),
    Record(Arc<Collection>, Record),
}

/// A model (collection or record) being saved or deleted.
pub struct ModelEvent {
    pub app: App,
    pub model: Model,
    pub error: Option<AppError>,
}

/// The app has finished starting (or a command is about to run).
pub struct BootstrapEvent {
    pub app: App,
}
