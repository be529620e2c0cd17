//! Maillage: a federated ActivityPub service for French urban-policy resource centres.
//!
//! Data flows one way: request → `http` handler → `actions` (one transaction, with its
//! outgoing deliveries) → `db`; and `delivery` worker → `db` → HTTP out. Incoming activities:
//! signature check (`federation::httpsig`, `federation::signer`) → `federation::activities` verify → receive → `db`.

pub mod actions;
pub mod config;
pub mod context;
pub mod db;
pub mod delivery;
pub mod error;
pub mod federation;
pub mod hashtag;
pub mod http;
pub mod i18n;
pub mod integrity;
pub mod language;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod protocol;
pub mod refusals;
pub mod render;
pub mod startup;
pub mod telemetry;
