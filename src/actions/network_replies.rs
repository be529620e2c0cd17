//! Whether the network feed shows the replies that followed centres write to other servers'
//! posts (shown unless staff hide them). Stored as the `network_replies` setting, which the
//! feed queries read themselves ([`crate::db::posts::feed`]).

use crate::{context::AppContext, db, error::AppResult};

/// The setting's key, as the feed queries name it.
pub const SETTING: &str = "network_replies";

pub async fn shown(ctx: &AppContext) -> AppResult<bool> {
    Ok(db::settings::get(ctx.db.read(), SETTING).await?.as_deref() != Some("hidden"))
}

pub async fn set(ctx: &AppContext, shown: bool) -> AppResult<()> {
    let value = if shown { "shown" } else { "hidden" };
    db::settings::set(ctx.db.write(), SETTING, value).await?;
    Ok(())
}
