//! Moderation: domain blocks, and staff hiding or deleting replies.

use crate::{
    context::AppContext,
    db,
    error::{AppError, AppResult, invalid},
};

/// Normalises a domain as staff type it: `host` or `host:port`, lower case, no scheme or path.
pub fn normalise_domain(input: &str) -> AppResult<String> {
    let d = input
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63)
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    if host_ok && port_ok {
        Ok(d)
    } else {
        Err(invalid(format!(
            "domain: {input:?} is not a domain (e.g. spam.example)"
        )))
    }
}

/// Whether anything from `authority` is blocked.
pub async fn is_blocked(ctx: &AppContext, authority: &str) -> anyhow::Result<bool> {
    ctx.blocks.is_blocked(&ctx.db, authority).await
}

/// Blocks a domain: its followers and its replies are removed in the same transaction.
pub async fn block(ctx: &AppContext, domain: &str) -> AppResult<String> {
    let domain = normalise_domain(domain)?;
    if domain == ctx.config.domain {
        return Err(invalid("domain: a centre cannot block itself"));
    }
    let now = ctx.now().timestamp_millis();
    let like = format!("%.{domain}");
    let mut tx = ctx.db.begin().await?;
    if !db::domain_blocks::insert(tx.exec(), &domain, now).await? {
        return Err(AppError::Conflict(format!(
            "domain: {domain} is already blocked"
        )));
    }
    let followers = db::followers::remove_domain(tx.exec(), &domain, &like).await?;
    let replies =
        db::post_threads::delete_replies_of_domain(tx.exec(), &domain, &like, now).await?;
    tx.commit().await?;
    ctx.blocks.invalidate().await;
    tracing::info!(%domain, followers, replies, "domain blocked");
    Ok(domain)
}

pub async fn unblock(ctx: &AppContext, domain: &str) -> AppResult<()> {
    let domain = normalise_domain(domain)?;
    if db::domain_blocks::delete(ctx.db.write(), &domain).await? {
        ctx.blocks.invalidate().await;
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "domain: {domain} is not blocked"
        )))
    }
}

/// Allows a domain (it matters in allowlist mode only, but can be prepared before).
pub async fn allow(ctx: &AppContext, domain: &str) -> AppResult<String> {
    let domain = normalise_domain(domain)?;
    if domain == ctx.config.domain {
        return Err(invalid(
            "domain: this centre's own domain is always allowed",
        ));
    }
    if !db::domain_allows::insert(ctx.db.write(), &domain, ctx.now().timestamp_millis()).await? {
        return Err(AppError::Conflict(format!(
            "domain: {domain} is already allowed"
        )));
    }
    ctx.blocks.invalidate().await;
    tracing::info!(%domain, "domain allowed");
    Ok(domain)
}

/// Removes a domain from the allowlist. In allowlist mode its followers are removed in the
/// same transaction, as a block does: nothing more is sent there.
pub async fn disallow(ctx: &AppContext, domain: &str) -> AppResult<()> {
    let domain = normalise_domain(domain)?;
    let mut tx = ctx.db.begin().await?;
    if !db::domain_allows::delete(tx.exec(), &domain).await? {
        return Err(AppError::NotFound(format!(
            "domain: {domain} is not allowed"
        )));
    }
    let followers = if ctx.blocks.allowlist_mode() {
        db::followers::remove_domain(tx.exec(), &domain, &format!("%.{domain}")).await?
    } else {
        0
    };
    tx.commit().await?;
    ctx.blocks.invalidate().await;
    tracing::info!(%domain, followers, "domain no longer allowed");
    Ok(())
}

/// A reply to one of our posts, by its row id.
async fn reply(ctx: &AppContext, id: i64) -> AppResult<db::posts::PostRow> {
    db::posts::find_by_id(ctx.db.read(), id)
        .await?
        .filter(|p| !p.local && p.in_reply_to.is_some() && p.deleted_at.is_none())
        .ok_or_else(|| AppError::NotFound(format!("no reply {id}")))
}

/// Hides a reply from public pages and the API's public views (or shows it again).
pub async fn set_reply_hidden(ctx: &AppContext, id: i64, hidden: bool) -> AppResult<()> {
    let r = reply(ctx, id).await?;
    let at = hidden.then(|| ctx.now().timestamp_millis());
    db::post_threads::set_hidden(ctx.db.write(), r.id, at).await?;
    Ok(())
}

/// Deletes a reply here (the author's server keeps it; nothing is sent).
pub async fn delete_reply(ctx: &AppContext, id: i64) -> AppResult<()> {
    let r = reply(ctx, id).await?;
    db::posts::mark_deleted(ctx.db.write(), r.id, ctx.now().timestamp_millis()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_or_refused() {
        assert_eq!(
            normalise_domain(" https://Spam.Example/ ").unwrap(),
            "spam.example"
        );
        assert_eq!(
            normalise_domain("localhost:8080").unwrap(),
            "localhost:8080"
        );
        for bad in ["", "a b", "x..y", "host:99999", "<script>"] {
            assert!(normalise_domain(bad).is_err(), "{bad}");
        }
    }
}
