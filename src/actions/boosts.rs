//! Boosts (`Announce`) both ways. Staff boost a public post (of a followed centre, or any
//! public post, fetched if we do not hold it): the `Announce` goes to our followers and to the
//! post's author, and stays in our outbox until undone (`Undo{Announce}`). A followed centre's
//! boost comes into our network feed as "boosted by"; the post it shares is fetched if we do
//! not hold it. Boosts of our own posts are counted as reactions
//! ([`crate::federation::activities::reaction`]).

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow, boosts::BoostWrite, posts::PostRow},
    error::{AppError, AppResult, invalid},
    protocol::PUBLIC,
    render,
};
use activitypub_federation::config::Data;
use serde_json::{Value, json};
use url::Url;

/// The `Announce` of our boost `row`, addressed to the public, our followers and `author`.
pub fn announce_json(ctx: &AppContext, row: &PostRow, author: Option<&str>) -> Value {
    let mut cc = vec![ctx.urls.followers()];
    cc.extend(author.and_then(|a| Url::parse(a).ok()));
    let id = Url::parse(&row.ap_id).unwrap_or_else(|_| ctx.urls.actor());
    render::activitypub::activity(
        "Announce",
        &id,
        &ctx.urls.actor(),
        json!(row.boost_of),
        &[Url::parse(PUBLIC).unwrap_or_else(|_| ctx.urls.actor())],
        &cc,
        render::activitypub::time(row.published).to_utc(),
    )
}

/// Where a boost of `post` goes: our followers' inboxes, and its author's when remote.
async fn inboxes(tx: &mut db::Tx, post: &PostRow) -> AppResult<(Vec<String>, Option<String>)> {
    let mut inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
    let author = db::actors::find_by_id(tx.exec(), post.actor_id).await?;
    let author_id = author.as_ref().map(|a| a.ap_id.clone());
    if let Some(a) = author.filter(|_| !post.local) {
        inboxes.push(a.shared_inbox.unwrap_or(a.inbox));
    }
    Ok((inboxes, author_id))
}

/// The post `object` names, fetched from its server when we do not hold it.
async fn post_to_boost(data: &Data<AppContext>, object: &str) -> AppResult<PostRow> {
    let url = crate::render::links::remote_url(object.trim(), data.config.dev)
        .and_then(|u| Url::parse(u).ok())
        .ok_or_else(|| invalid(format!("object: {object:?} is not an https URL")))?;
    let held = db::posts::find_by_ap_id(data.db.read(), url.as_str())
        .await?
        .filter(|p| p.deleted_at.is_none());
    let post = match held {
        Some(p) => p,
        None if crate::federation::objects::actor::authority(&url) == data.config.domain => {
            return Err(AppError::NotFound(format!("object: no post {url}")));
        }
        None => {
            super::remote_fetch::post(data, &url)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(m) => invalid(format!("object: {m}")),
                    AppError::Internal(e) => AppError::Internal(e),
                    other => AppError::Remote(format!("object: could not fetch {url}: {other}")),
                })?;
            db::posts::find_by_ap_id(data.db.read(), url.as_str())
                .await?
                .ok_or_else(|| invalid(format!("object: {url} is not a post we can show")))?
        }
    };
    if post.kind == "Announce" {
        return Err(invalid(
            "object: a boost cannot be boosted; boost the post itself",
        ));
    }
    if post.visibility != "public" {
        return Err(invalid("object: only public posts can be boosted"));
    }
    Ok(post)
}

/// Boosts `object` (a post's id). Returns our boost and whether it is new (a post already
/// boosted gives the existing boost).
pub async fn boost(data: &Data<AppContext>, object: &str) -> AppResult<(PostRow, bool)> {
    let post = post_to_boost(data, object).await?;
    if let Some(existing) = db::boosts::ours_of(data.db.read(), &post.ap_id).await? {
        return Ok((existing, false));
    }
    let public_id = new_public_id();
    let ap_id = data.urls.activity(&public_id);
    let now = data.now().timestamp_millis();
    let mut tx = data.db.begin().await?;
    let id = db::boosts::insert(
        tx.exec(),
        &BoostWrite {
            ap_id: ap_id.as_str(),
            public_id: Some(&public_id),
            actor_id: data.centre.id,
            boost_of: &post.ap_id,
            published: now,
            local: true,
        },
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("a new boost id was taken"))?;
    let row = db::posts::find_by_id(tx.exec(), id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the boost just stored is missing"))?;
    let (to, author) = inboxes(&mut tx, &post).await?;
    let activity = announce_json(data, &row, author.as_deref());
    outbox::queue(&mut tx, data, &activity, &to, now).await?;
    tx.commit().await?;
    outbox::wake(data);
    Ok((row, true))
}

/// Undoes our boost `public_id`: `Undo{Announce}` to those who got the `Announce`.
pub async fn unboost(ctx: &AppContext, public_id: &str) -> AppResult<()> {
    let row = db::posts::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .filter(|r| r.local && r.kind == "Announce" && r.deleted_at.is_none())
        .ok_or_else(|| AppError::NotFound(format!("no boost {public_id}")))?;
    let post = match &row.boost_of {
        Some(id) => db::posts::find_by_ap_id(ctx.db.read(), id).await?,
        None => None,
    };
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::posts::mark_deleted(tx.exec(), row.id, now.timestamp_millis()).await?;
    let (to, author) = match &post {
        Some(p) => inboxes(&mut tx, p).await?,
        None => (db::followers::delivery_inboxes(tx.exec()).await?, None),
    };
    let mut announce = announce_json(ctx, &row, author.as_deref());
    if let Some(m) = announce.as_object_mut() {
        m.remove("@context");
    }
    let undo = render::activitypub::activity(
        "Undo",
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        announce,
        &[Url::parse(PUBLIC).map_err(anyhow::Error::from)?],
        &[ctx.urls.followers()],
        now,
    );
    outbox::queue(&mut tx, ctx, &undo, &to, now.timestamp_millis()).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

/// A followed centre boosted `object` (not one of ours): kept for the network feed, and the
/// post fetched when we do not hold it.
pub async fn received(
    data: &Data<AppContext>,
    actor: &ActorRow,
    announce: &Url,
    object: &Url,
) -> AppResult<()> {
    if crate::render::links::remote_url(object.as_str(), data.config.dev).is_none() {
        return Err(invalid("Announce: object is not an https URL"));
    }
    db::boosts::insert(
        data.db.write(),
        &BoostWrite {
            ap_id: announce.as_str(),
            public_id: None,
            actor_id: actor.id,
            boost_of: object.as_str(),
            published: data.now().timestamp_millis(),
            local: false,
        },
    )
    .await?;
    if db::posts::find_by_ap_id(data.db.read(), object.as_str())
        .await?
        .is_none()
    {
        super::reply_context::fetch_later(data, object);
    }
    Ok(())
}

/// The API's view of our boost.
pub fn api_json(row: &PostRow) -> Value {
    json!({
        "id": row.public_id,
        "url": row.ap_id,
        "object": row.boost_of,
        "published": render::activitypub::time(row.published),
    })
}
