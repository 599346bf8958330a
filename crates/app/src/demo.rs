//! A demo company to click through: two dozen European customers and vendors,
//! their contact persons, a few private customers, and one login per role.
//!
//! The data is fixed (no randomness), so every demo looks the same and a bug
//! report against it can be reproduced. Every record goes through the same
//! use cases as a user's input, acting as `system:demo`, so each one has its
//! audit event and the journal verifies like any other.
//!
//! E-mail addresses use the reserved `.example` domain, so nothing Seam ever
//! sends from a demo reaches a real mailbox.

use seam_domain::access::Role;
use seam_domain::ids::PartyId;
use seam_domain::party::PartyDraft;
use seam_store::parties::{ArchiveFilter, PartyFilter, PartySort};

use crate::users::{self, UserDraft};
use crate::{Actor, App, AppError, AppResult, parties};

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

/// Fills an empty database with the demo company and its logins.
///
/// When users already exist nothing is created, and the demo logins that
/// exist are returned (so `seam demo` can be started again on the same
/// database). When parties exist but no users (an earlier load stopped half
/// way), the parties are kept and only the logins are added.
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
    create_logins(app, &actor, portal_company).await
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

    #[test]
    fn demo_phones_are_stable() {
        assert_eq!(demo_phone("DE", 0), demo_phone("DE", 0));
        assert!(party::normalize_phone(&demo_phone("CZ", 99)).is_some());
    }
}
