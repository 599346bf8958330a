//! Seam's business rules as plain data and pure functions: ids, roles and
//! permissions, parties and their validation, products and VAT rates, the
//! password policy, the audit chain's hashing, and locale formatting.
//!
//! Invariant: no IO, no async, no SQL, no wire format (no serde, no axum).
//! Invariant: every rule that can reject input returns field errors naming the
//! field; nothing here panics on user input.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::todo
)]
// Tests state their expectations with unwrap and indexing; a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod access;
pub mod appointment;
pub mod audit;
pub mod crm;
pub mod error;
pub mod hr;
pub mod ids;
pub mod invoice;
pub mod it;
pub mod knowledge;
pub mod ledger;
pub mod locale;
pub mod marketing;
pub mod party;
pub mod password;
pub mod payroll;
pub mod price_list;
pub mod product;
pub mod quote;
pub mod reception;
pub mod sales;
pub mod service;
pub mod service_mail;
pub mod sla;
pub mod stock;

pub use error::{FieldError, FieldErrors};
