//! Invoices and credit notes: the document model turned into the JSON the
//! invoice template reads, with every amount, rate and date already written
//! out for the reader.

use seam_domain::invoice::{DocumentKind, InvoiceDocument};
use serde_json::{Value, json};

use crate::PdfError;
use crate::parts::{LOCALE, date_label, lines, party, vat};

/// The Typst template of invoices and credit notes (`templates/invoice.typ`).
pub const INVOICE_TEMPLATE: &str = include_str!("../templates/invoice.typ");

/// An invoice or credit note as an A4 PDF.
pub fn invoice_pdf(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    crate::render(INVOICE_TEMPLATE, &invoice_data(doc))
}

/// The data the invoice template reads from `sys.inputs.data`: plain
/// strings ready to print (empty when a field is absent).
pub fn invoice_data(doc: &InvoiceDocument) -> Value {
    let money = |minor: i64| LOCALE.money(minor, &doc.currency);
    let preceding = doc.preceding_invoice.as_ref().map(|(number, date)| {
        json!({
            "number": number,
            "date": date_label(date),
        })
    });
    json!({
        "kind": doc.kind.name(),
        "credit_note": doc.kind == DocumentKind::CreditNote,
        "number": doc.number,
        "issue_date": date_label(&doc.issue_date),
        "due_date": date_label(&doc.due_date),
        "delivery_date": date_label(&doc.delivery_date),
        "currency": doc.currency,
        "seller": party(&doc.seller),
        "buyer": party(&doc.buyer),
        "order_reference": doc.order_reference,
        "preceding": preceding,
        "lines": lines(&doc.lines, &doc.currency),
        "vat": vat(&doc.vat, &doc.currency),
        "net": money(doc.net_minor),
        "vat_total": money(doc.vat_minor),
        "total": money(doc.total_minor),
        "paid": money(doc.paid_minor),
        "due": money(doc.due_minor),
        "payment_terms": doc.payment_terms,
        "iban": iban_groups(&doc.seller_iban),
        "note": doc.note,
    })
}

/// An IBAN in groups of four, as printed on paper: `SE45 5000 0000 ...`.
fn iban_groups(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_in_groups() {
        assert_eq!(
            iban_groups("SE4550000000058398257466"),
            "SE45 5000 0000 0583 9825 7466"
        );
        assert_eq!(iban_groups(""), "");
    }
}
