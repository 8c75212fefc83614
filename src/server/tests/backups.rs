//! Backups that keep themselves: the schedule writes one a day (atomically, with its SHA-256),
//! keeps the newest few, and yesterday's restores in the drill, on SQLite and PostgreSQL. A
//! changed or broken file fails the drill and says why.

use creditdesk_domain::demo::DemoLang;
use creditdesk_server::backups::{drill, list, Plan};
use creditdesk_server::clock::Clock;
use creditdesk_server::{start, Config};
use creditdesk_storage::Store;
use std::time::Duration;
mod common;
use common::databases;

/// 2026-06-15 10:00 in Beijing.
const NOW_MS: i64 = 1_781_488_800_000;
const DAY: i64 = 86_400_000;

/// Waits (the backup is written off the engine's thread) until `dir` holds `n` backups and
/// their checksums.
async fn settled(dir: &std::path::Path, newest: &str) {
    let t = std::time::Instant::now();
    while !dir.join(format!("{newest}.sha256")).exists() {
        assert!(t.elapsed() < Duration::from_secs(30), "waited for {newest}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn names(dir: &std::path::Path) -> Vec<String> {
    list(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect()
}

#[tokio::test]
async fn the_schedule_backs_up_daily_keeps_the_newest_and_yesterdays_restores_in_the_drill() {
    for db in databases() {
        let dir = std::env::temp_dir().join(format!("cd-backups-{}", uuid::Uuid::new_v4()));
        let clock = Clock::manual(NOW_MS);
        let url = creditdesk_server::loopback::fresh_database(db).await;
        let running = start(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: url.clone(),
            site: None,
            demo: Some(DemoLang::En),
            demo_password: Some("demo-password".into()),
            session_hours: 12,
            clock: clock.clone(),
            large: false,
            behind_tls: false,
            tick: Duration::ZERO,
            relay: Default::default(),
            backups: Some(Plan {
                dir: dir.clone(),
                keep: 2,
            }),
            lease: creditdesk_server::PRIMARY_LEASE,
        })
        .await
        .expect("server starts");
        running.engine.tick().await.unwrap();
        settled(&dir, "creditdesk-2026-06-15.json").await;
        assert_eq!(names(&dir), ["creditdesk-2026-06-15.json"], "{db}");
        // A second round the same day writes nothing new.
        running.engine.tick().await.unwrap();
        assert_eq!(names(&dir).len(), 1, "{db}");
        for day in ["16", "17"] {
            clock.advance(DAY);
            running.engine.tick().await.unwrap();
            settled(&dir, &format!("creditdesk-2026-06-{day}.json")).await;
        }
        // The oldest goes once the newest is in place.
        let t = std::time::Instant::now();
        while (names(&dir).len() > 2 || dir.join("creditdesk-2026-06-15.json.sha256").exists())
            && t.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            names(&dir),
            ["creditdesk-2026-06-16.json", "creditdesk-2026-06-17.json"],
            "{db}: the newest two are kept"
        );
        assert!(
            dir.join("creditdesk-2026-06-16.json.sha256").exists()
                && !dir.join("creditdesk-2026-06-15.json.sha256").exists(),
            "{db}: each with its checksum, removed with it"
        );
        assert!(
            !std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".tmp")),
            "{db}: no half-written file is left"
        );

        // Yesterday's backup restores: every count as in the live database, the trail verifies.
        let (pool, _) = creditdesk_server::store::open(&url, 1).await.unwrap();
        let live = creditdesk_server::store::SqlStore::new(pool)
            .dump()
            .await
            .unwrap()
            .counts();
        let yesterday = dir.join("creditdesk-2026-06-16.json");
        let d = drill(&yesterday).await.expect("the drill passes");
        assert_eq!(d.restored.customers, live.customers, "{db}");
        assert_eq!(d.restored.invoices, live.invoices, "{db}");
        assert_eq!(d.restored.payments, live.payments, "{db}");
        assert!(
            d.restored.invoices > 1_000 && d.audit_verified > 0,
            "{db}: {d:?}"
        );
        // The command-line drill takes the latest by itself.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditdesk-server"))
            .args(["--data"])
            .arg(&dir)
            .args(["--backup-dir"])
            .arg(&dir)
            .arg("restore-drill")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{db}: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains("restore drill passed") && said.contains("creditdesk-2026-06-17.json"),
            "{db}: {said}"
        );

        // A file changed after it was written fails the drill, naming the checksum.
        let mut bytes = std::fs::read(&yesterday).unwrap();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        std::fs::write(&yesterday, &bytes).unwrap();
        let e = drill(&yesterday).await.unwrap_err();
        assert!(e.contains("SHA-256"), "{db}: {e}");
        // Without its checksum, a broken file still fails: it does not read as a backup.
        std::fs::remove_file(dir.join("creditdesk-2026-06-16.json.sha256")).unwrap();
        std::fs::write(
            &yesterday,
            b"{\"format\":\"creditdesk-backup\",\"schema\":6,\"invoices\":[{\"id\":1}]}",
        )
        .unwrap();
        let e = drill(&yesterday).await.unwrap_err();
        assert!(e.contains("does not read as a backup"), "{db}: {e}");
        running.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
