//! PDF documents (invoices, credit notes, quotes) laid out in Rust from
//! [`seam_domain::invoice::InvoiceDocument`] and
//! [`seam_domain::quote::QuoteDocument`]. Parties, lines and the VAT
//! breakdown reach every template as the same JSON (`parts.rs`).
//!
//! Layout is done by the Typst compiler, linked as a library: no external
//! program runs. Each document kind is a Typst template, a text file under
//! `templates/` embedded with `include_str!`. The data reaches the template
//! as one JSON string in `sys.inputs.data`, which the template decodes with
//! `json(bytes(sys.inputs.data))`; user text is never pasted into markup, so
//! a description like `#panic()` or `*bold*` prints as typed.
//!
//! Amounts, rates and dates are formatted here, in Rust, with
//! [`seam_domain::locale`], so the templates only place strings.
//!
//! Fonts are the ones `typst-assets` bundles (Libertinus Serif, New Computer
//! Modern, DejaVu Sans Mono), embedded in the binary and parsed once per
//! process. Templates must not read files, packages or the current date.
//!
//! Invariant: no public function panics; a panic inside the compiler is
//! caught and returned as [`PdfError::Internal`].
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

mod invoice;
mod parts;
mod payslip;
mod quote;
mod world;

pub use invoice::{INVOICE_TEMPLATE, invoice_data, invoice_pdf};
pub use payslip::{PAYSLIP_TEMPLATE, PayslipDocument, payslip_data, payslip_pdf};
pub use quote::{QUOTE_TEMPLATE, quote_data, quote_pdf};
pub use world::render;

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// The template did not compile, or failed on the data given; one
    /// message per Typst error, with the template line where known.
    Template(Vec<String>),
    /// The laid-out document could not be written as PDF.
    Export(Vec<String>),
    /// The compiler itself failed (a bug in it); the document was not made.
    Internal(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Template(errors) => write!(f, "PDF template error: {}", errors.join("; ")),
            PdfError::Export(errors) => write!(f, "PDF export error: {}", errors.join("; ")),
            PdfError::Internal(message) => write!(f, "PDF renderer failed: {message}"),
        }
    }
}

impl std::error::Error for PdfError {}
