//! Our joint statements in the console: the list, the draft and edit form (with the centres to
//! invite), the detail page (versions, invitations and signatures as checked), inviting more
//! centres, publishing and checking the signatures again. Editors and admins alike draft and
//! publish. Every action is a POST that redirects to a page with a notice; a refused form comes
//! back with everything typed and a message from the catalogues naming the field.

use super::{Staff, StaffCtx, page};
use crate::{
    actions::{
        statement_publish, statement_signatures,
        statements::{self, LANGUAGES},
    },
    db::{self, statements::StatementRow},
    error::AppError,
    http::web::{forms::Fields, public, views},
    i18n::Tr,
    render::links::web_url,
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::statement_form::*;
pub use crate::http::web::views::{breakable, handle};

/// `?done=…` after a redirect: which notice to show (only known values are shown).
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The notice for `done`, among `known` pairs of (value, catalogue key).
    pub fn notice(&self, t: Tr<'_>, known: &[(&str, &str)]) -> Option<String> {
        let done = self.done.as_deref()?;
        known
            .iter()
            .find(|(v, _)| *v == done)
            .map(|(_, k)| t.get(k))
    }
}

pub(super) const NOTICES: &[(&str, &str)] = &[
    ("created", "statement-notice-created"),
    ("saved", "statement-notice-saved"),
    ("invited", "statement-notice-invited"),
    ("published", "statement-notice-published"),
    ("verified", "statement-notice-verified"),
];

/// A date and time in the page's language, Paris time.
pub(super) fn when(t: Tr<'_>, ms: i64) -> String {
    views::datetime(t.lang, ms)
}

/// A deadline as the date input shows it (`YYYY-MM-DD`, Paris time).
pub(super) fn deadline_date(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
        .map(|d| {
            d.with_timezone(&views::DISPLAY_TZ)
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}

pub(super) fn state_key(state: &str) -> &'static str {
    match state {
        "published" => "statement-state-published",
        _ => "statement-state-draft",
    }
}

pub(super) fn language_label(t: Tr<'_>, code: &str) -> String {
    if LANGUAGES.contains(&code) {
        t.get(&format!("statement-lang-{code}"))
    } else {
        code.to_string()
    }
}

/// One of our statements in the list.
pub struct StatementLine {
    pub id: String,
    pub title: String,
    pub state: String,
    pub version: String,
    pub signatures: usize,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "console/statements.html")]
pub(super) struct ListPage<'a> {
    s: StaffCtx<'a>,
    statements: Vec<StatementLine>,
}

pub async fn list(staff: Staff, Query(q): Query<Done>) -> Response {
    let t = staff.web.t();
    let db = &staff.web.data.db;
    let result: anyhow::Result<Vec<StatementLine>> = async {
        let mut out = Vec::new();
        for row in db::statements::list(db.read(), 200).await? {
            let signatures = db::statement_signatures::list(db.read(), row.id)
                .await?
                .iter()
                .filter(|s| s.state == "valid" && s.version == row.version)
                .count();
            out.push(StatementLine {
                id: row.public_id.clone(),
                title: row.title.clone(),
                state: t.get(state_key(&row.state)),
                version: t.with("statement-version-n", "n", &row.version.to_string()),
                signatures,
                updated: when(t, row.updated_at),
            });
        }
        Ok(out)
    }
    .await;
    match result {
        Ok(statements) => {
            let mut s = staff.ctx().await;
            s.notice = q.notice(t, NOTICES);
            page(StatusCode::OK, &ListPage { s, statements })
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

/// The page for an unknown statement.
pub(super) async fn not_found(staff: &Staff) -> Response {
    let t = staff.web.t();
    public::message(
        &staff.web,
        StatusCode::NOT_FOUND,
        t.get("statement-not-found-title"),
        t.get("statement-not-found"),
    )
    .await
}

/// Our statement, or the response to give.
pub(super) async fn statement(staff: &Staff, id: &str) -> Result<StatementRow, Response> {
    match statements::find(&staff.web.data, id).await {
        Ok(row) => Ok(row),
        Err(AppError::NotFound(_)) => Err(not_found(staff).await),
        Err(e) => Err(e.into_response()),
    }
}

/// Our statement as its page shows it.
pub struct StatementView {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub content: String,
    pub version: i64,
    pub digest: Vec<String>,
    pub state: String,
    pub draft: bool,
    pub language: String,
    pub tags: Vec<String>,
    pub deadline: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
}

pub struct InvitationLine {
    pub handle: Vec<String>,
    pub url: Option<String>,
    pub version: String,
    pub state: String,
}

pub struct SignatureLine {
    pub handle: Vec<String>,
    pub actor_url: Option<String>,
    pub state: String,
    pub verified: String,
    pub url: Option<String>,
    /// Why the check failed, as the checker said it (technical, in English).
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/statement.html")]
pub(super) struct DetailPage<'a> {
    s: StaffCtx<'a>,
    st: StatementView,
    invitations: Vec<InvitationLine>,
    signatures: Vec<SignatureLine>,
    followed: Vec<Centre>,
    invite: String,
    publish_confirm: String,
}

pub(super) async fn detail_page(
    staff: &Staff,
    status: StatusCode,
    row: &StatementRow,
    invite: (String, Vec<String>),
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let t = staff.web.t();
    let db = &staff.web.data.db;
    let lists = async {
        anyhow::Ok((
            db::statement_invitations::list(db.read(), row.id).await?,
            db::statement_signatures::list(db.read(), row.id).await?,
        ))
    }
    .await;
    let (invited, signed) = match lists {
        Ok(l) => l,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let except: Vec<String> = invited.iter().map(|i| i.actor_ap_id.clone()).collect();
    let followed = match followed(staff, &invite.1, &except).await {
        Ok(f) => f,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let version = |n: i64| t.with("statement-version-n", "n", &n.to_string());
    let invitations = invited
        .iter()
        .map(|i| InvitationLine {
            handle: handle(&i.actor_username, &i.actor_domain),
            url: web_url(&i.actor_ap_id).map(str::to_string),
            version: version(i.version),
            state: t.get(match i.state.as_str() {
                "signed" => "invitation-state-signed",
                "declined" => "invitation-state-declined",
                _ => "invitation-state-pending",
            }),
        })
        .collect();
    let signatures = signed
        .iter()
        .map(|s| SignatureLine {
            handle: handle(&s.actor_username, &s.actor_domain),
            actor_url: web_url(&s.actor_ap_id).map(str::to_string),
            state: match s.state.as_str() {
                "valid" => t.get("signature-state-valid"),
                "stale" => t.with("signature-state-stale", "n", &s.version.to_string()),
                "withdrawn" => t.get("signature-state-withdrawn"),
                _ => t.get("signature-state-invalid"),
            },
            verified: t.with("statement-verified-at", "date", &when(t, s.verified_at)),
            url: web_url(&s.signature_url).map(str::to_string),
            error: s.error.clone().filter(|e| !e.is_empty()),
        })
        .collect();
    let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    let st = StatementView {
        id: row.public_id.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        content: row.content.clone(),
        version: row.version,
        digest: row
            .digest
            .chars()
            .collect::<Vec<_>>()
            .chunks(8)
            .map(|c| c.iter().collect())
            .collect(),
        state: t.get(state_key(&row.state)),
        draft: row.state != "published",
        language: language_label(t, &row.language),
        tags,
        deadline: row.deadline.map(|d| when(t, d)),
        published: row.published_at.map(|d| when(t, d)),
        url: (row.state == "published")
            .then(|| web_url(&row.ap_id).map(str::to_string))
            .flatten(),
    };
    let publish_confirm = t.with(
        "statement-publish-confirm",
        "version",
        &row.version.to_string(),
    );
    let mut s = staff.ctx().await;
    s.error = error;
    s.notice = notice;
    page(
        status,
        &DetailPage {
            s,
            st,
            invitations,
            signatures,
            followed,
            invite: invite.0,
            publish_confirm,
        },
    )
}

pub async fn detail(staff: Staff, Path(id): Path<String>, Query(q): Query<Done>) -> Response {
    let row = match statement(&staff, &id).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    let notice = q.notice(staff.web.t(), NOTICES);
    detail_page(
        &staff,
        StatusCode::OK,
        &row,
        (String::new(), Vec::new()),
        None,
        notice,
    )
    .await
}

/// A POST action on one of our statements.
#[derive(Clone, Copy)]
pub(super) enum Action {
    Invite,
    Publish,
    Verify,
}

/// Runs `action`: on success, back to the statement's page with a notice; refused, its page
/// again with the message (and what was typed to invite).
pub(super) async fn act(staff: Staff, id: String, fields: Fields, action: Action) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let row = match statement(&staff, &id).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    let typed = fields.get("invite").to_string();
    let ticked = Values::from_fields(&fields).ticked;
    let targets = invitees(&typed, &ticked);
    let data = &staff.web.data;
    let (result, done) = match action {
        Action::Invite => (
            statements::invite(data, &id, &targets).await.map(|_| ()),
            "invited",
        ),
        Action::Publish => (
            statement_publish::publish(data, &id).await.map(|_| ()),
            "published",
        ),
        Action::Verify => (
            statement_signatures::reverify(data, &row).await.map(|_| ()),
            "verified",
        ),
    };
    let e = match result {
        Ok(()) => {
            return Redirect::to(&format!("/console/statements/{id}?done={done}")).into_response();
        }
        Err(e) => e,
    };
    let Some(message) = explain(staff.web.t(), &e, None, &targets) else {
        return e.into_response();
    };
    let row = match statement(&staff, &id).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    detail_page(
        &staff,
        e.status(),
        &row,
        (typed, ticked),
        Some(message),
        None,
    )
    .await
}

pub async fn invite(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    act(staff, id, fields, Action::Invite).await
}

pub async fn publish(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    act(staff, id, fields, Action::Publish).await
}

pub async fn verify(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    act(staff, id, fields, Action::Verify).await
}
