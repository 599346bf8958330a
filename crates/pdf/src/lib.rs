//! PDF documents (invoices, credit notes, quotes) laid out in Rust from
//! [`seam_domain::invoice::InvoiceDocument`].
