//! The local centre actor: created with its key pair on first start, its profile kept in line
//! with the configuration on every start. Its key never changes.

use crate::{
    config::Config,
    context::{Centre, Urls},
    db::{self, Db},
};
use anyhow::{Context, bail};
use serde_json::json;

/// Loads the centre, creating it (and its RSA key pair) on first start.
pub async fn ensure(db: &Db, config: &Config, now: i64) -> anyhow::Result<Centre> {
    let urls = Urls::new(config.base_url.clone(), &config.centre.username);
    let actor_id = urls.actor();
    let c = &config.centre;
    let data = json!({ "website": c.website, "territory": c.territory }).to_string();
    let row = match db::actors::find_local(db.read()).await? {
        Some(row) => {
            if row.ap_id != actor_id.as_str() {
                bail!(
                    "this database belongs to {} but the configuration says {}: the domain and \
                     the centre username cannot change once peers know the centre",
                    row.ap_id,
                    actor_id
                );
            }
            db::actors::update_local_profile(
                db.write(),
                row.id,
                &c.name,
                &c.summary,
                c.manually_approves_followers,
                &data,
            )
            .await?;
            row
        }
        None => {
            let keys = tokio::task::spawn_blocking(
                activitypub_federation::http_signatures::generate_actor_keypair,
            )
            .await
            .context("generating the centre's key pair")?
            .context("generating the centre's key pair")?;
            let (inbox, shared, outbox, followers) = (
                urls.inbox().to_string(),
                urls.shared_inbox().to_string(),
                urls.outbox().to_string(),
                urls.followers().to_string(),
            );
            db::actors::insert_local(
                db.write(),
                &db::actors::ActorUpsert {
                    ap_id: actor_id.as_str(),
                    kind: "Organization",
                    username: &c.username,
                    domain: &config.domain,
                    name: Some(&c.name),
                    summary: Some(&c.summary),
                    url: Some(actor_id.as_str()),
                    inbox: &inbox,
                    shared_inbox: Some(&shared),
                    outbox: Some(&outbox),
                    followers_url: Some(&followers),
                    public_key_pem: &keys.public_key,
                    manually_approves_followers: c.manually_approves_followers,
                    published: Some(now),
                    fetched_at: now,
                    data: &data,
                },
                &keys.private_key,
            )
            .await?
        }
    };
    let private_key_pem = row
        .private_key_pem
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the local centre has no private key"))?;
    Ok(Centre {
        id: row.id,
        ap_id: actor_id,
        public_key_pem: row.public_key_pem,
        private_key_pem,
    })
}
