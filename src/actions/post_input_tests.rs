//! Tests of post validation.

use super::*;

fn input(json: serde_json::Value) -> PostInput {
    serde_json::from_value(json).unwrap()
}

#[test]
fn an_event_in_paris_is_stored_in_utc() {
    let v = input(serde_json::json!({
        "type": "Event", "title": "Débat", "content": "x",
        "start": "2026-02-12T14:00", "end": "2026-02-12T17:00:00+01:00"
    }))
    .validate_new()
    .unwrap();
    assert_eq!(v.start_at, Some(1_770_901_200_000), "13:00 UTC");
    assert_eq!(v.end_at, Some(1_770_912_000_000), "16:00 UTC");
    assert_eq!(v.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(v.event_status.as_deref(), Some("confirmed"));
    assert_eq!(v.data.join_mode.as_deref(), Some("free"));
}

#[test]
fn each_violation_names_its_field() {
    let base = serde_json::json!({"type": "Event", "title": "T", "start": "2026-02-12T14:00"});
    for (patch, field) in [
        (serde_json::json!({"end": "2026-02-12T13:00"}), "end"),
        (serde_json::json!({"timezone": "Europe/Lyon"}), "timezone"),
        (serde_json::json!({"start": "demain"}), "start"),
        (serde_json::json!({"online_url": "visio"}), "online_url"),
        (
            serde_json::json!({"registration_url": "ftp://x"}),
            "registration_url",
        ),
        (serde_json::json!({"status": "postponed"}), "status"),
        (serde_json::json!({"join_mode": "invite"}), "join_mode"),
        (serde_json::json!({"capacity": 0}), "capacity"),
        (serde_json::json!({"tags": ["a b"]}), "tags"),
        (serde_json::json!({"location": {}}), "location"),
        (serde_json::json!({"start": "2026-03-29T02:30"}), "start"),
        (
            serde_json::json!({"join_mode": "external"}),
            "registration_url",
        ),
    ] {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let err = input(body.clone()).validate_new().unwrap_err().to_string();
        assert!(err.starts_with(field), "{body}: {err}");
    }
    let err = input(serde_json::json!({"content": "x", "start": "2026-01-01T10:00"}))
        .validate_new()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("start"), "{err}");
    let err = input(serde_json::json!({"type": "Article", "content": "x"}))
        .validate_new()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("title"), "{err}");
}

#[test]
fn an_edit_keeps_what_it_does_not_change() {
    let created = input(serde_json::json!({
        "type": "Event", "title": "T", "start": "2026-02-12T14:00", "end": "2026-02-12T16:00",
        "tags": ["#Logement"], "location": {"name": "Salle", "locality": "Lyon"}
    }))
    .validate_new()
    .unwrap();
    let edited = input(serde_json::json!({"status": "cancelled"}))
        .validate_edit(&created)
        .unwrap();
    assert_eq!(edited.event_status.as_deref(), Some("cancelled"));
    assert_eq!(edited.start_at, created.start_at);
    assert_eq!(edited.data.location, created.data.location);
    assert_eq!(edited.data.tags, vec!["logement".to_string()]);
    let moved = input(serde_json::json!({"start": "2026-02-13T14:00", "end": "2026-02-13T16:00", "location": null}))
        .validate_edit(&created)
        .unwrap();
    assert_eq!(moved.start_at, created.start_at.map(|s| s + 86_400_000));
    assert_eq!(moved.data.location, None);
    assert!(
        input(serde_json::json!({"type": "Note"}))
            .validate_edit(&created)
            .is_err()
    );
}
