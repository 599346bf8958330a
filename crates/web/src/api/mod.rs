//! The JSON API under `/api/v1`: the same use cases as the pages, for
//! integrators. Errors are problem+json; every POST honours `Idempotency-Key`.

pub mod appointments;
pub mod crm;
pub mod docs;
pub mod helpdesk;
pub mod hr;
pub mod idempotency;
pub mod invoices;
pub mod it;
pub mod json;
pub mod knowledge;
pub mod ledger;
pub mod marketing;
pub mod misc;
pub mod parties;
pub mod payroll;
pub mod portal;
pub mod price_lists;
pub mod problem;
pub mod products;
pub mod quotes;
pub mod reception;
pub mod sales;
pub mod sla;
pub mod stock;
pub mod ticket_mail;
pub mod tickets;

/// Rows per page when a list request names no `limit`.
pub const PAGE_LIMIT_DEFAULT: i64 = 50;

/// A list request's `limit`: the default when absent, and a field error
/// unless it lies between 1 and the store's page-size limit.
pub fn page_limit(limit: Option<i64>, errors: &mut seam_domain::FieldErrors) -> i64 {
    let limit = limit.unwrap_or(PAGE_LIMIT_DEFAULT);
    if !(1..=seam_app::parties::PAGE_SIZE_MAX).contains(&limit) {
        errors.add("limit", "error-limit");
    }
    limit
}

/// Timestamps leave the API as RFC 3339 in UTC.
pub fn rfc3339(at_us: i64) -> String {
    jiff::Timestamp::from_microsecond(at_us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
