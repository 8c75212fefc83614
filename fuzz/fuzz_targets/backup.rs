//! A backup file as the restore screen reads it: `backup::parse` (every record checked, older
//! schemas migrated). Nothing may panic; a refused file names at least one problem, each with
//! a documented code; an accepted file is canonical after one export (exported again, it reads
//! back to the same dump and the same bytes); and merging it into an empty book or into itself
//! does not panic.
#![no_main]

use creditdesk_storage::backup::{merge, parse, to_json, BackupCode, Dump, MAX_PROBLEMS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // The app reads the file as text (the browser's File.text(): malformed UTF-8 becomes U+FFFD).
    let text = String::from_utf8_lossy(bytes);
    match parse(&text) {
        Err((problems, count)) => {
            assert!(!problems.is_empty() && count >= problems.len());
            assert!(problems.len() <= MAX_PROBLEMS);
            assert!(problems.iter().all(|p| BackupCode::ALL.contains(&p.code)));
        }
        Ok(backup) => {
            let exported = to_json(&backup.dump);
            let again = match parse(&exported) {
                Ok(b) => b,
                Err(e) => panic!("an accepted backup, exported, is refused: {e:?}\n{exported}"),
            };
            assert_eq!(
                to_json(&again.dump),
                exported,
                "a second export differs from the first"
            );
            assert_eq!(
                again.dump, backup.dump,
                "the export reads back to another dump"
            );
            let _ = merge(&Dump::default(), &backup.dump);
            let _ = merge(&backup.dump, &backup.dump);
        }
    }
});
