//! Signatures of our statements arriving and leaving: an `Accept` of our `Invite` names a
//! co-signature, which is listed only after it was fetched from the signer's own server and
//! checked ([`super::statement_check`]); a `Reject` declines; a `Delete` of the co-signature
//! withdraws it. Published signatures are checked again daily and on demand.

use super::statement_check::{self, Check, Version};
use crate::{
    context::AppContext,
    db::{self, statements::StatementRow},
    error::{AppError, AppResult},
};
use activitypub_federation::config::Data;
use url::Url;

/// Every version of our statement with its digest.
async fn versions_of(ctx: &AppContext, row: &StatementRow) -> anyhow::Result<Vec<(i64, String)>> {
    db::statements::version_digests(ctx.db.read(), row.id).await
}

fn version_rule(row: &StatementRow, versions: Vec<(i64, String)>) -> impl Fn(i64, &str) -> Version {
    let (current, current_digest) = (row.version, row.digest.clone());
    move |version, digest| {
        if version == current && digest == current_digest {
            Version::Current
        } else if versions.iter().any(|(v, d)| *v == version && d == digest) {
            Version::Older
        } else {
            Version::Unknown
        }
    }
}

/// Checks `signature` as `signer`'s co-signature of `row`.
pub async fn check(
    data: &Data<AppContext>,
    row: &StatementRow,
    signer: &Url,
    signature: &Url,
) -> AppResult<Check> {
    let statement = Url::parse(&row.ap_id).map_err(anyhow::Error::from)?;
    let rule = version_rule(row, versions_of(data, row).await?);
    Ok(statement_check::fetch_and_check(data, signature, &statement, Some(signer), rule).await)
}

/// The invitation an answer is about: the one whose latest `Invite` it names, or the one an
/// earlier `Invite` of ours of the same version went to (a deadline change or a reminder sends
/// a new `Invite`; an answer to the earlier one still counts). `None` for anything else, such
/// as an `Invite` of an older version.
pub async fn invitation_for(
    ctx: &AppContext,
    invite: &Url,
) -> anyhow::Result<Option<db::statement_invitations::InvitationRow>> {
    if let Some(inv) =
        db::statement_invitations::find_by_invite(ctx.db.read(), invite.as_str()).await?
    {
        return Ok(Some(inv));
    }
    let Some(sent) = db::deliveries::find_activity_by_ap_id(ctx.db.read(), invite.as_str())
        .await?
        .filter(|a| a.kind == "Invite")
    else {
        return Ok(None);
    };
    let doc: serde_json::Value = serde_json::from_str(&sent.json)?;
    let statement = doc.get("object").and_then(crate::protocol::helpers::id_of);
    let version = doc
        .get("object")
        .and_then(|o| o.get("statementVersion"))
        .and_then(serde_json::Value::as_i64);
    let target = doc.get("target").and_then(crate::protocol::helpers::id_of);
    let (Some(statement), Some(version), Some(target)) = (statement, version, target) else {
        return Ok(None);
    };
    let Some(row) = db::statements::find_by_ap_id(ctx.db.read(), statement.as_str()).await? else {
        return Ok(None);
    };
    let Some(actor) = db::actors::find_by_ap_id(ctx.db.read(), target.as_str()).await? else {
        return Ok(None);
    };
    Ok(
        db::statement_invitations::find(ctx.db.read(), row.id, actor.id)
            .await?
            .filter(|i| i.version == version),
    )
}

/// An `Accept` of our `Invite` from `actor`, whose `result` is its co-signature.
pub async fn accepted(
    data: &Data<AppContext>,
    actor: &db::actors::ActorRow,
    invite: &Url,
    result: Option<Url>,
) -> AppResult<()> {
    let Some(inv) = invitation_for(data, invite).await? else {
        tracing::debug!(%invite, "Accept of an Invite that no longer stands, ignored");
        return Ok(());
    };
    if inv.actor_id != actor.id {
        return Err(AppError::Forbidden(
            "Accept: this invitation was not sent to you".into(),
        ));
    }
    let Some(signature) = result else {
        return Err(AppError::Invalid(
            "Accept: `result` must be the id of your co-signature".into(),
        ));
    };
    let row = db::statements::find_by_id(data.db.read(), inv.statement_id)
        .await?
        .ok_or_else(|| AppError::NotFound("the statement is gone".into()))?;
    let signer = Url::parse(&actor.ap_id).map_err(anyhow::Error::from)?;
    let c = check(data, &row, &signer, &signature).await?;
    let state = c.state();
    // Only a signature of the current version counts; one of an older version is refused
    // (its signer was invited again to the new one).
    if state != "valid" {
        tracing::warn!(signature = %signature, line = %c.line(), "co-signature refused");
        return Err(AppError::Invalid(format!(
            "co-signature refused: {}",
            c.line()
        )));
    }
    let now = data.now();
    let json = c.doc.as_ref().map(|d| d.to_string()).unwrap_or_default();
    let mut tx = data.db.begin().await?;
    db::statement_signatures::upsert(
        tx.exec(),
        &db::statement_signatures::SignatureWrite {
            statement_id: row.id,
            actor_id: actor.id,
            signature_url: signature.as_str(),
            version: c.version.unwrap_or_default(),
            digest: c.digest.as_deref().unwrap_or_default(),
            state,
            json: &json,
            verified_at: now.timestamp_millis(),
        },
    )
    .await?;
    db::statement_invitations::set_state(tx.exec(), inv.id, "signed", now.timestamp_millis())
        .await?;
    super::statement_publish::republish(data, &mut tx, &row, now).await?;
    tx.commit().await?;
    super::outbox::wake(data);
    Ok(())
}

/// A `Reject` of our `Invite`: declined.
pub async fn declined(
    ctx: &AppContext,
    actor: &db::actors::ActorRow,
    invite: &Url,
) -> AppResult<bool> {
    let Some(inv) = invitation_for(ctx, invite).await? else {
        return Ok(false);
    };
    if inv.actor_id != actor.id {
        return Err(AppError::Forbidden(
            "Reject: this invitation was not sent to you".into(),
        ));
    }
    db::statement_invitations::set_state(
        ctx.db.write(),
        inv.id,
        "declined",
        ctx.now().timestamp_millis(),
    )
    .await?;
    Ok(true)
}

/// A `Delete` of a co-signature by its signer: withdrawn; a published statement is updated
/// without it. Returns whether the object was one of the signatures we list.
pub async fn withdrawn(
    ctx: &AppContext,
    actor: &db::actors::ActorRow,
    signature: &Url,
) -> AppResult<bool> {
    let Some(sig) =
        db::statement_signatures::find_by_url(ctx.db.read(), signature.as_str()).await?
    else {
        return Ok(false);
    };
    if sig.actor_id != actor.id {
        return Err(AppError::Forbidden("Delete: not your signature".into()));
    }
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::statement_signatures::set_state(
        tx.exec(),
        sig.id,
        "withdrawn",
        None,
        now.timestamp_millis(),
    )
    .await?;
    if let Some(inv) =
        db::statement_invitations::find(tx.exec(), sig.statement_id, actor.id).await?
    {
        db::statement_invitations::set_state(tx.exec(), inv.id, "declined", now.timestamp_millis())
            .await?;
    }
    if let Some(row) = db::statements::find_by_id(tx.exec(), sig.statement_id).await? {
        super::statement_publish::republish(ctx, &mut tx, &row, now).await?;
    }
    tx.commit().await?;
    super::outbox::wake(ctx);
    Ok(true)
}

/// Checks every listed signature of a statement again on its signer's server; a signature
/// that is gone or changed is marked, and a published statement is updated if its list
/// changed. Returns the checks.
pub async fn reverify(data: &Data<AppContext>, row: &StatementRow) -> AppResult<Vec<Check>> {
    let now = data.now();
    let mut checks = Vec::new();
    let mut changed = false;
    for s in db::statement_signatures::list(data.db.read(), row.id).await? {
        if s.state == "withdrawn" {
            continue;
        }
        let (Ok(signer), Ok(url)) = (Url::parse(&s.actor_ap_id), Url::parse(&s.signature_url))
        else {
            continue;
        };
        let c = check(data, row, &signer, &url).await?;
        // An unreachable server is not a withdrawn signature: keep the state, say why.
        let state = if c.fetched {
            c.state()
        } else {
            s.state.as_str()
        };
        changed |= state != s.state;
        let error = (!c.valid()).then(|| c.line());
        db::statement_signatures::set_state(
            data.db.write(),
            s.id,
            state,
            error.as_deref(),
            now.timestamp_millis(),
        )
        .await?;
        checks.push(c);
    }
    if changed && row.state == "published" {
        let mut tx = data.db.begin().await?;
        super::statement_publish::republish(data, &mut tx, row, now).await?;
        tx.commit().await?;
        super::outbox::wake(data);
    }
    Ok(checks)
}
