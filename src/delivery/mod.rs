//! The durable delivery queue: the worker claims due rows with a short lease, sends them
//! through per-host lanes, and backs off. Rows come from the transactional outbox (`actions::outbox`).

pub mod backoff;
pub mod breaker;
pub mod scheduler;
pub mod send;
pub mod target;
pub mod worker;

pub use worker::{Deliverer, RoundReport};
