//! The network feed with many stored posts: the library call, and over HTTP against a
//! `maillage serve` process on that database (first page, following `next`, deep pages).

use super::{
    common::{
        Server, cpu_secs, free_port, log_summary, loopback_client, ms, now_ms, percentiles,
        thread_ticks, thread_usage, vm_mib,
    },
    inbox::SENDERS,
    senders::{instance_env, prepare_db, sqlite_url},
};
use maillage::{
    db::{self, posts::Cursor},
    integrity::keys::PrivateKey,
};
use serde_json::Value;
use std::time::Instant;

type StatusCode = reqwest::StatusCode;

pub async fn run(rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("maillage.db");
    let port = free_port();
    let env = instance_env(port, &sqlite_url(&db_path));
    // The senders are never fetched here: any origin on loopback does.
    let origin = "http://localhost:9";
    let (_, public) = PrivateKey::generate().unwrap();
    let (db, ids, token) = prepare_db(&env, origin, &[public], SENDERS).await;

    let filler = "Retour d’expérience sur la rénovation urbaine, la participation des habitants \
                  et la gestion urbaine de proximité dans les quartiers prioritaires de la \
                  politique de la ville ; compte rendu de la journée d’échanges du réseau. ";
    let base = now_ms() - rows as i64 * 1000;
    let batch = 20_000;
    let t = Instant::now();
    let mut done = 0;
    while done < rows {
        let mut tx = db.begin().await.unwrap();
        let end = (done + batch).min(rows);
        for i in done..end {
            let a = i % SENDERS;
            let ap_id = format!("{origin}/actors/{a}/notes/{i}");
            let mut content = format!("<p>Publication {i} : {filler}</p>");
            content.truncate(300);
            let published = base + i as i64 * 1000;
            db::posts::upsert_remote(
                tx.exec(),
                &db::posts::PostWrite {
                    ap_id: &ap_id,
                    public_id: None,
                    actor_id: ids[a],
                    kind: "Note",
                    visibility: "public",
                    name: None,
                    summary: None,
                    content: &content,
                    url: None,
                    in_reply_to: None,
                    published,
                    updated: published,
                    local: false,
                    data: "{}",
                    start_at: None,
                    end_at: None,
                    timezone: None,
                    event_status: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        done = end;
    }
    let insert = t.elapsed();
    let size_mib = ["maillage.db", "maillage.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len() as f64 / 1048576.0)
        .sum::<f64>();
    println!(
        "feed: inserted {rows} posts from {SENDERS} followed centres in {:.1} s ({:.0} rows/s, transactions of {batch}); database {size_mib:.0} MiB",
        insert.as_secs_f64(),
        rows as f64 / insert.as_secs_f64()
    );

    // (a) The library call.
    let first = db::posts::feed(db.read(), Cursor::START, 50).await.unwrap();
    let mut lat = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let t = Instant::now();
        let rows = db::posts::feed(db.read(), Cursor::START, 50).await.unwrap();
        lat.push(t.elapsed());
        assert_eq!(rows.len(), first.len());
    }
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (library, first page of 50, 1000 calls): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms ({} rows per page)",
        first.len()
    );
    let mut deep = Vec::new();
    for pct in [50usize, 99] {
        let k = rows - rows * pct / 100;
        let cursor = Cursor {
            published: base + k as i64 * 1000,
            id: i64::MAX,
        };
        let mut l = Vec::new();
        let mut got = 0;
        for _ in 0..100 {
            let t = Instant::now();
            got = db::posts::feed(db.read(), cursor, 50).await.unwrap().len();
            l.push(t.elapsed());
        }
        let (p50, _, _) = percentiles(&mut l);
        deep.push(format!("{pct}% deep p50 {p50:.2} ms ({got} rows)"));
    }
    println!(
        "feed (library, deep pages, 100 calls each): {}",
        deep.join(", ")
    );
    db.close().await;

    // (b) Over HTTP, against a server process on that database.
    let log = dir.path().join("server-feed.log");
    let (server, startup) = Server::maillage(&env, port, log).await;
    let pid = server.pid();
    println!(
        "server: started on the {rows}-post database in {:.0} ms, idle RSS {:.1} MiB",
        ms(startup),
        vm_mib(pid, "VmRSS:")
    );
    let client = loopback_client(port);
    let get = |query: String| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let t = Instant::now();
            let res = client
                .get(format!("http://localhost:{port}/api/v1/feed?{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body = res.bytes().await.unwrap();
            (t.elapsed(), status, body)
        }
    };
    let (_, status, body) = get("limit=50".into()).await;
    let page: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    println!(
        "feed (HTTP): first page {status}, {} items, {} bytes",
        page["items"].as_array().map_or(0, Vec::len),
        body.len()
    );
    let cpu0 = cpu_secs(pid);
    let threads0 = thread_ticks(pid);
    let mut lat = Vec::with_capacity(1000);
    let mut non200 = 0;
    let started = Instant::now();
    for _ in 0..1000 {
        let (d, status, _) = get("limit=50".into()).await;
        lat.push(d);
        if status != 200 {
            non200 += 1;
        }
    }
    let wall = started.elapsed();
    let cpu = cpu_secs(pid) - cpu0;
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (HTTP GET /api/v1/feed?limit=50, 1000 sequential): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, {:.0} req/s, {:.0} µs server CPU/request, non-200: {non200}",
        1000.0 / wall.as_secs_f64(),
        cpu / 1000.0 * 1e6
    );
    println!(
        "feed (HTTP): server threads, cores used: {}",
        thread_usage(&threads0, &thread_ticks(pid), wall)
    );

    // Walking the `next` cursor from the top.
    let mut next = page["next"].as_str().map(str::to_string);
    let mut lat = Vec::new();
    let mut items = page["items"].as_array().map_or(0, Vec::len);
    let mut walked = 1;
    while walked < 200
        && let Some(cursor) = next.take()
    {
        let (d, status, body) = get(format!("limit=50&before={cursor}")).await;
        lat.push(d);
        walked += 1;
        if status != 200 {
            println!("feed (HTTP): next page answered {status}");
            break;
        }
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        items += v["items"].as_array().map_or(0, Vec::len);
        next = v["next"].as_str().map(str::to_string);
    }
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (HTTP, following `next` for {walked} pages, {items} items): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
    );

    // Deep pages: cursors (in the API's PUBLISHED_ID form) far down the feed.
    let mut deep = Vec::new();
    for pct in [10usize, 50, 90, 100] {
        let k = (rows - rows * pct / 100).max(25);
        let cursor = format!("{}_{}", base + k as i64 * 1000, i64::MAX);
        let mut l = Vec::new();
        let mut last = (StatusCode::default(), 0, false);
        for _ in 0..20 {
            let (d, status, body) = get(format!("limit=50&before={cursor}")).await;
            l.push(d);
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            last = (
                status,
                v["items"].as_array().map_or(0, Vec::len),
                v["next"].is_string(),
            );
        }
        let (p50, p99, _) = percentiles(&mut l);
        deep.push(format!(
            "{pct}% deep: p50 {p50:.2} ms, p99 {p99:.2} ms ({} {} items, next {})",
            last.0.as_u16(),
            last.1,
            if last.2 { "present" } else { "absent" }
        ));
    }
    for d in deep {
        println!("feed (HTTP, 20 requests per depth) {d}");
    }
    println!(
        "server: RSS after feed requests {:.1} MiB, peak {:.1} MiB",
        vm_mib(pid, "VmRSS:"),
        vm_mib(pid, "VmHWM:")
    );
    let log_text = server.log_text();
    let (stop, exit) = server.terminate();
    println!("server: SIGTERM to exit in {:.0} ms ({exit})", ms(stop));
    println!("server log: {}", log_summary(&log_text));
}
