//! Publishing a joint statement: it becomes a public `Article` (a post row of ours, so it
//! appears in the outbox, the feeds and the network feed) whose summary says who signed, with
//! a `Mention` and the co-signature id of each signatory. It goes to our followers and to
//! every signatory's inbox. Only signatures of the current version, checked on their signers'
//! servers, are listed. Nothing publishes by itself.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, posts::PostRow, statements::StatementRow},
    error::{AppError, AppResult},
    model::{PostData, Signatory, StatementData},
    render::{self, statement as wire},
};
use activitypub_federation::config::Data;
use chrono::{DateTime, Utc};

/// The signatories of the current version, as the published statement lists them.
async fn signatories(tx: &mut db::Tx, row: &StatementRow) -> anyhow::Result<Vec<Signatory>> {
    let list = db::statement_signatures::list(tx.exec(), row.id).await?;
    Ok(list
        .into_iter()
        .filter(|s| s.state == "valid" && s.version == row.version)
        .map(|s| {
            let extra: serde_json::Value = serde_json::from_str(&s.actor_data).unwrap_or_default();
            Signatory {
                name: s
                    .actor_name
                    .clone()
                    .unwrap_or_else(|| s.actor_username.clone()),
                handle: format!("{}@{}", s.actor_username, s.actor_domain),
                actor: s.actor_ap_id,
                signature: s.signature_url,
                logo: extra
                    .get("icon")
                    .and_then(|i| i.get("url"))
                    .and_then(|u| u.as_str())
                    .and_then(render::links::web_url)
                    .map(str::to_string),
                verified_at: Some(s.verified_at),
            }
        })
        .collect())
}

/// Writes the statement's post row (creating it on first publication). Returns the row.
async fn write_post(
    ctx: &AppContext,
    tx: &mut db::Tx,
    row: &StatementRow,
    now: i64,
) -> anyhow::Result<PostRow> {
    let signed = signatories(tx, row).await?;
    let names: Vec<String> = signed.iter().map(|s| s.name.clone()).collect();
    let drafter = db::actors::find_by_id(tx.exec(), ctx.centre.id)
        .await?
        .and_then(|a| a.name)
        .unwrap_or_default();
    let summary = wire::published_summary(&row.summary, &names);
    let content = wire::published_content(&row.content, &drafter, &signed);
    let data = PostData {
        tags: serde_json::from_str(&row.tags).unwrap_or_default(),
        statement: Some(StatementData {
            version: row.version,
            digest: row.digest.clone(),
            signed_name: row.title.clone(),
            signed_summary: row.summary.clone(),
            signed_content: row.content.clone(),
            signatories: signed,
        }),
        ..PostData::default()
    }
    .to_json();
    let existing = match row.post_id {
        Some(id) => db::posts::find_by_id(tx.exec(), id).await?,
        None => None,
    };
    let updated = existing.as_ref().map_or(now, |p| now.max(p.updated + 1));
    let write = db::posts::PostWrite {
        ap_id: &row.ap_id,
        public_id: None,
        actor_id: ctx.centre.id,
        kind: "Article",
        visibility: "public",
        name: Some(&row.title),
        summary: Some(&summary),
        content: &content,
        url: Some(&row.ap_id),
        in_reply_to: None,
        published: existing.as_ref().map_or(now, |p| p.published),
        updated,
        local: true,
        data: &data,
        start_at: None,
        end_at: None,
        timezone: None,
        event_status: None,
    };
    let post = match existing {
        Some(p) => {
            db::posts::update_local(tx.exec(), p.id, &write).await?;
            db::posts::find_by_id(tx.exec(), p.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the statement's post vanished"))?
        }
        None => db::posts::insert(tx.exec(), &write).await?,
    };
    db::post_tags::set(tx.exec(), post.id, &PostData::parse(&post.data).tags).await?;
    Ok(post)
}

/// Queues `Create` or `Update` of the statement to our followers and its signatories.
async fn send(
    ctx: &AppContext,
    tx: &mut db::Tx,
    kind: &str,
    post: &PostRow,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let object = render::activitypub::post(ctx, post)?;
    let mut inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
    for actor in &object.cc {
        if let Some(a) = db::actors::find_by_ap_id(tx.exec(), actor.as_str()).await?
            && !a.local
        {
            inboxes.push(a.shared_inbox.clone().unwrap_or(a.inbox.clone()));
        }
    }
    let activity = render::activitypub::activity(
        kind,
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        serde_json::to_value(&object)?,
        &object.to,
        &object.cc,
        now,
    );
    outbox::queue(tx, ctx, &activity, &inboxes, now.timestamp_millis()).await?;
    Ok(())
}

/// Publishes the statement's current version with the signatures checked so far.
pub async fn publish(data: &Data<AppContext>, public_id: &str) -> AppResult<StatementRow> {
    let row = super::statements::find(data, public_id).await?;
    if row.state == "published" {
        return Err(AppError::Conflict(format!(
            "statement {public_id} is published already: edit it to update it"
        )));
    }
    let now = data.now();
    let mut tx = data.db.begin().await?;
    let post = write_post(data, &mut tx, &row, now.timestamp_millis()).await?;
    db::statements::set_published(tx.exec(), row.id, post.id, now.timestamp_millis()).await?;
    send(data, &mut tx, "Create", &post, now).await?;
    tx.commit().await?;
    outbox::wake(data);
    super::statements::find(data, public_id).await
}

/// Rewrites a published statement after a change (an edit, a signature received or
/// withdrawn) and queues its `Update`, inside `tx`.
pub async fn republish(
    ctx: &AppContext,
    tx: &mut db::Tx,
    row: &StatementRow,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if row.state != "published" {
        return Ok(());
    }
    let post = write_post(ctx, tx, row, now.timestamp_millis()).await?;
    send(ctx, tx, "Update", &post, now).await
}
