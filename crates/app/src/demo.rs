//! A demo company to click through: two dozen European customers and vendors,
//! their contact persons, a few private customers, a catalogue of about 30
//! products and services under several VAT rates, one login per role, and
//! about a year of bookkeeping: share capital, rent and salaries, sales
//! invoices and their payments (a few still open and overdue), purchases and
//! their payments, quarterly VAT returns, one mistake corrected by reversal,
//! and the months older than two closed; opening stock, and a handful of
//! sales orders (most confirmed, their goods reserved, two drafts and one
//! cancelled).
//!
//! The data is fixed (no randomness; the bookkeeping is dated relative to
//! today, in UTC), so every demo looks the same and a bug report against it
//! can be reproduced. Every record goes through the same use cases as a
//! user's input, acting as `system:demo`, so each one has its audit event
//! and the journal verifies like any other.
//!
//! E-mail addresses use the reserved `.example` domain, so nothing Seam ever
//! sends from a demo reaches a real mailbox.

mod appointments;
mod crm;
mod hr;
mod it;
mod knowledge;
mod marketing;
mod payroll;
mod reception;
mod sales_history;
mod tickets;

use jiff::ToSpan;
use jiff::civil::Date;
use seam_domain::access::Role;
use seam_domain::ids::PartyId;
use seam_domain::ledger::{EntryDraft, LineDraft, format_amount};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;
use seam_domain::stock::MoveDraft;
use seam_store::parties::{ArchiveFilter, PartyFilter, PartySort};
use seam_store::products::{ProductFilter, ProductSort};

use crate::company::{self, CompanyProfile};
use crate::sales::{self, LineInput, OrderFilter, OrderInput};
use crate::stock::{self, MoveFilter, MoveInput};
use crate::users::{self, UserDraft};
use crate::{Actor, App, AppError, AppResult, invoicing, ledger, parties, products};

/// The password of every demo login. Long enough for the password policy,
/// and printed on the console when the demo starts, so it is no secret.
pub const DEMO_PASSWORD: &str = "seam demo 2026!";

/// One demo login, for the table printed when the demo starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
}

struct DemoCompany {
    name: &'static str,
    street: &'static str,
    postal_code: &'static str,
    city: &'static str,
    /// ISO 3166-1 alpha-2.
    country: &'static str,
    tax_id: &'static str,
    /// Mail domain; `info@` is the company's address, contacts use `first.last@`.
    domain: &'static str,
    customer: bool,
    vendor: bool,
    tags: &'static str,
    notes: &'static str,
}

const fn company(
    name: &'static str,
    (street, postal_code, city, country): (&'static str, &'static str, &'static str, &'static str),
    tax_id: &'static str,
    domain: &'static str,
    (customer, vendor): (bool, bool),
    tags: &'static str,
    notes: &'static str,
) -> DemoCompany {
    DemoCompany {
        name,
        street,
        postal_code,
        city,
        country,
        tax_id,
        domain,
        customer,
        vendor,
        tags,
        notes,
    }
}

const CUSTOMER: (bool, bool) = (true, false);
const VENDOR: (bool, bool) = (false, true);
const BOTH: (bool, bool) = (true, true);

/// The first company is the one the portal login belongs to, so it must be a customer.
#[rustfmt::skip]
const COMPANIES: &[DemoCompany] = &[
    company("Nordlicht Handels GmbH", ("Speicherstadt 12", "20457", "Hamburg", "DE"), "DE284619375", "nordlicht-handel.example", CUSTOMER, "wholesale, vip", "Framework agreement since 2021; invoices by e-mail only."),
    company("Brasserie du Port SARL", ("12 Quai du Port", "13002", "Marseille", "FR"), "FR40512345678", "brasserie-du-port.example", CUSTOMER, "retail, hospitality", ""),
    company("Van der Meer Logistiek B.V.", ("Wijnhaven 88", "3011 WS", "Rotterdam", "NL"), "NL812345678B01", "vandermeer-logistiek.example", VENDOR, "logistics", "Carrier for Benelux and Germany; pick-up Tuesdays and Fridays."),
    company("Fjordkraft Verktøy AS", ("Bryggen 7", "5003", "Bergen", "NO"), "NO987654321MVA", "fjordkraft-verktoy.example", VENDOR, "tools", ""),
    company("Svensson & Dotter AB", ("Kungsportsavenyen 21", "411 36", "Göteborg", "SE"), "SE556677889901", "svensson-dotter.example", BOTH, "wholesale", "Buys from us and supplies packaging."),
    company("Café Aurora Oy", ("Mannerheimintie 5", "00100", "Helsinki", "FI"), "FI23456789", "cafe-aurora.example", CUSTOMER, "retail, hospitality", ""),
    company("Tipografia Bellini S.r.l.", ("Via Brera 14", "20121", "Milano", "IT"), "IT01234567890", "tipografia-bellini.example", VENDOR, "printing", "Catalogues and labels; 10 working days lead time."),
    company("Hostal Sol y Mar S.L.", ("Calle de la Paz 9", "46003", "Valencia", "ES"), "ESB12345678", "hostal-solymar.example", CUSTOMER, "retail, hospitality", ""),
    company("Kowalski Meble Sp. z o.o.", ("ul. Floriańska 30", "31-019", "Kraków", "PL"), "PL6751234567", "kowalski-meble.example", VENDOR, "furniture", ""),
    company("Dvořák Strojírny s.r.o.", ("Masarykova 18", "602 00", "Brno", "CZ"), "CZ28765432", "dvorak-strojirny.example", CUSTOMER, "wholesale, industry", ""),
    company("O'Brien Office Supplies Ltd", ("14 Dame Street", "D02 X285", "Dublin", "IE"), "IE6388047V", "obrien-office.example", VENDOR, "office", ""),
    company("Alpenblick Hotel AG", ("Maria-Theresien-Straße 40", "6020", "Innsbruck", "AT"), "ATU12345678", "alpenblick-hotel.example", CUSTOMER, "vip, hospitality", "Seasonal: large orders in October and March."),
    company("Lindqvist Bygg AB", ("Drottninggatan 3", "753 10", "Uppsala", "SE"), "SE559012345601", "lindqvist-bygg.example", CUSTOMER, "construction", ""),
    company("Dansk Kaffe Import ApS", ("Åboulevarden 22", "8000", "Aarhus", "DK"), "DK12345678", "dansk-kaffe.example", VENDOR, "wholesale, food", ""),
    company("Boulangerie Lemaire", ("8 Rue de la République", "69002", "Lyon", "FR"), "FR83498765432", "boulangerie-lemaire.example", CUSTOMER, "retail, food", ""),
    company("Zürcher Feinmechanik AG", ("Bahnhofstrasse 52", "8001", "Zürich", "CH"), "CHE123456789", "zuercher-feinmechanik.example", BOTH, "vip, industry", "Prices in CHF; deliveries need customs papers."),
    company("Atlantic Seafood Lda", ("Rua das Flores 101", "4050-265", "Porto", "PT"), "PT501234567", "atlantic-seafood.example", VENDOR, "food", ""),
    company("Müller & Söhne KG", ("Sendlinger Straße 7", "80331", "München", "DE"), "DE811234567", "mueller-soehne.example", BOTH, "wholesale", ""),
    company("Baltic Amber UAB", ("Gedimino pr. 9", "01103", "Vilnius", "LT"), "LT100001234567", "baltic-amber.example", CUSTOMER, "retail", ""),
    company("Hellenic Olive Co.", ("Ermou 25", "105 63", "Athens", "GR"), "EL094012345", "hellenic-olive.example", VENDOR, "food", ""),
    company("Janssens Bouwmaterialen NV", ("Meir 45", "2000", "Antwerpen", "BE"), "BE0412345678", "janssens-bouw.example", VENDOR, "wholesale, construction", ""),
    company("Fiduciaire Weber S.A.", ("3 Boulevard Prince Henri", "L-1724", "Luxembourg", "LU"), "LU15027442", "fiduciaire-weber.example", VENDOR, "services", "Our external auditors."),
    company("Green Valley Organics Ltd", ("22 Corn Street", "BS1 1HT", "Bristol", "GB"), "GB123456789", "greenvalley-organics.example", CUSTOMER, "retail, organic", ""),
    company("Kovács Trade Kft.", ("Váci utca 19", "1052", "Budapest", "HU"), "HU12345678", "kovacs-trade.example", CUSTOMER, "wholesale", ""),
    company("Eesti Tarkvara OÜ", ("Narva mnt 5", "10117", "Tallinn", "EE"), "EE100123456", "eesti-tarkvara.example", VENDOR, "it", "Hosts our web shop."),
    company("Vinoteka Maribor d.o.o.", ("Glavni trg 14", "2000", "Maribor", "SI"), "SI12345678", "vinoteka-maribor.example", CUSTOMER, "vip, retail", ""),
];

struct DemoPerson {
    name: &'static str,
    /// The ASCII part before `@`.
    email_local: &'static str,
    /// Index into [`COMPANIES`]; `None` for a private customer.
    company: Option<usize>,
    /// Job title for contacts; nothing for private customers.
    notes: &'static str,
    /// A private customer's address: street, postal code, city, country.
    home: Option<(&'static str, &'static str, &'static str, &'static str)>,
}

const fn contact(
    name: &'static str,
    email_local: &'static str,
    company: usize,
    notes: &'static str,
) -> DemoPerson {
    DemoPerson {
        name,
        email_local,
        company: Some(company),
        notes,
        home: None,
    }
}

const fn private(
    name: &'static str,
    email_local: &'static str,
    home: (&'static str, &'static str, &'static str, &'static str),
) -> DemoPerson {
    DemoPerson {
        name,
        email_local,
        company: None,
        notes: "",
        home: Some(home),
    }
}

/// Private customers use this mail domain.
const PRIVATE_MAIL_DOMAIN: &str = "mail.example";

#[rustfmt::skip]
const PERSONS: &[DemoPerson] = &[
    contact("Klaus Brandt", "klaus.brandt", 0, "Head of purchasing"),
    contact("Jana Petersen", "jana.petersen", 0, "Accounts payable"),
    contact("Élodie Marchand", "elodie.marchand", 1, "Owner"),
    contact("Pieter van der Meer", "pieter.vandermeer", 2, "Managing director"),
    contact("Sanne de Vries", "sanne.devries", 2, "Dispatch planner"),
    contact("Ingrid Haugen", "ingrid.haugen", 3, "Sales"),
    contact("Lars Svensson", "lars.svensson", 4, "CEO"),
    contact("Maja Svensson", "maja.svensson", 4, "Purchasing"),
    contact("Aino Korhonen", "aino.korhonen", 5, "Café manager"),
    contact("Giulia Bellini", "giulia.bellini", 6, "Account manager"),
    contact("Javier Ortega", "javier.ortega", 7, "Front desk manager"),
    contact("Tomasz Kowalski", "tomasz.kowalski", 8, "Export sales"),
    contact("Petra Dvořáková", "petra.dvorakova", 9, "Procurement"),
    contact("Martin Dvořák", "martin.dvorak", 9, "Plant manager"),
    contact("Siobhan O'Brien", "siobhan.obrien", 10, "Customer service"),
    contact("Florian Gruber", "florian.gruber", 11, "General manager"),
    contact("Verena Hofer", "verena.hofer", 11, "Head of housekeeping"),
    contact("Erik Lindqvist", "erik.lindqvist", 12, "Site manager"),
    contact("Mette Nielsen", "mette.nielsen", 13, "Key account"),
    contact("Camille Lemaire", "camille.lemaire", 14, "Owner"),
    contact("Reto Baumann", "reto.baumann", 15, "Head of engineering"),
    contact("Nadia Keller", "nadia.keller", 15, "Accounts receivable"),
    contact("João Ferreira", "joao.ferreira", 16, "Sales"),
    contact("Stefan Müller", "stefan.mueller", 17, "Managing partner"),
    contact("Rūta Kazlauskienė", "ruta.kazlauskiene", 18, "Buyer"),
    contact("Eleni Papadopoulou", "eleni.papadopoulou", 19, "Export manager"),
    contact("Wouter Janssens", "wouter.janssens", 20, "Sales"),
    contact("Claire Weber", "claire.weber", 21, "Partner, audit"),
    contact("Oliver Hughes", "oliver.hughes", 22, "Purchasing"),
    contact("Zsófia Kovács", "zsofia.kovacs", 23, "Owner"),
    contact("Kristjan Tamm", "kristjan.tamm", 24, "Project lead"),
    contact("Luka Novak", "luka.novak", 25, "Sommelier and buyer"),
    private("Hannah Schulz", "hannah.schulz", ("Lindenstraße 14", "10969", "Berlin", "DE")),
    private("Marco Ricci", "marco.ricci", ("Via Roma 3", "10121", "Torino", "IT")),
    private("Sophie Laurent", "sophie.laurent", ("5 Rue Oberkampf", "75011", "Paris", "FR")),
    private("Anders Berg", "anders.berg", ("Storgatan 8", "903 26", "Umeå", "SE")),
    private("Emily Clarke", "emily.clarke", ("41 High Street", "OX1 4AP", "Oxford", "GB")),
];

/// One product of the demo catalogue: SKU, name, kind, unit, list price and
/// standard cost in euro cents, and tax rate code.
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
);

/// What the demo business sells: coffee, food and packaging for cafés and
/// hotels, the equipment to go with them, and the services around it. Food
/// carries the reduced 12% rate, the printed handbook 6%, the certification
/// exam is exempt education, consulting for business customers elsewhere in
/// the EU is reverse charged, and crating for export is zero-rated export.
#[rustfmt::skip]
const PRODUCTS: &[DemoProduct] = &[
    ("ESP-BEAN-1KG", "Espresso beans, dark roast, 1 kg", "goods", "C62", 2_490, 1_240, "S12"),
    ("FIL-BEAN-1KG", "Filter coffee beans, medium roast, 1 kg", "goods", "C62", 2_150, 1_010, "S12"),
    ("DECAF-500G", "Decaf espresso beans, 500 g", "goods", "C62", 1_490, 720, "S12"),
    ("OLIVE-EV-1L", "Extra virgin olive oil, 1 l bottle", "goods", "C62", 1_280, 710, "S12"),
    ("OLIVE-EV-5L", "Extra virgin olive oil, 5 l can", "goods", "C62", 5_400, 3_100, "S12"),
    ("OLIVE-BULK", "Olive oil, bulk, per litre", "goods", "LTR", 960, 530, "S12"),
    ("SARD-120G", "Sardines in olive oil, 120 g tin", "goods", "C62", 340, 160, "S12"),
    ("TUNA-200G", "Tuna fillets, 200 g jar", "goods", "C62", 690, 350, "S12"),
    ("CUP-8OZ-1000", "Paper cups 8 oz, pack of 1,000", "goods", "C62", 4_800, 2_900, "S25"),
    ("LID-8OZ-1000", "Lids for 8 oz cups, pack of 1,000", "goods", "C62", 2_200, 1_250, "S25"),
    ("BOX-KRAFT-M-200", "Kraft takeaway boxes, medium, pack of 200", "goods", "C62", 3_600, 1_900, "S25"),
    ("BAG-KRAFT-500", "Kraft paper bags, pack of 500", "goods", "C62", 2_950, 1_600, "S25"),
    ("CARTON-SHIP-M", "Shipping carton, medium", "goods", "C62", 190, 85, "S25"),
    ("GRINDER-64", "Espresso grinder, 64 mm flat burrs", "goods", "C62", 89_000, 54_000, "S25"),
    ("MACHINE-2GRP", "Espresso machine, two groups", "goods", "C62", 495_000, 310_000, "S25"),
    ("KNOCKBOX-SS", "Knock box, stainless steel", "goods", "C62", 3_900, 1_700, "S25"),
    ("TAMPER-58", "Tamper, 58 mm", "goods", "C62", 4_500, 1_950, "S25"),
    ("MILKJUG-600", "Milk jug, 600 ml", "goods", "C62", 1_850, 780, "S25"),
    ("GASKET-58", "Group head gasket, 58 mm", "goods", "C62", 420, 110, "S25"),
    ("CLEAN-TABS-100", "Machine cleaning tablets, 100 pieces", "goods", "C62", 1_650, 690, "S25"),
    ("WATER-FILTER", "Water filter cartridge", "goods", "C62", 6_400, 3_500, "S25"),
    ("SHELF-OAK-120", "Shop shelf, oak, 120 cm", "goods", "C62", 31_000, 18_500, "S25"),
    ("COUNTER-180", "Serving counter, 180 cm", "goods", "C62", 148_000, 92_000, "S25"),
    ("BOOK-BARISTA", "The Barista Handbook, printed", "goods", "C62", 3_200, 1_400, "S6"),
    ("SVC-INSTALL", "Espresso machine installation", "service", "HUR", 8_500, 4_000, "S25"),
    ("SVC-MAINTENANCE", "Preventive maintenance visit", "service", "C62", 18_000, 7_000, "S25"),
    ("SVC-REPAIR", "Repair work", "service", "HUR", 7_500, 3_500, "S25"),
    ("SVC-SUPPORT", "Remote support, monthly subscription", "service", "MON", 4_900, 1_200, "S25"),
    ("SVC-DELIVERY", "Delivery, per order", "service", "C62", 2_500, 1_400, "S25"),
    ("SVC-TRAINING-DAY", "Barista training day, on site", "service", "DAY", 64_000, 26_000, "S25"),
    ("SVC-EXAM", "Barista certification exam", "service", "C62", 12_000, 3_500, "E"),
    ("SVC-CONSULT-EU", "Café concept consulting, EU business customers", "service", "HUR", 11_000, 0, "AE"),
    ("SVC-EXPORT-CRATE", "Export crating and documents, outside the EU", "service", "C62", 9_500, 4_000, "G"),
    ("ESP-BEAN-250G-OLD", "Espresso beans, house blend, 250 g (old packaging)", "goods", "C62", 790, 380, "S12"),
];

/// Opening stock of the demo's goods in the main warehouse, in each one's unit.
#[rustfmt::skip]
const OPENING_STOCK: &[(&str, i64)] = &[
    ("ESP-BEAN-1KG", 240), ("FIL-BEAN-1KG", 180), ("DECAF-500G", 90),
    ("OLIVE-EV-1L", 300), ("OLIVE-EV-5L", 60), ("OLIVE-BULK", 1_200),
    ("SARD-120G", 960), ("TUNA-200G", 480), ("CUP-8OZ-1000", 75),
    ("LID-8OZ-1000", 70), ("BOX-KRAFT-M-200", 40), ("BAG-KRAFT-500", 35),
    ("CARTON-SHIP-M", 400), ("GRINDER-64", 6), ("MACHINE-2GRP", 3),
    ("KNOCKBOX-SS", 24), ("TAMPER-58", 30), ("MILKJUG-600", 48),
    ("GASKET-58", 150), ("CLEAN-TABS-100", 120), ("WATER-FILTER", 36),
    ("SHELF-OAK-120", 8), ("COUNTER-180", 2), ("BOOK-BARISTA", 60),
];

/// Count corrections after the opening: SKU, change and reason.
const STOCK_COUNT_CORRECTIONS: &[(&str, i64, &str)] = &[
    ("GASKET-58", -4, "Stock count: four gaskets torn"),
    (
        "SARD-120G",
        12,
        "Stock count: a carton found behind the shelf",
    ),
];

/// What becomes of a demo order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoOrderState {
    Draft,
    Confirmed,
    /// Confirmed, then cancelled: keeps its number, holds nothing.
    Cancelled,
}

/// One demo sales order: the customer (index among the customer companies,
/// in the order of [`COMPANIES`]), how many days ago it was taken, what
/// became of it, and its lines (SKU, quantity, price in cents or 0 for the
/// list price).
struct DemoOrder {
    customer: usize,
    days_ago: i64,
    state: DemoOrderState,
    lines: &'static [(&'static str, i64, i64)],
}

/// The demo's sales orders, oldest first: six confirmed (their goods
/// reserved), two drafts and one cancelled.
#[rustfmt::skip]
const DEMO_ORDERS: &[DemoOrder] = &[
    DemoOrder { customer: 0, days_ago: 12, state: DemoOrderState::Confirmed,
        lines: &[("ESP-BEAN-1KG", 20, 0), ("CUP-8OZ-1000", 4, 0), ("LID-8OZ-1000", 4, 0), ("SVC-DELIVERY", 1, 0)] },
    DemoOrder { customer: 1, days_ago: 10, state: DemoOrderState::Confirmed,
        lines: &[("MACHINE-2GRP", 1, 480_000), ("GRINDER-64", 1, 0), ("SVC-INSTALL", 4, 0), ("SVC-TRAINING-DAY", 1, 0)] },
    DemoOrder { customer: 2, days_ago: 9, state: DemoOrderState::Cancelled,
        lines: &[("SHELF-OAK-120", 2, 0), ("SVC-DELIVERY", 1, 0)] },
    DemoOrder { customer: 3, days_ago: 8, state: DemoOrderState::Confirmed,
        lines: &[("OLIVE-EV-1L", 48, 0), ("OLIVE-EV-5L", 6, 0), ("SARD-120G", 120, 320), ("TUNA-200G", 60, 0)] },
    DemoOrder { customer: 4, days_ago: 6, state: DemoOrderState::Confirmed,
        lines: &[("GASKET-58", 10, 0), ("CLEAN-TABS-100", 6, 0), ("WATER-FILTER", 2, 0), ("SVC-MAINTENANCE", 1, 0)] },
    DemoOrder { customer: 5, days_ago: 5, state: DemoOrderState::Confirmed,
        lines: &[("BOOK-BARISTA", 12, 0), ("TAMPER-58", 6, 0), ("MILKJUG-600", 6, 0), ("SVC-EXAM", 6, 0)] },
    DemoOrder { customer: 0, days_ago: 3, state: DemoOrderState::Confirmed,
        lines: &[("FIL-BEAN-1KG", 15, 0), ("DECAF-500G", 10, 0), ("BOX-KRAFT-M-200", 3, 0), ("BAG-KRAFT-500", 2, 0), ("SVC-SUPPORT", 1, 0)] },
    DemoOrder { customer: 6, days_ago: 2, state: DemoOrderState::Draft,
        lines: &[("COUNTER-180", 1, 0), ("SHELF-OAK-120", 1, 0), ("SVC-INSTALL", 6, 0)] },
    DemoOrder { customer: 1, days_ago: 1, state: DemoOrderState::Draft,
        lines: &[("ESP-BEAN-1KG", 10, 0), ("KNOCKBOX-SS", 2, 0), ("SVC-REPAIR", 2, 0)] },
];

/// The demo product that is archived, to show what an archived product looks like.
const ARCHIVED_PRODUCT: &str = "ESP-BEAN-250G-OLD";

fn product_draft(p: &DemoProduct) -> ProductDraft {
    let (sku, name, kind, unit, price, cost, tax_rate) = *p;
    ProductDraft {
        sku: sku.to_owned(),
        name: name.to_owned(),
        kind: kind.to_owned(),
        unit: unit.to_owned(),
        currency: CURRENCY.to_owned(),
        list_price: format_amount(price, CURRENCY),
        standard_cost: format_amount(cost, CURRENCY),
        tax_rate: tax_rate.to_owned(),
        revenue_account: String::new(),
    }
}

/// The international dialling prefix of each demo country.
fn dial_prefix(country: &str) -> &'static str {
    match country {
        "AT" => "+43",
        "BE" => "+32",
        "CH" => "+41",
        "CZ" => "+420",
        "DE" => "+49",
        "DK" => "+45",
        "EE" => "+372",
        "ES" => "+34",
        "FI" => "+358",
        "FR" => "+33",
        "GB" => "+44",
        "GR" => "+30",
        "HU" => "+36",
        "IE" => "+353",
        "IT" => "+39",
        "LT" => "+370",
        "LU" => "+352",
        "NL" => "+31",
        "NO" => "+47",
        "PL" => "+48",
        "PT" => "+351",
        "SE" => "+46",
        "SI" => "+386",
        _ => "+00",
    }
}

/// A made-up but stable number: the same `seed` always gives the same phone.
fn demo_phone(country: &str, seed: usize) -> String {
    let seed = u64::try_from(seed).unwrap_or(0);
    let n = (seed * 7_919 + 1_234_567) % 9_000_000 + 1_000_000;
    format!(
        "{} {} {} {:04}",
        dial_prefix(country),
        20 + seed % 70,
        n / 10_000,
        n % 10_000
    )
}

fn company_draft(index: usize, c: &DemoCompany) -> PartyDraft {
    PartyDraft {
        kind: "company".to_owned(),
        name: c.name.to_owned(),
        company_id: None,
        email: format!("info@{}", c.domain),
        phone: demo_phone(c.country, index),
        tax_id: c.tax_id.to_owned(),
        street: c.street.to_owned(),
        postal_code: c.postal_code.to_owned(),
        city: c.city.to_owned(),
        country: c.country.to_owned(),
        is_customer: c.customer,
        is_vendor: c.vendor,
        tags: c.tags.to_owned(),
        notes: c.notes.to_owned(),
    }
}

/// A person's draft; `company_id` is filled in by the caller once the company exists.
fn person_draft(index: usize, p: &DemoPerson) -> PartyDraft {
    let employer = p.company.and_then(|i| COMPANIES.get(i));
    let (street, postal_code, city, country) = match (p.home, employer) {
        (Some(home), _) => home,
        (None, Some(c)) => ("", "", c.city, c.country),
        (None, None) => ("", "", "", ""),
    };
    let domain = employer.map_or(PRIVATE_MAIL_DOMAIN, |c| c.domain);
    PartyDraft {
        kind: "person".to_owned(),
        name: p.name.to_owned(),
        company_id: None,
        email: format!("{}@{domain}", p.email_local),
        phone: demo_phone(country, 100 + index),
        tax_id: String::new(),
        street: street.to_owned(),
        postal_code: postal_code.to_owned(),
        city: city.to_owned(),
        country: country.to_owned(),
        is_customer: p.company.is_none(),
        is_vendor: false,
        tags: if p.company.is_none() {
            "retail".to_owned()
        } else {
            String::new()
        },
        notes: p.notes.to_owned(),
    }
}

/// The username, display name and e-mail of the demo login for `role`.
/// Usernames are the role's name, except where that is shorter than the
/// username rule allows.
fn demo_user(role: Role) -> (&'static str, &'static str, &'static str) {
    match role {
        Role::Admin => ("admin", "Maria Berg", "maria.berg"),
        Role::Manager => ("manager", "Thomas Keller", "thomas.keller"),
        Role::Receptionist => ("receptionist", "Sofia Rossi", "sofia.rossi"),
        Role::Sales => ("sales", "Lukas Novak", "lukas.novak"),
        Role::Marketing => ("marketing", "Emma Dubois", "emma.dubois"),
        Role::Service => ("service", "Jonas Weber", "jonas.weber"),
        Role::Accountant => ("accountant", "Ingrid Larsen", "ingrid.larsen"),
        Role::Hr => ("hr-officer", "Paula Fischer", "paula.fischer"),
        Role::It => ("it-support", "Mikael Virtanen", "mikael.virtanen"),
        Role::Warehouse => ("warehouse", "Piotr Zieliński", "piotr.zielinski"),
        Role::Purchasing => ("purchasing", "Elena García", "elena.garcia"),
        // An employee with no back-office role: HR self-service only.
        Role::Employee => ("employee", "Sofia Romano", "sofia.romano"),
        // The portal login is the first contact of the first company.
        Role::Portal => ("portal", "Klaus Brandt", "klaus.brandt"),
    }
}

/// The mail domain of the demo business's own staff.
const STAFF_MAIL_DOMAIN: &str = "seam-demo.example";

/// Every demo login, one per role, in the order of [`Role::ALL`].
pub fn demo_logins() -> Vec<DemoLogin> {
    Role::ALL
        .into_iter()
        .map(|role| DemoLogin {
            username: demo_user(role).0.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            roles: vec![role],
        })
        .collect()
}

/// Fills an empty database with the demo company, its bookkeeping and its logins.
///
/// When users already exist nothing is created, and the demo logins that
/// exist are returned (so `seam demo` can be started again on the same
/// database). When parties exist but no users (an earlier load stopped half
/// way), the parties are kept, the bookkeeping is added if the journal is
/// still empty, and the logins are added.
///
/// Errors: [`AppError::Conflict`] (`error-demo-no-customer`) when parties
/// exist but none is a customer company for the portal login; any error of
/// the use cases it calls.
pub async fn load_demo(app: &App) -> AppResult<Vec<DemoLogin>> {
    let actor = Actor::system("demo");
    if !users::needs_setup(app).await? {
        return existing_logins(app, &actor).await;
    }
    let portal_company = if party_count(app, &actor).await? == 0 {
        create_parties(app, &actor).await?
    } else {
        first_customer_company(app, &actor).await?
    };
    if product_count(app, &actor).await? == 0 {
        create_products(app, &actor).await?;
    }
    let no_moves = stock::moves(app, &actor, &MoveFilter::default(), None, 1)
        .await?
        .0
        .is_empty();
    if no_moves {
        receive_opening_stock(app, &actor, today_utc()).await?;
    }
    let no_orders = sales::list_orders(app, &actor, &OrderFilter::default(), None, 1)
        .await?
        .0
        .is_empty();
    if ledger::entries(app, &actor, None, 1).await?.is_empty() {
        post_history(app, &actor, today_utc()).await?;
    }
    if no_orders {
        create_orders(app, &actor, today_utc()).await?;
    }
    let no_quotes =
        crate::quotes::list_quotes(app, &actor, &crate::quotes::QuoteFilter::default(), None, 1)
            .await?
            .0
            .is_empty();
    if no_quotes {
        create_quotes(app, &actor, today_utc()).await?;
    }
    // After the orders and quotes, so their prices stay the list prices.
    if crate::price_lists::list_price_lists(app, &actor)
        .await?
        .is_empty()
    {
        create_price_lists(app, &actor).await?;
    }
    tickets::create_tickets(app, &actor, portal_company).await?;
    let logins = create_logins(app, &actor, portal_company).await?;
    reception::create_visits(app, &actor, portal_company).await?;
    crm::create_crm(app, &actor).await?;
    marketing::create_marketing(app, &actor).await?;
    // After the logins: the portal customer rates one of their requests.
    knowledge::create_knowledge(app, &actor).await?;
    appointments::create_appointments(app, &actor, portal_company).await?;
    // After the logins: employees are linked to theirs.
    hr::create_hr(app, &actor, today_utc()).await?;
    // After HR: the employees and their contracts are on payroll.
    payroll::create_payroll(app, &actor, today_utc()).await?;
    // After payroll: the hire in progress is not on last month's run.
    it::create_it(app, &actor, today_utc()).await?;
    Ok(logins)
}

async fn existing_logins(app: &App, actor: &Actor) -> AppResult<Vec<DemoLogin>> {
    let mut found = Vec::new();
    for login in demo_logins() {
        match users::user_by_username(app, actor, &login.username).await {
            Ok(_) => found.push(login),
            Err(AppError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(found)
}

async fn party_count(app: &App, actor: &Actor) -> AppResult<i64> {
    let filter = PartyFilter {
        archive: ArchiveFilter::All,
        ..PartyFilter::default()
    };
    Ok(
        parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 1)
            .await?
            .total,
    )
}

async fn product_count(app: &App, actor: &Actor) -> AppResult<i64> {
    let filter = ProductFilter {
        archive: ArchiveFilter::All,
        ..ProductFilter::default()
    };
    Ok(
        products::list_products(app, actor, &filter, ProductSort::SkuAsc, None, 1)
            .await?
            .total,
    )
}

/// Creates the catalogue and archives the product that was replaced.
async fn create_products(app: &App, actor: &Actor) -> AppResult<()> {
    for p in PRODUCTS {
        let id = products::create_product(app, actor, &product_draft(p)).await?;
        if p.0 == ARCHIVED_PRODUCT {
            products::set_archived(app, actor, id, true).await?;
        }
    }
    Ok(())
}

/// Receives the opening stock a year ago (the start of the demo's books) and
/// posts the count corrections a month later. Services have no stock.
async fn receive_opening_stock(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    let opened = Date::new(today.year() - 1, today.month(), 1)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let counted = Date::new(today.year() - 1, today.month(), 28)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    for (sku, qty) in OPENING_STOCK {
        let input = MoveInput {
            product: (*sku).to_owned(),
            warehouse: String::new(),
            draft: MoveDraft {
                qty: qty.to_string(),
                date: opened.to_string(),
                text: "Opening stock".to_owned(),
            },
        };
        stock::receive(app, actor, &input).await?;
    }
    for (sku, delta, reason) in STOCK_COUNT_CORRECTIONS {
        let input = MoveInput {
            product: (*sku).to_owned(),
            warehouse: String::new(),
            draft: MoveDraft {
                qty: delta.to_string(),
                date: counted.to_string(),
                text: (*reason).to_owned(),
            },
        };
        stock::adjust(app, actor, &input).await?;
    }
    Ok(())
}

/// The demo's sales orders, for the customer companies in the order they
/// were created; confirmed ones reserve their goods.
async fn create_orders(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    let customers = parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 100)
        .await?
        .rows;
    if customers.is_empty() {
        return Ok(());
    }
    for (index, order) in DEMO_ORDERS.iter().enumerate() {
        let Some(customer) = customers.get(order.customer % customers.len()) else {
            continue;
        };
        let date = today
            .checked_sub(order.days_ago.days())
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
        let input = OrderInput {
            customer: Some(PartyId(customer.id)),
            order_date: date.to_string(),
            currency: String::new(),
            lines: order
                .lines
                .iter()
                .map(|(sku, qty, price)| LineInput {
                    product: (*sku).to_owned(),
                    qty: qty.to_string(),
                    unit_price: if *price == 0 {
                        String::new()
                    } else {
                        format_amount(*price, "EUR")
                    },
                })
                .collect(),
        };
        let id = sales::create_order(app, actor, &input).await?;
        if order.state != DemoOrderState::Draft {
            sales::confirm_order(app, actor, id, None).await?;
        }
        if order.state == DemoOrderState::Cancelled {
            sales::cancel_order(app, actor, id, None).await?;
        }
        fulfil_recent_order(app, actor, index, id, date).await?;
    }
    Ok(())
}

/// The oldest recent order shipped, invoiced and awaiting payment; the
/// others wait in the warehouse's queue.
async fn fulfil_recent_order(
    app: &App,
    actor: &Actor,
    index: usize,
    id: seam_domain::ids::SalesOrderId,
    date: Date,
) -> AppResult<()> {
    use crate::fulfilment::{self, ShipInput, ShipLines};
    if index != 0 {
        return Ok(());
    }
    let shipped = date
        .checked_add(1.day())
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let input = ShipInput {
        lines: ShipLines::Remaining,
        ship_date: shipped.to_string(),
        tracking_reference: format!("DHL {}", 5_100_000 + index),
    };
    fulfilment::ship_order(app, actor, id, &input).await?;
    let input = invoicing::InvoiceInput {
        issue_date: shipped.to_string(),
        terms_days: sales_history::TERMS_DAYS.to_string(),
        note: String::new(),
    };
    let invoice = invoicing::invoice_order(app, actor, id, &input).await?;
    invoicing::post_invoice(app, actor, invoice).await?;
    Ok(())
}

/// What becomes of a demo quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoQuoteState {
    Draft,
    Sent,
    Accepted,
    Declined,
    /// Sent on its date, and its 30 days have passed since.
    Expired,
}

/// A demo quote: the customer (by position), how many days ago it was
/// written, what became of it, and its lines as (SKU, quantity, price in
/// cents or 0 for the list price).
struct DemoQuote {
    customer: usize,
    days_ago: i64,
    state: DemoQuoteState,
    lines: &'static [(&'static str, i64, i64)],
}

#[rustfmt::skip]
const DEMO_QUOTES: &[DemoQuote] = &[
    DemoQuote { customer: 7, days_ago: 45, state: DemoQuoteState::Expired,
        lines: &[("MACHINE-2GRP", 1, 0), ("SVC-INSTALL", 4, 0)] },
    DemoQuote { customer: 2, days_ago: 14, state: DemoQuoteState::Declined,
        lines: &[("COUNTER-180", 1, 0), ("SVC-DELIVERY", 1, 0)] },
    DemoQuote { customer: 1, days_ago: 7, state: DemoQuoteState::Accepted,
        lines: &[("GRINDER-64", 2, 0), ("SVC-TRAINING-DAY", 1, 0)] },
    DemoQuote { customer: 5, days_ago: 4, state: DemoQuoteState::Sent,
        lines: &[("ESP-BEAN-1KG", 30, 1_650), ("CUP-8OZ-1000", 6, 0)] },
    DemoQuote { customer: 3, days_ago: 1, state: DemoQuoteState::Draft,
        lines: &[("OLIVE-EV-5L", 12, 0), ("TUNA-200G", 48, 0)] },
];

/// The demo's quotes, one or more in every state; the accepted one became a
/// draft sales order.
async fn create_quotes(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    use crate::quotes::{self, QuoteInput};
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    let customers = parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 100)
        .await?
        .rows;
    if customers.is_empty() {
        return Ok(());
    }
    let internal = |e: jiff::Error| AppError::Internal(anyhow::Error::new(e));
    for quote in DEMO_QUOTES {
        let Some(customer) = customers.get(quote.customer % customers.len()) else {
            continue;
        };
        let date = today.checked_sub(quote.days_ago.days()).map_err(internal)?;
        let input = QuoteInput {
            customer: Some(PartyId(customer.id)),
            quote_date: date.to_string(),
            lines: quote
                .lines
                .iter()
                .map(|(sku, qty, price)| LineInput {
                    product: (*sku).to_owned(),
                    qty: qty.to_string(),
                    unit_price: if *price == 0 {
                        String::new()
                    } else {
                        format_amount(*price, "EUR")
                    },
                })
                .collect(),
            ..QuoteInput::default()
        };
        let id = quotes::create_quote(app, actor, &input).await?;
        if quote.state == DemoQuoteState::Draft {
            continue;
        }
        let sent_on = seam_domain::ledger::Date {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        };
        quotes::send_quote_on(app, actor, id, None, sent_on).await?;
        match quote.state {
            DemoQuoteState::Accepted => {
                quotes::accept_quote(app, actor, id, None).await?;
            }
            DemoQuoteState::Declined => {
                quotes::decline_quote(app, actor, id, None, "Chose a smaller counter").await?;
            }
            _ => {}
        }
    }
    Ok(())
}

async fn first_customer_company(app: &App, actor: &Actor) -> AppResult<PartyId> {
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    let page = parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 1).await?;
    page.rows
        .first()
        .map(|row| PartyId(row.id))
        .ok_or(AppError::Conflict("error-demo-no-customer"))
}

/// Creates every company, then every person; returns the portal login's company.
async fn create_parties(app: &App, actor: &Actor) -> AppResult<PartyId> {
    let mut company_ids = Vec::with_capacity(COMPANIES.len());
    for (index, c) in COMPANIES.iter().enumerate() {
        company_ids.push(parties::create_party(app, actor, &company_draft(index, c)).await?);
    }
    for (index, p) in PERSONS.iter().enumerate() {
        let mut draft = person_draft(index, p);
        draft.company_id = p.company.and_then(|i| company_ids.get(i)).map(|id| id.0);
        parties::create_party(app, actor, &draft).await?;
    }
    company_ids
        .first()
        .copied()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the demo data has no companies")))
}

async fn create_logins(
    app: &App,
    actor: &Actor,
    portal_company: PartyId,
) -> AppResult<Vec<DemoLogin>> {
    let logins = demo_logins();
    for login in &logins {
        let role = login.roles.first().copied().unwrap_or(Role::Admin);
        let (username, display_name, email_local) = demo_user(role);
        let email_domain = if role == Role::Portal {
            COMPANIES.first().map_or(STAFF_MAIL_DOMAIN, |c| c.domain)
        } else {
            STAFF_MAIL_DOMAIN
        };
        let draft = UserDraft {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            email: format!("{email_local}@{email_domain}"),
            password: login.password.clone(),
            roles: login.roles.clone(),
            party_id: (role == Role::Portal).then_some(portal_company.0),
            locale: String::new(),
            time_zone: "Europe/Berlin".to_owned(),
        };
        users::add_user(app, actor, &draft).await?;
    }
    Ok(logins)
}

/// Today's date in UTC: the demo's bookkeeping ends here.
fn today_utc() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// One line of a planned entry: account code, debit and credit in cents.
type Line = (&'static str, i64, i64);

/// What one step of the demo's bookkeeping does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Post {
        memo: String,
        lines: Vec<Line>,
    },
    /// Reverses the entry posted by the step at this position of the plan.
    Reverse {
        of: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    date: Date,
    step: Step,
}

/// The demo's bookkeeping currency; every amount below is in its cents.
const CURRENCY: &str = "EUR";
/// Input VAT on purchases, in percent.
const VAT_PERCENT: i64 = 25;
/// Enough to pay a year of rent, salaries and bills before the first sale is paid.
const SHARE_CAPITAL: i64 = 32_000_000;
const MONTHLY_RENT: i64 = 240_000;
const MONTHLY_SALARIES: i64 = 1_180_000;
/// Salaries after the raise half way through the year.
const MONTHLY_SALARIES_RAISED: i64 = 1_240_000;

/// Vendors of goods for the inventory, and what they deliver.
const GOODS_VENDORS: &[(&str, &str)] = &[
    ("Dansk Kaffe Import ApS", "coffee beans"),
    ("Hellenic Olive Co.", "olive oil"),
    ("Atlantic Seafood Lda", "tinned fish"),
    ("Svensson & Dotter AB", "packaging"),
    ("Müller & Söhne KG", "kitchen equipment"),
    ("Kowalski Meble Sp. z o.o.", "shop furniture"),
];

/// Vendors of office services and supplies, and what they bill for.
const OFFICE_VENDORS: &[(&str, &str)] = &[
    ("O'Brien Office Supplies Ltd", "office supplies"),
    ("Eesti Tarkvara OÜ", "web shop hosting"),
    ("Tipografia Bellini S.r.l.", "printed catalogues"),
];

/// A fixed, well-mixed number for `seed` (SplitMix64), so amounts and days look varied but never change.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A whole number of euros in `[low, low + spread)` (in cents), picked by `seed`.
fn euros(seed: u64, low: i64, spread: u64) -> i64 {
    (low + i64::try_from(mix(seed) % spread.max(1)).unwrap_or(0)) * 100
}

fn pick<T>(items: &[T], seed: u64) -> Option<&T> {
    let len = u64::try_from(items.len()).ok()?;
    items.get(usize::try_from(mix(seed) % len.max(1)).ok()?)
}

fn vat(net: i64) -> i64 {
    net * VAT_PERCENT / 100
}

/// Day `day` of the month that starts on `first`, or its last day in a shorter month.
fn day_of(first: Date, day: i8) -> Result<Date, jiff::Error> {
    Date::new(first.year(), first.month(), day.min(first.days_in_month()))
}

fn month_name(date: Date) -> String {
    date.strftime("%B %Y").to_string()
}

/// Adds an entry to the plan; returns its position.
fn post(plan: &mut Vec<Planned>, date: Date, memo: String, lines: Vec<Line>) -> usize {
    plan.push(Planned {
        date,
        step: Step::Post { memo, lines },
    });
    plan.len() - 1
}

/// The demo's bookkeeping in posting order, from the first day of the month a
/// year before `today` up to `today`. The same `today` always gives the same plan.
fn plan_history(today: Date) -> Result<Vec<Planned>, jiff::Error> {
    let mut plan: Vec<Planned> = Vec::new();
    let start = today.first_of_month().checked_sub(12.months())?;
    post(
        &mut plan,
        start,
        "Share capital paid in by the founders".to_owned(),
        vec![("1100", SHARE_CAPITAL, 0), ("3000", 0, SHARE_CAPITAL)],
    );
    let mut mistaken = None;
    for m in 0..=12_i64 {
        let first = start.checked_add(m.months())?;
        if first > today {
            break;
        }
        let seed = u64::try_from(m).unwrap_or(0) * 1_000;
        let within = |date: Date| (date <= today).then_some(date);
        let rent_memo = format!("Office and warehouse rent {}", month_name(first));
        let rent = vec![("6000", MONTHLY_RENT, 0), ("1100", 0, MONTHLY_RENT)];
        post(&mut plan, first, rent_memo.clone(), rent.clone());
        if m == 8 {
            // The rent entered a second time by mistake, undone three days later.
            let twice = post(&mut plan, day_of(first, 2)?, rent_memo, rent);
            mistaken = Some((twice, day_of(first, 5)?));
        }
        if let Some(payday) = within(day_of(first, 25)?) {
            let salaries = if m < 6 {
                MONTHLY_SALARIES
            } else {
                MONTHLY_SALARIES_RAISED
            };
            post(
                &mut plan,
                payday,
                format!("Salaries {}", month_name(first)),
                vec![("6100", salaries, 0), ("1100", 0, salaries)],
            );
        }
        // Goods for the inventory twice a month, office costs once; each bill paid within weeks.
        for (k, day) in [6_i8, 14, 19].into_iter().enumerate() {
            let seed = seed + 500 + u64::try_from(k).unwrap_or(0) * 10;
            let Some(date) = within(day_of(first, day)?) else {
                continue;
            };
            let office = k == 1;
            let (vendor, what, account, net) = if office {
                let Some((vendor, what)) = pick(OFFICE_VENDORS, seed + 1) else {
                    continue;
                };
                (vendor, what, "6200", euros(seed + 4, 150, 650))
            } else {
                let Some((vendor, what)) = pick(GOODS_VENDORS, seed + 1) else {
                    continue;
                };
                (vendor, what, "1300", euros(seed + 4, 1_200, 3_300))
            };
            let bill = 10_000 + mix(seed + 2) % 90_000;
            let total = net + vat(net);
            post(
                &mut plan,
                date,
                format!("Bill {bill} {vendor}: {what}"),
                vec![(account, net, 0), ("1400", vat(net), 0), ("2000", 0, total)],
            );
            let paid_on = date.checked_add((18 + (mix(seed + 3) % 16) as i64).days())?;
            if let Some(paid_on) = within(paid_on) {
                post(
                    &mut plan,
                    paid_on,
                    format!("Payment of bill {bill} to {vendor}"),
                    vec![("2000", total, 0), ("1100", 0, total)],
                );
            }
        }
    }
    if let Some((of, date)) = mistaken.filter(|(_, date)| *date <= today) {
        plan.push(Planned {
            date,
            step: Step::Reverse { of },
        });
    }
    Ok(in_date_order(plan))
}

/// The plan sorted by date (same-day steps keep their order), reversals pointing at their new positions.
fn in_date_order(plan: Vec<Planned>) -> Vec<Planned> {
    let mut order: Vec<usize> = (0..plan.len()).collect();
    order.sort_by_key(|&i| plan.get(i).map(|p| p.date));
    let mut position = vec![0; plan.len()];
    for (new, old) in order.iter().enumerate() {
        if let Some(slot) = position.get_mut(*old) {
            *slot = new;
        }
    }
    order
        .into_iter()
        .filter_map(|i| plan.get(i).cloned())
        .map(|mut p| {
            if let Step::Reverse { of } = &mut p.step {
                *of = position.get(*of).copied().unwrap_or(*of);
            }
            p
        })
        .collect()
}

/// The months of the plan that end more than two months before `today`.
fn periods_to_close(plan: &[Planned], today: Date) -> Result<Vec<String>, jiff::Error> {
    let cutoff = today.checked_sub(2.months())?;
    let mut periods: Vec<String> = plan
        .iter()
        .filter(|p| p.date.last_of_month() < cutoff)
        .map(|p| p.date.strftime("%Y-%m").to_string())
        .collect();
    periods.dedup();
    Ok(periods)
}

fn entry_draft(date: Date, memo: &str, lines: &[Line]) -> EntryDraft {
    let amount = |minor: i64| {
        if minor == 0 {
            String::new()
        } else {
            format_amount(minor, CURRENCY)
        }
    };
    EntryDraft {
        date: date.to_string(),
        memo: memo.to_owned(),
        currency: CURRENCY.to_owned(),
        lines: lines
            .iter()
            .map(|(account, debit, credit)| LineDraft {
                account: (*account).to_owned(),
                debit: amount(*debit),
                credit: amount(*credit),
            })
            .collect(),
    }
}

/// Posts the planned bookkeeping up to `today` and closes the months older than two.
async fn post_history(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    let internal = |e: jiff::Error| AppError::Internal(anyhow::anyhow!("demo dates: {e}"));
    let plan = plan_history(today).map_err(internal)?;
    let mut posted: Vec<i64> = Vec::with_capacity(plan.len());
    for planned in &plan {
        let id = match &planned.step {
            Step::Post { memo, lines } => {
                ledger::post_entry(app, actor, &entry_draft(planned.date, memo, lines))
                    .await?
                    .0
            }
            Step::Reverse { of } => {
                let original = posted.get(*of).copied().ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("demo reversal of a later entry"))
                })?;
                ledger::reverse_entry(app, actor, original, &planned.date.to_string())
                    .await?
                    .0
            }
        };
        posted.push(id);
    }
    company::update_profile(app, actor, &demo_company_profile()).await?;
    set_exchange_rates(app, actor, today).await?;
    let customers: Vec<i64> = customer_companies(app, actor)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    sales_history::run_sales(app, actor, today, &customers).await?;
    let start = today
        .first_of_month()
        .checked_sub(12.months())
        .map_err(internal)?;
    sales_history::settle_vat(app, actor, start, today).await?;
    for period in periods_to_close(&plan, today).map_err(internal)? {
        ledger::close_period(app, actor, &period).await?;
    }
    Ok(())
}

/// The demo company as its invoices name it.
fn demo_company_profile() -> CompanyProfile {
    CompanyProfile {
        name: "Nordhavn Café Supply AB".to_owned(),
        vat_id: "SE556677889901".to_owned(),
        legal_id: "556677-8899".to_owned(),
        street: "Hamngatan 12".to_owned(),
        postcode: "111 47".to_owned(),
        city: "Stockholm".to_owned(),
        country: "SE".to_owned(),
        email: "invoices@seam-demo.example".to_owned(),
        iban: "SE4550000000058398257466".to_owned(),
        currency: CURRENCY.to_owned(),
    }
}

/// A rate for each foreign currency on the first of every month of the year.
async fn set_exchange_rates(app: &App, actor: &Actor, today: Date) -> AppResult<()> {
    let internal = |e: jiff::Error| AppError::Internal(anyhow::anyhow!("demo dates: {e}"));
    let start = today
        .first_of_month()
        .checked_sub(12.months())
        .map_err(internal)?;
    // (currency, EUR per unit in 1/10,000, monthly drift seed)
    let base: [(&str, i64); 3] = [("CHF", 10_650), ("SEK", 870), ("USD", 9_150)];
    for m in 0..=12_i64 {
        let first = start.checked_add(m.months()).map_err(internal)?;
        for (k, (code, rate)) in base.iter().enumerate() {
            let seed = u64::try_from(m).unwrap_or(0) * 10 + u64::try_from(k).unwrap_or(0);
            let drift = i64::try_from(mix(seed + 90_000) % 200).unwrap_or(0) - 100;
            let rate = rate + rate * drift / 5_000;
            let text = format!("{}.{:04}", rate / 10_000, rate % 10_000);
            invoicing::set_rate(app, actor, code, &first.to_string(), &text).await?;
        }
    }
    Ok(())
}

/// The demo's price lists: (code, name, currency, discount %, customers, item prices).
#[allow(clippy::type_complexity)]
const PRICE_LISTS: &[(&str, &str, &str, &str, &[&str], &[(&str, &str, &str)])] = &[
    (
        "WHOLESALE",
        "Wholesale",
        "EUR",
        "10",
        &["Dvořák Strojírny s.r.o.", "Kovács Trade Kft."],
        &[("ESP-BEAN-1KG", "21.90", ""), ("OLIVE-BULK", "8.40", "0")],
    ),
    (
        "CH-CHF",
        "Switzerland CHF",
        "CHF",
        "",
        &["Zürcher Feinmechanik AG"],
        &[
            ("ESP-BEAN-1KG", "23.50", ""),
            ("GRINDER-64", "845.00", ""),
            ("MACHINE-2GRP", "4690.00", "5"),
            ("GASKET-58", "4.20", ""),
            ("SVC-MAINTENANCE", "175.00", ""),
        ],
    ),
];

/// Two price lists: a wholesale list in EUR with 10 % off for two customer
/// companies, and CHF prices for a few products for the Swiss customer.
/// Customers the demo's parties lack (a database with other parties) are skipped.
async fn create_price_lists(app: &App, actor: &Actor) -> AppResult<()> {
    use seam_domain::price_list::{ItemDraft, PriceListDraft};
    let customers = customer_companies(app, actor).await?;
    for (code, name, currency, discount, members, items) in PRICE_LISTS {
        let draft = PriceListDraft {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            currency: (*currency).to_owned(),
            discount: (*discount).to_owned(),
        };
        let id = crate::price_lists::create_price_list(app, actor, &draft).await?;
        for (sku, price, item_discount) in *items {
            let item = ItemDraft {
                unit_price: (*price).to_owned(),
                discount: (*item_discount).to_owned(),
            };
            crate::price_lists::set_item_price(app, actor, id, sku, &item).await?;
        }
        for member in *members {
            if let Some(party) = customers.iter().find(|c| c.name == *member) {
                crate::price_lists::assign(app, actor, PartyId(party.id), Some(id)).await?;
            }
        }
    }
    Ok(())
}

/// The customer companies in the order they were created.
async fn customer_companies(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<seam_store::parties::PartyRow>> {
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    Ok(
        parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 100)
            .await?
            .rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use seam_domain::{party, password};

    #[test]
    fn the_demo_password_passes_the_policy_for_every_demo_login() {
        for login in demo_logins() {
            assert_eq!(
                password::check(&login.password, &login.username),
                Ok(()),
                "{}",
                login.username
            );
        }
    }

    #[test]
    fn there_is_one_demo_login_per_role_with_a_valid_username() {
        let logins = demo_logins();
        assert_eq!(logins.len(), Role::ALL.len());
        for login in &logins {
            assert!(
                (3..=users::USERNAME_CHARS_MAX).contains(&login.username.len()),
                "{}",
                login.username
            );
            assert!(
                login
                    .username
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b"-".contains(&b)),
                "{}",
                login.username
            );
        }
    }

    #[test]
    fn demo_quotes_name_active_products_and_cover_every_state() {
        let customers = COMPANIES.iter().filter(|c| c.customer).count();
        for quote in DEMO_QUOTES {
            assert!(quote.customer < customers, "customer {}", quote.customer);
            assert!(!quote.lines.is_empty());
            for (sku, qty, _) in quote.lines {
                assert!(PRODUCTS.iter().any(|p| p.0 == *sku), "{sku}");
                assert_ne!(*sku, ARCHIVED_PRODUCT);
                assert!(*qty > 0, "{sku}");
            }
            // An expired quote's 30 days have passed; every other one's have not.
            let expired = quote.days_ago > seam_domain::quote::DEFAULT_VALID_DAYS;
            assert_eq!(expired, quote.state == DemoQuoteState::Expired);
        }
        for state in [
            DemoQuoteState::Draft,
            DemoQuoteState::Sent,
            DemoQuoteState::Accepted,
            DemoQuoteState::Declined,
            DemoQuoteState::Expired,
        ] {
            assert!(DEMO_QUOTES.iter().any(|q| q.state == state), "{state:?}");
        }
    }

    #[test]
    fn demo_orders_name_active_products_for_distinct_customers_and_fit_the_stock() {
        let customers = COMPANIES.iter().filter(|c| c.customer).count();
        let mut reserved: std::collections::BTreeMap<&str, i64> = Default::default();
        for order in DEMO_ORDERS {
            assert!(order.customer < customers, "customer {}", order.customer);
            assert!(!order.lines.is_empty());
            for (sku, qty, _) in order.lines {
                let p = PRODUCTS.iter().find(|p| p.0 == *sku).unwrap();
                assert_ne!(*sku, ARCHIVED_PRODUCT);
                assert!(*qty > 0, "{sku}");
                if order.state == DemoOrderState::Confirmed && p.2 == "goods" {
                    *reserved.entry(sku).or_default() += qty;
                }
            }
        }
        for (sku, qty) in reserved {
            let opening = OPENING_STOCK.iter().find(|s| s.0 == sku).unwrap().1;
            let corrected: i64 = STOCK_COUNT_CORRECTIONS
                .iter()
                .filter(|c| c.0 == sku)
                .map(|c| c.1)
                .sum();
            assert!(qty <= opening + corrected, "{sku}: {qty}");
        }
        let count = |state| DEMO_ORDERS.iter().filter(|o| o.state == state).count();
        assert_eq!(count(DemoOrderState::Confirmed), 6);
        assert_eq!(count(DemoOrderState::Draft), 2);
        assert_eq!(count(DemoOrderState::Cancelled), 1);
        let goods_and_services = DEMO_ORDERS.iter().any(|o| {
            let kinds: Vec<&str> = o
                .lines
                .iter()
                .filter_map(|l| PRODUCTS.iter().find(|p| p.0 == l.0).map(|p| p.2))
                .collect();
            kinds.contains(&"goods") && kinds.contains(&"service")
        });
        assert!(goods_and_services);
    }

    #[test]
    fn every_demo_party_passes_validation() {
        for (index, c) in COMPANIES.iter().enumerate() {
            assert_eq!(
                party::validate(&company_draft(index, c)).err(),
                None,
                "{}",
                c.name
            );
        }
        for (index, p) in PERSONS.iter().enumerate() {
            assert_eq!(
                party::validate(&person_draft(index, p)).err(),
                None,
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn every_demo_product_passes_validation_with_a_seeded_rate() {
        let seeded = ["S25", "S12", "S6", "Z0", "E", "AE", "G"];
        let mut skus = std::collections::HashSet::new();
        for p in PRODUCTS {
            let valid = seam_domain::product::validate_product(&product_draft(p));
            assert!(valid.is_ok(), "{}: {valid:?}", p.0);
            assert!(seeded.contains(&p.6), "{}", p.0);
            assert!(skus.insert(p.0), "{} twice", p.0);
        }
        assert!((25..=40).contains(&PRODUCTS.len()));
        assert!(PRODUCTS.iter().any(|p| p.2 == "service" && p.6 == "AE"));
        assert!(PRODUCTS.iter().any(|p| p.0 == ARCHIVED_PRODUCT));
    }

    #[test]
    fn opening_stock_names_every_active_demo_good_and_no_service() {
        let goods: Vec<&str> = PRODUCTS
            .iter()
            .filter(|p| p.2 == "goods" && p.0 != ARCHIVED_PRODUCT)
            .map(|p| p.0)
            .collect();
        let stocked: Vec<&str> = OPENING_STOCK.iter().map(|s| s.0).collect();
        assert_eq!(stocked, goods);
        assert!(OPENING_STOCK.iter().all(|s| s.1 > 0));
        for (sku, delta, _) in STOCK_COUNT_CORRECTIONS {
            let opening = OPENING_STOCK.iter().find(|s| s.0 == *sku).unwrap().1;
            assert!(opening + delta >= 0, "{sku}");
        }
    }

    #[test]
    fn the_demo_has_enough_parties_and_a_customer_company_first() {
        assert!(COMPANIES.len() + PERSONS.len() >= 60);
        assert!(COMPANIES.first().is_some_and(|c| c.customer));
        assert!(COMPANIES.iter().any(|c| c.customer && c.vendor));
        let contacts = PERSONS.iter().filter(|p| p.company.is_some()).count();
        assert!(contacts * 2 > PERSONS.len());
        assert!(
            PERSONS
                .iter()
                .filter_map(|p| p.company)
                .all(|i| i < COMPANIES.len())
        );
    }

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn the_demo_history_is_a_year_of_balanced_entries_that_is_always_the_same() {
        for today in [
            today(),
            Date::new(2026, 1, 1).unwrap(),
            Date::new(2028, 2, 29).unwrap(),
            Date::new(2027, 6, 30).unwrap(),
        ] {
            let plan = plan_history(today).unwrap();
            assert_eq!(plan, plan_history(today).unwrap(), "deterministic");
            assert!(
                (70..=130).contains(&plan.len()),
                "{} entries for {today}",
                plan.len()
            );
            let first = plan.first().unwrap().date;
            assert_eq!(
                first,
                today.first_of_month().checked_sub(12.months()).unwrap()
            );
            assert!(
                plan.windows(2).all(|w| w[0].date <= w[1].date),
                "in date order"
            );
            assert!(plan.last().unwrap().date <= today, "nothing in the future");
            let mut bank = 0;
            for (index, p) in plan.iter().enumerate() {
                match &p.step {
                    Step::Post { memo, lines } => {
                        let draft = entry_draft(p.date, memo, lines);
                        let entry = seam_domain::ledger::validate_entry(&draft);
                        assert!(entry.is_ok(), "{draft:?}: {entry:?}");
                        for (account, debit, credit) in lines {
                            if *account == "1100" {
                                bank += debit - credit;
                            }
                        }
                        assert!(bank >= 0, "the bank is overdrawn on {}", p.date);
                    }
                    Step::Reverse { of } => {
                        assert!(*of < index);
                        assert!(matches!(plan[*of].step, Step::Post { .. }));
                    }
                }
            }
            let reversals = plan
                .iter()
                .filter(|p| matches!(p.step, Step::Reverse { .. }))
                .count();
            assert_eq!(reversals, 1);
        }
    }

    #[test]
    fn the_demo_vendors_are_demo_vendors() {
        for (name, _) in GOODS_VENDORS.iter().chain(OFFICE_VENDORS) {
            assert!(
                COMPANIES.iter().any(|c| c.name == *name && c.vendor),
                "{name}"
            );
        }
    }

    #[test]
    fn the_months_older_than_two_are_closed() {
        let plan = plan_history(today()).unwrap();
        let closed = periods_to_close(&plan, today()).unwrap();
        assert_eq!(closed.first().map(String::as_str), Some("2025-11"));
        assert_eq!(closed.last().map(String::as_str), Some("2026-08"));
        assert_eq!(closed.len(), 10);
    }

    #[test]
    fn demo_phones_are_stable() {
        assert_eq!(demo_phone("DE", 0), demo_phone("DE", 0));
        assert!(party::normalize_phone(&demo_phone("CZ", 99)).is_some());
    }
}
