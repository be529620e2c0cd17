//! Our co-signatures in the console: the list, and withdrawing one (its URL then answers 410
//! and the drafting centre is told). Withdrawing follows the signing setting.

use super::{
    Staff, StaffCtx,
    cosign::{answer_error, may_sign, refuse},
    page,
    statements::Done,
};
use crate::{
    actions::cosign,
    db,
    error::AppError,
    http::web::{forms::Fields, views},
    render::links::web_url,
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

const SIGNATURE_NOTICES: &[(&str, &str)] = &[("withdrawn", "signatures-notice-withdrawn")];

/// One of our signatures as its list shows it.
pub struct OwnLine {
    pub id: String,
    pub title: String,
    pub statement_url: Option<String>,
    pub url: Option<String>,
    pub version: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "console/signatures.html")]
struct SignaturesPage<'a> {
    s: StaffCtx<'a>,
    signatures: Vec<OwnLine>,
    may_sign: bool,
}

async fn signatures_page(
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let t = staff.web.t();
    let result = async {
        let rows = db::signatures::list(staff.web.data.db.read(), 200).await?;
        anyhow::Ok((rows, may_sign(staff).await?))
    }
    .await;
    let (rows, may_sign) = match result {
        Ok(r) => r,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    // A statement still in draft has no page for people: its title is not a link then.
    let mut published = std::collections::HashSet::new();
    for r in &rows {
        match db::posts::find_by_ap_id(staff.web.data.db.read(), &r.statement_ap_id).await {
            Ok(Some(p)) if p.deleted_at.is_none() => {
                published.insert(r.statement_ap_id.clone());
            }
            Ok(_) => {}
            Err(e) => return AppError::Internal(e).into_response(),
        }
    }
    let signatures = rows
        .iter()
        .map(|r| OwnLine {
            id: r.public_id.clone(),
            title: r.statement_title.clone(),
            statement_url: web_url(&r.statement_ap_id)
                .filter(|_| published.contains(&r.statement_ap_id))
                .map(str::to_string),
            url: web_url(&r.ap_id).map(str::to_string),
            version: t.with("statement-version-n", "n", &r.version.to_string()),
            state: match r.withdrawn_at {
                Some(at) => t.with(
                    "signature-own-withdrawn",
                    "date",
                    &views::datetime(t.lang, at),
                ),
                None => t.with(
                    "signature-own-active",
                    "date",
                    &views::datetime(t.lang, r.created_at),
                ),
            },
            active: r.state == "active",
        })
        .collect();
    let mut s = staff.ctx().await;
    s.error = error;
    s.notice = notice;
    page(
        status,
        &SignaturesPage {
            s,
            signatures,
            may_sign,
        },
    )
}

pub async fn signatures(staff: Staff, Query(q): Query<Done>) -> Response {
    let notice = q.notice(staff.web.t(), SIGNATURE_NOTICES);
    signatures_page(&staff, StatusCode::OK, None, notice).await
}

pub async fn withdraw(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Some(r) = refuse(&staff, &fields).await {
        return r;
    }
    match cosign::withdraw(&staff.web.data, &id).await {
        Ok(()) => Redirect::to("/console/signatures?done=withdrawn").into_response(),
        Err(e) => {
            let m = match &e {
                AppError::NotFound(_) => Some(staff.web.t().get("signatures-not-found")),
                e => answer_error(&staff, e),
            };
            match m {
                Some(m) => signatures_page(&staff, e.status(), Some(m), None).await,
                None => e.into_response(),
            }
        }
    }
}
