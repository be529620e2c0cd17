//! Fuzz target: everything the inbox does with a request before any key is involved. The input
//! is `header: value` lines, a blank line, then the body, as a peer would send them. Headers go
//! through the duplicate check and the signature preparation (both schemes, digests, times);
//! the body through the activity, object and actor parsers and the conversion of remote posts,
//! with their sanitiser and URL filters. None of it may panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maillage::{
    actions::remote_posts,
    federation::httpsig::{cavage, headers, inbound, rfc9421},
    protocol::{activity::ActivityJson, actor::ActorJson, object::ObjectJson},
    render::links,
};

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (&data[..0], data),
    };
    let mut map = http::HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(&line[..colon]),
            http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        map.append(name, value);
    }
    let _ = headers::duplicated(&map);
    if let Some(Ok(s)) = map.get("signature").map(|v| v.to_str()) {
        let _ = cavage::parse(s);
        if let Some(Ok(input)) = map.get("signature-input").map(|v| v.to_str()) {
            let _ = rfc9421::parse(input, s);
        }
    }
    if let Some(Ok(d)) = map.get("content-digest").map(|v| v.to_str()) {
        let _ = rfc9421::check_content_digest(d, body);
    }
    let target = url::Url::parse("https://centre.example/inbox").expect("a URL");
    for now in [0, 1_700_000_000, i64::MAX / 2] {
        let prepared = inbound::prepare(
            &inbound::Request {
                method: "POST",
                target: &target,
                headers: &map,
                body: Some(body),
                domain: "centre.example",
            },
            now,
        );
        if let Ok(p) = prepared {
            let _ = p.key_id();
        }
    }
    if let Ok(activity) = serde_json::from_slice::<ActivityJson>(body) {
        if let Ok(object) = serde_json::from_value::<ObjectJson>(activity.object.clone()) {
            let post = remote_posts::from_object(&object, false);
            let page = object.url.first();
            let _ = links::post_link(object.id.as_str(), page.as_ref().map(|u| u.as_str()));
            let _ = post.data.to_json();
        }
    }
    if let Ok(object) = serde_json::from_slice::<ObjectJson>(body) {
        let _ = remote_posts::from_object(&object, false);
    }
    if let Ok(actor) = serde_json::from_slice::<ActorJson>(body) {
        let _ = actor.delivery_inbox();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = links::web_url(text);
    }
});
