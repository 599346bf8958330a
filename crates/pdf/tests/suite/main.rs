//! Rendered documents read back, one module per document kind, in one test binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod invoice;
mod quote;
