//! The durable delivery queue: the worker claims due rows with a lease, signs, sends, and
//! backs off. Rows come from the transactional outbox (`actions::outbox`).

pub mod backoff;
pub mod breaker;
pub mod worker;

pub use worker::{Deliverer, RoundReport};
