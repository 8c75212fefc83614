//! What the server's test files share.

/// The databases to run on: SQLite always, PostgreSQL when the test script started one
/// (`CREDITDESK_TEST_PG`); `CREDITDESK_REQUIRE_PG` makes its absence a failure.
pub fn databases() -> Vec<&'static str> {
    let mut v = vec!["sqlite"];
    if std::env::var("CREDITDESK_TEST_PG").is_ok() {
        v.push("postgres");
    } else if std::env::var("CREDITDESK_REQUIRE_PG").is_ok() {
        panic!("CREDITDESK_REQUIRE_PG is set but CREDITDESK_TEST_PG is not");
    }
    v
}
