//! Renders quotes and reads their text back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_domain::invoice::{DocumentLine, DocumentParty, DocumentVat};
use seam_domain::quote::QuoteDocument;
use seam_pdf::quote_pdf;

fn party(name: &str, country: &str) -> DocumentParty {
    DocumentParty {
        name: name.into(),
        vat_id: format!("{country}556677889901"),
        legal_id: String::new(),
        street: "Storgatan 1".into(),
        city: "Malmö".into(),
        postcode: "211 22".into(),
        country: country.into(),
        email: "sales@example.com".into(),
    }
}

/// Two lines: 3 h of consulting at €80.00 and 2 widgets at €12.50, 25% VAT.
fn quote() -> QuoteDocument {
    let line =
        |no: i64, description: &str, sku: &str, qty: i64, unit: &str, price: i64| DocumentLine {
            line_no: no,
            description: description.into(),
            sku: sku.into(),
            qty,
            unit_code: unit.into(),
            unit_price_minor: price,
            line_net_minor: qty * price,
            vat_category: "S".into(),
            vat_basis_points: 2500,
        };
    QuoteDocument {
        number: "QU-2026-000007".into(),
        quote_date: "2026-03-02".into(),
        valid_until: "2026-04-01".into(),
        currency: "EUR".into(),
        seller: party("Seam Trading AB", "SE"),
        buyer: party("Kund & Co <Ltd> *bold*", "ES"),
        lines: vec![
            line(1, "Installation on site", "SVC-INSTALL", 3, "HUR", 8000),
            line(2, "Widget model Å", "W-1", 2, "C62", 1250),
        ],
        vat: vec![DocumentVat {
            vat_category: "S".into(),
            vat_basis_points: 2500,
            base_minor: 26_500,
            vat_minor: 6625,
            exemption_reason: String::new(),
        }],
        net_minor: 26_500,
        vat_minor: 6625,
        total_minor: 33_125,
        note: "Prices include delivery.".into(),
    }
}

fn text_of(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("extract text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_quote_shows_its_number_customer_lines_total_and_validity() {
    let doc = quote();
    let pdf = quote_pdf(&doc).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, quote_pdf(&doc).unwrap(), "rendering is deterministic");
    let text = text_of(&pdf);
    assert!(text.contains("Quote"), "{text}");
    assert!(text.contains("QU-2026-000007"), "{text}");
    // User text is printed as typed, not read as markup.
    assert!(text.contains("Kund & Co <Ltd> *bold*"), "{text}");
    assert!(text.contains("Installation on site"), "{text}");
    assert!(text.contains("Widget model Å"), "{text}");
    assert!(text.contains("€331.25"), "total: {text}");
    assert!(text.contains("Valid until"), "{text}");
    assert!(
        text.contains("This quote is valid until Apr 1, 2026."),
        "{text}"
    );
    assert!(text.contains("Prices include delivery."), "{text}");
    // A quote asks for no payment.
    assert!(!text.contains("Amount due"), "{text}");
    assert!(!text.contains("IBAN"), "{text}");
}

#[test]
fn an_empty_quote_still_renders() {
    let doc = QuoteDocument {
        number: String::new(),
        quote_date: String::new(),
        valid_until: String::new(),
        currency: String::new(),
        seller: DocumentParty::default(),
        buyer: DocumentParty::default(),
        lines: vec![],
        vat: vec![],
        net_minor: 0,
        vat_minor: 0,
        total_minor: 0,
        note: String::new(),
    };
    assert!(quote_pdf(&doc).unwrap().starts_with(b"%PDF-"));
}
