//! The attachments of a received post: images, video, audio and documents as Mastodon,
//! PeerTube, Pixelfed and others describe them. What we cannot keep (an unsafe URL, one too
//! many) is logged with the reason, never dropped silently. The files are not copied.

use crate::{
    model::{Attachment, MAX_ATTACHMENTS},
    render::{links::remote_url, sanitize},
};
use serde_json::Value;

/// Longest alternative text we keep, in characters (Mastodon allows 1,500).
const MAX_ALT: usize = 1_500;

/// The URL of an attachment: `url` (a string, a `Link`, or a list of them: the first usable
/// one) or `href`.
fn url_of(v: &Value, dev: bool) -> Result<String, String> {
    let candidates: Vec<&str> = match v.get("url").or_else(|| v.get("href")) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Object(l)) => l.get("href").and_then(Value::as_str).into_iter().collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().or_else(|| i.get("href").and_then(Value::as_str)))
            .collect(),
        _ => Vec::new(),
    };
    if candidates.is_empty() {
        return Err("no url".into());
    }
    candidates
        .iter()
        .find_map(|u| remote_url(u, dev))
        .map(str::to_string)
        .ok_or_else(|| format!("url {:?} is not an https URL", candidates[0]))
}

/// The file of a media object (`Image`, `Video`, `Audio`, `Document`): its `url` entries
/// that are files (PeerTube), else its `url` with its own `mediaType`; the object's `name` is
/// their alternative text. As `attachment` values, for [`of`].
pub fn own_files(o: &crate::protocol::object::ObjectJson) -> Vec<Value> {
    let with_kind = |mut v: Value| {
        if let Some(m) = v.as_object_mut() {
            m.insert("type".into(), Value::String(o.kind.clone()));
            if !m.contains_key("name")
                && let Some(n) = &o.name
            {
                m.insert("name".into(), Value::String(n.clone()));
            }
        }
        v
    };
    let files: Vec<Value> = o.url.files().cloned().map(with_kind).collect();
    if !files.is_empty() {
        return files;
    }
    o.url
        .first()
        .map(|u| with_kind(serde_json::json!({"url": u.as_str(), "mediaType": o.media_type})))
        .into_iter()
        .collect()
}

/// `type/subtype` in ASCII, lower-cased, else `None`.
fn media_type_of(v: &Value) -> Option<String> {
    let m = v.get("mediaType")?.as_str()?.trim().to_ascii_lowercase();
    let ok = m.len() <= 100
        && m.split_once('/').is_some_and(|(a, b)| {
            let token = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
            };
            token(a) && token(b.split(';').next().unwrap_or("").trim())
        });
    ok.then_some(m)
}

fn dimension(v: &Value, key: &str) -> Option<i64> {
    v.get(key)
        .and_then(Value::as_i64)
        .filter(|d| (1..=100_000).contains(d))
}

fn blurhash_of(v: &Value) -> Option<String> {
    let b = v.get("blurhash")?.as_str()?;
    let base83 = |c: char| c.is_ascii_alphanumeric() || "#$%*+,-.:;=?@[]^_{|}~".contains(c);
    (b.len() >= 6 && b.len() <= 100 && b.chars().all(base83)).then(|| b.to_string())
}

fn focal_point_of(v: &Value) -> Option<[f64; 2]> {
    let p = v.get("focalPoint")?.as_array()?;
    let x = p.first()?.as_f64()?;
    let y = p.get(1)?.as_f64()?;
    let ok = |f: f64| (-1.0..=1.0).contains(&f);
    (p.len() == 2 && ok(x) && ok(y)).then_some([x, y])
}

/// One attachment, or why it cannot be kept. `Link`s count only when `links` (an event's
/// links are its online address, read elsewhere); `PropertyValue`s are profile fields.
fn one(v: &Value, dev: bool, links: bool) -> Result<Option<Attachment>, String> {
    let kind = crate::protocol::helpers::first_type(v).unwrap_or_default();
    let media_type = media_type_of(v);
    match kind.as_str() {
        "Image" | "Video" | "Audio" | "Document" => {}
        "Link" if links => {}
        // Untyped, with a URL: a document (an image if its media type says so).
        "" if v.get("url").is_some() => {}
        _ => return Ok(None),
    }
    let url = url_of(v, dev)?;
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .map(sanitize::plain_text)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_ALT).collect());
    Ok(Some(Attachment {
        kind: if kind == "Link" || kind.is_empty() {
            "Document".into()
        } else {
            kind
        },
        url,
        media_type,
        name,
        width: dimension(v, "width"),
        height: dimension(v, "height"),
        blurhash: blurhash_of(v),
        focal_point: focal_point_of(v),
    }))
}

/// The attachments of `object` (its `attachment` values) we keep, in order, at most
/// [`MAX_ATTACHMENTS`]. Each one refused is logged at INFO with its reason. `links`: whether
/// `Link`s are attachments (not on events).
pub fn of(object_id: &str, attachments: &[Value], dev: bool, links: bool) -> Vec<Attachment> {
    let mut kept = Vec::new();
    for (i, v) in attachments.iter().enumerate() {
        match one(v, dev, links) {
            Ok(Some(_)) if kept.len() == MAX_ATTACHMENTS => {
                tracing::info!(
                    object = object_id,
                    index = i,
                    "attachment over the limit of {MAX_ATTACHMENTS}, not kept"
                );
            }
            Ok(Some(a)) => kept.push(a),
            Ok(None) => {}
            Err(why) => tracing::info!(object = object_id, index = i, %why, "attachment not kept"),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mastodon_image_keeps_its_alt_text_and_hints() {
        let got = of(
            "x",
            &[json!({"type": "Document", "mediaType": "image/png",
                "url": "https://files.example/a.png", "name": "Un <b>chat</b>",
                "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH", "focalPoint": [-0.5, 0.25],
                "width": 640, "height": 480})],
            false,
            true,
        );
        assert_eq!(
            got,
            vec![Attachment {
                kind: "Document".into(),
                url: "https://files.example/a.png".into(),
                media_type: Some("image/png".into()),
                name: Some("Un chat".into()),
                width: Some(640),
                height: Some(480),
                blurhash: Some("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH".into()),
                focal_point: Some([-0.5, 0.25]),
            }]
        );
        assert_eq!(got[0].media_kind(), "image");
    }

    #[test]
    fn unsafe_urls_and_bad_hints_are_not_kept() {
        for url in [
            json!("javascript:alert(1)"),
            json!("data:image/png;base64,AAAA"),
            json!("/relative.png"),
            json!("http://files.example/a.png"),
            json!({"type": "Link", "href": "javascript:alert(1)"}),
        ] {
            assert_eq!(
                of("x", &[json!({"type": "Image", "url": url})], false, true),
                vec![],
                "{url}"
            );
        }
        let got = of(
            "x",
            &[
                json!({"type": "Image", "url": [{"type": "Link", "href": "data:x"},
                {"type": "Link", "href": "https://files.example/b.jpg"}],
                "mediaType": "image/jpeg\"><script>", "width": -1, "focalPoint": [3, 0],
                "blurhash": "<script>"}),
            ],
            false,
            true,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url, "https://files.example/b.jpg");
        assert_eq!(got[0].media_type, None);
        assert_eq!(
            (got[0].width, got[0].focal_point, got[0].blurhash.clone()),
            (None, None, None)
        );
        assert_eq!(got[0].media_kind(), "image");
    }

    #[test]
    fn at_most_eight_are_kept_and_event_links_and_fields_are_not_attachments() {
        let many: Vec<Value> = (0..12)
            .map(|i| json!({"type": "Image", "url": format!("https://f.example/{i}.png")}))
            .collect();
        assert_eq!(of("x", &many, false, true).len(), MAX_ATTACHMENTS);
        let others = [
            json!({"type": "Link", "name": "Website", "href": "https://visio.example/"}),
            json!({"type": "PropertyValue", "name": "Site", "value": "x"}),
        ];
        assert_eq!(of("x", &others, false, false), vec![]);
        assert_eq!(of("x", &others, false, true).len(), 1, "a link of a page");
    }
}
