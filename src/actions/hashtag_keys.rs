//! Start-up upkeep of the hashtag keys: tags stored before keys ignored accents and
//! separators (`égalité`) are re-keyed once (`egalite`), so that tag pages find them.

use crate::db::{self, Db};

/// The version of [`crate::hashtag::key`] that the stored keys follow.
const VERSION: &str = "2";
const SETTING: &str = "hashtag_keys";

/// Re-keys stored tags when they follow an older rule; then records the version. Cheap when
/// done already (one read).
pub async fn upgrade(db: &Db) -> anyhow::Result<()> {
    if db::settings::get(db.read(), SETTING).await?.as_deref() == Some(VERSION) {
        return Ok(());
    }
    let mut renamed = 0;
    let mut tx = db.begin().await?;
    for old in db::post_tags::distinct(tx.exec()).await? {
        match crate::hashtag::key(&old) {
            Some(new) if new != old => {
                db::post_tags::rename(tx.exec(), &old, &new).await?;
                renamed += 1;
            }
            _ => {}
        }
    }
    db::settings::set(tx.exec(), SETTING, VERSION).await?;
    tx.commit().await?;
    if renamed > 0 {
        tracing::info!(
            renamed,
            "hashtags re-keyed to ignore case, accents and separators"
        );
    }
    Ok(())
}
