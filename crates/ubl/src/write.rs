//! The UBL 2.1 elements, in the order the OASIS schema requires. Runs after
//! [`crate::check`], so it only decides what to show, never whether the
//! document is valid.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use seam_domain::invoice::{DocumentKind, DocumentParty, InvoiceDocument};

use crate::check::Facts;
use crate::{CUSTOMIZATION_ID, UblError, VatCategory, amount_text, decimal};

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// UNTDID 1001: commercial invoice.
const INVOICE_TYPE_CODE: &str = "380";
/// UNTDID 1001: credit note.
const CREDIT_NOTE_TYPE_CODE: &str = "381";
/// UNTDID 4461: credit transfer.
const CREDIT_TRANSFER: &str = "30";
/// EAS scheme of an electronic address that is an email address.
const EMAIL_SCHEME: &str = "EM";

/// A quick-xml writer whose every step returns [`UblError`].
struct Xml {
    writer: Writer<Vec<u8>>,
    currency: String,
}

impl Xml {
    fn event(&mut self, event: Event<'_>) -> Result<(), UblError> {
        self.writer
            .write_event(event)
            .map_err(|e| UblError::Xml(e.to_string()))
    }

    fn open(&mut self, name: &str) -> Result<(), UblError> {
        self.event(Event::Start(BytesStart::new(name)))
    }

    fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<(), UblError> {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.event(Event::Start(start))
    }

    fn close(&mut self, name: &str) -> Result<(), UblError> {
        self.event(Event::End(BytesEnd::new(name)))
    }

    fn leaf_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> Result<(), UblError> {
        self.open_with(name, attributes)?;
        self.event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    fn leaf(&mut self, name: &str, text: &str) -> Result<(), UblError> {
        self.leaf_with(name, &[], text)
    }

    /// A leaf that is left out when `text` is blank.
    fn leaf_opt(&mut self, name: &str, text: &str) -> Result<(), UblError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        self.leaf(name, text)
    }

    /// An amount of the document's currency.
    fn amount(&mut self, name: &str, minor: i64) -> Result<(), UblError> {
        let text = amount_text(minor, &self.currency)?;
        let currency = self.currency.clone();
        self.leaf_with(name, &[("currencyID", &currency)], &text)
    }

    /// `<name><cbc:ID>text</cbc:ID></name>`.
    fn id_in(&mut self, name: &str, text: &str) -> Result<(), UblError> {
        self.open(name)?;
        self.leaf("cbc:ID", text)?;
        self.close(name)
    }
}

pub(crate) fn document(doc: &InvoiceDocument, facts: &Facts) -> Result<String, UblError> {
    let mut x = Xml {
        writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        currency: doc.currency.trim().to_string(),
    };
    x.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (root, ns) = match doc.kind {
        DocumentKind::Invoice => ("Invoice", NS_INVOICE),
        DocumentKind::CreditNote => ("CreditNote", NS_CREDIT_NOTE),
    };
    x.open_with(
        root,
        &[("xmlns", ns), ("xmlns:cac", NS_CAC), ("xmlns:cbc", NS_CBC)],
    )?;
    header(&mut x, doc)?;
    x.open("cac:AccountingSupplierParty")?;
    party(&mut x, &doc.seller, !facts.not_subject)?;
    x.close("cac:AccountingSupplierParty")?;
    x.open("cac:AccountingCustomerParty")?;
    party(&mut x, &doc.buyer, !facts.not_subject)?;
    x.close("cac:AccountingCustomerParty")?;
    delivery(&mut x, doc, facts)?;
    payment(&mut x, doc)?;
    tax_total(&mut x, doc, facts)?;
    monetary_total(&mut x, doc)?;
    for (line, category) in doc.lines.iter().zip(&facts.line_categories) {
        document_line(&mut x, doc.kind, line, *category)?;
    }
    x.close(root)?;
    String::from_utf8(x.writer.into_inner()).map_err(|e| UblError::Xml(e.to_string()))
}

/// Everything before the parties: ids, dates, type code, note, currency and
/// references.
fn header(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), UblError> {
    x.leaf("cbc:CustomizationID", CUSTOMIZATION_ID)?;
    x.leaf("cbc:ID", doc.number.trim())?;
    x.leaf("cbc:IssueDate", doc.issue_date.trim())?;
    match doc.kind {
        DocumentKind::Invoice => {
            x.leaf_opt("cbc:DueDate", &doc.due_date)?;
            x.leaf("cbc:InvoiceTypeCode", INVOICE_TYPE_CODE)?;
        }
        // A credit note's due date goes in its payment means (see `payment`).
        DocumentKind::CreditNote => x.leaf("cbc:CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)?,
    }
    x.leaf_opt("cbc:Note", &doc.note)?;
    x.leaf("cbc:DocumentCurrencyCode", &x.currency.clone())?;
    if !doc.order_reference.trim().is_empty() {
        x.id_in("cac:OrderReference", doc.order_reference.trim())?;
    }
    if let (DocumentKind::CreditNote, Some((number, issue_date))) =
        (doc.kind, &doc.preceding_invoice)
    {
        x.open("cac:BillingReference")?;
        x.open("cac:InvoiceDocumentReference")?;
        x.leaf("cbc:ID", number.trim())?;
        x.leaf_opt("cbc:IssueDate", issue_date)?;
        x.close("cac:InvoiceDocumentReference")?;
        x.close("cac:BillingReference")?;
    }
    Ok(())
}

/// A seller or buyer. `with_vat_id` is false when the document is not
/// subject to VAT (BR-O-02 forbids VAT identifiers then).
fn party(x: &mut Xml, p: &DocumentParty, with_vat_id: bool) -> Result<(), UblError> {
    x.open("cac:Party")?;
    if !p.email.trim().is_empty() {
        x.leaf_with(
            "cbc:EndpointID",
            &[("schemeID", EMAIL_SCHEME)],
            p.email.trim(),
        )?;
    }
    address(x, "cac:PostalAddress", p)?;
    if with_vat_id && !p.vat_id.trim().is_empty() {
        x.open("cac:PartyTaxScheme")?;
        x.leaf("cbc:CompanyID", p.vat_id.trim())?;
        x.id_in("cac:TaxScheme", "VAT")?;
        x.close("cac:PartyTaxScheme")?;
    }
    x.open("cac:PartyLegalEntity")?;
    x.leaf("cbc:RegistrationName", p.name.trim())?;
    x.leaf_opt("cbc:CompanyID", &p.legal_id)?;
    x.close("cac:PartyLegalEntity")?;
    x.close("cac:Party")
}

fn address(x: &mut Xml, name: &str, p: &DocumentParty) -> Result<(), UblError> {
    x.open(name)?;
    x.leaf_opt("cbc:StreetName", &p.street)?;
    x.leaf_opt("cbc:CityName", &p.city)?;
    x.leaf_opt("cbc:PostalZone", &p.postcode)?;
    x.open("cac:Country")?;
    x.leaf("cbc:IdentificationCode", p.country.trim())?;
    x.close("cac:Country")?;
    x.close(name)
}

/// The delivery date, and for an intra-community supply the deliver-to
/// address. Seam delivers to the buyer's address, so that is the one shown.
fn delivery(x: &mut Xml, doc: &InvoiceDocument, facts: &Facts) -> Result<(), UblError> {
    if doc.delivery_date.trim().is_empty() && !facts.intra_community {
        return Ok(());
    }
    x.open("cac:Delivery")?;
    x.leaf_opt("cbc:ActualDeliveryDate", &doc.delivery_date)?;
    if facts.intra_community {
        x.open("cac:DeliveryLocation")?;
        address(x, "cac:Address", &doc.buyer)?;
        x.close("cac:DeliveryLocation")?;
    }
    x.close("cac:Delivery")
}

/// Credit transfer to the seller's account, and the payment terms. Without
/// an IBAN there is no payment means: code 30 requires the account (BR-61).
fn payment(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), UblError> {
    let iban: String = doc.seller_iban.split_whitespace().collect();
    if !iban.is_empty() {
        x.open("cac:PaymentMeans")?;
        x.leaf("cbc:PaymentMeansCode", CREDIT_TRANSFER)?;
        if doc.kind == DocumentKind::CreditNote {
            x.leaf_opt("cbc:PaymentDueDate", &doc.due_date)?;
        }
        x.leaf("cbc:PaymentID", doc.number.trim())?;
        x.id_in("cac:PayeeFinancialAccount", &iban)?;
        x.close("cac:PaymentMeans")?;
    }
    if !doc.payment_terms.trim().is_empty() {
        x.open("cac:PaymentTerms")?;
        x.leaf("cbc:Note", doc.payment_terms.trim())?;
        x.close("cac:PaymentTerms")?;
    }
    Ok(())
}

fn tax_total(x: &mut Xml, doc: &InvoiceDocument, facts: &Facts) -> Result<(), UblError> {
    x.open("cac:TaxTotal")?;
    x.amount("cbc:TaxAmount", doc.vat_minor)?;
    for (vat, category) in doc.vat.iter().zip(&facts.vat_categories) {
        x.open("cac:TaxSubtotal")?;
        x.amount("cbc:TaxableAmount", vat.base_minor)?;
        x.amount("cbc:TaxAmount", vat.vat_minor)?;
        x.open("cac:TaxCategory")?;
        x.leaf("cbc:ID", category.code())?;
        percent(x, *category, vat.vat_basis_points)?;
        if category.needs_exemption_reason() {
            if let Some(code) = category.exemption_code() {
                x.leaf("cbc:TaxExemptionReasonCode", code)?;
            }
            x.leaf("cbc:TaxExemptionReason", vat.exemption_reason.trim())?;
        }
        x.id_in("cac:TaxScheme", "VAT")?;
        x.close("cac:TaxCategory")?;
        x.close("cac:TaxSubtotal")?;
    }
    x.close("cac:TaxTotal")
}

/// The VAT rate, which category O must not show (BR-O-05, BR-48).
fn percent(x: &mut Xml, category: VatCategory, basis_points: i64) -> Result<(), UblError> {
    if category == VatCategory::O {
        return Ok(());
    }
    x.leaf("cbc:Percent", &decimal(basis_points, 2))
}

fn monetary_total(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), UblError> {
    x.open("cac:LegalMonetaryTotal")?;
    x.amount("cbc:LineExtensionAmount", doc.net_minor)?;
    x.amount("cbc:TaxExclusiveAmount", doc.net_minor)?;
    x.amount("cbc:TaxInclusiveAmount", doc.total_minor)?;
    x.amount("cbc:PrepaidAmount", doc.paid_minor)?;
    x.amount("cbc:PayableAmount", doc.due_minor)?;
    x.close("cac:LegalMonetaryTotal")
}

fn document_line(
    x: &mut Xml,
    kind: DocumentKind,
    line: &seam_domain::invoice::DocumentLine,
    category: VatCategory,
) -> Result<(), UblError> {
    let (name, quantity) = match kind {
        DocumentKind::Invoice => ("cac:InvoiceLine", "cbc:InvoicedQuantity"),
        DocumentKind::CreditNote => ("cac:CreditNoteLine", "cbc:CreditedQuantity"),
    };
    x.open(name)?;
    x.leaf("cbc:ID", &line.line_no.to_string())?;
    x.leaf_with(
        quantity,
        &[("unitCode", line.unit_code.trim())],
        &line.qty.to_string(),
    )?;
    x.amount("cbc:LineExtensionAmount", line.line_net_minor)?;
    x.open("cac:Item")?;
    x.leaf("cbc:Name", line.description.trim())?;
    if !line.sku.trim().is_empty() {
        x.id_in("cac:SellersItemIdentification", line.sku.trim())?;
    }
    x.open("cac:ClassifiedTaxCategory")?;
    x.leaf("cbc:ID", category.code())?;
    percent(x, category, line.vat_basis_points)?;
    x.id_in("cac:TaxScheme", "VAT")?;
    x.close("cac:ClassifiedTaxCategory")?;
    x.close("cac:Item")?;
    x.open("cac:Price")?;
    // A unit price may have more decimals than an amount, so it is written
    // at the currency's full precision.
    let currency = x.currency.clone();
    let digits = seam_domain::locale::minor_digits(&currency);
    x.leaf_with(
        "cbc:PriceAmount",
        &[("currencyID", &currency)],
        &decimal(line.unit_price_minor, digits),
    )?;
    x.close("cac:Price")?;
    x.close(name)
}
