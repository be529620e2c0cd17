//! Wire shapes only: serde structs for what we send and accept. No behaviour, no database.
//! Lenient in (optional fields, nulls, one-or-many), complete out.

pub mod activity;
pub mod actor;
pub mod collection;
pub mod context;
pub mod flag;
pub mod helpers;
pub mod links;
pub mod object;
pub mod statement;

/// The ActivityStreams public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Content type of ActivityPub responses.
pub const AP_CONTENT_TYPE: &str = "application/activity+json";
