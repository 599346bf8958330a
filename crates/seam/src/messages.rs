//! English text for the message-catalogue codes the use cases return
//! (`error-required`, `error-username-taken`), and how a failed command is
//! reported on stderr.
//!
//! The web layer translates the same codes through its own catalogue; the
//! console speaks English only. A code without an entry here is shown as is,
//! and a test checks that every code in the domain and app crates has one.

use seam_app::AppError;
use seam_domain::FieldErrors;

use crate::output::err_line;

/// The English text for a code; the code itself when there is none.
///
/// Field codes read as the rest of a sentence after the field's name
/// (`email: is not a valid e-mail address`).
pub fn message(code: &str) -> &str {
    match code {
        "error-required" => "is required",
        "error-too-long" => "is too long",
        "error-email" => "is not a valid e-mail address",
        "error-phone" => "is not a valid phone number (5 to 15 digits, optionally starting with +)",
        "error-tax-id" => "is not a valid tax id (2 to 20 letters and digits)",
        "error-country" => "must be a two-letter ISO country code, such as DE or SE",
        "error-party-kind" => "must be company or person",
        "error-company-of-company" => "a company cannot belong to another company",
        "error-unknown-company" => "names no existing company",
        "error-company-ambiguous" => "names more than one company; rename one of them first",
        "error-company-has-contacts" => "cannot change to person while the company has contacts",
        "error-tag-too-long" => "has a tag longer than 40 characters",
        "error-tag-chars" => "tags may hold only letters, digits, spaces, '-' and '_'",
        "error-too-many-tags" => "has more than 20 tags",
        "error-csv-header" => "the first line must be a header row naming the columns",
        "error-csv-missing-column" => "is required in the header row",
        "error-csv-unknown-column" => "is not a known column",
        "error-csv-row" => "cannot be read as CSV (a different number of fields than the header?)",
        "error-csv-utf8" => "is not valid UTF-8 text",
        "error-csv-flag" => "must be yes or no",
        "error-csv-duplicate" => "repeats an earlier row of the file",
        "error-csv-too-many-rows" => "has more rows than one import may hold (100 000)",
        "error-username" => {
            "must be 3 to 32 characters: lower-case letters, digits, '.', '_' or '-'"
        }
        "error-username-taken" => "that username is already taken",
        "error-password-short" => "must be at least 12 characters long",
        "error-password-common" => "is too common or too easy to guess",
        "error-password-has-username" => "must not contain the username",
        "error-portal-only" => {
            "a portal login has the portal role and no other, and staff cannot become portal logins"
        }
        "error-unknown-party" => "names no existing party",
        "error-locale" => "is not a supported language",
        "error-time-zone" => "is not a known time zone (use an IANA name such as Europe/Berlin)",
        "error-scopes" => "must be permissions that the token's user holds",
        "error-login" => "wrong username or password",
        "error-totp" => "wrong or expired code",
        "error-disable-self" => "you cannot disable your own login",
        "error-stale" => "someone else changed it in the meantime; load it again and retry",
        "error-duplicate" => "it already exists",
        "error-demo-no-customer" => {
            "the database has parties but no customer company for the demo's portal login"
        }
        other => other,
    }
}

/// Each field error as its own line: `line 3: email: is not a valid e-mail address`.
pub fn field_lines(errors: &FieldErrors) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, message(e.code)))
        .collect()
}

/// One use-case error as text.
fn app_error_text(err: &AppError) -> String {
    match err {
        AppError::Unauthenticated => "not logged in".to_owned(),
        AppError::Forbidden => "not allowed".to_owned(),
        AppError::NotFound => "not found".to_owned(),
        AppError::Invalid(errors) => field_lines(errors).join("; "),
        AppError::Conflict(code) => message(code).to_owned(),
        AppError::Locked { until_us } => {
            format!("locked until {}", crate::output::timestamp(Some(*until_us)))
        }
        AppError::Internal(inner) => format!("{inner:#}"),
    }
}

/// The whole cause chain on one line, with use-case codes in English.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        if let Some(app_err) = cause.downcast_ref::<AppError>() {
            parts.push(app_error_text(app_err));
            break;
        }
        parts.push(cause.to_string());
    }
    parts.dedup();
    parts.join(": ")
}

/// Prints why a command failed: one line per bad field for invalid input,
/// else one line with the reason.
pub fn report(err: &anyhow::Error) {
    let invalid = err
        .chain()
        .find_map(|cause| match cause.downcast_ref::<AppError>() {
            Some(AppError::Invalid(errors)) => Some(errors),
            _ => None,
        });
    match invalid {
        Some(errors) => {
            for line in field_lines(errors) {
                err_line(line);
            }
        }
        None => err_line(format!("error: {}", one_line(err))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Every `"error-…"` literal in the domain and app sources.
    fn codes_in_sources() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut codes = Vec::new();
        for dir in ["domain/src", "app/src"] {
            let entries = std::fs::read_dir(root.join(dir)).unwrap();
            for entry in entries {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for (start, _) in text.match_indices("\"error-") {
                    let rest = &text[start + 1..];
                    let code: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                        .collect();
                    if rest[code.len()..].starts_with('"') && code.len() > 6 {
                        codes.push(code);
                    }
                }
            }
        }
        codes.sort();
        codes.dedup();
        codes
    }

    #[test]
    fn every_error_code_of_the_use_cases_has_an_english_message() {
        let codes = codes_in_sources();
        assert!(codes.len() > 20, "found only {codes:?}");
        let missing: Vec<&String> = codes.iter().filter(|c| message(c) == c.as_str()).collect();
        assert!(missing.is_empty(), "no message for {missing:?}");
    }

    #[test]
    fn an_unknown_code_is_shown_as_is() {
        assert_eq!(message("error-something-new"), "error-something-new");
    }

    #[test]
    fn invalid_input_names_each_field_on_its_own_line() {
        let mut errors = FieldErrors::one("line 3: email", "error-email");
        errors.add("name", "error-required");
        assert_eq!(
            field_lines(&errors),
            vec![
                "line 3: email: is not a valid e-mail address",
                "name: is required"
            ]
        );
    }

    #[test]
    fn a_conflict_reads_as_english_after_its_context() {
        let err = anyhow::Error::new(AppError::Conflict("error-username-taken"))
            .context("cannot add anna");
        assert_eq!(
            one_line(&err),
            "cannot add anna: that username is already taken"
        );
    }
}
