//! Conversions from our model to what we send or show: ActivityStreams JSON, HTML, and the
//! sanitiser every piece of HTML goes through.

pub mod activitypub;
pub mod csv;
pub mod feeds;
pub mod links;
pub mod sanitize;
pub mod statement;
pub mod summary;
pub mod warning;
