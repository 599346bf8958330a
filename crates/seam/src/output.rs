//! Writing to the console without panicking: `println!` panics when stdout is
//! a closed pipe (`seam party export | head`), which a command must survive.

use std::io::{ErrorKind, Write};

/// Writes `text` and a newline to stdout. A reader that went away is not an
/// error (there is no one left to tell); any other write error is.
pub fn out(text: impl AsRef<str>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{}", text.as_ref()).and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Writes raw text (no newline added) to stdout, like [`out`].
pub fn out_raw(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Writes a line to stderr; if even that fails there is nowhere left to report it.
pub fn err_line(text: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr().lock(), "{}", text.as_ref());
}

/// Lays rows out in columns under a header, two spaces apart.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_aligned(headers, &[], rows)
}

/// Like [`table`], with the columns whose index is in `right` aligned to the
/// right (amounts). An empty row is drawn as a rule across the table.
pub fn table_aligned(headers: &[&str], right: &[usize], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.zip(&widths).enumerate() {
            let pad = width.saturating_sub(cell.chars().count());
            if right.contains(&index) {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
                text.push_str("  ");
            } else {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        text.trim_end().to_owned()
    };
    let rule_width = (widths.iter().map(|w| w + 2).sum::<usize>()).saturating_sub(2);
    let mut lines = vec![line(&mut headers.iter().copied())];
    for row in rows {
        if row.is_empty() {
            lines.push("-".repeat(rule_width));
        } else {
            lines.push(line(&mut row.iter().map(String::as_str)));
        }
    }
    lines.join("\n")
}

/// `yes` or `no`, for table cells.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A stored timestamp (microseconds since 1970) as UTC to the second, or `-`.
pub fn timestamp(us: Option<i64>) -> String {
    us.and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// A use case's field errors renamed to the command-line options that carry
/// them: `named` lists the fields whose option is not simply the field with
/// dashes (`working_time_pct` → `--working-time`); any other field `a_b`
/// is named `--a-b`. Errors that are not about fields pass unchanged.
pub fn with_option_names(err: seam_app::AppError, named: &[(&str, &str)]) -> seam_app::AppError {
    let seam_app::AppError::Invalid(errors) = err else {
        return err;
    };
    let mut renamed = seam_domain::FieldErrors::new();
    for e in errors.iter() {
        let option = match named.iter().find(|(field, _)| *field == e.field) {
            Some((_, option)) => (*option).to_owned(),
            None => format!("--{}", e.field.replace('_', "-")),
        };
        renamed.add_with(&option, e.code, e.args.clone());
    }
    seam_app::AppError::Invalid(renamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up_under_the_widest_cell() {
        let text = table(
            &["id", "name"],
            &[
                vec!["1".into(), "Anna".into()],
                vec!["10".into(), "Bo".into()],
            ],
        );
        assert_eq!(text, "id  name\n1   Anna\n10  Bo");
    }

    #[test]
    fn right_aligned_columns_end_together_and_an_empty_row_is_a_rule() {
        let text = table_aligned(
            &["name", "amount"],
            &[1],
            &[
                vec!["Rent".into(), "5.00".into()],
                vec![],
                vec!["Total".into(), "1200.00".into()],
            ],
        );
        assert_eq!(
            text,
            "name    amount\nRent      5.00\n--------------\nTotal  1200.00"
        );
    }

    #[test]
    fn timestamps_are_shown_in_utc() {
        assert_eq!(timestamp(Some(0)), "1970-01-01 00:00:00Z");
        assert_eq!(timestamp(None), "-");
    }
}
