//! Co-signing in the console: the invitations other centres sent us (their full text, who
//! else is invited and who signed), signing or declining them, our signatures and withdrawing
//! them, and the two settings (who may sign for the centre, and whether signed statements are
//! relayed to our followers). Signing, declining and withdrawing are for admins, or for every
//! staff member when the setting says "editors".

use super::{
    Admin, Staff, StaffCtx, page,
    statement_form::explain,
    statements::{Done, breakable, handle},
};
use crate::{
    actions::cosign,
    db,
    error::AppError,
    http::web::{forms::Fields, public, views},
    render::links::web_url,
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use std::collections::HashMap;

const INVITATION_NOTICES: &[(&str, &str)] = &[
    ("signed", "invitation-notice-signed"),
    ("declined", "invitation-notice-declined"),
    ("settings", "statement-settings-saved"),
];

/// Whether this staff member may sign, decline and withdraw for the centre.
pub(super) async fn may_sign(staff: &Staff) -> anyhow::Result<bool> {
    Ok(staff.session.role == "admin" || cosign::signers(&staff.web.data).await? == "editors")
}

/// The 403 page of an editor when only admins may sign.
pub(super) async fn forbidden(staff: &Staff) -> Response {
    let t = staff.web.t();
    public::message(
        &staff.web,
        StatusCode::FORBIDDEN,
        t.get("forbidden-title"),
        t.get("invitation-forbidden"),
    )
    .await
}

/// A link with a breakable label; no `href` when the URL is not http(s).
pub struct Link {
    pub label: Vec<String>,
    pub url: Option<String>,
}

/// An invitation as its panel shows it.
pub struct InvitationView {
    pub id: String,
    pub from_name: String,
    pub from_handle: Vec<String>,
    pub from_url: Option<String>,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML, checked on arrival (what staff read is what they sign).
    pub content: String,
    pub version: String,
    pub invitees: Vec<Link>,
    pub signatories: Vec<Link>,
    pub deadline: Option<String>,
    pub deadline_passed: bool,
    pub state: String,
    pub can_sign: bool,
    pub can_decline: bool,
    pub our_signature: Option<String>,
    pub sign_help: String,
}

#[derive(Template)]
#[template(path = "console/invitations.html")]
struct InvitationsPage<'a> {
    s: StaffCtx<'a>,
    invitations: Vec<InvitationView>,
    may_sign: bool,
    signers: String,
    relay: bool,
}

/// The authority (`host[:port]`) of a URL.
fn authority(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

async fn invitations_page(
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let t = staff.web.t();
    let ctx = &staff.web.data;
    let db = &ctx.db;
    let now = ctx.now().timestamp_millis();
    let result: anyhow::Result<(Vec<InvitationView>, bool, String, bool)> = async {
        let may = may_sign(staff).await?;
        let signers = cosign::signers(ctx).await?;
        let relay = cosign::relays(ctx).await?;
        // Actor URL → handle, read once per page.
        let mut handles: HashMap<String, Option<Vec<String>>> = HashMap::new();
        let mut out = Vec::new();
        for i in db::invitations::list(db.read(), 200).await? {
            let invitee_urls: Vec<String> = serde_json::from_str(&i.invitees).unwrap_or_default();
            let mut invitees = Vec::new();
            for u in &invitee_urls {
                if !handles.contains_key(u) {
                    let h = db::actors::find_by_ap_id(db.read(), u)
                        .await?
                        .map(|a| handle(&a.username, &a.domain));
                    handles.insert(u.clone(), h);
                }
                let label = handles
                    .get(u)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| breakable(u));
                invitees.push((u.clone(), label));
            }
            // A co-signature lives on its signer's server: name it by the invitee there.
            let signature_urls: Vec<String> =
                serde_json::from_str(&i.signatories).unwrap_or_default();
            let signatories = signature_urls
                .iter()
                .map(|s| {
                    let origin = authority(s);
                    let same: Vec<&(String, Vec<String>)> = invitees
                        .iter()
                        .filter(|(u, _)| origin.is_some() && authority(u) == origin)
                        .collect();
                    let label = match same.as_slice() {
                        [(_, label)] => label.clone(),
                        _ => breakable(&origin.clone().unwrap_or_else(|| s.clone())),
                    };
                    Link {
                        label,
                        url: web_url(s).map(str::to_string),
                    }
                })
                .collect();
            let our_signature = if i.state == "signed" {
                db::signatures::active_for(db.read(), &i.statement_ap_id)
                    .await?
                    .and_then(|s| web_url(&s.ap_id).map(str::to_string))
            } else {
                None
            };
            out.push(InvitationView {
                id: i.public_id.clone(),
                from_name: i
                    .from_name
                    .clone()
                    .unwrap_or_else(|| i.from_username.clone()),
                from_handle: handle(&i.from_username, &i.from_domain),
                from_url: web_url(&i.from_ap_id).map(str::to_string),
                title: i.title.clone(),
                summary: i.summary.clone(),
                content: i.content.clone(),
                version: t.with("statement-version-n", "n", &i.version.to_string()),
                invitees: invitees
                    .into_iter()
                    .map(|(u, label)| Link {
                        label,
                        url: web_url(&u).map(str::to_string),
                    })
                    .collect(),
                signatories,
                deadline: i.deadline.map(|d| views::datetime(t.lang, d)),
                deadline_passed: i.deadline.is_some_and(|d| d < now),
                state: t.get(match i.state.as_str() {
                    "signed" => "invitation-state-signed",
                    "declined" => "invitation-state-declined",
                    _ => "invitation-state-pending",
                }),
                can_sign: i.state != "signed",
                can_decline: i.state == "pending",
                our_signature,
                sign_help: t.with("invitation-sign-help", "version", &i.version.to_string()),
            });
        }
        Ok((out, may, signers, relay))
    }
    .await;
    match result {
        Ok((invitations, may_sign, signers, relay)) => {
            let mut s = staff.ctx().await;
            s.error = error;
            s.notice = notice;
            page(
                status,
                &InvitationsPage {
                    s,
                    invitations,
                    may_sign,
                    signers,
                    relay,
                },
            )
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn invitations(staff: Staff, Query(q): Query<Done>) -> Response {
    let notice = q.notice(staff.web.t(), INVITATION_NOTICES);
    invitations_page(&staff, StatusCode::OK, None, notice).await
}

/// Checks the form and the right to sign; `Some` is the response to give instead.
pub(super) async fn refuse(staff: &Staff, fields: &Fields) -> Option<Response> {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return Some(r);
    }
    match may_sign(staff).await {
        Ok(true) => None,
        Ok(false) => Some(forbidden(staff).await),
        Err(e) => Some(AppError::Internal(e).into_response()),
    }
}

/// The message for a refused answer to an invitation or a withdrawal.
pub(super) fn answer_error(staff: &Staff, e: &AppError) -> Option<String> {
    let t = staff.web.t();
    match e {
        AppError::Conflict(m) if m.contains("signed already") => {
            Some(t.get("invitation-error-signed"))
        }
        AppError::Conflict(m) if m.contains("withdrawn already") => {
            Some(t.get("signatures-error-withdrawn"))
        }
        AppError::Conflict(_) => Some(t.get("invitation-error-answered")),
        AppError::NotFound(_) => Some(t.get("invitation-not-found")),
        e => explain(t, e, None, &[]),
    }
}

pub async fn sign(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Some(r) = refuse(&staff, &fields).await {
        return r;
    }
    match cosign::sign(&staff.web.data, &id).await {
        Ok(_) => Redirect::to("/console/invitations?done=signed").into_response(),
        Err(e) => match answer_error(&staff, &e) {
            Some(m) => invitations_page(&staff, e.status(), Some(m), None).await,
            None => e.into_response(),
        },
    }
}

pub async fn decline(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Some(r) = refuse(&staff, &fields).await {
        return r;
    }
    match cosign::decline(&staff.web.data, &id).await {
        Ok(_) => Redirect::to("/console/invitations?done=declined").into_response(),
        Err(e) => match answer_error(&staff, &e) {
            Some(m) => invitations_page(&staff, e.status(), Some(m), None).await,
            None => e.into_response(),
        },
    }
}

/// Admins set who may sign and whether signed statements are relayed.
pub async fn settings(Admin(staff): Admin, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let signers = fields.get("signers");
    let relay = fields.get("relay");
    if !matches!(signers, "admins" | "editors") || !matches!(relay, "true" | "false") {
        let m = staff.web.t().get("statement-settings-invalid");
        return invitations_page(&staff, StatusCode::BAD_REQUEST, Some(m), None).await;
    }
    let ctx = &staff.web.data;
    let saved = async {
        let mut tx = ctx.db.begin().await?;
        db::settings::set(tx.exec(), cosign::SIGNERS, signers).await?;
        db::settings::set(tx.exec(), cosign::RELAY, relay).await?;
        tx.commit().await?;
        anyhow::Ok(())
    }
    .await;
    match saved {
        Ok(()) => Redirect::to("/console/invitations?done=settings").into_response(),
        Err(e) => {
            let e = AppError::Internal(e);
            match explain(staff.web.t(), &e, None, &[]) {
                Some(m) => invitations_page(&staff, e.status(), Some(m), None).await,
                None => e.into_response(),
            }
        }
    }
}
