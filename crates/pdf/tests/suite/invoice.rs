//! Renders whole invoices and credit notes and reads their text back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Instant;

use seam_domain::invoice::{
    DocumentKind, DocumentLine, DocumentParty, DocumentVat, InvoiceDocument,
};
use seam_pdf::{PdfError, invoice_pdf, render};

fn party(name: &str, country: &str) -> DocumentParty {
    DocumentParty {
        name: name.into(),
        vat_id: format!("{country}556677889901"),
        legal_id: "556677-8899".into(),
        street: "Storgatan 1".into(),
        city: "Malmö".into(),
        postcode: "211 22".into(),
        country: country.into(),
        email: "billing@example.com".into(),
    }
}

/// An invoice of `n` lines at €12.50 × 2, 25% VAT, except the last line,
/// which is exempt; every amount adds up.
fn invoice(n: i64) -> InvoiceDocument {
    let mut lines: Vec<DocumentLine> = (1..=n)
        .map(|i| DocumentLine {
            line_no: i,
            description: if i == 1 {
                "Åsa Kaffe ñ".into()
            } else {
                format!("Widget model {i}")
            },
            sku: format!("SKU-{i:04}"),
            qty: 2,
            unit_code: "C62".into(),
            unit_price_minor: 1250,
            line_net_minor: 2500,
            vat_category: "S".into(),
            vat_basis_points: 2500,
        })
        .collect();
    if let Some(last) = lines.last_mut() {
        last.vat_category = "E".into();
        last.vat_basis_points = 0;
        last.unit_code = "HUR".into();
    }
    let standard_base = 2500 * (n - 1);
    let standard_vat = standard_base / 4;
    let net = 2500 * n;
    let total = net + standard_vat;
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: "INV-2026-000042".into(),
        issue_date: "2026-11-23".into(),
        due_date: "2026-12-23".into(),
        delivery_date: "2026-11-20".into(),
        currency: "EUR".into(),
        seller: party("Seam Trading AB", "SE"),
        buyer: party("Kund & Co <Ltd> #1 *bold*", "ES"),
        order_reference: "SO-2026-000007".into(),
        preceding_invoice: None,
        lines,
        vat: vec![
            DocumentVat {
                vat_category: "S".into(),
                vat_basis_points: 2500,
                base_minor: standard_base,
                vat_minor: standard_vat,
                exemption_reason: String::new(),
            },
            DocumentVat {
                vat_category: "E".into(),
                vat_basis_points: 0,
                base_minor: 2500,
                vat_minor: 0,
                exemption_reason: "Exempt under Article 132 of Directive 2006/112/EC".into(),
            },
        ],
        net_minor: net,
        vat_minor: standard_vat,
        total_minor: total,
        paid_minor: 1000,
        due_minor: total - 1000,
        payment_terms: "Net 30 days".into(),
        seller_iban: "SE4550000000058398257466".into(),
        note: "Thank you for your business.".into(),
    }
}

/// The text of a PDF, with white space collapsed so that words split across
/// text runs still compare. With `SEAM_PDF_DUMP=<dir>` set, the PDF is also
/// written there to look at.
fn text_of(pdf: &[u8]) -> String {
    if let Ok(dir) = std::env::var("SEAM_PDF_DUMP") {
        let name = format!("{dir}/{}.pdf", pdf.len());
        std::fs::write(name, pdf).unwrap();
    }
    let text = pdf_extract::extract_text_from_mem(pdf).expect("extract text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn page_count(pdf: &[u8]) -> usize {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .expect("extract pages")
        .len()
}

#[test]
fn sixty_line_invoice_runs_onto_a_second_page() {
    let doc = invoice(60);
    let started = Instant::now();
    let pdf = invoice_pdf(&doc).unwrap();
    let first = started.elapsed();
    let started = Instant::now();
    let again = invoice_pdf(&doc).unwrap();
    let same = started.elapsed();
    let mut other = invoice(59);
    other.number = "INV-2026-000043".into();
    let started = Instant::now();
    invoice_pdf(&other).unwrap();
    let different = started.elapsed();
    println!(
        "invoice of 60 lines: {} bytes; first render {first:?} (fonts parsed), \
         same again {same:?}, another invoice {different:?}",
        pdf.len()
    );
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, again, "rendering is deterministic");

    let pages = page_count(&pdf);
    assert!(pages >= 2, "{pages} pages");
    let text = text_of(&pdf);
    assert!(text.contains("INV-2026-000042"), "{text}");
    assert!(text.contains("Åsa Kaffe ñ"), "{text}");
    assert!(text.contains("Widget model 60"), "{text}");
    // 59 × €25.00 at 25% = €368.75 VAT; total €1,500.00 + €368.75.
    assert!(text.contains("€1,868.75"), "{text}");
    assert!(text.contains("€1,858.75"), "amount due: {text}");
    assert!(text.contains("Article 132"), "exemption reason: {text}");
    assert!(text.contains("SE45 5000 0000 0583 9825 7466"), "{text}");
    // User text is printed as typed, not read as markup.
    assert!(text.contains("Kund & Co <Ltd> #1 *bold*"), "{text}");
    // The table header is repeated on the second page.
    let by_page = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    for (i, page) in by_page.iter().enumerate() {
        assert!(page.contains("Unit price"), "page {}: {page}", i + 1);
    }
}

#[test]
fn credit_note_names_the_invoice_it_corrects() {
    let mut doc = invoice(3);
    doc.kind = DocumentKind::CreditNote;
    doc.number = "CN-2026-000003".into();
    doc.preceding_invoice = Some(("INV-2026-000042".into(), "2026-11-23".into()));
    doc.paid_minor = 0;
    doc.due_minor = doc.total_minor;
    let pdf = invoice_pdf(&doc).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf), 1);
    let text = text_of(&pdf);
    assert!(text.contains("Credit note"), "{text}");
    assert!(text.contains("CN-2026-000003"), "{text}");
    assert!(text.contains("Corrects invoice"), "{text}");
    assert!(text.contains("INV-2026-000042 of Nov 23, 2026"), "{text}");
    assert!(text.contains("Åsa Kaffe ñ"), "{text}");
    // 2 × €25.00 at 25% + €25.00 exempt.
    assert!(text.contains("€87.50"), "{text}");
}

#[test]
fn an_empty_document_still_renders() {
    let doc = InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: String::new(),
        issue_date: String::new(),
        due_date: String::new(),
        delivery_date: String::new(),
        currency: String::new(),
        seller: DocumentParty::default(),
        buyer: DocumentParty::default(),
        order_reference: String::new(),
        preceding_invoice: None,
        lines: vec![],
        vat: vec![],
        net_minor: 0,
        vat_minor: 0,
        total_minor: 0,
        paid_minor: 0,
        due_minor: 0,
        payment_terms: String::new(),
        seller_iban: String::new(),
        note: String::new(),
    };
    let pdf = invoice_pdf(&doc).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn another_template_renders_with_its_own_data() {
    let template = "#let data = json(bytes(sys.inputs.data))\n= Quote #data.number\n#for l in data.lines [- #l]";
    let pdf = render(
        template,
        &serde_json::json!({"number": "Q-2026-000001", "lines": ["Första", "Second"]}),
    )
    .unwrap();
    let text = text_of(&pdf);
    assert!(text.contains("Quote Q-2026-000001"), "{text}");
    assert!(text.contains("Första"), "{text}");

    let err = render(
        "#let data = json(bytes(sys.inputs.data))\n#data.missing",
        &serde_json::json!({}),
    )
    .unwrap_err();
    assert!(matches!(err, PdfError::Template(_)), "{err:?}");
    assert!(err.to_string().contains("missing"), "{err}");
}
