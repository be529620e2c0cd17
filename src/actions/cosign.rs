//! Joint statements, signing side: an invitation arrives, staff read the text (fetched from
//! the drafting centre with a signed GET) and sign or decline it; the signature is a document
//! on our own server with an FEP-8b32 proof by our Ed25519 key; we withdraw it with a
//! `Delete`; and when the statement is published listing our signature, we relay it to our
//! followers with an `Announce`.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow, invitations::ReceivedRow, signatures::OwnSignatureRow},
    error::{AppError, AppResult, invalid},
    federation::verify_same_origin,
    protocol::PUBLIC,
    protocol::{
        activity::ActivityJson, helpers::id_of, object::ObjectJson, statement::StatementDoc,
    },
    render::{self, sanitize},
};
use activitypub_federation::config::Data;
use serde_json::{Value, json};
use url::Url;

/// Settings: who may sign for the centre (`admins` or `editors`), and whether signed
/// statements are relayed to our followers (`true` or `false`).
pub const SIGNERS: &str = "statements.signers";
pub const RELAY: &str = "statements.relay";

pub async fn signers(ctx: &AppContext) -> anyhow::Result<String> {
    Ok(db::settings::get(ctx.db.read(), SIGNERS)
        .await?
        .filter(|v| v == "editors")
        .unwrap_or_else(|| "admins".into()))
}

pub async fn relays(ctx: &AppContext) -> anyhow::Result<bool> {
    Ok(db::settings::get(ctx.db.read(), RELAY).await?.as_deref() != Some("false"))
}

/// Receives an `Invite` to co-sign: the statement must be on the inviter's own server and
/// the invitation addressed to us; the draft is fetched from there and its digest checked.
pub async fn invited(data: &Data<AppContext>, actor: &ActorRow, a: &ActivityJson) -> AppResult<()> {
    let statement =
        id_of(&a.object).ok_or_else(|| invalid("Invite: object must be the statement"))?;
    let inviter = Url::parse(&actor.ap_id).map_err(anyhow::Error::from)?;
    verify_same_origin(&statement, &inviter)
        .map_err(|_| invalid("Invite: the statement is not on the inviter's server"))?;
    if id_of(&a.target).as_ref() != Some(&data.centre.ap_id) {
        return Err(invalid("Invite: the target is not this centre"));
    }
    let fetched = activitypub_federation::fetch::fetch_object_http::<AppContext, Value>(
        &statement,
        &data.reset_request_count(),
    )
    .await
    .map_err(|e| AppError::Remote(format!("Invite: could not fetch the statement: {e}")))?;
    let doc = StatementDoc::read(&fetched.object)
        .ok_or_else(|| invalid("Invite: the object is not a statement"))?;
    if doc.attributed_to != inviter || doc.published {
        return Err(invalid(
            "Invite: the statement is not a draft of the inviter",
        ));
    }
    if doc.text.digest() != doc.digest {
        return Err(invalid(
            "Invite: the statement's contentDigest does not match its text",
        ));
    }
    let claimed_digest = a.object.get("contentDigest").and_then(Value::as_str);
    if claimed_digest.is_some_and(|d| d != doc.digest) {
        return Err(invalid(
            "Invite: the invitation is for another version than the draft",
        ));
    }
    // What staff read is exactly what they sign: HTML outside the safe subset is refused
    // rather than shown differently from the signed text.
    if sanitize::html(&doc.text.content) != doc.text.content
        || doc.text.name.chars().count() > super::statements::MAX_TITLE
        || doc.text.summary.chars().count() > super::statements::MAX_SUMMARY
    {
        return Err(invalid(
            "Invite: the statement's text is not in the safe HTML subset",
        ));
    }
    let list = |v: &[Url]| serde_json::to_string(&v.iter().map(Url::as_str).collect::<Vec<_>>());
    let deadline = fetched
        .object
        .get("signingDeadline")
        .and_then(Value::as_str)
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.timestamp_millis());
    let language = fetched
        .object
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned());
    let now = data.now().timestamp_millis();
    db::invitations::upsert(
        data.db.write(),
        &db::invitations::ReceivedWrite {
            public_id: &new_public_id(),
            statement_ap_id: statement.as_str(),
            from_actor_id: actor.id,
            invite_ap_id: a.id.as_str(),
            version: doc.version,
            digest: &doc.digest,
            title: &sanitize::plain_text(&doc.text.name),
            summary: &sanitize::plain_text(&doc.text.summary),
            content: &doc.text.content,
            language: language.as_deref(),
            invitees: &list(&doc.invitees).map_err(anyhow::Error::from)?,
            signatories: &list(&doc.signatures).map_err(anyhow::Error::from)?,
            deadline,
        },
        now,
    )
    .await?;
    let excerpt: String = sanitize::plain_text(&doc.text.name)
        .chars()
        .take(300)
        .collect();
    db::notifications::insert(
        data.db.write(),
        "invitation",
        actor.id,
        a.id.as_str(),
        Some(statement.as_str()),
        &excerpt,
        now,
    )
    .await?;
    Ok(())
}

pub async fn find(ctx: &AppContext, public_id: &str) -> AppResult<ReceivedRow> {
    db::invitations::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no invitation {public_id}")))
}

/// Signs the invitation's version: a co-signature on our server, then `Accept` to the
/// drafting centre. Returns our signature.
pub async fn sign(ctx: &AppContext, public_id: &str) -> AppResult<OwnSignatureRow> {
    let inv = find(ctx, public_id).await?;
    if inv.state == "signed" {
        return Err(AppError::Conflict(format!(
            "invitation {public_id}: this version is signed already"
        )));
    }
    let now = ctx.now();
    let sig_public = new_public_id();
    let sig_id = ctx.urls.signature(&sig_public);
    let doc = render::statement::cosignature(
        ctx,
        sig_id.as_str(),
        &inv.statement_ap_id,
        inv.version,
        &inv.digest,
        now,
    )?;
    let accept_id = ctx.urls.activity(&new_public_id());
    let accept = render::statement::answer(
        ctx,
        "Accept",
        accept_id.as_str(),
        &inv.invite_ap_id,
        &inv.from_ap_id,
        Some(sig_id.as_str()),
        now,
    );
    let mut tx = ctx.db.begin().await?;
    db::signatures::insert(
        tx.exec(),
        &db::signatures::OwnSignatureWrite {
            public_id: &sig_public,
            ap_id: sig_id.as_str(),
            invitation_id: inv.id,
            statement_ap_id: &inv.statement_ap_id,
            version: inv.version,
            digest: &inv.digest,
            json: &doc.to_string(),
        },
        now.timestamp_millis(),
    )
    .await?;
    db::invitations::set_state(tx.exec(), inv.id, "signed", now.timestamp_millis()).await?;
    outbox::queue(
        &mut tx,
        ctx,
        &accept,
        std::slice::from_ref(&inv.from_inbox),
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(ctx);
    db::signatures::find_by_public_id(ctx.db.read(), &sig_public)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the new signature vanished")))
}

/// Declines: `Reject` to the drafting centre.
pub async fn decline(ctx: &AppContext, public_id: &str) -> AppResult<ReceivedRow> {
    let inv = find(ctx, public_id).await?;
    if inv.state != "pending" {
        return Err(AppError::Conflict(format!(
            "invitation {public_id} is {} already",
            inv.state
        )));
    }
    let now = ctx.now();
    let id = ctx.urls.activity(&new_public_id());
    let reject = render::statement::answer(
        ctx,
        "Reject",
        id.as_str(),
        &inv.invite_ap_id,
        &inv.from_ap_id,
        None,
        now,
    );
    let mut tx = ctx.db.begin().await?;
    db::invitations::set_state(tx.exec(), inv.id, "declined", now.timestamp_millis()).await?;
    outbox::queue(
        &mut tx,
        ctx,
        &reject,
        std::slice::from_ref(&inv.from_inbox),
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(ctx);
    find(ctx, public_id).await
}

/// Withdraws a signature: its id answers 410, the drafting centre gets a `Delete`, and our
/// followers an `Undo` of our `Announce` of the statement.
pub async fn withdraw(ctx: &AppContext, public_id: &str) -> AppResult<()> {
    let sig = db::signatures::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no signature {public_id}")))?;
    let inv = db::invitations::find_by_id(ctx.db.read(), sig.invitation_id)
        .await?
        .ok_or_else(|| AppError::NotFound("the invitation is gone".into()))?;
    let now = ctx.now();
    let ms = now.timestamp_millis();
    let mut tx = ctx.db.begin().await?;
    if !db::signatures::withdraw(tx.exec(), sig.id, ms).await? {
        return Err(AppError::Conflict(format!(
            "signature {public_id} is withdrawn already"
        )));
    }
    db::invitations::set_state(tx.exec(), inv.id, "declined", ms).await?;
    let delete = render::activitypub::activity(
        "Delete",
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        render::statement::withdrawn(&sig.ap_id, ms),
        &[Url::parse(&inv.from_ap_id).map_err(anyhow::Error::from)?],
        &[],
        now,
    );
    outbox::queue(
        &mut tx,
        ctx,
        &delete,
        std::slice::from_ref(&inv.from_inbox),
        ms,
    )
    .await?;
    if let Some(announce) = &sig.announce_ap_id {
        let undo = render::activitypub::activity(
            "Undo",
            &ctx.urls.activity(&new_public_id()),
            &ctx.urls.actor(),
            announce_json(ctx, announce, &sig.statement_ap_id, &inv.from_ap_id, now)?,
            &[Url::parse(PUBLIC).map_err(anyhow::Error::from)?],
            &[ctx.urls.followers()],
            now,
        );
        let inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
        outbox::queue(&mut tx, ctx, &undo, &inboxes, ms).await?;
        db::signatures::set_announce(tx.exec(), sig.id, None).await?;
    }
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

fn announce_json(
    ctx: &AppContext,
    id: &str,
    statement: &str,
    drafter: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Value> {
    let mut v = render::activitypub::activity(
        "Announce",
        &Url::parse(id)?,
        &ctx.urls.actor(),
        json!(statement),
        &[Url::parse(PUBLIC)?],
        &[ctx.urls.followers(), Url::parse(drafter)?],
        at,
    );
    if let Some(m) = v.as_object_mut() {
        m.remove("@context");
    }
    Ok(v)
}

/// A published statement arrived (`Create` or `Update` from its drafter). If it lists one of
/// our active signatures of the version it carries, we keep it and, unless staff turned it
/// off, relay it to our followers once. Returns whether it was such a statement.
pub async fn published(ctx: &AppContext, actor: &ActorRow, object: &ObjectJson) -> AppResult<bool> {
    if object.signatures.is_empty() {
        return Ok(false);
    }
    let ours: Vec<OwnSignatureRow> =
        db::signatures::all_active_for(ctx.db.read(), object.id.as_str()).await?;
    let Some(sig) = ours.into_iter().find(|s| {
        object.signatures.iter().any(|u| u.as_str() == s.ap_id)
            && Some(s.version) == object.statement_version
            && object.content_digest.as_deref() == Some(s.digest.as_str())
    }) else {
        return Ok(false);
    };
    if sig.statement_from != actor.ap_id {
        return Ok(false);
    }
    super::remote_posts::store(ctx, actor, object).await?;
    if sig.announce_ap_id.is_some() || !relays(ctx).await? {
        return Ok(true);
    }
    let now = ctx.now();
    let id = ctx.urls.activity(&new_public_id());
    let mut announce = announce_json(ctx, id.as_str(), object.id.as_str(), &actor.ap_id, now)?;
    announce["@context"] = crate::protocol::context::object();
    let mut inboxes = db::followers::delivery_inboxes(ctx.db.read()).await?;
    inboxes.push(actor.shared_inbox.clone().unwrap_or(actor.inbox.clone()));
    let mut tx = ctx.db.begin().await?;
    db::signatures::set_announce(tx.exec(), sig.id, Some(id.as_str())).await?;
    outbox::queue(&mut tx, ctx, &announce, &inboxes, now.timestamp_millis()).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(true)
}

/// The JSON an API client gets for an invitation.
pub fn invitation_json(i: &ReceivedRow) -> Value {
    json!({
        "id": i.public_id,
        "statement": i.statement_ap_id,
        "from": i.from_ap_id,
        "from_handle": format!("{}@{}", i.from_username, i.from_domain),
        "title": i.title,
        "summary": i.summary,
        "content": i.content,
        "version": i.version,
        "digest": i.digest,
        "invitees": serde_json::from_str::<Value>(&i.invitees).unwrap_or(Value::Null),
        "signatures": serde_json::from_str::<Value>(&i.signatories).unwrap_or(Value::Null),
        "deadline": i.deadline.map(render::activitypub::time),
        "state": i.state,
    })
}

/// The JSON an API client gets for one of our signatures.
pub fn signature_json(s: &OwnSignatureRow) -> Value {
    json!({
        "id": s.public_id,
        "url": s.ap_id,
        "statement": s.statement_ap_id,
        "title": s.statement_title,
        "version": s.version,
        "state": s.state,
    })
}
