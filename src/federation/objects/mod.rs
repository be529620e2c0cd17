//! Our database types as the federation library sees them.

pub mod actor;
