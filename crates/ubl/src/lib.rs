//! UBL 2.1 invoices and credit notes conforming to EN 16931, written from
//! [`seam_domain::invoice::InvoiceDocument`].
