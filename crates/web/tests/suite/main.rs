//! The web layer end to end, in-process, on both backends, one module per
//! capability, linked into one test binary to keep the build small.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;

mod api_invoices;
mod appointments;
mod crm;
mod crm_api;
mod helpdesk;
mod hr;
mod invoices;
mod it;
mod knowledge;
mod ledger;
mod marketing;
mod portal;
mod price_lists;
mod products;
mod quote_pdf;
mod quotes;
mod reception;
mod sales;
mod stock;
mod ticket_mail;
mod web;
