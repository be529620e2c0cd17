//! The network calendar page: the events of the centre and the centres it follows in one
//! month, as a list by day and a month grid (weeks from Monday). No JavaScript.

use super::{PageCtx, Web, public::public_scope, render, views};
use crate::{
    db,
    error::{AppError, AppResult},
};
use askama::Template;
use axum::{extract::Query, http::StatusCode, response::Response};
use chrono::{Datelike, TimeZone};
use serde::Deserialize;
use views::PostView;

pub struct Cell {
    pub day: u32,
    pub events: usize,
}

pub struct DayGroup {
    pub day: u32,
    pub label: String,
    pub posts: Vec<PostView>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage<'a> {
    p: PageCtx<'a>,
    month_label: String,
    previous: String,
    next: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<Cell>>,
    days: Vec<DayGroup>,
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn calendar(web: Web, Query(q): Query<MonthQuery>) -> AppResult<Response> {
    let t = web.t();
    let (year, month) = match q.month.as_deref() {
        Some(m) => m
            .split_once('-')
            .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
            .filter(|(y, m)| (1970..=9999).contains(y) && (1..=12).contains(m))
            .ok_or_else(|| AppError::Invalid(format!("month: {m:?} is not YYYY-MM")))?,
        None => views::this_month(web.data.now()),
    };
    let (ny, nm) = views::next_month(year, month);
    let (py, pm) = views::previous_month(year, month);
    let from = views::month_start(year, month).unwrap_or(0);
    let to = views::month_start(ny, nm).unwrap_or(i64::MAX);
    let rows =
        db::posts::calendar(web.data.db.read(), public_scope(false, None), from, to, 500).await?;
    let posts: Vec<PostView> = rows
        .iter()
        .map(|r| views::feed_view(&t, &web.readers, r))
        .collect();
    // Group by start day (events that began the month before go under day 1).
    let mut days: Vec<DayGroup> = Vec::new();
    for post in posts {
        let (day, label) = match &post.start_day {
            Some(d) if d.year() == year && d.month() == month => {
                (d.day(), views::day_label(t.lang, d))
            }
            _ => (1, String::new()),
        };
        match days.iter_mut().find(|g| g.day == day) {
            Some(g) => g.posts.push(post),
            None => days.push(DayGroup {
                day,
                label,
                posts: vec![post],
            }),
        }
    }
    days.sort_by_key(|d| d.day);
    if let Some(first_day) = views::DISPLAY_TZ
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .earliest()
    {
        for d in days.iter_mut().filter(|d| d.label.is_empty()) {
            d.label = views::day_label(t.lang, &first_day);
        }
    }
    // The month grid, weeks starting on Monday.
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| AppError::Invalid("month: out of range".into()))?;
    let len = chrono::NaiveDate::from_ymd_opt(ny, nm, 1)
        .map(|n| (n - first).num_days() as u32)
        .unwrap_or(30);
    let offset = first.weekday().num_days_from_monday();
    let mut weeks: Vec<Vec<Cell>> = Vec::new();
    let mut week: Vec<Cell> = (0..offset).map(|_| Cell { day: 0, events: 0 }).collect();
    for day in 1..=len {
        let events = days
            .iter()
            .find(|g| g.day == day)
            .map_or(0, |g| g.posts.len());
        week.push(Cell { day, events });
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(Cell { day: 0, events: 0 });
        }
        weeks.push(week);
    }
    let month_label = match t.lang {
        crate::i18n::Lang::Fr => {
            format!(
                "{} {year}",
                crate::render::summary::MONTHS[(month - 1) as usize]
            )
        }
        crate::i18n::Lang::En => first.format("%B %Y").to_string(),
    };
    let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| t.get(&format!("weekday-{d}")))
        .collect();
    let page = CalendarPage {
        month_label,
        previous: format!("{py:04}-{pm:02}"),
        next: format!("{ny:04}-{nm:02}"),
        weekdays,
        weeks,
        days,
        p: web.page().await,
    };
    Ok(render(StatusCode::OK, &page))
}
