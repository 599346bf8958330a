//! Reception's visitor log: what a visit needs before it is written, and the
//! rule that a visitor leaves after they arrived.

use crate::FieldErrors;

/// Longest visitor name, company text or purpose, in characters.
pub const TEXT_MAX: usize = 200;

/// A visit as typed at the desk or posted to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitDraft {
    pub visitor_name: String,
    pub visitor_company: String,
    /// A known company the visitor comes from.
    pub party_id: Option<i64>,
    /// The user the visitor comes to see.
    pub host_user_id: Option<i64>,
    pub purpose: String,
    /// When a pre-registered visitor is expected (microseconds since the epoch).
    pub expected_at_us: Option<i64>,
    pub agreement_acknowledged: bool,
}

/// A visit that passed [`validate`]: trimmed texts, a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidVisit {
    pub visitor_name: String,
    pub visitor_company: String,
    pub party_id: Option<i64>,
    pub host_user_id: i64,
    pub purpose: String,
    pub expected_at_us: Option<i64>,
    pub agreement_acknowledged: bool,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, required: bool) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, "error-required");
    } else if value.chars().count() > TEXT_MAX {
        errors.add(field, "error-too-long");
    }
    value.to_owned()
}

/// Checks a visit: a name and a host are required, texts are at most
/// [`TEXT_MAX`] characters.
pub fn validate(draft: &VisitDraft) -> Result<ValidVisit, FieldErrors> {
    let mut errors = FieldErrors::new();
    let visitor_name = text(&mut errors, "visitor_name", &draft.visitor_name, true);
    let visitor_company = text(
        &mut errors,
        "visitor_company",
        &draft.visitor_company,
        false,
    );
    if draft.host_user_id.is_none() {
        errors.add("host_user_id", "error-required");
    }
    let purpose = text(&mut errors, "purpose", &draft.purpose, false);
    errors.into_result(ValidVisit {
        visitor_name,
        visitor_company,
        party_id: draft.party_id,
        host_user_id: draft.host_user_id.unwrap_or_default(),
        purpose,
        expected_at_us: draft.expected_at_us,
        agreement_acknowledged: draft.agreement_acknowledged,
    })
}

/// A check-out at `out_us` of a visit checked in at `in_us`: never earlier.
pub fn check_out_time(in_us: i64, out_us: i64) -> Result<i64, FieldErrors> {
    if out_us < in_us {
        return Err(FieldErrors::one(
            "checked_out_at",
            "error-check-out-before-in",
        ));
    }
    Ok(out_us)
}

/// The badge number of the `nth` visitor (from 1) checked in on a day
/// written `YYYYMMDD`.
pub fn badge_number(day: &str, nth: i64) -> String {
    format!("V-{day}-{nth:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_needs_a_name_and_a_host() {
        let errors = validate(&VisitDraft::default()).unwrap_err();
        assert_eq!(errors.for_field("visitor_name"), Some("error-required"));
        assert_eq!(errors.for_field("host_user_id"), Some("error-required"));
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let draft = VisitDraft {
            visitor_name: "  Ada  ".into(),
            host_user_id: Some(1),
            purpose: "x".repeat(TEXT_MAX + 1),
            ..VisitDraft::default()
        };
        let errors = validate(&draft).unwrap_err();
        assert_eq!(errors.for_field("purpose"), Some("error-too-long"));
        assert_eq!(errors.for_field("visitor_name"), None);
        let ok = validate(&VisitDraft {
            purpose: String::new(),
            ..draft
        })
        .unwrap();
        assert_eq!(ok.visitor_name, "Ada");
    }

    #[test]
    fn check_out_is_not_before_check_in() {
        assert!(check_out_time(10, 9).is_err());
        assert_eq!(check_out_time(10, 10), Ok(10));
        assert_eq!(badge_number("20260102", 7), "V-20260102-007");
    }
}
