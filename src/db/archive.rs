//! Whole tables as JSON rows, for `maillage export` and `maillage import`: read from one
//! consistent snapshot of a live database, written into an empty one on either backend.
//! Values keep their meaning across backends: integers, reals, text, `null`, booleans
//! (integers in SQLite, `BOOLEAN` in PostgreSQL) and bytes (`{"$bytes": base64}`).

use super::Db;
use anyhow::Context;
use base64::Engine;
use serde_json::{Map, Value, json};
use sqlx::{Column, Row, TypeInfo, ValueRef};

/// Every table, parents before children (the order rows are written back in).
pub const TABLES: &[&str] = &[
    "actors",
    "posts",
    "follows",
    "followers",
    "outgoing_activities",
    "deliveries",
    "received_activities",
    "api_tokens",
    "hosts",
    "post_tags",
    "users",
    "sessions",
    "setup_tokens",
    "media",
    "notifications",
    "domain_blocks",
    "health_checks",
    "settings",
    "statements",
    "statement_versions",
    "statement_invitations",
    "statement_signatures",
    "invitations",
    "signatures",
    "domain_allows",
    "reactions",
    "reports",
    "participants",
    "participations",
];

fn bytes(b: &[u8]) -> Value {
    json!({"$bytes": base64::engine::general_purpose::STANDARD.encode(b)})
}

fn sqlite_row(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        let v = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => json!(row.try_get::<i64, _>(i)?),
                "REAL" => json!(row.try_get::<f64, _>(i)?),
                "BLOB" => bytes(&row.try_get::<Vec<u8>, _>(i)?),
                _ => json!(row.try_get::<String, _>(i)?),
            }
        };
        out.insert(col.name().to_string(), v);
    }
    Ok(out)
}

fn pg_row(row: &sqlx::postgres::PgRow) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        let v = if raw.is_null() {
            Value::Null
        } else {
            match col.type_info().name() {
                "INT8" => json!(row.try_get::<i64, _>(i)?),
                "INT4" => json!(row.try_get::<i32, _>(i)?),
                "INT2" => json!(row.try_get::<i16, _>(i)?),
                "BOOL" => json!(row.try_get::<bool, _>(i)?),
                "FLOAT8" => json!(row.try_get::<f64, _>(i)?),
                "BYTEA" => bytes(&row.try_get::<Vec<u8>, _>(i)?),
                _ => json!(row.try_get::<String, _>(i)?),
            }
        };
        out.insert(col.name().to_string(), v);
    }
    Ok(out)
}

/// Calls `each(table, row)` for every row of every table, from one snapshot.
pub async fn read_all(
    db: &Db,
    mut each: impl FnMut(&str, Map<String, Value>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match db {
        Db::Sqlite { reader, .. } => {
            let mut tx = reader.begin().await.context("starting the export")?;
            for t in TABLES {
                let rows = sqlx::query(&format!("SELECT * FROM {t} ORDER BY 1"))
                    .fetch_all(&mut *tx)
                    .await
                    .with_context(|| format!("reading {t}"))?;
                for r in &rows {
                    each(t, sqlite_row(r)?)?;
                }
            }
            tx.rollback().await.ok();
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await.context("starting the export")?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            for t in TABLES {
                let rows = sqlx::query(&format!("SELECT * FROM {t} ORDER BY 1"))
                    .fetch_all(&mut *tx)
                    .await
                    .with_context(|| format!("reading {t}"))?;
                for r in &rows {
                    each(t, pg_row(r)?)?;
                }
            }
            tx.rollback().await.ok();
        }
    }
    Ok(())
}

/// How many rows the tables hold (an import needs an empty database).
pub async fn row_count(db: &Db) -> anyhow::Result<i64> {
    let mut n = 0;
    for t in ["actors", "posts", "users"] {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        n += match db {
            Db::Sqlite { reader, .. } => {
                sqlx::query_scalar::<_, i64>(&sql).fetch_one(reader).await?
            }
            Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await?,
        };
    }
    Ok(n)
}

fn decode_bytes(v: &Value) -> Option<anyhow::Result<Vec<u8>>> {
    let b64 = v.as_object()?.get("$bytes")?.as_str()?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .context("bytes that are not base64"),
    )
}

/// Writes every row in one transaction: all of them or, on the first error, none.
pub async fn write_all(db: &Db, rows: &[(String, Map<String, Value>)]) -> anyhow::Result<()> {
    match db {
        Db::Sqlite { writer, .. } => {
            let mut tx = writer.begin().await?;
            for (t, row) in rows {
                if !TABLES.contains(&t.as_str()) {
                    anyhow::bail!("{t}: not a table of this version");
                }
                let cols: Vec<&String> = row.keys().collect();
                let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO {t} ({}) VALUES ({})",
                    cols.iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for c in &cols {
                    let v = &row[c.as_str()];
                    q = match v {
                        Value::Null => q.bind(None::<String>),
                        Value::Bool(b) => q.bind(*b),
                        Value::Number(n) if n.is_i64() => q.bind(n.as_i64()),
                        Value::Number(n) => q.bind(n.as_f64()),
                        Value::String(s) => q.bind(s.clone()),
                        other => match decode_bytes(other) {
                            Some(b) => q.bind(b?),
                            None => anyhow::bail!("{t}.{c}: a value of unknown shape"),
                        },
                    };
                }
                q.execute(&mut *tx)
                    .await
                    .with_context(|| format!("writing a row of {t}"))?;
            }
            tx.commit().await?;
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let mut known = std::collections::HashMap::new();
            for t in TABLES {
                known.insert(t.to_string(), pg_column_types(&mut tx, t).await?);
            }
            for (t, row) in rows {
                let types = known
                    .get(t)
                    .with_context(|| format!("{t}: not a table of this version"))?;
                let cols: Vec<&String> = row.keys().collect();
                let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO {t} ({}) OVERRIDING SYSTEM VALUE VALUES ({})",
                    cols.iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for c in &cols {
                    let v = &row[c.as_str()];
                    let ty = types
                        .iter()
                        .find(|(n, _)| n == c.as_str())
                        .map(|(_, ty)| ty.as_str())
                        .with_context(|| format!("{t}.{c}: no such column"))?;
                    q = match (ty, v) {
                        ("boolean", Value::Null) => q.bind(None::<bool>),
                        ("bigint", Value::Null) => q.bind(None::<i64>),
                        ("bytea", Value::Null) => q.bind(None::<Vec<u8>>),
                        (_, Value::Null) => q.bind(None::<String>),
                        ("boolean", Value::Bool(b)) => q.bind(*b),
                        ("boolean", Value::Number(n)) => q.bind(n.as_i64() != Some(0)),
                        ("bigint", Value::Number(n)) => q.bind(n.as_i64()),
                        ("bytea", other) => match decode_bytes(other) {
                            Some(b) => q.bind(b?),
                            None => anyhow::bail!("{t}.{c}: expected bytes"),
                        },
                        (_, Value::String(s)) => q.bind(s.clone()),
                        (_, Value::Number(n)) => q.bind(n.as_f64()),
                        (ty, _) => anyhow::bail!("{t}.{c}: a value that is not a {ty}"),
                    };
                }
                q.execute(&mut *tx)
                    .await
                    .with_context(|| format!("writing a row of {t}"))?;
            }
            // Identity columns continue after the imported ids.
            for t in TABLES {
                let has_id = known
                    .get(*t)
                    .is_some_and(|cols| cols.iter().any(|(n, _)| n == "id"));
                if has_id {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                         COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
                    ))
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("resetting the ids of {t}"))?;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

async fn pg_column_types(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?)
}
