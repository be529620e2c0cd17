//! State kept in memory beside the database, shared by a node's requests: the block list's
//! cache, the inbox's caches (actors, keys, follows) and the login rate limits. It holds no business rules of its own beyond its bounds;
//! the actions use it, and the context holds one of each.

pub mod blocks;
pub mod bounded;
pub mod caches;
pub mod fetch_gate;
pub mod login_limit;
pub mod rate_limit;

pub use blocks::BlockList;
pub use caches::Caches;
pub use fetch_gate::FetchGate;
pub use login_limit::LoginLimiter;
pub use rate_limit::HostLimiter;
