//! Backfill: when a centre accepts our follow, read the first pages of its outbox so its recent
//! posts and upcoming events show at once, not after its next post. Bounded in pages, items
//! and requests; a failure is logged and never undoes the follow.

use crate::{
    context::AppContext,
    db::actors::ActorRow,
    error::AppError,
    federation::verify_same_origin,
    protocol::{
        helpers::id_of,
        object::{ObjectJson, is_content_type},
    },
};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use serde_json::Value;
use url::Url;

/// Outbox pages read at most.
pub const MAX_PAGES: usize = 3;
/// Posts stored at most.
pub const MAX_ITEMS: usize = 60;

/// Backfills from `actor`'s outbox; returns how many posts were stored.
pub async fn after_accept(data: &Data<AppContext>, actor: &ActorRow) -> usize {
    match run(data, actor).await {
        Ok(n) => {
            tracing::info!(actor = %actor.ap_id, stored = n, "backfill done");
            n
        }
        Err(e) => {
            tracing::warn!(actor = %actor.ap_id, error = %e, "backfill failed");
            0
        }
    }
}

async fn fetch(data: &Data<AppContext>, url: &Url) -> Result<Value, AppError> {
    Ok(fetch_object_http::<_, Value>(url, data).await?.object)
}

async fn run(data: &Data<AppContext>, actor: &ActorRow) -> Result<usize, AppError> {
    let actor_id = Url::parse(&actor.ap_id).map_err(|e| anyhow::anyhow!(e))?;
    let Some(outbox) = actor.outbox.as_deref().and_then(|u| Url::parse(u).ok()) else {
        return Ok(0);
    };
    verify_same_origin(&outbox, &actor_id)?;
    let collection = fetch(data, &outbox).await?;
    let mut page = match collection.get("first") {
        Some(Value::Object(_)) => collection.get("first").cloned(),
        Some(first) => match id_of(first) {
            Some(url) => {
                verify_same_origin(&url, &actor_id)?;
                Some(fetch(data, &url).await?)
            }
            None => None,
        },
        None => Some(collection.clone()),
    };
    let (mut pages, mut stored) = (0, 0);
    while let Some(p) = page.take() {
        pages += 1;
        let items = p
            .get("orderedItems")
            .or_else(|| p.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in items {
            if stored >= MAX_ITEMS {
                return Ok(stored);
            }
            if item.get("type").and_then(Value::as_str) != Some("Create") {
                continue;
            }
            let object = match item.get("object") {
                Some(o @ Value::Object(_)) => o.clone(),
                Some(o) => match id_of(o) {
                    Some(url) if verify_same_origin(&url, &actor_id).is_ok() => {
                        match fetch(data, &url).await {
                            Ok(v) => v,
                            Err(_) => continue,
                        }
                    }
                    _ => continue,
                },
                None => continue,
            };
            let Ok(object) = serde_json::from_value::<ObjectJson>(object) else {
                continue;
            };
            let authored =
                object.attributed_to.is_empty() || object.attributed_to.contains(&actor_id);
            if !is_content_type(&object.kind)
                || verify_same_origin(&object.id, &actor_id).is_err()
                || !authored
                || object.in_reply_to.is_some()
            {
                continue;
            }
            crate::actions::remote_posts::store(data, actor, &object).await?;
            stored += 1;
        }
        if pages >= MAX_PAGES {
            break;
        }
        if let Some(next) = p.get("next").and_then(id_of)
            && verify_same_origin(&next, &actor_id).is_ok()
        {
            page = Some(fetch(data, &next).await?);
        }
    }
    Ok(stored)
}
