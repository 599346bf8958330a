//! The company's own profile: the seller on every invoice (name, VAT and
//! registration numbers, address, bank account) and the currency its books
//! are kept in. Stored as `company.*` settings.

use seam_domain::FieldErrors;
use seam_domain::access::Permission;
use seam_domain::ledger::parse_currency;
use seam_store::settings;
use serde_json::json;

use crate::{Actor, App, AppResult, Change, record};

/// The book currency when none is set.
pub const DEFAULT_CURRENCY: &str = "EUR";

/// The company as its documents name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyProfile {
    pub name: String,
    pub vat_id: String,
    pub legal_id: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: String,
    pub iban: String,
    /// ISO 4217: the currency of the books.
    pub currency: String,
}

const FIELDS: [&str; 10] = [
    "name", "vat_id", "legal_id", "street", "postcode", "city", "country", "email", "iban",
    "currency",
];

impl CompanyProfile {
    fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "vat_id" => &mut self.vat_id,
            "legal_id" => &mut self.legal_id,
            "street" => &mut self.street,
            "postcode" => &mut self.postcode,
            "city" => &mut self.city,
            "country" => &mut self.country,
            "email" => &mut self.email,
            "iban" => &mut self.iban,
            "currency" => &mut self.currency,
            _ => return None,
        })
    }

    fn field(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "vat_id" => &self.vat_id,
            "legal_id" => &self.legal_id,
            "street" => &self.street,
            "postcode" => &self.postcode,
            "city" => &self.city,
            "country" => &self.country,
            "email" => &self.email,
            "iban" => &self.iban,
            "currency" => &self.currency,
            _ => "",
        }
    }
}

/// The profile as stored, with defaults for what was never set. Anyone
/// signed in may read it: it is printed on every invoice.
pub async fn profile(app: &App) -> AppResult<CompanyProfile> {
    let mut profile = CompanyProfile {
        name: "Seam company".to_owned(),
        currency: DEFAULT_CURRENCY.to_owned(),
        ..CompanyProfile::default()
    };
    for (name, value) in settings::settings_with_prefix(&app.db, "company.").await? {
        if let Some(field) = name
            .strip_prefix("company.")
            .and_then(|f| profile.field_mut(f))
        {
            *field = value;
        }
    }
    Ok(profile)
}

/// The setting naming the address people reach Seam at
/// (`https://seam.example.com`), which every e-mailed link starts with: a
/// campaign's unsubscribe link, a rating link.
pub const PUBLIC_URL_SETTING: &str = "company.public_url";

/// The public address; "" when none is set.
pub async fn public_url(app: &App) -> AppResult<String> {
    Ok(settings::setting(&app.db, PUBLIC_URL_SETTING)
        .await?
        .unwrap_or_default())
}

/// Reads a public address: an http(s) address with a host, without spaces,
/// a query or a fragment; the trailing `/` is dropped. "" stays "".
///
/// Errors: `field` with `error-url`.
pub fn check_public_url(field: &str, url: &str) -> Result<String, FieldErrors> {
    let url = url.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let well_formed = host.is_some_and(|h| !h.is_empty())
        && !url.contains(['?', '#'])
        && !url.contains(char::is_whitespace);
    if url.is_empty() || well_formed {
        Ok(url.to_owned())
    } else {
        Err(FieldErrors::one(field, "error-url"))
    }
}

/// Stores the public address inside the caller's transaction.
pub(crate) async fn set_public_url_in(tx: &mut seam_store::Tx, url: &str) -> AppResult<()> {
    settings::set_setting(tx, PUBLIC_URL_SETTING, url).await?;
    Ok(())
}

/// The currency the books are kept in.
pub async fn currency(app: &App) -> AppResult<String> {
    Ok(profile(app).await?.currency)
}

/// Checks and stores the profile. Needs `ledger.admin`.
///
/// Errors: [`crate::AppError::Invalid`] naming `name` (required), `country`
/// (two letters), `currency` (three letters), `email`.
pub async fn update_profile(app: &App, actor: &Actor, draft: &CompanyProfile) -> AppResult<()> {
    actor.require(Permission::LedgerAdmin)?;
    let mut clean = CompanyProfile::default();
    let mut errors = FieldErrors::new();
    for name in FIELDS {
        if let Some(field) = clean.field_mut(name) {
            *field = draft.field(name).trim().to_owned();
        }
    }
    if clean.name.is_empty() {
        errors.add("name", "error-required");
    }
    clean.country = clean.country.to_ascii_uppercase();
    if !(clean.country.is_empty()
        || (clean.country.len() == 2 && clean.country.chars().all(|c| c.is_ascii_uppercase())))
    {
        errors.add("country", "error-country");
    }
    match parse_currency(&clean.currency) {
        Some(code) => clean.currency = code,
        None => errors.add("currency", "error-currency"),
    }
    if !clean.email.is_empty() && !clean.email.contains('@') {
        errors.add("email", "error-email");
    }
    clean.iban = clean.iban.replace(' ', "").to_ascii_uppercase();
    errors.into_result(())?;
    let before = profile(app).await?;
    let mut tx = app.db.begin().await?;
    for name in FIELDS {
        settings::set_setting(&mut tx, &format!("company.{name}"), clean.field(name)).await?;
    }
    let as_json = |p: &CompanyProfile| {
        serde_json::Value::Object(
            FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), json!(p.field(f))))
                .collect(),
        )
    };
    record(
        &mut tx,
        actor,
        Change {
            entity_type: "company",
            entity_id: "profile".to_owned(),
            action: "update",
            before: Some(as_json(&before)),
            after: Some(as_json(&clean)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
