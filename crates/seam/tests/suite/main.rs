//! The `seam` binary driven as a user or an operator would, one module per
//! command family, linked into one test binary to keep the build small.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bench_support;
#[path = "../../../app/tests/suite/common/smtp.rs"]
mod smtp;

mod bench;
mod bench_http;
mod bench_scenarios;
mod bench_sizes;
mod cli;
mod cli_crm;
mod cli_hr;
mod cli_invoices;
mod cli_marketing;
mod durability;
mod invoice_email;
mod price_list_cli;
mod two_nodes;
