//! The statement draft and edit form: the fields as typed, the centres to invite (typed
//! handles and followed centres ticked), and refused forms shown again with everything typed and
//! a message from the catalogues that names the field by its label.

use super::{Staff, StaffCtx, page};
use crate::{
    actions::statements::{self, LANGUAGES, MAX_CONTENT, MAX_INVITEES, MAX_SUMMARY, MAX_TITLE},
    db::{self, statements::StatementRow},
    error::AppError,
    http::web::forms::Fields,
    i18n::Tr,
    model::normalise_tag,
};
use askama::Template;
use axum::{
    extract::Path,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::statements::*;

/// The draft form's values, as typed.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub title: String,
    pub summary: String,
    pub content: String,
    pub language: String,
    /// Comma-separated.
    pub tags: String,
    /// One handle or actor URL per line.
    pub invite: String,
    /// The followed centres ticked (their actor URLs).
    pub ticked: Vec<String>,
    /// `YYYY-MM-DD` or "".
    pub deadline: String,
}

impl Values {
    pub(super) fn new() -> Values {
        Values {
            language: "fr".into(),
            ..Values::default()
        }
    }

    pub(super) fn from_fields(f: &Fields) -> Values {
        let g = |k: &str| f.get(k).to_string();
        let mut ticked: Vec<String> =
            f.0.iter()
                .filter(|(k, _)| k.starts_with("follow_"))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
        ticked.sort();
        ticked.dedup();
        Values {
            title: g("title"),
            summary: g("summary"),
            content: g("content"),
            language: g("language"),
            tags: g("tags"),
            invite: g("invite"),
            ticked,
            deadline: g("deadline"),
        }
    }

    fn from_row(row: &StatementRow) -> Values {
        let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
        Values {
            title: row.title.clone(),
            summary: row.summary.clone(),
            content: row.source.clone(),
            language: row.language.clone(),
            tags: tags.join(", "),
            invite: String::new(),
            ticked: Vec::new(),
            deadline: deadline_date(row.deadline),
        }
    }

    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The handles typed, then the centres ticked, each once.
    fn invitees(&self) -> Vec<String> {
        invitees(&self.invite, &self.ticked)
    }

    /// The input of the drafting actions. On edit, an unchanged deadline is left as stored
    /// (it may be a time of day set through the API).
    fn input(&self, stored: Option<&Values>) -> statements::StatementInput {
        let deadline = match stored {
            Some(s) if s.deadline == self.deadline.trim() => None,
            _ => Some(self.deadline.trim().to_string()),
        };
        statements::StatementInput {
            title: Some(self.title.clone()),
            summary: Some(self.summary.clone()),
            content: Some(self.content.clone()),
            language: Some(self.language.clone()),
            tags: Some(self.tag_list()),
            invite: self.invitees(),
            deadline,
        }
    }
}

/// The lines of `typed` (handles or URLs) and the `ticked` actor URLs, each once.
pub(super) fn invitees(typed: &str, ticked: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .chain(ticked.iter().map(String::as_str))
    {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// A centre we follow, offered as a tick box.
pub struct Centre {
    pub ap_id: String,
    pub handle: Vec<String>,
    pub ticked: bool,
}

/// The centres we follow (accepted), except those in `except` (actor URLs).
pub(super) async fn followed(
    staff: &Staff,
    ticked: &[String],
    except: &[String],
) -> anyhow::Result<Vec<Centre>> {
    Ok(db::follows::list(staff.web.data.db.read())
        .await?
        .into_iter()
        .filter(|f| f.state == "accepted" && !except.contains(&f.target_ap_id))
        .map(|f| Centre {
            ticked: ticked.contains(&f.target_ap_id),
            handle: handle(&f.target_username, &f.target_domain),
            ap_id: f.target_ap_id,
        })
        .collect())
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/statement_form.html")]
pub(super) struct FormPage<'a> {
    s: StaffCtx<'a>,
    v: Values,
    editing: bool,
    published: bool,
    action: String,
    languages: Vec<Choice>,
    followed: Vec<Centre>,
}

/// The draft form; `editing` is the statement being edited.
pub(super) async fn form_page(
    staff: &Staff,
    status: StatusCode,
    v: Values,
    editing: Option<&StatementRow>,
    error: Option<String>,
) -> Response {
    let t = staff.web.t();
    let except: Vec<String> = match editing {
        Some(row) => {
            match db::statement_invitations::list(staff.web.data.db.read(), row.id).await {
                Ok(list) => list.into_iter().map(|i| i.actor_ap_id).collect(),
                Err(e) => return AppError::Internal(e).into_response(),
            }
        }
        None => Vec::new(),
    };
    let followed = match followed(staff, &v.ticked, &except).await {
        Ok(f) => f,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let languages = LANGUAGES
        .iter()
        .map(|code| Choice {
            value: code.to_string(),
            label: language_label(t, code),
            selected: v.language.trim().eq_ignore_ascii_case(code),
        })
        .collect();
    let mut s = staff.ctx().await;
    s.error = error;
    let action = match editing {
        Some(row) => format!("/console/statements/{}/edit", row.public_id),
        None => "/console/statements".into(),
    };
    page(
        status,
        &FormPage {
            s,
            v,
            editing: editing.is_some(),
            published: editing.is_some_and(|r| r.state == "published"),
            action,
            languages,
            followed,
        },
    )
}

/// A whole number with the language's digit grouping ("100 000", "100,000").
pub(super) fn number(t: Tr<'_>, n: usize) -> String {
    let sep = match t.lang {
        crate::i18n::Lang::Fr => '\u{202f}',
        crate::i18n::Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The field label a backend field name stands for.
pub(super) fn field_label(t: Tr<'_>, field: &str) -> String {
    t.get(match field {
        "title" => "statement-field-title",
        "summary" => "statement-field-summary",
        "content" => "statement-field-content",
        "language" => "statement-field-language",
        "tags" => "statement-field-tags",
        "deadline" => "statement-field-deadline",
        _ => "statement-field-invite",
    })
}

/// The invitee an error message is about, if it names one of them.
pub(super) fn named<'a>(message: &str, invitees: &'a [String]) -> Option<&'a str> {
    invitees
        .iter()
        .map(|i| i.trim())
        .find(|i| !i.is_empty() && message.contains(i))
}

/// What staff read when a statement action is refused, from the catalogues. `None` for an
/// error that is answered as it is (a missing statement, an internal error).
pub fn explain(t: Tr<'_>, e: &AppError, v: Option<&Values>, invitees: &[String]) -> Option<String> {
    let c = t.catalogs;
    let msg = |key: &str, args: &[(&str, String)]| c.message(t.lang, key, args);
    if e.status() == StatusCode::SERVICE_UNAVAILABLE {
        return Some(t.get("storage-full"));
    }
    let text = match e {
        AppError::Invalid(m) | AppError::TooLarge(m) | AppError::Conflict(m) => m.as_str(),
        AppError::Remote(m) => {
            return Some(match named(m, invitees) {
                Some(h) => msg(
                    "statement-error-invite",
                    &[
                        ("field", field_label(t, "invite")),
                        ("handle", h.to_string()),
                    ],
                ),
                None => msg("statement-error-other", &[("detail", m.clone())]),
            });
        }
        AppError::Federation(f) => {
            return Some(msg("statement-error-other", &[("detail", f.to_string())]));
        }
        AppError::Forbidden(m) => {
            return Some(msg("statement-error-other", &[("detail", m.clone())]));
        }
        _ => return None,
    };
    let (field, rest) = text.split_once(':').unwrap_or(("", text));
    let rest = rest.trim();
    let label = || ("field", field_label(t, field));
    let max = |m: usize| ("max", number(t, m));
    let out = match field {
        "title" | "summary" | "content" if rest.starts_with("at most") => {
            let limit = match field {
                "title" => MAX_TITLE,
                "summary" => MAX_SUMMARY,
                _ => MAX_CONTENT,
            };
            msg("statement-error-too-long", &[label(), max(limit)])
        }
        "title" | "summary" | "content" => msg("statement-error-empty", &[label()]),
        "language" => msg("statement-error-language", &[label()]),
        "tags" if rest.starts_with("at most") => msg("statement-error-tags-count", &[label()]),
        "tags" => {
            let bad = v
                .and_then(|v| {
                    v.tag_list()
                        .into_iter()
                        .find(|t| normalise_tag(t).is_none())
                })
                .unwrap_or_default();
            msg("statement-error-tag", &[label(), ("tag", bad)])
        }
        "deadline" => msg("statement-error-deadline", &[label()]),
        "invite" if rest.contains("itself") => msg("statement-error-invite-self", &[label()]),
        "invite" if rest.starts_with("at most") => msg(
            "statement-error-invite-count",
            &[label(), max(MAX_INVITEES)],
        ),
        "invite" => match named(rest, invitees) {
            Some(h) => msg(
                "statement-error-invite",
                &[label(), ("handle", h.to_string())],
            ),
            None => msg("statement-error-invite-unknown", &[label()]),
        },
        "targets" => msg("statement-error-invite-none", &[]),
        _ if matches!(e, AppError::Conflict(_)) && text.contains("published already") => {
            t.get("statement-error-published")
        }
        _ => msg("statement-error-other", &[("detail", text.to_string())]),
    };
    Some(out)
}

pub async fn new_form(staff: Staff) -> Response {
    form_page(&staff, StatusCode::OK, Values::new(), None, None).await
}

pub async fn create(staff: Staff, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let v = Values::from_fields(&fields);
    match statements::create(&staff.web.data, v.input(None)).await {
        Ok(row) => Redirect::to(&format!(
            "/console/statements/{}?done=created",
            row.public_id
        ))
        .into_response(),
        Err(e) => match explain(staff.web.t(), &e, Some(&v), &v.invitees()) {
            Some(m) => form_page(&staff, e.status(), v, None, Some(m)).await,
            None => e.into_response(),
        },
    }
}

pub async fn edit_form(staff: Staff, Path(id): Path<String>) -> Response {
    match statement(&staff, &id).await {
        Ok(row) => {
            form_page(
                &staff,
                StatusCode::OK,
                Values::from_row(&row),
                Some(&row),
                None,
            )
            .await
        }
        Err(r) => r,
    }
}

pub async fn edit(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let row = match statement(&staff, &id).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    let v = Values::from_fields(&fields);
    let stored = Values::from_row(&row);
    match statements::edit(&staff.web.data, &id, v.input(Some(&stored))).await {
        Ok(_) => Redirect::to(&format!("/console/statements/{id}?done=saved")).into_response(),
        Err(e) => match explain(staff.web.t(), &e, Some(&v), &v.invitees()) {
            Some(m) => form_page(&staff, e.status(), v, Some(&row), Some(m)).await,
            None => e.into_response(),
        },
    }
}
