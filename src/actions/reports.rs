//! Reports received from other servers (`Flag`): which reported objects are ours, storing the
//! report, showing it to administrators with the reported content, resolving it, and acting on
//! it through the moderation actions (hide a reply, block a domain).

use crate::{
    context::AppContext,
    db::{self, actors::ActorRow, posts::PostRow, reports::ReportRow},
    error::{AppError, AppResult, invalid},
    protocol::flag::MAX_COMMENT,
    render::sanitize::plain_text,
};
use url::Url;

/// Characters of reported content shown beside a report.
pub const EXCERPT: usize = 280;

/// What a reported id is here.
#[derive(Clone, Debug)]
pub enum Reported {
    /// Our centre's actor.
    Centre,
    /// One of our live posts.
    Post(PostRow),
    /// A remote reply to one of our posts, which we hold and staff can hide.
    Reply(PostRow),
}

/// What `id` names among our things, if anything: our actor, one of our live posts, or a
/// remote reply we hold under one of them. Anything else is not ours to judge.
pub async fn classify(ctx: &AppContext, id: &Url) -> AppResult<Option<Reported>> {
    if *id == ctx.urls.actor() {
        return Ok(Some(Reported::Centre));
    }
    let Some(post) = db::posts::find_by_ap_id(ctx.db.read(), id.as_str()).await? else {
        return Ok(None);
    };
    if post.deleted_at.is_some() {
        return Ok(None);
    }
    if post.local {
        return Ok(Some(Reported::Post(post)));
    }
    let Some(parent) = post.in_reply_to.as_deref() else {
        return Ok(None);
    };
    let ours = db::posts::find_by_ap_id(ctx.db.read(), parent)
        .await?
        .is_some_and(|p| p.local);
    Ok(ours.then_some(Reported::Reply(post)))
}

/// The comment as we keep it: plain text, at most [`MAX_COMMENT`] characters.
pub fn clean_comment(comment: Option<&str>) -> String {
    let text = plain_text(comment.unwrap_or(""));
    if text.chars().count() <= MAX_COMMENT {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_COMMENT - 1).collect();
    cut.push('…');
    cut
}

/// Stores a report of `ids` (already bounded) by `reporter`. Ids that are not ours are
/// dropped; when none is ours the report is refused (400) and nothing is stored. A report
/// whose activity id is already stored changes nothing.
#[tracing::instrument(skip_all, fields(flag = %flag_id, reporter = %reporter.ap_id), err(level = "debug"))]
pub async fn record(
    ctx: &AppContext,
    reporter: &ActorRow,
    flag_id: &Url,
    ids: &[Url],
    comment: Option<&str>,
) -> AppResult<()> {
    let mut ours = Vec::new();
    for id in ids {
        if classify(ctx, id).await?.is_some() {
            ours.push(id.to_string());
        }
    }
    if ours.is_empty() {
        return Err(invalid(format!(
            "Flag: none of its {} object(s) is on this server (our centre, our posts, or the \
             replies we hold under them)",
            ids.len()
        )));
    }
    let comment = clean_comment(comment);
    let now = ctx.now().timestamp_millis();
    let mut tx = ctx.db.begin().await?;
    let new = db::reports::insert(
        tx.exec(),
        &db::reports::ReportWrite {
            ap_id: flag_id.as_str(),
            reporter_id: reporter.id,
            objects: &ours,
            comment: &comment,
            received_at: now,
        },
    )
    .await?;
    if new {
        let excerpt: String = comment.chars().take(EXCERPT).collect();
        db::notifications::insert(
            tx.exec(),
            "report",
            reporter.id,
            flag_id.as_str(),
            None,
            &excerpt,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if new {
        tracing::info!(objects = ours.len(), "report received");
    }
    Ok(())
}

/// A reported object as staff see it.
#[derive(Clone, Debug)]
pub struct ReportedObject {
    pub id: String,
    /// `actor`, `post`, `reply`, or `gone` (no longer held here).
    pub kind: &'static str,
    /// Plain text, at most [`EXCERPT`] characters.
    pub excerpt: String,
    /// The reply's id for the moderation actions.
    pub reply_id: Option<i64>,
    pub hidden: bool,
    /// The domain of a reply's author.
    pub author_domain: Option<String>,
    pub author_handle: Option<String>,
}

/// A report with its reported objects read again now.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub row: ReportRow,
    pub objects: Vec<ReportedObject>,
}

impl ReportView {
    pub fn state(&self) -> &'static str {
        if self.row.resolved_at.is_some() {
            "resolved"
        } else {
            "open"
        }
    }

    /// The domains an administrator may block from this report: the reporter's and those
    /// of the reported replies' authors.
    pub fn domains(&self) -> Vec<String> {
        let mut d = vec![self.row.reporter_domain.clone()];
        for o in &self.objects {
            if let Some(a) = &o.author_domain
                && !d.contains(a)
            {
                d.push(a.clone());
            }
        }
        d
    }
}

fn excerpt(p: &PostRow) -> String {
    let text = match &p.name {
        Some(n) if !n.is_empty() => format!("{n} — {}", plain_text(&p.content)),
        _ => plain_text(&p.content),
    };
    let mut e: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        e.push('…');
    }
    e
}

async fn object_view(ctx: &AppContext, id: &str) -> AppResult<ReportedObject> {
    let mut o = ReportedObject {
        id: id.to_string(),
        kind: "gone",
        excerpt: String::new(),
        reply_id: None,
        hidden: false,
        author_domain: None,
        author_handle: None,
    };
    let Ok(url) = Url::parse(id) else {
        return Ok(o);
    };
    match classify(ctx, &url).await? {
        Some(Reported::Centre) => {
            o.kind = "actor";
            o.excerpt = crate::db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
                .await?
                .and_then(|a| a.name)
                .unwrap_or_else(|| ctx.config.centre.name.clone());
        }
        Some(Reported::Post(p)) => {
            o.kind = "post";
            o.excerpt = excerpt(&p);
        }
        Some(Reported::Reply(p)) => {
            o.kind = "reply";
            o.excerpt = excerpt(&p);
            o.reply_id = Some(p.id);
            o.hidden = p.hidden_at.is_some();
            if let Some(a) = db::actors::find_by_id(ctx.db.read(), p.actor_id).await? {
                o.author_handle = Some(format!("{}@{}", a.username, a.domain));
                o.author_domain = Some(a.domain);
            }
        }
        None => {}
    }
    Ok(o)
}

/// A stored report with its objects as they are now.
pub async fn view(ctx: &AppContext, row: ReportRow) -> AppResult<ReportView> {
    let mut objects = Vec::new();
    for id in row.object_ids() {
        objects.push(object_view(ctx, &id).await?);
    }
    Ok(ReportView { row, objects })
}

/// Reports below `before`, newest first (resolved ones too when `include_resolved`).
pub async fn list(
    ctx: &AppContext,
    include_resolved: bool,
    before: i64,
    limit: i64,
) -> AppResult<Vec<ReportView>> {
    let rows = db::reports::list(ctx.db.read(), include_resolved, before, limit).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(view(ctx, row).await?);
    }
    Ok(views)
}

/// The report `id`, or 404.
pub async fn get(ctx: &AppContext, id: i64) -> AppResult<ReportView> {
    let row = db::reports::find(ctx.db.read(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no report {id}")))?;
    view(ctx, row).await
}

/// Marks report `id` resolved by `by` (an account's e-mail, or `token:NAME`); 409 when it
/// already is.
pub async fn resolve(ctx: &AppContext, id: i64, by: &str) -> AppResult<ReportView> {
    let report = get(ctx, id).await?;
    if report.row.resolved_at.is_some()
        || !db::reports::resolve(ctx.db.write(), id, by, ctx.now().timestamp_millis()).await?
    {
        return Err(AppError::Conflict(format!(
            "report {id} is already resolved"
        )));
    }
    tracing::info!(report = id, by, "report resolved");
    get(ctx, id).await
}

/// Hides the reply `reply_id` that report `id` names (the moderation action on replies).
pub async fn hide_reply(ctx: &AppContext, id: i64, reply_id: i64) -> AppResult<()> {
    let report = get(ctx, id).await?;
    if !report.objects.iter().any(|o| o.reply_id == Some(reply_id)) {
        return Err(invalid(format!(
            "reply: report {id} does not name the reply {reply_id}"
        )));
    }
    crate::actions::moderation::set_reply_hidden(ctx, reply_id, true).await
}

/// Blocks `domain`, which must be the reporter's or a reported reply author's (the moderation
/// action on domains).
pub async fn block_domain(ctx: &AppContext, id: i64, domain: &str) -> AppResult<String> {
    let report = get(ctx, id).await?;
    let domain = crate::actions::moderation::normalise_domain(domain)?;
    if !report.domains().contains(&domain) {
        return Err(invalid(format!(
            "domain: {domain} is neither the reporter's nor a reported reply's"
        )));
    }
    crate::actions::moderation::block(ctx, &domain).await
}
