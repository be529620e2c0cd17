//! Integration tests: real instances over loopback HTTP, each on its own SQLite file or
//! PostgreSQL database. Every scenario runs on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod browser;
mod console;
mod crash;
mod delivery;
mod disk_full;
mod e2e;
mod events;
mod fixtures;
mod following;
mod forgery;
mod harness;
mod hostile_urls;
mod httpsig;
mod httpsig_fedify;
mod inbox;
mod interop;
mod login;
mod outbound;
mod process;
mod publishing;
mod raw;
mod replies;
mod restart;
mod signed_fetch;
mod startup_race;
mod statement_console;
mod statement_console_signing;
mod statement_jobs;
mod statements;
mod statements_hostile;
mod storage;
mod stub;
mod wellknown;
