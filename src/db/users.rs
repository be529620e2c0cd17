//! Staff accounts, their sessions, and the one-time setup token.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: i64,
}

/// A live session with its user.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: i64,
    pub email: String,
    pub role: String,
}

pub async fn count(ex: Exec<'_>) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM users";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).fetch_one(c).await)
        .context("counting users")
}

pub async fn insert(
    ex: Exec<'_>,
    email: &str,
    password_hash: &str,
    role: &str,
    now: i64,
) -> anyhow::Result<i64> {
    const SQL: &str = "INSERT INTO users (email, password_hash, role, created_at) \
        VALUES ($1, $2, $3, $4) RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(email).bind(password_hash)
        .bind(role).bind(now).fetch_one(c).await)
    .context("creating user")
}

pub async fn find_by_email(ex: Exec<'_>, email: &str) -> anyhow::Result<Option<UserRow>> {
    const SQL: &str = "SELECT id, email, password_hash, role, created_at FROM users \
        WHERE email = $1";
    with_exec!(ex, c => sqlx::query_as::<_, UserRow>(SQL).bind(email).fetch_optional(c).await)
        .context("reading user")
}

pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<UserRow>> {
    const SQL: &str = "SELECT id, email, password_hash, role, created_at FROM users ORDER BY id";
    with_exec!(ex, c => sqlx::query_as::<_, UserRow>(SQL).fetch_all(c).await)
        .context("listing users")
}

pub async fn set_password(ex: Exec<'_>, id: i64, password_hash: &str) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(password_hash).execute(c).await)
        .context("changing password")?;
    Ok(())
}

pub async fn insert_session(
    ex: Exec<'_>,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, \
        expires_at) VALUES ($1, $2, $3, $4, $5)";
    affected!(ex, c => sqlx::query(SQL).bind(token_hash).bind(user_id).bind(csrf_token).bind(now)
        .bind(expires_at).execute(c).await)
    .context("opening session")?;
    Ok(())
}

/// The session with this token hash, if it has not expired.
pub async fn find_session(
    ex: Exec<'_>,
    token_hash: &str,
    now: i64,
) -> anyhow::Result<Option<SessionRow>> {
    const SQL: &str = "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.email, u.role \
        FROM sessions s JOIN users u ON u.id = s.user_id \
        WHERE s.token_hash = $1 AND s.expires_at > $2";
    with_exec!(ex, c => sqlx::query_as::<_, SessionRow>(SQL).bind(token_hash).bind(now)
        .fetch_optional(c).await)
    .context("reading session")
}

pub async fn delete_session(ex: Exec<'_>, id: i64) -> anyhow::Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).execute(c).await).context("closing session")?;
    Ok(())
}

/// Closes every session of a user (after a password change).
pub async fn delete_sessions_of(ex: Exec<'_>, user_id: i64) -> anyhow::Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(user_id).execute(c).await)
        .context("closing sessions")?;
    Ok(())
}

/// Replaces any unused setup token by this one.
pub async fn replace_setup_token(ex: Exec<'_>, token_hash: &str, now: i64) -> anyhow::Result<()> {
    let mut ex = ex;
    const DELETE: &str = "DELETE FROM setup_tokens WHERE used_at IS NULL";
    const INSERT: &str = "INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)";
    affected!(ex.reborrow(), c => sqlx::query(DELETE).execute(c).await)
        .context("clearing setup tokens")?;
    affected!(ex, c => sqlx::query(INSERT).bind(token_hash).bind(now).execute(c).await)
        .context("storing setup token")?;
    Ok(())
}

/// Marks the setup token used. Returns false if it does not exist or was used already, so
/// that two concurrent uses cannot both succeed.
pub async fn use_setup_token(ex: Exec<'_>, token_hash: &str, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 \
        AND used_at IS NULL";
    let n = affected!(ex, c => sqlx::query(SQL).bind(token_hash).bind(now).execute(c).await)
        .context("using setup token")?;
    Ok(n > 0)
}

/// Whether this setup token exists and is unused.
pub async fn setup_token_valid(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL";
    let n =
        with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(token_hash).fetch_one(c).await)
            .context("checking setup token")?;
    Ok(n > 0)
}
