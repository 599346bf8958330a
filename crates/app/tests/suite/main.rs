//! The use cases end to end on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL,
//! one module per capability, linked into one test binary to keep the build small.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;
#[path = "common/smtp.rs"]
mod smtp;

mod app;
mod appointments;
mod crm;
mod csat_link;
mod customer_view;
mod einvoice;
mod fulfilment;
mod generate;
mod helpdesk;
mod hr;
mod invoicing;
mod it;
mod jobs;
mod knowledge;
mod ledger;
mod marketing;
mod payroll;
mod portal;
mod price_lists;
mod products;
mod properties;
mod quotes;
mod reception;
mod sales;
mod service;
mod sla;
mod stock;
mod stock_count;
mod ticket_mail;
