//! The JSON API under `/api/v1`: the same use cases as the pages, for
//! integrators. Errors are problem+json; every POST honours `Idempotency-Key`.

pub mod docs;
pub mod idempotency;
pub mod json;
pub mod ledger;
pub mod misc;
pub mod parties;
pub mod problem;
pub mod products;
pub mod sales;
pub mod stock;

/// Timestamps leave the API as RFC 3339 in UTC.
pub fn rfc3339(at_us: i64) -> String {
    jiff::Timestamp::from_microsecond(at_us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
