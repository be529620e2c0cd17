//! The statements' periodic work, run by every node beside its delivery worker: remind staff
//! when a draft's signing deadline has passed (nothing publishes by itself), and check the
//! signatures of published statements again once a day on their signers' servers.

use super::statement_signatures;
use crate::{context::AppContext, db};
use activitypub_federation::config::FederationConfig;
use std::time::Duration;
use tokio::sync::watch;

/// How often the job wakes.
pub const TICK: Duration = Duration::from_secs(10 * 60);
/// How often published signatures are checked again.
pub const REVERIFY_EVERY_MS: i64 = 24 * 3600 * 1000;
const LAST_REVERIFY: &str = "statements.last_reverify";

/// One round: reminders, then the daily check if it is due. Returns how many statements were
/// reminded and checked.
pub async fn run_once(fed: &FederationConfig<AppContext>) -> anyhow::Result<(usize, usize)> {
    let data = fed.to_request_data();
    let now = data.now().timestamp_millis();
    let due = db::statements::deadlines_due(data.db.read(), now).await?;
    for s in &due {
        let mut tx = data.db.begin().await?;
        db::notifications::insert(
            tx.exec(),
            "statement_deadline",
            data.centre.id,
            &s.ap_id,
            None,
            &s.title,
            now,
        )
        .await?;
        db::statements::set_deadline_notified(tx.exec(), s.id, now).await?;
        tx.commit().await?;
    }
    let last = db::settings::get(data.db.read(), LAST_REVERIFY)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let mut checked = 0;
    if now - last >= REVERIFY_EVERY_MS {
        db::settings::set(data.db.write(), LAST_REVERIFY, &now.to_string()).await?;
        for s in db::statements::list(data.db.read(), 1000).await? {
            if s.state != "published" {
                continue;
            }
            if let Err(e) = statement_signatures::reverify(&data, &s).await {
                tracing::warn!(statement = %s.ap_id, "re-checking signatures: {e}");
            }
            checked += 1;
        }
    }
    Ok((due.len(), checked))
}

/// Runs [`run_once`] every [`TICK`] until shutdown.
pub async fn run(fed: FederationConfig<AppContext>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(e) = run_once(&fed).await {
            tracing::warn!("statement jobs: {e:#}");
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}
