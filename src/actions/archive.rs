//! `maillage export FILE` and `maillage import FILE`: the whole instance (its actor and keys,
//! followers, follows, posts and events, media, accounts, the delivery queue…) as one file of
//! JSON lines, read from a live instance without stopping it and restored into an empty
//! database on either backend. The first line names the format and its version; the last
//! one counts the rows, so that a truncated file is refused. An import writes everything in
//! one transaction, or nothing.

use crate::db::{self, Db};
use anyhow::{Context, bail};
use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};
use std::path::Path;

pub const FORMAT: &str = "maillage-archive";
pub const VERSION: i64 = 1;

/// Writes the archive of `db` to `path` (through a temporary file, renamed when complete).
/// Returns the number of rows written.
pub async fn export(db: &Db, path: &Path) -> anyhow::Result<usize> {
    let tmp = path.with_extension("partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let header = json!({"format": FORMAT, "version": VERSION,
        "created": chrono::Utc::now().to_rfc3339(), "tables": db::archive::TABLES});
    writeln!(out, "{header}")?;
    let mut n = 0usize;
    db::archive::read_all(db, |table, row| {
        writeln!(out, "{}", json!({"t": table, "r": row}))?;
        n += 1;
        Ok(())
    })
    .await?;
    writeln!(out, "{}", json!({"end": true, "rows": n}))?;
    out.flush()?;
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", tmp.display()))?
        .sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(n)
}

/// Reads and checks an archive: its format, its version, every row, and its end.
pub fn read(path: &Path) -> anyhow::Result<Vec<(String, Map<String, Value>)>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header: Value = match lines.next() {
        Some(line) => serde_json::from_str(&line?).unwrap_or(Value::Null),
        None => bail!("{}: empty file, not a Maillage archive", path.display()),
    };
    if header["format"] != FORMAT {
        bail!("{}: not a Maillage archive", path.display());
    }
    if header["version"] != VERSION {
        bail!(
            "{}: archive format version {}, this maillage reads version {VERSION}",
            path.display(),
            header["version"]
        );
    }
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line?;
        let v: Value = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}: line {} is not JSON (a truncated file?)",
                path.display(),
                i + 2
            )
        })?;
        if v["end"] == true {
            if v["rows"].as_u64() != Some(rows.len() as u64) {
                bail!("{}: the archive's rows do not add up", path.display());
            }
            return Ok(rows);
        }
        match (v["t"].as_str(), v["r"].as_object()) {
            (Some(t), Some(r)) => rows.push((t.to_string(), r.clone())),
            _ => bail!("{}: line {} is not a row", path.display(), i + 2),
        }
    }
    bail!(
        "{}: the archive has no end: it is truncated",
        path.display()
    )
}

/// Restores the archive at `path` into `db`, which must be empty, for an instance whose
/// domain is `domain`. Returns the number of rows written.
pub async fn import(db: &Db, path: &Path, domain: &str) -> anyhow::Result<usize> {
    let rows = read(path)?;
    if db::archive::row_count(db).await? > 0 {
        bail!("the database is not empty: import into a new one");
    }
    let own = rows
        .iter()
        .filter(|(t, r)| t == "actors" && (r["local"] == true || r["local"] == 1))
        .filter_map(|(_, r)| r["ap_id"].as_str())
        .next()
        .context("the archive has no centre")?;
    let host = url::Url::parse(own)
        .map(|u| crate::federation::objects::actor::authority(&u))
        .unwrap_or_default();
    if host != domain {
        bail!("the archive is of the centre {own}: set domain = \"{host}\" to import it");
    }
    db::archive::write_all(db, &rows).await?;
    Ok(rows.len())
}
