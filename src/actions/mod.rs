//! Use cases. Each one is one database transaction: the content change, its outgoing activity
//! and one delivery row per destination inbox commit together (the transactional outbox).

pub mod accounts;
pub mod backfill;
pub mod boosts;
pub mod centre;
pub mod cosign;
pub mod followers;
pub mod follows;
pub mod hashtag_keys;
pub mod media;
pub mod moderation;
pub mod network_replies;
pub mod outbox;
pub mod participants;
pub mod participations;
pub mod post_input;
pub mod post_writes;
pub mod posts;
pub mod remote_attachments;
pub mod remote_fetch;
pub mod remote_language;
pub mod remote_poll;
pub mod remote_posts;
pub mod remote_tags;
pub mod reply_context;
pub mod report_send;
pub mod reports;
pub mod statement_check;
pub mod statement_jobs;
pub mod statement_publish;
pub mod statement_signatures;
pub mod statement_verify;
pub mod statements;
pub mod tokens;
