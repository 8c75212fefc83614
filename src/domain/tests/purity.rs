//! The domain's purity, enforced: it names no browser crate and never reads the clock.
//! (A test that reads the source: the rule is about what the code says, so the code is the input.)

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// Forbidden words: browser crates and every way Rust reads the clock.
const FORBIDDEN: &[&str] = &[
    "leptos",
    "web_sys",
    "js_sys",
    "rexie",
    "gloo",
    "wasm_bindgen",
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "chrono::",
    "time::OffsetDateTime",
];

fn offences(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for word in FORBIDDEN {
            if code.contains(word) {
                found.push(format!("line {}: {word}", n + 1));
            }
        }
    }
    found
}

#[test]
fn the_domain_never_names_a_browser_crate_or_reads_the_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(files.len() >= 5, "the walk found the sources");
    let mut all = Vec::new();
    for (path, text) in files {
        for o in offences(&text) {
            all.push(format!("{path} {o}"));
        }
    }
    assert!(
        all.is_empty(),
        "the domain must stay pure:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_domain_manifest_has_no_browser_dependency() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or("");
    let deps = deps.split("\n[").next().unwrap_or("");
    for word in [
        "leptos",
        "web-sys",
        "js-sys",
        "rexie",
        "gloo",
        "wasm-bindgen",
        "chrono",
        "time",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(word)),
            "{word} in the domain's dependencies"
        );
    }
}

#[test]
fn the_purity_check_catches_a_clock_read() {
    // The checker itself must be able to fail.
    assert_eq!(offences("let now = std::time::SystemTime::now();").len(), 1);
    assert_eq!(offences("use leptos::prelude::*;").len(), 1);
    assert!(offences("// SystemTime is mentioned in a comment only").is_empty());
}
