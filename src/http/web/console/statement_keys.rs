//! The catalogue keys the statement pages build at run time, and the tests of the statement
//! pages' helpers.

/// Keys this module and [`super::cosign`] build at run time (templates are checked apart).
pub const DYNAMIC_KEYS: &[&str] = &[
    "statement-notice-created",
    "statement-notice-saved",
    "statement-notice-invited",
    "statement-notice-published",
    "statement-notice-verified",
    "statement-state-published",
    "statement-state-draft",
    "statement-version-n",
    "statement-field-title",
    "statement-field-summary",
    "statement-field-content",
    "statement-field-language",
    "statement-field-tags",
    "statement-field-deadline",
    "statement-field-invite",
    "statement-error-invite",
    "statement-error-other",
    "statement-error-too-long",
    "statement-error-empty",
    "statement-error-language",
    "statement-error-tags-count",
    "statement-error-tag",
    "statement-error-deadline",
    "statement-error-invite-self",
    "statement-error-invite-count",
    "statement-error-invite-unknown",
    "statement-error-invite-none",
    "statement-error-published",
    "statement-not-found-title",
    "statement-not-found",
    "invitation-state-signed",
    "invitation-state-declined",
    "invitation-state-pending",
    "signature-state-valid",
    "signature-state-stale",
    "signature-state-withdrawn",
    "signature-state-invalid",
    "statement-verified-at",
    "statement-publish-confirm",
    "storage-full",
];

/// Keys the invitation and signature pages build at run time.
pub const COSIGN_KEYS: &[&str] = &[
    "invitation-notice-signed",
    "invitation-notice-declined",
    "statement-settings-saved",
    "signatures-notice-withdrawn",
    "forbidden-title",
    "invitation-forbidden",
    "invitation-sign-help",
    "invitation-error-signed",
    "signatures-error-withdrawn",
    "invitation-error-answered",
    "invitation-not-found",
    "statement-settings-invalid",
    "signature-own-withdrawn",
    "signature-own-active",
    "signatures-not-found",
];

mod tests {
    use super::super::{statement_form::*, statements::*};
    use super::*;
    use crate::i18n::{Catalogs, Lang};
    use crate::{actions::statements::LANGUAGES, error::AppError, i18n::Tr};

    #[test]
    fn every_key_built_at_run_time_exists_in_both_catalogues() {
        let mut keys: Vec<String> = DYNAMIC_KEYS.iter().map(|k| k.to_string()).collect();
        keys.extend(LANGUAGES.iter().map(|l| format!("statement-lang-{l}")));
        keys.extend(COSIGN_KEYS.iter().map(|k| k.to_string()));
        for lang in [Lang::Fr, Lang::En] {
            let known = Catalogs::keys(lang);
            for k in &keys {
                assert!(known.contains(k), "{}: {k} missing", lang.code());
            }
        }
    }

    #[test]
    fn validation_failures_name_the_field_in_french() {
        let c = Catalogs::load().unwrap();
        let t = Tr {
            catalogs: &c,
            lang: Lang::Fr,
        };
        let v = Values {
            tags: "logement, ville durable".into(),
            ..Values::new()
        };
        let cases = [
            (
                AppError::Invalid("title: must not be empty".into()),
                "« Titre »",
            ),
            (
                AppError::Invalid("title: at most 300 characters".into()),
                "300",
            ),
            (
                AppError::Invalid("summary: must not be empty".into()),
                "« Résumé »",
            ),
            (
                AppError::Invalid("content: must not be empty".into()),
                "« Texte",
            ),
            (
                AppError::TooLarge("content: at most 100000 characters".into()),
                "100\u{202f}000",
            ),
            (
                AppError::Invalid("language: \"xx\" is not one of fr, en".into()),
                "« Langue",
            ),
            (
                AppError::Invalid("tags: \"ville durable\" is not a hashtag".into()),
                "ville durable",
            ),
            (
                AppError::Invalid("deadline: \"demain\" is neither a date".into()),
                "« Date limite",
            ),
            (
                AppError::Remote("could not resolve nobody@nowhere.example: 404".into()),
                "nobody@nowhere.example",
            ),
            (
                AppError::Invalid("invite: a centre cannot invite itself".into()),
                "lui-même",
            ),
        ];
        let invitees = vec!["nobody@nowhere.example".to_string()];
        for (e, needle) in cases {
            let m = explain(t, &e, Some(&v), &invitees).unwrap();
            assert!(m.contains(needle), "{e}: {m}");
            assert!(!m.contains("must not"), "{m}");
        }
        assert!(explain(t, &AppError::NotFound("x".into()), None, &[]).is_none());
    }

    #[test]
    fn long_words_get_break_points() {
        assert_eq!(
            handle("lyon", "centre.example.org"),
            vec!["@lyon", "@centre.", "example.", "org"]
        );
        assert!(breakable(&"a".repeat(40)).iter().all(|p| p.len() <= 16));
    }
}
