//! Ferrobase: a PocketBase-compatible backend. Layers, left to right: hook, filter → model → store, auth →
//! app → services → http → (jsvm) → main. A module uses only modules to its left.

pub mod app;
pub mod auth;
pub mod cli;
pub mod files;
pub mod filter;
pub mod hook;
pub mod http;
pub mod jsvm;
pub mod mail;
pub mod model;
pub mod realtime;
pub mod services;
pub mod store;
