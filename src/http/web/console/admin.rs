//! Administrator pages: follows and followers, delivery health, API tokens, the centre's
//! profile and staff accounts.

use super::{Admin, Staff, StaffCtx, page};
use crate::{
    actions::{accounts, centre, followers, follows, tokens},
    db,
    error::AppError,
    http::web::{forms::Fields, views},
};
use askama::Template;
use axum::{
    extract::{Multipart, Path},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

pub struct ActorLine {
    pub id: String,
    pub url: String,
    pub handle: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "console/follows.html")]
struct FollowsPage<'a> {
    s: StaffCtx<'a>,
    target: String,
    follows: Vec<ActorLine>,
    held: Vec<ActorLine>,
    followers: Vec<ActorLine>,
}

async fn follows_page(
    staff: &Staff,
    status: StatusCode,
    target: String,
    error: Option<String>,
) -> Response {
    let t = staff.web.t();
    let db = &staff.web.data.db;
    let result: anyhow::Result<(Vec<ActorLine>, Vec<ActorLine>, Vec<ActorLine>)> = async {
        let follows = db::follows::list(db.read())
            .await?
            .into_iter()
            .map(|f| ActorLine {
                id: f.public_id,
                url: f.target_ap_id,
                handle: format!("@{}@{}", f.target_username, f.target_domain),
                state: t.get(&format!("state-{}", f.state)),
            })
            .collect();
        let all = db::followers::list(db.read(), None).await?;
        let line = |f: &db::followers::FollowerRow| ActorLine {
            id: f.public_id.clone(),
            url: f.actor_ap_id.clone(),
            handle: format!("@{}@{}", f.actor_username, f.actor_domain),
            state: f.state.clone(),
        };
        let held = all
            .iter()
            .filter(|f| f.state == "pending")
            .map(line)
            .collect();
        let accepted = all
            .iter()
            .filter(|f| f.state == "accepted")
            .map(line)
            .collect();
        Ok((follows, held, accepted))
    }
    .await;
    match result {
        Ok((follows, held, followers)) => {
            let mut s = staff.ctx().await;
            s.error = error;
            page(
                status,
                &FollowsPage {
                    s,
                    target,
                    follows,
                    held,
                    followers,
                },
            )
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn follows_view(Admin(staff): Admin) -> Response {
    follows_page(&staff, StatusCode::OK, String::new(), None).await
}

pub async fn follow(Admin(staff): Admin, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let target = fields.get("target").trim().to_string();
    match follows::follow(&staff.web.data, &target).await {
        Ok(_) => Redirect::to("/console/follows").into_response(),
        Err(AppError::Invalid(m)) | Err(AppError::Remote(m)) | Err(AppError::NotFound(m)) => {
            follows_page(&staff, StatusCode::BAD_REQUEST, target, Some(m)).await
        }
        Err(AppError::Federation(e)) => {
            follows_page(&staff, StatusCode::BAD_REQUEST, target, Some(e.to_string())).await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn unfollow(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match follows::unfollow(&staff.web.data, &id).await {
        Ok(()) => Redirect::to("/console/follows").into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn approve(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match followers::approve(&staff.web.data, &id).await {
        Ok(_) => Redirect::to("/console/follows").into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn reject(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match followers::reject(&staff.web.data, &id).await {
        Ok(()) => Redirect::to("/console/follows").into_response(),
        Err(e) => e.into_response(),
    }
}

pub struct DeliveryLine {
    pub id: i64,
    pub inbox: String,
    pub kind: String,
    pub attempts: i64,
    pub error: String,
    pub next: String,
}

pub struct Section {
    pub title: String,
    pub items: Vec<DeliveryLine>,
}

pub struct HostLine {
    pub host: String,
    pub state: String,
    pub pending: i64,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/deliveries.html")]
struct DeliveriesPage<'a> {
    s: StaffCtx<'a>,
    hosts: Vec<HostLine>,
    sections: Vec<Section>,
}

pub async fn deliveries(Admin(staff): Admin) -> Response {
    let t = staff.web.t();
    let db = &staff.web.data.db;
    let result: anyhow::Result<DeliveriesPage> = async {
        let pending: std::collections::HashMap<String, i64> =
            db::deliveries::pending_by_host(db.read())
                .await?
                .into_iter()
                .collect();
        let hosts = db::hosts::list(db.read())
            .await?
            .into_iter()
            .map(|h| HostLine {
                pending: pending.get(&h.host).copied().unwrap_or(0),
                state: t.get(if h.state == "unreachable" {
                    "host-unreachable"
                } else {
                    "host-ok"
                }),
                error: h.last_error.unwrap_or_default(),
                host: h.host,
            })
            .collect();
        let mut sections = Vec::new();
        for (state, key) in [
            ("pending", "deliveries-pending"),
            ("failed", "deliveries-failed"),
        ] {
            let items = db::deliveries::list(db.read(), state, i64::MAX, 100)
                .await?
                .into_iter()
                .map(|d| DeliveryLine {
                    id: d.id,
                    inbox: d.inbox,
                    kind: d.activity_kind,
                    attempts: d.attempts,
                    error: d.last_error.unwrap_or_default(),
                    next: if state == "pending" {
                        views::datetime(t.lang, d.next_attempt_at)
                    } else {
                        String::new()
                    },
                })
                .collect();
            sections.push(Section {
                title: t.get(key),
                items,
            });
        }
        Ok(DeliveriesPage {
            s: staff.ctx().await,
            hosts,
            sections,
        })
    }
    .await;
    match result {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn retry(Admin(staff): Admin, Path(id): Path<i64>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let ctx = &staff.web.data;
    let result: anyhow::Result<bool> = async {
        let Some(d) = db::deliveries::find(ctx.db.read(), id).await? else {
            return Ok(false);
        };
        let now = ctx.now().timestamp_millis();
        db::deliveries::retry(ctx.db.write(), id, now).await?;
        db::hosts::probe_now(ctx.db.write(), &d.host, now).await?;
        crate::actions::outbox::wake(ctx);
        Ok(true)
    }
    .await;
    match result {
        Ok(true) => Redirect::to("/console/deliveries").into_response(),
        Ok(false) => AppError::NotFound(format!("no delivery {id}")).into_response(),
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage<'a> {
    s: StaffCtx<'a>,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
}

async fn tokens_page(
    staff: &Staff,
    status: StatusCode,
    new_token: Option<String>,
    error: Option<String>,
) -> Response {
    match db::tokens::list(staff.web.data.db.read()).await {
        Ok(rows) => {
            let tokens = rows
                .into_iter()
                .map(|t| TokenLine {
                    id: t.id,
                    name: t.name,
                    active: t.revoked_at.is_none(),
                })
                .collect();
            let mut s = staff.ctx().await;
            s.error = error;
            page(
                status,
                &TokensPage {
                    s,
                    tokens,
                    new_token,
                },
            )
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn tokens_view(Admin(staff): Admin) -> Response {
    tokens_page(&staff, StatusCode::OK, None, None).await
}

pub async fn token_create(Admin(staff): Admin, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let now = staff.web.data.now().timestamp_millis();
    match tokens::create(&staff.web.data.db, fields.get("name"), now).await {
        Ok(token) => tokens_page(&staff, StatusCode::OK, Some(token), None).await,
        Err(e) => {
            tokens_page(
                &staff,
                StatusCode::BAD_REQUEST,
                None,
                Some(format!("name: {e}")),
            )
            .await
        }
    }
}

pub async fn token_revoke(Admin(staff): Admin, Path(id): Path<i64>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let now = staff.web.data.now().timestamp_millis();
    match db::tokens::revoke_by_id(staff.web.data.db.write(), id, now).await {
        Ok(_) => Redirect::to("/console/tokens").into_response(),
        Err(e) => AppError::Internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "console/profile.html")]
struct ProfilePage<'a> {
    s: StaffCtx<'a>,
    name: String,
    summary: String,
    website: String,
    territory: String,
    manual: bool,
}

async fn profile_page(
    staff: &Staff,
    status: StatusCode,
    p: centre::ProfileInput,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let mut s = staff.ctx().await;
    s.error = error;
    s.notice = notice;
    page(
        status,
        &ProfilePage {
            s,
            name: p.name,
            summary: p.summary,
            website: p.website.unwrap_or_default(),
            territory: p.territory.unwrap_or_default(),
            manual: p.manually_approves_followers,
        },
    )
}

pub async fn profile_view(Admin(staff): Admin) -> Response {
    match centre::ProfileInput::from_current(&staff.web.data).await {
        Ok(p) => profile_page(&staff, StatusCode::OK, p, None, None).await,
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn profile_save(Admin(staff): Admin, mut multipart: Multipart) -> Response {
    let mut fields = std::collections::HashMap::<String, String>::new();
    let mut logo: Option<Vec<u8>> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "logo" => logo = Some(bytes.to_vec()),
                    Ok(bytes) => {
                        fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                    Err(_) => {
                        return AppError::TooLarge("logo: at most 2 MB".into()).into_response();
                    }
                }
            }
            Ok(None) => break,
            Err(e) => return AppError::Invalid(format!("form: {e}")).into_response(),
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if let Err(r) = staff.check_csrf(&get("csrf")).await {
        return r;
    }
    let input = centre::ProfileInput {
        name: get("name"),
        summary: get("summary"),
        website: Some(get("website")),
        territory: Some(get("territory")),
        manually_approves_followers: get("manual") == "on",
        logo: logo.filter(|l| !l.is_empty()),
    };
    let t = staff.web.t();
    match centre::update_profile(&staff.web.data, input.clone()).await {
        Ok(()) => {
            let saved = centre::ProfileInput::from_current(&staff.web.data)
                .await
                .unwrap_or(input);
            profile_page(
                &staff,
                StatusCode::OK,
                saved,
                None,
                Some(t.get("profile-saved")),
            )
            .await
        }
        Err(AppError::Invalid(m)) | Err(AppError::TooLarge(m)) => {
            profile_page(&staff, StatusCode::BAD_REQUEST, input, Some(m), None).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage<'a> {
    s: StaffCtx<'a>,
    users: Vec<(String, String)>,
    email: String,
}

async fn users_page(
    staff: &Staff,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Response {
    let t = staff.web.t();
    match db::users::list(staff.web.data.db.read()).await {
        Ok(rows) => {
            let users = rows
                .into_iter()
                .map(|u| (u.email, t.get(&format!("role-{}", u.role))))
                .collect();
            let mut s = staff.ctx().await;
            s.error = error;
            page(status, &UsersPage { s, users, email })
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn users_view(Admin(staff): Admin) -> Response {
    users_page(&staff, StatusCode::OK, String::new(), None).await
}

pub async fn user_add(Admin(staff): Admin, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let now = staff.web.data.now().timestamp_millis();
    let email = fields.get("email").to_string();
    match accounts::add_user(
        &staff.web.data.db,
        &email,
        fields.get("password"),
        fields.get("role"),
        now,
    )
    .await
    {
        Ok(_) => Redirect::to("/console/users").into_response(),
        Err(AppError::Invalid(m)) | Err(AppError::Conflict(m)) => {
            users_page(&staff, StatusCode::BAD_REQUEST, email, Some(m)).await
        }
        Err(e) => e.into_response(),
    }
}
