//! Configuration tests: defaults, sources, errors, and the example file.

use super::*;
use std::collections::HashMap;

fn load(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_sources(toml, |k| env.get(k).cloned())
}

#[test]
fn defaults_run_a_localhost_instance_in_dev_mode() {
    let c = load("", &[]).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.domain, "localhost:8080");
    assert!(c.dev);
    assert_eq!(c.database_url, "sqlite://data/maillage.db");
    assert_eq!(c.base_url.as_str(), "http://localhost:8080/");
}

#[test]
fn a_public_domain_is_not_dev_unless_asked() {
    let c = load("domain = \"centre.example\"", &[]).unwrap();
    assert!(!c.dev);
    assert_eq!(c.base_url.as_str(), "https://centre.example/");
    let c = load("domain = \"centre.example\"\ndev = true", &[]).unwrap();
    assert!(c.dev);
}

#[test]
fn flat_environment_names_override_the_file() {
    let c = load(
        "listen = \"127.0.0.1:1\"\n[centre]\nname = \"Fichier\"",
        &[
            ("MAILLAGE_LISTEN", "127.0.0.1:9000"),
            ("MAILLAGE_DOMAIN", "localhost:9000"),
            ("MAILLAGE_DATABASE_URL", "postgres://postgres@127.0.0.1/x"),
            ("MAILLAGE_CENTRE_USERNAME", "crpv.lyon"),
            ("MAILLAGE_CENTRE_NAME", "Labo Cités"),
            ("MAILLAGE_DEV", "false"),
        ],
    )
    .unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
    assert_eq!(c.domain, "localhost:9000");
    assert_eq!(c.database_url, "postgres://postgres@127.0.0.1/x");
    assert_eq!(c.centre.username, "crpv.lyon");
    assert_eq!(c.centre.name, "Labo Cités");
    assert!(!c.dev);
    assert_eq!(
        env_name("centre.manually_approves_followers"),
        "MAILLAGE_CENTRE_MANUALLY_APPROVES_FOLLOWERS"
    );
}

#[test]
fn bad_values_name_their_key() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        ("listen = \"nowhere\"", &[], "listen"),
        ("domain = \"https://x.example/\"", &[], "domain"),
        ("[database]\nurl = \"mysql://x\"", &[], "database.url"),
        ("[centre]\nusername = \"Bad Name\"", &[], "centre.username"),
        ("", &[("MAILLAGE_DEV", "perhaps")], "MAILLAGE_DEV"),
        ("colour = \"blue\"", &[], "colour"),
        ("[centre]\nnmae = \"x\"", &[], "nmae"),
        ("dev = \"yes\"", &[], "dev"),
        ("[delivery]\nconcurrency = 0", &[], "delivery.concurrency"),
    ];
    for (toml, env, key) in cases {
        let e = load(toml, env).unwrap_err();
        assert!(
            e.to_string().contains(key) && !e.to_string().contains('\n'),
            "{toml:?}: {e}"
        );
    }
}

#[test]
fn the_example_file_is_valid_and_documents_every_key() {
    let text = include_str!("../../config/maillage.example.toml");
    load(text, &[]).unwrap();
    for (path, _) in KEYS {
        let key = path.rsplit('.').next().unwrap_or(path);
        assert!(text.contains(key), "config example misses {path}");
        assert!(
            text.contains(&env_name(path)),
            "config example misses {}",
            env_name(path)
        );
    }
}

#[test]
fn a_broken_toml_file_names_the_line() {
    let e = Config::from_sources("domain = \"a.example\"\n[centre\nname = 1\n", |_| None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
    assert!(!e.contains("error: :"), "a key or --config is named: {e}");
}

#[test]
fn misspelt_variables_are_reported_with_the_closest_name() {
    let names = [
        "MAILLAGE_DATABSE_URL",
        "MAILLAGE_DATABASE_URL",
        "MAILLAGE_LOG",
        "MAILLAGE_BENCH_QUICK",
        "MAILLAGE_WHATEVER_ELSE_ENTIRELY",
        "PATH",
    ];
    let w = super::unknown_variables(names.iter().map(|s| s.to_string()));
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("MAILLAGE_DATABSE_URL")
            && w[0].contains("did you mean MAILLAGE_DATABASE_URL"),
        "{w:?}"
    );
    assert!(
        w[1].contains("MAILLAGE_WHATEVER_ELSE_ENTIRELY") && !w[1].contains("did you mean"),
        "{w:?}"
    );
}
