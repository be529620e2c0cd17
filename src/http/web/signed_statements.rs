//! The public page "Déclarations signées": the joint statements this centre published, each
//! linking to its own page, and those it co-signed once their drafter published them, each
//! with the statement's address on its drafter's server and our signature, which anyone can
//! check.

use super::{PageCtx, Web, render, views};
use crate::{db, error::AppResult, render::links::web_url};
use askama::Template;
use axum::{http::StatusCode, response::Response};

/// A statement we published.
pub struct OwnStatement {
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    pub date: String,
}

/// A statement we co-signed.
pub struct Cosigned {
    pub title: String,
    pub url: Option<String>,
    pub signature: Option<String>,
    pub date: String,
}

#[derive(Template)]
#[template(path = "statements.html")]
struct StatementsPage<'a> {
    p: PageCtx<'a>,
    ours: Vec<OwnStatement>,
    cosigned: Vec<Cosigned>,
}

/// Most statements each list shows.
const PAGE_LIMIT: i64 = 1000;

pub async fn page(web: Web) -> AppResult<Response> {
    let t = web.t();
    let db = &web.data.db;
    let ours = db::statements::list_published(db.read(), PAGE_LIMIT)
        .await?
        .into_iter()
        .map(|s| OwnStatement {
            url: web_url(&s.ap_id).map(str::to_string),
            date: t.with(
                "public-statements-published-on",
                "date",
                &views::datetime(t.lang, s.published_at.unwrap_or(s.updated_at)),
            ),
            title: s.title,
            summary: s.summary,
        })
        .collect();
    // Only statements their drafter published (they reached us listing our signature): a
    // draft is shown to its invitees alone, so its title stays off this page. Newest first; a
    // statement signed again (a new version) is listed once, with the latest signature.
    let mut seen = std::collections::HashSet::new();
    let mut cosigned = Vec::new();
    for s in db::signatures::list_active(db.read(), PAGE_LIMIT).await? {
        if s.state == "withdrawn"
            || s.withdrawn_at.is_some()
            || !seen.insert(s.statement_ap_id.clone())
        {
            continue;
        }
        let published = db::posts::find_by_ap_id(db.read(), &s.statement_ap_id)
            .await?
            .is_some_and(|p| p.deleted_at.is_none());
        if !published {
            continue;
        }
        cosigned.push(Cosigned {
            url: web_url(&s.statement_ap_id).map(str::to_string),
            signature: web_url(&s.ap_id).map(str::to_string),
            date: t.with(
                "public-statements-signed-on",
                "date",
                &views::datetime(t.lang, s.created_at),
            ),
            title: s.statement_title,
        });
    }
    Ok(render(
        StatusCode::OK,
        &StatementsPage {
            p: web.page().await,
            ours,
            cosigned,
        },
    ))
}
