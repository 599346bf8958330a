//! How a failed command is reported on stderr, in English words from the
//! same message catalogue the web pages use, so a rule's message is written
//! once.

use seam_app::AppError;
use seam_domain::FieldErrors;
use seam_domain::locale::Locale;
use seam_web::i18n::I18n;

use crate::output::err_line;

/// The English text for a code; the code itself when the catalogue lacks it.
pub fn message(code: &str) -> String {
    I18n::new(Locale::En).t(code)
}

/// Each field error as its own line: `line 3: email: is not a valid e-mail address`.
pub fn field_lines(errors: &FieldErrors) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let text = I18n::new(Locale::En).t_args(e.code, &e.args);
            format!("{}: {text}", e.field)
        })
        .collect()
}

/// One use-case error as text.
pub fn app_error_text(err: &AppError) -> String {
    match err {
        AppError::Unauthenticated => "not logged in".to_owned(),
        AppError::Forbidden => "not allowed".to_owned(),
        AppError::NotFound => "not found".to_owned(),
        AppError::Invalid(errors) => field_lines(errors).join("; "),
        AppError::Conflict(code) => message(code),
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
                "line 3: email: This is not a valid e-mail address.",
                "name: This field is required."
            ]
        );
    }

    #[test]
    fn a_conflict_reads_as_english_after_its_context() {
        let err = anyhow::Error::new(AppError::Conflict("error-username-taken"))
            .context("cannot add anna");
        assert_eq!(one_line(&err), "cannot add anna: This username is taken.");
    }
}
