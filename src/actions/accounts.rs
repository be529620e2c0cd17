//! Staff accounts: argon2id password hashes, sessions with a CSRF token each, login rate
//! limiting, and the one-time setup link printed at first start.

use crate::{
    context::AppContext,
    db::{self, Db, users::SessionRow},
    error::{AppError, AppResult, invalid},
};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const ROLES: &[&str] = &["admin", "editor"];
/// Sessions last two weeks.
pub const SESSION_MS: i64 = 14 * 24 * 3600 * 1000;
pub const MIN_PASSWORD: usize = 10;

/// 256 random bits, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_email(email: &str) -> AppResult<String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !email.contains(char::is_whitespace)
        });
    if ok {
        Ok(email)
    } else {
        Err(invalid(format!(
            "email: {email:?} is not an e-mail address"
        )))
    }
}

fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(invalid(format!(
            "password: at least {MIN_PASSWORD} characters"
        )));
    }
    if password.len() > 1024 {
        return Err(invalid("password: at most 1024 bytes"));
    }
    Ok(())
}

/// Creates a staff account.
pub async fn add_user(
    db: &Db,
    email: &str,
    password: &str,
    role: &str,
    now: i64,
) -> AppResult<i64> {
    let email = check_email(email)?;
    check_password(password)?;
    if !ROLES.contains(&role) {
        return Err(invalid(format!(
            "role: must be admin or editor (got {role:?})"
        )));
    }
    if db::users::find_by_email(db.read(), &email).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "email: an account {email} exists already"
        )));
    }
    let hash = hash_password(password)?;
    Ok(db::users::insert(db.write(), &email, &hash, role, now).await?)
}

/// Changes a password and closes the account's sessions.
pub async fn set_password(db: &Db, email: &str, password: &str) -> AppResult<()> {
    check_password(password)?;
    let user = db::users::find_by_email(db.read(), &email.trim().to_lowercase())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no account {email}")))?;
    let hash = hash_password(password)?;
    db::users::set_password(db.write(), user.id, &hash).await?;
    db::users::delete_sessions_of(db.write(), user.id).await?;
    Ok(())
}

pub use crate::memory::LoginLimiter;

/// A new session: the cookie value (shown once) and its row.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

async fn open_session(db: &Db, user_id: i64, now: i64) -> anyhow::Result<NewSession> {
    let token = random_token();
    let csrf_token = random_token();
    db::users::insert_session(
        db.write(),
        &sha256(&token),
        user_id,
        &csrf_token,
        now,
        now + SESSION_MS,
    )
    .await?;
    Ok(NewSession { token, csrf_token })
}

/// Checks credentials, rate-limited per client address and per account (see
/// [`crate::memory::login_limit`]): the attempt is reserved before the password is hashed.
pub async fn login(
    ctx: &AppContext,
    email: &str,
    password: &str,
    client: &str,
) -> Result<NewSession, LoginFailure> {
    let now = ctx.now().timestamp_millis();
    let email = email.trim().to_lowercase();
    let reservation = ctx
        .login_limiter
        .reserve(client, &email, now)
        .map_err(|w| LoginFailure::Wait(w.0))?;
    let user = db::users::find_by_email(ctx.db.read(), &email)
        .await
        .map_err(|e| LoginFailure::Error(e.into()))?;
    ctx.login_limiter.evaluating();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_string();
    // Hashing takes tens of milliseconds of CPU: off the async threads.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            // Spend the same time as for a real account.
            let _ = hash_password(&password);
            false
        }
    })
    .await
    .unwrap_or(false);
    match (ok, user) {
        (true, Some(u)) => {
            reservation.succeeded();
            open_session(&ctx.db, u.id, now)
                .await
                .map_err(|e| LoginFailure::Error(e.into()))
        }
        _ => {
            reservation.failed(now);
            Err(LoginFailure::Wrong)
        }
    }
}

/// Why a login did not open a session.
#[derive(Debug)]
pub enum LoginFailure {
    /// Wrong e-mail or password.
    Wrong,
    /// Too many failures: wait this many milliseconds.
    Wait(i64),
    Error(AppError),
}

/// The session behind a cookie value, if valid.
pub async fn session(ctx: &AppContext, token: &str) -> AppResult<Option<SessionRow>> {
    Ok(
        db::users::find_session(ctx.db.read(), &sha256(token), ctx.now().timestamp_millis())
            .await?,
    )
}

pub async fn logout(ctx: &AppContext, session: &SessionRow) -> AppResult<()> {
    Ok(db::users::delete_session(ctx.db.write(), session.id).await?)
}

/// At start-up while no account exists: a fresh one-time setup token (any older unused one
/// stops working). Returns `None` once an account exists.
pub async fn setup_token(db: &Db, now: i64) -> anyhow::Result<Option<String>> {
    if db::users::count(db.read()).await? > 0 {
        return Ok(None);
    }
    let token = random_token();
    db::users::replace_setup_token(db.write(), &sha256(&token), now).await?;
    Ok(Some(token))
}

pub async fn setup_token_valid(db: &Db, token: &str) -> anyhow::Result<bool> {
    db::users::setup_token_valid(db.read(), &sha256(token)).await
}

/// Uses the setup token: creates the first admin and opens a session for it. The token is
/// spent even if a concurrent request raced this one; only one of them creates the account.
pub async fn complete_setup(
    ctx: &AppContext,
    token: &str,
    email: &str,
    password: &str,
) -> AppResult<NewSession> {
    let email = check_email(email)?;
    check_password(password)?;
    let now = ctx.now().timestamp_millis();
    if !db::users::use_setup_token(ctx.db.write(), &sha256(token), now).await? {
        return Err(AppError::Forbidden(
            "this setup link is invalid or was already used".into(),
        ));
    }
    let id = add_user(&ctx.db, &email, password, "admin", now).await?;
    Ok(open_session(&ctx.db, id, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
