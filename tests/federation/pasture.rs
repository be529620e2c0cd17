//! The fediverse-pasture inputs (`tests/fixtures/pasture/`, MIT, by Helge): every example
//! object behind the fediverse's public support tables, merged into a skeleton `Note` as the
//! pasture does, sent by a followed centre as a real signed `Create`, on both backends. Each
//! one is either refused with a clear 4xx, or kept: stored, in the API feed and on `/network`,
//! with what it carries (content warning, attachments, tags, mentions, languages) and nothing
//! unsafe. The few that are kept only in part are listed in [`LOSSY`] with the reason.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, send};
use serde_json::{Value, json};

both_backends!(every_pasture_input_is_kept_faithfully_or_refused_with_a_4xx);

/// (input, index, why) of the examples kept only in part, or answered 202 and not shown.
const LOSSY: &[(&str, usize, &str)] = &[];

fn inputs() -> Vec<(String, usize, Value)> {
    let path = format!(
        "{}/tests/fixtures/pasture/inputs.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (name, input) in doc["inputs"].as_object().unwrap() {
        for (i, e) in input["examples"].as_array().unwrap().iter().enumerate() {
            out.push((name.clone(), i, e.clone()));
        }
    }
    out
}

/// The example as the pasture's sender would build it, sent from `from` (the pasture's own
/// host is `from`'s).
fn object(from: &TestInstance, name: &str, i: usize, example: &Value) -> Value {
    let text = example
        .to_string()
        .replace("http://pasture-one-actor/actor", &from.actor_id())
        .replace("http://pasture-one-actor", &from.base);
    let example: Value = serde_json::from_str(&text).unwrap();
    let mut note = json!({"type": "Note", "attributedTo": from.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "id": format!("{}/objects/{name}-{i}", from.base),
        "published": "2026-12-01T10:00:00Z"});
    for (k, v) in example.as_object().unwrap() {
        note[k] = v.clone();
    }
    // `null` removes the property, as in the pasture's skeleton.
    let map = note.as_object_mut().unwrap();
    map.retain(|_, v| !v.is_null());
    note
}

/// Every page of `/network` and every item of the API feed.
async fn everything(a: &TestInstance) -> (String, Vec<Value>) {
    let mut html = String::new();
    let mut path = "/network".to_string();
    loop {
        let page = crate::remote::page(a, &path, None).await;
        let next = page
            .split("<a rel=\"next\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(|n| n.replace("&amp;", "&"));
        html.push_str(&page);
        match next {
            Some(n) => path = n,
            None => break,
        }
    }
    let mut items = Vec::new();
    let mut path = "/api/v1/feed?limit=100".to_string();
    loop {
        let (_, body) = a.get(&path).await;
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next"].as_str() {
            Some(n) => path = format!("/api/v1/feed?limit=100&before={n}"),
            None => break,
        }
    }
    (html, items)
}

fn plain(s: &str) -> String {
    maillage::render::sanitize::plain_text(s)
}

/// The http(s) URL of an attachment or `url` entry.
fn url_of(v: &Value) -> Option<String> {
    let u = match v.get("url").or_else(|| v.get("href")) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(l)) => l.get("href").and_then(Value::as_str).map(str::to_string),
        Some(Value::Array(a)) => a.iter().find_map(|i| {
            i.as_str()
                .map(str::to_string)
                .or_else(|| i.get("href").and_then(Value::as_str).map(str::to_string))
        }),
        _ => None,
    }?;
    (u.starts_with("http://") || u.starts_with("https://")).then_some(u)
}

fn list(v: Option<&Value>) -> Vec<Value> {
    match v {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// What the input asks a reader to see, checked against the API item and the HTML article.
/// Returns the failures.
fn check(o: &Value, item: &Value, article: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let lower = format!("{article} {item}").to_lowercase();
    for unsafe_ in [
        "javascript:",
        "<script",
        " onerror=",
        " onclick=",
        "data:text",
    ] {
        if lower.contains(unsafe_) {
            bad.push(format!("shows {unsafe_}"));
        }
    }
    let kind = item["type"].as_str().unwrap_or("");
    if let Some(summary) = o["summary"].as_str().filter(|_| kind == "Note")
        && !plain(summary).is_empty()
    {
        if item["summary"] != plain(summary) {
            bad.push(format!("summary {:?}", item["summary"]));
        }
        if !article.contains("<details") {
            bad.push("no <details> for the warning".into());
        }
    }
    if o["sensitive"] == true && item["sensitive"] != true {
        bad.push("sensitive lost".into());
    }
    let attachments: Vec<Value> = list(o.get("attachment"))
        .into_iter()
        .filter(|a| url_of(a).is_some())
        .collect();
    let got = item["attachments"].as_array().map_or(0, Vec::len);
    if got != attachments.len().min(8) {
        bad.push(format!("{got} attachments of {}", attachments.len()));
    }
    for a in attachments.iter().take(8) {
        let url = url_of(a).unwrap();
        if !article.contains(&url) {
            bad.push(format!("attachment {url} not on the page"));
        }
    }
    for t in list(o.get("tag")) {
        let kind = t["type"].as_str().unwrap_or("");
        let name = t["name"].as_str().unwrap_or("");
        let hashtag = kind.ends_with("Hashtag") || (kind.is_empty() && name.starts_with('#'));
        if hashtag && maillage::hashtag::key(name).is_some() {
            let display = maillage::hashtag::display(name).unwrap();
            let tags = item["tags"].as_array().cloned().unwrap_or_default();
            let keys: Vec<Option<String>> = tags
                .iter()
                .map(|t| maillage::hashtag::key(t.as_str().unwrap()))
                .collect();
            if !keys.contains(&maillage::hashtag::key(name)) {
                bad.push(format!("hashtag {display} lost"));
            }
        }
        if kind == "Mention"
            && let Some(href) = t["href"].as_str().filter(|h| h.starts_with("http"))
        {
            let kept = item["mentions"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["href"] == href));
            if !kept {
                bad.push(format!("mention {href} lost"));
            }
        }
    }
    if let Some(map) = o["contentMap"].as_object() {
        let kept: Vec<&String> = item["content_map"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        for k in map.keys() {
            if maillage::language::tag(k).is_some() && !kept.contains(&k) {
                bad.push(format!("language {k} lost"));
            }
        }
    }
    bad
}

async fn every_pasture_input_is_kept_faithfully_or_refused_with_a_4xx(backend: Backend) {
    let all = inputs();
    let mut names: Vec<String> = all.iter().map(|(n, _, _)| n.clone()).collect();
    names.dedup();
    let (mut kept, mut refused, mut lossy) = (0, 0, 0);
    let mut failures = Vec::new();
    for name in names {
        let a = TestInstance::spawn(backend, "lyon").await;
        let b = TestInstance::spawn(backend, "lille").await;
        a.follow_and_wait(&b).await;
        let mut sent = Vec::new();
        for (_, i, example) in all.iter().filter(|(n, _, _)| *n == name) {
            let o = object(&b, &name, *i, example);
            let activity = json!({"@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/activities/{name}-{i}", b.base), "type": "Create",
                "actor": b.actor_id(), "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": o});
            let status = send(&b, &a, &activity).await;
            sent.push((*i, o, status));
        }
        let (html, items) = everything(&a).await;
        for (i, o, status) in sent {
            let label = format!("{name}[{i}] {o}");
            let known = LOSSY.iter().find(|(n, j, _)| *n == name && *j == i);
            if status.is_client_error() {
                refused += 1;
                continue;
            }
            if status != reqwest::StatusCode::ACCEPTED {
                failures.push(format!("{label}: {status}"));
                continue;
            }
            let id = o["id"].as_str().unwrap_or_default();
            let item = items.iter().find(|it| it["id"] == id);
            let problems = match item {
                None => vec!["answered 202 and not in the feed".to_string()],
                Some(item) => {
                    let link = format!("href=\"{}\"", item["url"].as_str().unwrap());
                    if html.contains(&link) {
                        check(&o, item, article_with(&html, &link))
                    } else {
                        vec!["not on /network".to_string()]
                    }
                }
            };
            match (problems.is_empty(), known) {
                (true, None) => kept += 1,
                (false, Some(_)) => lossy += 1,
                (true, Some((_, _, why))) => {
                    failures.push(format!("{label}: listed as lossy ({why}) but kept"))
                }
                (false, None) => failures.push(format!("{label}: {}", problems.join("; "))),
            }
        }
    }
    eprintln!(
        "pasture inputs: {kept} kept faithfully, {refused} refused with a 4xx, {lossy} lossy"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
