//! Parties: the companies and persons the business deals with, as customers,
//! vendors or contacts of a company.

use crate::FieldErrors;
use crate::ids::PartyId;

pub const NAME_CHARS_MAX: usize = 200;
pub const NOTE_CHARS_MAX: usize = 4000;
pub const TAGS_MAX: usize = 20;
pub const TAG_CHARS_MAX: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    Company,
    Person,
}

impl PartyKind {
    pub fn name(self) -> &'static str {
        match self {
            PartyKind::Company => "company",
            PartyKind::Person => "person",
        }
    }

    pub fn parse(s: &str) -> Option<PartyKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "company" => Some(PartyKind::Company),
            "person" => Some(PartyKind::Person),
            _ => None,
        }
    }
}

/// A party as typed by a user, every field still text. Validation turns it
/// into a [`ValidParty`] or field errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyDraft {
    pub kind: String,
    pub name: String,
    /// For a person: the company they work for, as an id.
    pub company_id: Option<i64>,
    pub email: String,
    pub phone: String,
    pub tax_id: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub is_customer: bool,
    pub is_vendor: bool,
    /// Comma separated.
    pub tags: String,
    pub notes: String,
}

/// A party whose every field has passed the rules; only these reach the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidParty {
    pub kind: PartyKind,
    pub name: String,
    pub company_id: Option<PartyId>,
    /// Lower-cased domain; `None` when not given.
    pub email: Option<String>,
    /// Digits with an optional leading `+`.
    pub phone: Option<String>,
    /// Upper case, without spaces, dots or dashes.
    pub tax_id: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub is_customer: bool,
    pub is_vendor: bool,
    /// Lower case, sorted, without duplicates.
    pub tags: Vec<String>,
    pub notes: Option<String>,
}

impl ValidParty {
    /// Tags as stored: comma separated, so search and export read them as text.
    pub fn tags_text(&self) -> String {
        self.tags.join(",")
    }
}

/// Checks every field and reports every problem at once.
pub fn validate(draft: &PartyDraft) -> Result<ValidParty, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = PartyKind::parse(&draft.kind);
    if kind.is_none() {
        errors.add("kind", "error-party-kind");
    }
    let name = draft.name.trim();
    if name.is_empty() {
        errors.add("name", "error-required");
    } else if name.chars().count() > NAME_CHARS_MAX {
        errors.add("name", "error-too-long");
    }
    let company_id = match (kind, draft.company_id) {
        (Some(PartyKind::Company), Some(_)) => {
            errors.add("company_id", "error-company-of-company");
            None
        }
        (_, Some(id)) if id <= 0 => {
            errors.add("company_id", "error-unknown-company");
            None
        }
        (_, id) => id.map(PartyId),
    };
    let email = optional(&draft.email).and_then(|e| match normalize_email(e) {
        Some(e) => Some(e),
        None => {
            errors.add("email", "error-email");
            None
        }
    });
    let phone = optional(&draft.phone).and_then(|p| match normalize_phone(p) {
        Some(p) => Some(p),
        None => {
            errors.add("phone", "error-phone");
            None
        }
    });
    let tax_id = optional(&draft.tax_id).and_then(|t| match normalize_tax_id(t) {
        Some(t) => Some(t),
        None => {
            errors.add("tax_id", "error-tax-id");
            None
        }
    });
    let country = optional(&draft.country).and_then(|c| {
        let c = c.to_ascii_uppercase();
        if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
            Some(c)
        } else {
            errors.add("country", "error-country");
            None
        }
    });
    let tags = match parse_tags(&draft.tags) {
        Ok(tags) => tags,
        Err(code) => {
            errors.add("tags", code);
            Vec::new()
        }
    };
    let short_text = |field: &str, value: &str, errors: &mut FieldErrors| {
        let value = optional(value)?;
        if value.chars().count() > NAME_CHARS_MAX {
            errors.add(field, "error-too-long");
        }
        Some(value.to_owned())
    };
    let street = short_text("street", &draft.street, &mut errors);
    let postal_code = short_text("postal_code", &draft.postal_code, &mut errors);
    let city = short_text("city", &draft.city, &mut errors);
    let notes = optional(&draft.notes).map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_CHARS_MAX)
    {
        errors.add("notes", "error-too-long");
    }
    let Some(kind) = kind else {
        return Err(errors);
    };
    errors.into_result(ValidParty {
        kind,
        name: name.to_owned(),
        company_id,
        email,
        phone,
        tax_id,
        street,
        postal_code,
        city,
        country,
        is_customer: draft.is_customer,
        is_vendor: draft.is_vendor,
        tags,
        notes,
    })
}

fn optional(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

/// `Anna@Example.COM` becomes `Anna@example.com`; `None` when it cannot be an address.
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim();
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return None;
    }
    Some(format!("{local}@{}", domain.to_lowercase()))
}

/// Keeps a leading `+` and the digits; `None` with fewer than 5 or more than
/// 15 digits (E.164's limit) or with characters a phone number never has.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let phone = phone.trim();
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().\u{a0}/".contains(c))
    {
        return None;
    }
    if phone.chars().skip(1).any(|c| c == '+') {
        return None;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if !(5..=15).contains(&digits.len()) {
        return None;
    }
    Some(if phone.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// `se 556677-8899 01` becomes `SE556677889901`.
pub fn normalize_tax_id(tax_id: &str) -> Option<String> {
    let cleaned: String = tax_id
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok =
        (2..=20).contains(&cleaned.len()) && cleaned.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(cleaned)
}

/// Splits `VIP, wholesale` into `["vip", "wholesale"]`.
pub fn parse_tags(text: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = text
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    if tags.iter().any(|t| t.chars().count() > TAG_CHARS_MAX) {
        return Err("error-tag-too-long");
    }
    if tags
        .iter()
        .any(|t| !t.chars().all(|c| c.is_alphanumeric() || " -_".contains(c)))
    {
        return Err("error-tag-chars");
    }
    tags.sort();
    tags.dedup();
    if tags.len() > TAGS_MAX {
        return Err("error-too-many-tags");
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(name: &str) -> PartyDraft {
        PartyDraft {
            kind: "company".into(),
            name: name.into(),
            ..PartyDraft::default()
        }
    }

    #[test]
    fn a_named_company_is_valid_and_trimmed() {
        let party = validate(&company("  Acme AB ")).unwrap();
        assert_eq!(party.name, "Acme AB");
        assert_eq!(party.kind, PartyKind::Company);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let draft = PartyDraft {
            kind: "robot".into(),
            email: "not-an-address".into(),
            phone: "call me".into(),
            country: "Sweden".into(),
            ..PartyDraft::default()
        };
        let errors = validate(&draft).unwrap_err();
        assert_eq!(errors.for_field("kind"), Some("error-party-kind"));
        assert_eq!(errors.for_field("name"), Some("error-required"));
        assert_eq!(errors.for_field("email"), Some("error-email"));
        assert_eq!(errors.for_field("phone"), Some("error-phone"));
        assert_eq!(errors.for_field("country"), Some("error-country"));
    }

    #[test]
    fn a_company_cannot_work_for_a_company() {
        let mut draft = company("Acme");
        draft.company_id = Some(3);
        assert_eq!(
            validate(&draft).unwrap_err().for_field("company_id"),
            Some("error-company-of-company")
        );
    }

    #[test]
    fn contact_details_are_normalised() {
        assert_eq!(
            normalize_email(" Anna@Example.COM ").as_deref(),
            Some("Anna@example.com")
        );
        assert_eq!(normalize_email("a@b"), None);
        assert_eq!(normalize_email("a@@b.se"), None);
        assert_eq!(
            normalize_phone("+46 (8) 123-45 67").as_deref(),
            Some("+4681234567")
        );
        assert_eq!(normalize_phone("12+34567"), None);
        assert_eq!(
            normalize_tax_id("se 556677-8899 01").as_deref(),
            Some("SE556677889901")
        );
        assert_eq!(
            parse_tags("VIP, wholesale,vip,").unwrap(),
            vec!["vip", "wholesale"]
        );
        assert_eq!(parse_tags("a;b"), Err("error-tag-chars"));
    }
}
