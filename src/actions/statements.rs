//! Joint statements, drafting side: write a draft, invite centres to co-sign it, edit it (a
//! change of the signed text makes a new version, whose signatures must be made again).
//! Publishing and the signatures received are in [`super::statement_publish`] and
//! [`super::statement_signatures`].

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, statements::StatementRow},
    error::{AppError, AppResult, invalid},
    model::normalise_tag,
    protocol::statement::content_digest,
    render::{self, sanitize},
};
use activitypub_federation::config::Data;
use serde::Deserialize;
use serde_json::{Value, json};

pub const MAX_TITLE: usize = 300;
pub const MAX_SUMMARY: usize = 2000;
pub const MAX_CONTENT: usize = 100_000;
pub const MAX_INVITEES: usize = 100;
pub const LANGUAGES: &[&str] = &["fr", "en", "de", "es", "it", "nl", "pt", "ar"];

/// A draft or an edit, as staff send it (API and console). Absent fields are kept on edit.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Markdown.
    pub content: Option<String>,
    pub language: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Handles or actor URLs of the centres invited to co-sign.
    #[serde(default)]
    pub invite: Vec<String>,
    /// `YYYY-MM-DD` (end of that day, Paris time) or an RFC 3339 time; `""` clears it.
    pub deadline: Option<String>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> AppResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(invalid(format!("{field}: must not be empty")));
    }
    if v.chars().count() > max {
        return Err(invalid(format!("{field}: at most {max} characters")));
    }
    Ok(sanitize::plain_text(v))
}

fn deadline(v: &str) -> AppResult<Option<i64>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.timestamp_millis()));
    }
    let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
        invalid(format!(
            "deadline: {v:?} is neither a date (2027-01-31) nor an RFC 3339 time"
        ))
    })?;
    let end = day
        .and_hms_opt(23, 59, 59)
        .and_then(|t| t.and_local_timezone(chrono_tz::Europe::Paris).earliest())
        .ok_or_else(|| invalid(format!("deadline: {v:?} does not exist in Paris time")))?;
    Ok(Some(end.timestamp_millis()))
}

/// The validated fields of a statement.
struct Valid {
    title: String,
    summary: String,
    source: String,
    content: String,
    language: String,
    tags: Vec<String>,
    deadline: Option<i64>,
}

impl StatementInput {
    fn validate(&self, current: Option<&StatementRow>) -> AppResult<Valid> {
        let title = match (&self.title, current) {
            (Some(t), _) => text("title", t, MAX_TITLE, true)?,
            (None, Some(c)) => c.title.clone(),
            (None, None) => return Err(invalid("title: a statement needs a title")),
        };
        let summary = match (&self.summary, current) {
            (Some(s), _) => text("summary", s, MAX_SUMMARY, true)?,
            (None, Some(c)) => c.summary.clone(),
            (None, None) => {
                return Err(invalid(
                    "summary: a statement needs a summary (it is what Mastodon shows)",
                ));
            }
        };
        let (source, content) = match (&self.content, current) {
            (Some(c), _) => {
                if c.chars().count() > MAX_CONTENT {
                    return Err(AppError::TooLarge(format!(
                        "content: at most {MAX_CONTENT} characters"
                    )));
                }
                let html = sanitize::html(&sanitize::markdown(c));
                if sanitize::plain_text(&html).is_empty() {
                    return Err(invalid("content: must not be empty"));
                }
                (c.clone(), html)
            }
            (None, Some(cur)) => (cur.source.clone(), cur.content.clone()),
            (None, None) => return Err(invalid("content: a statement needs a text")),
        };
        let language = match (&self.language, current) {
            (Some(l), _) => {
                let l = l.trim().to_ascii_lowercase();
                if !LANGUAGES.contains(&l.as_str()) {
                    return Err(invalid(format!(
                        "language: {l:?} is not one of {}",
                        LANGUAGES.join(", ")
                    )));
                }
                l
            }
            (None, Some(c)) => c.language.clone(),
            (None, None) => "fr".into(),
        };
        let tags = match (&self.tags, current) {
            (Some(tags), _) => {
                let mut out = Vec::new();
                for t in tags.iter().take(31) {
                    let n = normalise_tag(t)
                        .ok_or_else(|| invalid(format!("tags: {t:?} is not a hashtag")))?;
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
                if out.len() > 30 {
                    return Err(invalid("tags: at most 30"));
                }
                out
            }
            (None, Some(c)) => serde_json::from_str(&c.tags).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let deadline = match (&self.deadline, current) {
            (Some(d), _) => deadline(d)?,
            (None, Some(c)) => c.deadline,
            (None, None) => None,
        };
        if self.invite.len() > MAX_INVITEES {
            return Err(invalid(format!("invite: at most {MAX_INVITEES} centres")));
        }
        Ok(Valid {
            title,
            summary,
            source,
            content,
            language,
            tags,
            deadline,
        })
    }
}

fn write<'a>(v: &'a Valid, tags: &'a str, digest: &'a str) -> db::statements::StatementWrite<'a> {
    db::statements::StatementWrite {
        title: &v.title,
        summary: &v.summary,
        source: &v.source,
        content: &v.content,
        language: &v.language,
        tags,
        deadline: v.deadline,
        digest,
    }
}

/// Creates a draft (not public, not federated) and invites the centres it names.
pub async fn create(data: &Data<AppContext>, input: StatementInput) -> AppResult<StatementRow> {
    let v = input.validate(None)?;
    // Resolve the invitees first: a bad handle refuses the whole draft, nothing half-made.
    let invitees = resolve_all(data, &input.invite).await?;
    let public_id = new_public_id();
    let ap_id = data.urls.statement(&public_id);
    let digest = content_digest(&v.title, &v.summary, &v.content);
    let tags = serde_json::to_string(&v.tags).map_err(anyhow::Error::from)?;
    let now = data.now();
    let mut tx = data.db.begin().await?;
    let row = db::statements::insert(
        tx.exec(),
        &public_id,
        ap_id.as_str(),
        &write(&v, &tags, &digest),
        now.timestamp_millis(),
    )
    .await?;
    for actor in &invitees {
        send_invite(data, &mut tx, &row, actor, now).await?;
    }
    tx.commit().await?;
    outbox::wake(data);
    Ok(row)
}

async fn resolve_all(
    data: &Data<AppContext>,
    targets: &[String],
) -> AppResult<Vec<db::actors::ActorRow>> {
    let mut out: Vec<db::actors::ActorRow> = Vec::new();
    for t in targets {
        let actor = super::follows::resolve(data, t)
            .await
            .map_err(|e| match e {
                AppError::Invalid(m) => invalid(m.replacen("target:", "invite:", 1)),
                AppError::Remote(m) => AppError::Remote(format!("invite: {m}")),
                other => other,
            })?;
        if actor.row.local {
            return Err(invalid("invite: a centre cannot invite itself"));
        }
        if !out.iter().any(|a| a.id == actor.row.id) {
            out.push(actor.row);
        }
    }
    Ok(out)
}

/// Records the invitation of `actor` to the statement's current version and queues the
/// `Invite`, inside `tx`.
async fn send_invite(
    ctx: &AppContext,
    tx: &mut db::Tx,
    row: &StatementRow,
    actor: &db::actors::ActorRow,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    // A centre that signed this version already is not asked again.
    if db::statement_invitations::find(tx.exec(), row.id, actor.id)
        .await?
        .is_some_and(|i| i.version == row.version && i.state == "signed")
    {
        return Ok(());
    }
    let id = ctx.urls.activity(&new_public_id());
    db::statement_invitations::upsert(
        tx.exec(),
        row.id,
        actor.id,
        id.as_str(),
        row.version,
        now.timestamp_millis(),
    )
    .await?;
    let activity = render::statement::invite(ctx, id.as_str(), row, &actor.ap_id, now);
    outbox::queue(
        tx,
        ctx,
        &activity,
        std::slice::from_ref(&actor.inbox),
        now.timestamp_millis(),
    )
    .await?;
    Ok(())
}

/// Our statement with this public id.
pub async fn find(ctx: &AppContext, public_id: &str) -> AppResult<StatementRow> {
    db::statements::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no statement {public_id}")))
}

/// Invites more centres to co-sign the current version.
pub async fn invite(
    data: &Data<AppContext>,
    public_id: &str,
    targets: &[String],
) -> AppResult<StatementRow> {
    let row = find(data, public_id).await?;
    if targets.is_empty() || targets.len() > MAX_INVITEES {
        return Err(invalid(format!("targets: 1 to {MAX_INVITEES} centres")));
    }
    let invitees = resolve_all(data, targets).await?;
    let now = data.now();
    let mut tx = data.db.begin().await?;
    for actor in &invitees {
        send_invite(data, &mut tx, &row, actor, now).await?;
    }
    tx.commit().await?;
    outbox::wake(data);
    Ok(row)
}

/// Edits a statement. A change of its title, summary or text is a new version: every
/// signature of the older version becomes stale, and the signatories and pending invitees are
/// invited again; a published statement is updated to list only the signatures of its
/// current version.
pub async fn edit(
    data: &Data<AppContext>,
    public_id: &str,
    input: StatementInput,
) -> AppResult<StatementRow> {
    let current = find(data, public_id).await?;
    let v = input.validate(Some(&current))?;
    let added = resolve_all(data, &input.invite).await?;
    let digest = content_digest(&v.title, &v.summary, &v.content);
    let new_version = digest != current.digest;
    let tags = serde_json::to_string(&v.tags).map_err(anyhow::Error::from)?;
    let now = data.now();
    let ms = now.timestamp_millis().max(current.updated_at + 1);
    let mut tx = data.db.begin().await?;
    let row = db::statements::update(
        tx.exec(),
        current.id,
        &write(&v, &tags, &digest),
        new_version,
        ms,
    )
    .await?;
    if new_version {
        db::statement_signatures::mark_stale(tx.exec(), row.id, row.version).await?;
        for inv in db::statement_invitations::list(tx.exec(), row.id).await? {
            if inv.state == "declined" {
                continue;
            }
            if let Some(actor) = db::actors::find_by_id(tx.exec(), inv.actor_id).await? {
                send_invite(data, &mut tx, &row, &actor, now).await?;
            }
        }
    }
    // A new deadline reaches the centres that have not answered yet.
    if !new_version && row.state == "draft" && row.deadline != current.deadline {
        for inv in db::statement_invitations::list(tx.exec(), row.id).await? {
            if inv.state != "pending" || added.iter().any(|a| a.id == inv.actor_id) {
                continue;
            }
            if let Some(actor) = db::actors::find_by_id(tx.exec(), inv.actor_id).await? {
                send_invite(data, &mut tx, &row, &actor, now).await?;
            }
        }
    }
    for actor in &added {
        send_invite(data, &mut tx, &row, actor, now).await?;
    }
    if row.state == "published" {
        super::statement_publish::republish(data, &mut tx, &row, now).await?;
    }
    tx.commit().await?;
    outbox::wake(data);
    Ok(row)
}

/// The JSON an API client gets for a statement.
pub async fn api_json(ctx: &AppContext, row: &StatementRow) -> AppResult<Value> {
    let invitations = db::statement_invitations::list(ctx.db.read(), row.id).await?;
    let signatures = db::statement_signatures::list(ctx.db.read(), row.id).await?;
    let time = render::activitypub::time;
    Ok(json!({
        "id": row.public_id,
        "url": row.ap_id,
        "title": row.title,
        "summary": row.summary,
        "content": row.content,
        "source": row.source,
        "language": row.language,
        "tags": serde_json::from_str::<Value>(&row.tags).unwrap_or(Value::Null),
        "deadline": row.deadline.map(time),
        "version": row.version,
        "digest": row.digest,
        "state": row.state,
        "published": row.published_at.map(time),
        "invitations": invitations.iter().map(|i| json!({
            "actor": i.actor_ap_id,
            "handle": format!("{}@{}", i.actor_username, i.actor_domain),
            "version": i.version,
            "state": i.state,
        })).collect::<Vec<_>>(),
        "signatures": signatures.iter().map(|s| json!({
            "actor": s.actor_ap_id,
            "handle": format!("{}@{}", s.actor_username, s.actor_domain),
            "signature_url": s.signature_url,
            "version": s.version,
            "state": s.state,
            "verified_at": time(s.verified_at),
            "error": s.error,
        })).collect::<Vec<_>>(),
    }))
}
