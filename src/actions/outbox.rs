//! Queueing an outgoing activity inside the caller's transaction.

use crate::{context::AppContext, db, federation::objects::actor::authority};
use serde_json::Value;
use url::Url;

/// Stores `activity` and queues one delivery per distinct remote inbox, inside `tx`. Inboxes
/// on our own domain are skipped. Call [`wake`] after the commit.
pub async fn queue(
    tx: &mut db::Tx,
    ctx: &AppContext,
    activity: &Value,
    inboxes: &[String],
    now: i64,
) -> anyhow::Result<usize> {
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("outgoing activity without id"))?;
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Activity");
    let json = serde_json::to_string(activity)?;
    let activity_id = db::deliveries::insert_activity(tx.exec(), id, kind, &json, now).await?;
    let mut remote: Vec<String> = inboxes
        .iter()
        .filter(|i| Url::parse(i).is_ok_and(|u| authority(&u) != ctx.config.domain))
        .cloned()
        .collect();
    remote.sort();
    remote.dedup();
    db::deliveries::enqueue(tx.exec(), activity_id, &remote, now).await
}

/// Wakes the delivery worker after a commit that queued deliveries.
pub fn wake(ctx: &AppContext) {
    ctx.delivery_wakeup.notify_one();
}
