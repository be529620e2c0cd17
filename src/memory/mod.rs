//! State kept in memory beside the database, shared by a node's requests: the block list's
//! cache and the login rate limits. It holds no business rules of its own beyond its bounds;
//! the actions use it, and the context holds one of each.

pub mod blocks;
pub mod login_limit;

pub use blocks::BlockList;
pub use login_limit::LoginLimiter;
