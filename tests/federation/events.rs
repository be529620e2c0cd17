//! Articles, events, the network calendar, backfill, and the Atom and iCal feeds, checked with
//! independent parsers (the `icalendar` crate's parser and `atom_syndication`'s reader here;
//! `.ci/run` also reads the saved outputs with Python's `icalendar` and `feedparser`).

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

both_backends!(
    an_event_in_paris_reaches_the_network_calendar_at_the_right_instant,
    moving_cancelling_and_deleting_an_event_reach_the_follower,
    backfill_brings_earlier_posts_when_the_follow_is_accepted,
    an_article_federates_with_title_summary_and_preview,
    feeds_filter_by_tag_and_centre_and_parse,
);

/// The VEVENTs of an iCalendar text, as property maps, after parsing with an independent parser.
fn vevents(text: &str) -> Vec<HashMap<String, String>> {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("valid iCalendar");
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|c| {
            c.properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), p.val.as_str().to_string()))
                .collect()
        })
        .collect()
}

/// Saves a feed for the independent Python check in `.ci/run`.
fn save(name: &str, text: &str) {
    let dir = format!("{}/target/feeds", env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/{name}"), text).unwrap();
}

async fn text(i: &TestInstance, path: &str) -> (StatusCode, String, String) {
    let res = i.http.get(i.url(path)).send().await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

pub fn debate() -> Value {
    json!({
        "type": "Event",
        "title": "Débat : l'habitat dans les quartiers prioritaires",
        "content": "Une soirée d'échanges.",
        "start": "2026-02-12T14:00",
        "end": "2026-02-12T17:00",
        "timezone": "Europe/Paris",
        "location": {"name": "Maison des associations", "street": "10 rue Jangot",
                     "postal_code": "69007", "locality": "Lyon", "country": "France"},
        "online_url": null,
        "status": "confirmed",
        "join_mode": "external",
        "registration_url": "https://billetterie.example/debat",
        "capacity": 80,
        "category": "débat",
        "tags": ["#Habitat", "politiquedelaville"]
    })
}

async fn an_event_in_paris_reaches_the_network_calendar_at_the_right_instant(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (status, post) = a.post("/api/v1/posts", debate()).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let url = post["url"].as_str().unwrap().to_string();

    let (_, event) = a.get_ap(&url).await;
    assert_eq!(event["type"], "Event");
    assert_eq!(event["startTime"], "2026-02-12T14:00:00+01:00");
    assert_eq!(event["endTime"], "2026-02-12T17:00:00+01:00");
    assert_eq!(event["timezone"], "Europe/Paris");
    assert_eq!(
        event["summary"],
        "jeudi 12 février 2026, 14 h–17 h · Maison des associations, Lyon"
    );
    assert_eq!(event["location"]["type"], "Place");
    assert_eq!(event["location"]["address"]["type"], "PostalAddress");
    assert_eq!(event["location"]["address"]["addressLocality"], "Lyon");
    assert_eq!(event["ical:status"], "CONFIRMED");
    assert_eq!(event["joinMode"], "external");
    assert_eq!(
        event["externalParticipationUrl"],
        "https://billetterie.example/debat"
    );
    assert_eq!(event["maximumAttendeeCapacity"], 80);
    assert_eq!(event["isOnline"], false);
    assert_eq!(event["tag"][0]["type"], "Hashtag");
    assert_eq!(event["tag"][0]["name"], "#habitat");
    let context = event["@context"].to_string();
    assert!(context.contains("joinmobilizon.org/ns#") && !context.contains("litepub"));

    assert_eq!(a.deliver_pending().await.delivered, 1);
    let (status, cal) = b
        .get("/api/v1/calendar?from=2026-02-01&to=2026-03-01")
        .await;
    assert_eq!(status, StatusCode::OK, "{cal}");
    let items = cal["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], url);
    assert_eq!(item["start"], "2026-02-12T14:00:00+01:00");
    assert_eq!(item["cancelled"], false);
    assert_eq!(item["location"]["locality"], "Lyon");
    assert_eq!(item["tags"], json!(["habitat", "politiquedelaville"]));
    let (_, outside) = b.get("/api/v1/calendar?from=2026-03-01").await;
    assert!(outside["items"].as_array().unwrap().is_empty());

    let (status, ct, ics) = text(&b, "/network/calendar.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/calendar"));
    save(&format!("network-{backend:?}.ics"), &ics);
    let events = vevents(&ics);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["UID"], url);
    assert_eq!(
        e["DTSTART"], "20260212T130000Z",
        "14:00 in Paris is 13:00 UTC"
    );
    assert_eq!(e["DTEND"], "20260212T160000Z");
    assert_eq!(e["STATUS"], "CONFIRMED");
    assert_eq!(e["SEQUENCE"], "0");
    assert_eq!(e["URL"], url);
    assert!(e["LOCATION"].contains("Lyon"), "{}", e["LOCATION"]);
    let (_, _, own) = text(&a, "/calendar.ics").await;
    assert_eq!(vevents(&own).len(), 1, "A's own calendar has it too");
}

async fn calendar_item(b: &TestInstance) -> Option<Value> {
    let (_, cal) = b.get("/api/v1/calendar").await;
    cal["items"].as_array().unwrap().first().cloned()
}

async fn moving_cancelling_and_deleting_an_event_reach_the_follower(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (_, post) = a.post("/api/v1/posts", debate()).await;
    let id = post["id"].as_str().unwrap();
    a.deliver_pending().await;
    let (_, _, ics) = text(&b, "/network/calendar.ics").await;
    let seq0: u32 = vevents(&ics)[0]["SEQUENCE"].parse().unwrap();

    let (status, moved) = a
        .patch(
            &format!("/api/v1/posts/{id}"),
            json!({"start": "2026-02-19T09:30", "end": "2026-02-19T12:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    a.deliver_pending().await;
    let item = calendar_item(&b).await.unwrap();
    assert_eq!(item["start"], "2026-02-19T09:30:00+01:00");
    let (_, _, ics) = text(&b, "/network/calendar.ics").await;
    let e = &vevents(&ics)[0];
    assert_eq!(e["DTSTART"], "20260219T083000Z");
    let seq1: u32 = e["SEQUENCE"].parse().unwrap();
    assert!(
        seq1 > seq0,
        "SEQUENCE grows with the edit ({seq0} → {seq1})"
    );

    let (status, _) = a
        .patch(
            &format!("/api/v1/posts/{id}"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    a.deliver_pending().await;
    let item = calendar_item(&b).await.unwrap();
    assert_eq!(item["cancelled"], true);
    assert!(item["when"].as_str().unwrap().starts_with("Annulé"));
    let (_, _, ics) = text(&b, "/network/calendar.ics").await;
    save(&format!("cancelled-{backend:?}.ics"), &ics);
    let e = &vevents(&ics)[0];
    assert_eq!(e["STATUS"], "CANCELLED");
    assert!(e["SEQUENCE"].parse::<u32>().unwrap() > seq1);
    let (_, object) = a.get_ap(post["url"].as_str().unwrap()).await;
    assert_eq!(object["ical:status"], "CANCELLED");

    let (status, _) = a.delete(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    a.deliver_pending().await;
    assert!(calendar_item(&b).await.is_none(), "a deleted event is gone");
    let (_, _, ics) = text(&b, "/network/calendar.ics").await;
    assert!(vevents(&ics).is_empty());
}

async fn backfill_brings_earlier_posts_when_the_follow_is_accepted(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let mut urls = Vec::new();
    for body in [
        json!({"content": "Une note"}),
        json!({"type": "Article", "title": "Étude", "summary": "Résumé", "content": "Texte long"}),
        debate(),
    ] {
        let (status, post) = a.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::CREATED);
        urls.push(post["url"].as_str().unwrap().to_string());
    }
    a.post(
        "/api/v1/posts",
        json!({"content": "entre nous", "visibility": "followers"}),
    )
    .await;
    assert_eq!(
        a.deliver_pending().await.attempted,
        0,
        "nobody follows A yet"
    );
    b.follow_and_wait(&a).await;
    let feed = b.feed().await;
    let remote: Vec<&str> = feed
        .iter()
        .filter(|i| i["local"] == false)
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    for url in &urls {
        assert!(
            remote.contains(&url.as_str()),
            "{url} backfilled: {remote:?}"
        );
    }
    assert_eq!(
        remote.len(),
        3,
        "the followers-only post is not in the public outbox"
    );
    assert!(
        calendar_item(&b).await.is_some(),
        "the event is in B's calendar at once"
    );
}

async fn an_article_federates_with_title_summary_and_preview(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (status, post) = a
        .post(
            "/api/v1/posts",
            json!({"type": "Article", "title": "Rapport annuel 2026",
                   "summary": "Les chiffres clés des quartiers.",
                   "content": "<h2>Introduction</h2><p>Texte.</p>", "tags": ["rapport"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let (_, article) = a.get_ap(post["url"].as_str().unwrap()).await;
    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "Rapport annuel 2026");
    assert_eq!(article["summary"], "Les chiffres clés des quartiers.");
    assert_eq!(article["contentMap"]["fr"], article["content"]);
    assert_eq!(article["url"], post["url"]);
    assert_eq!(article["preview"]["type"], "Note");
    assert!(
        article["preview"]["content"]
            .as_str()
            .unwrap()
            .contains("Rapport annuel 2026")
    );
    a.deliver_pending().await;
    let item = b
        .feed()
        .await
        .into_iter()
        .find(|i| i["id"] == post["url"])
        .unwrap();
    assert_eq!(item["type"], "Article");
    assert_eq!(item["title"], "Rapport annuel 2026");
    assert_eq!(item["summary"], "Les chiffres clés des quartiers.");
    assert_eq!(item["tags"], json!(["rapport"]));
    let (status, edited) = a
        .patch(
            &format!("/api/v1/posts/{}", post["id"].as_str().unwrap()),
            json!({"title": "Rapport 2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    a.deliver_pending().await;
    let item = b
        .feed()
        .await
        .into_iter()
        .find(|i| i["id"] == post["url"])
        .unwrap();
    assert_eq!(item["title"], "Rapport 2026");
}

async fn feeds_filter_by_tag_and_centre_and_parse(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (_, tagged) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Logement & cadre de vie", "tags": ["logement"]}),
        )
        .await;
    let (_, other) = a.post("/api/v1/posts", json!({"content": "Emploi"})).await;
    let (_, own) = b
        .post(
            "/api/v1/posts",
            json!({"content": "Chez Lille", "tags": ["logement"]}),
        )
        .await;
    a.post(
        "/api/v1/posts",
        json!({"content": "privé", "visibility": "followers"}),
    )
    .await;
    a.deliver_pending().await;

    let ids = |xml: &str| -> Vec<String> {
        let feed: atom_syndication::Feed = xml.parse().expect("valid Atom");
        feed.entries().iter().map(|e| e.id().to_string()).collect()
    };
    let (status, ct, xml) = text(&b, "/network/feed.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/atom+xml"));
    save(&format!("network-{backend:?}.atom"), &xml);
    let all = ids(&xml);
    assert_eq!(all.len(), 3, "public posts only: {all:?}");
    for p in [&tagged, &other, &own] {
        assert!(all.contains(&p["url"].as_str().unwrap().to_string()));
    }
    let (_, _, xml) = text(&b, "/network/feed.atom?tag=%23Logement").await;
    let mut by_tag = ids(&xml);
    by_tag.sort();
    let mut expected = vec![
        tagged["url"].as_str().unwrap().to_string(),
        own["url"].as_str().unwrap().to_string(),
    ];
    expected.sort();
    assert_eq!(by_tag, expected);
    let (_, _, xml) = text(&b, &format!("/network/feed.atom?centre={}", a.handle())).await;
    assert_eq!(ids(&xml).len(), 2, "only A's public posts");
    let (_, _, xml) = text(&b, "/feed.atom").await;
    assert_eq!(
        ids(&xml),
        vec![own["url"].as_str().unwrap().to_string()],
        "B's own feed"
    );
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    assert_eq!(feed.title().as_str(), "Centre lille");
    assert!(
        feed.entries()[0]
            .content()
            .unwrap()
            .value()
            .unwrap()
            .contains("Chez Lille")
    );

    for (path, status) in [
        // "a b" is a tag now (its key is "ab", as in Mastodon); "#" alone is none.
        ("/network/feed.atom?tag=%23", StatusCode::BAD_REQUEST),
        (
            "/network/calendar.ics?centre=nobody@nowhere.example",
            StatusCode::NOT_FOUND,
        ),
        (
            "/network/calendar.ics?centre=garbage",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (got, _, body) = text(&b, path).await;
        assert_eq!(got, status, "{path}: {body}");
    }
}
