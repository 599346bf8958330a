//! The service desk's files and e-mail: how big an attachment may be and
//! what it may be, which ticket an e-mail's subject names, and how much of
//! an e-mail reply is the customer's own words (the quoted thread below
//! "On … wrote:" is not).

use crate::FieldErrors;
use crate::service::NUMBER_PREFIX;

/// The largest attachment: 10 MiB. The database refuses more too
/// (`ck_ticket_attachments_size`).
pub const ATTACHMENT_BYTES_MAX: usize = 10 * 1024 * 1024;
/// The most files one message carries.
pub const ATTACHMENTS_PER_MESSAGE_MAX: usize = 10;
/// The longest file name kept; longer names are cut.
pub const FILE_NAME_CHARS_MAX: usize = 120;
/// The largest e-mail ingested: 25 MiB, raw.
pub const MAIL_BYTES_MAX: usize = 25 * 1024 * 1024;

/// A file as it arrived: its name and its bytes. What it claims to be is
/// not trusted; the type is read from the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
}

/// Checks the files of one message: at most
/// [`ATTACHMENTS_PER_MESSAGE_MAX`], none empty or above
/// [`ATTACHMENT_BYTES_MAX`]. Errors name `attachments`
/// (`error-attachment-too-many`, `error-attachment-too-large`,
/// `error-attachment-empty`).
pub fn check_uploads(uploads: &[Upload]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if uploads.len() > ATTACHMENTS_PER_MESSAGE_MAX {
        errors.add("attachments", "error-attachment-too-many");
    } else if uploads
        .iter()
        .any(|u| u.content.len() > ATTACHMENT_BYTES_MAX)
    {
        errors.add("attachments", "error-attachment-too-large");
    } else if uploads.iter().any(|u| u.content.is_empty()) {
        errors.add("attachments", "error-attachment-empty");
    }
    errors.into_result(())
}

/// A file name safe to show and to send back in `Content-Disposition`: the
/// last path segment, control characters, quotes and separators dropped,
/// cut to [`FILE_NAME_CHARS_MAX`]; `attachment` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '<' | '>' | '|' | '*' | '?'))
        .take(FILE_NAME_CHARS_MAX)
        .collect();
    let kept = kept.trim().trim_start_matches('.').trim().to_owned();
    if kept.is_empty() {
        "attachment".to_owned()
    } else {
        kept
    }
}

/// The ticket number an e-mail subject carries in brackets, as Seam's own
/// e-mails put it: `Re: [TK-2026-000123] Broken lid` gives `TK-2026-000123`.
pub fn ticket_number_in_subject(subject: &str) -> Option<String> {
    let open = format!("[{NUMBER_PREFIX}-");
    let mut rest = subject;
    while let Some(start) = rest.find(&open) {
        let after = rest.get(start + 1..).unwrap_or_default();
        if let Some(end) = after.find(']') {
            let candidate = after.get(..end).unwrap_or_default();
            if is_ticket_number(candidate) {
                return Some(candidate.to_owned());
            }
        }
        rest = rest.get(start + open.len()..).unwrap_or_default();
    }
    None
}

/// `TK-YYYY-NNNNNN`: the prefix, four digits, and six or more digits.
fn is_ticket_number(text: &str) -> bool {
    let mut parts = text.split('-');
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(prefix), Some(year), Some(seq), None)
            if prefix == NUMBER_PREFIX && year.len() == 4 && all_digits(year)
                && seq.len() >= 6 && all_digits(seq)
    )
}

/// How mail programs introduce the quoted message, in the languages Seam
/// speaks and a few neighbours: "On Mon, 3 Nov 2026, Ada <ada@…> wrote:".
const ATTRIBUTION_STARTS: &[&str] = &["On ", "Am ", "El ", "Den ", "Le ", "Op ", "Il "];
const ATTRIBUTION_ENDS: &[&str] = &[
    "wrote:",
    "schrieb:",
    "escribió:",
    "skrev:",
    "écrit :",
    "écrit:",
    "geschreven:",
    "scritto:",
];
/// Lines that start a forwarded or quoted original in some mail programs.
const SEPARATORS: &[&str] = &[
    "-----Original Message-----",
    "-----Ursprüngliche Nachricht-----",
];

fn is_attribution(line: &str) -> bool {
    let line = line.trim();
    ATTRIBUTION_STARTS.iter().any(|s| line.starts_with(s))
        && ATTRIBUTION_ENDS.iter().any(|e| line.ends_with(e))
}

/// The customer's own words of an e-mail reply: everything above the first
/// attribution line ("On … wrote:", also when the mail program wrapped it
/// over two lines) or original-message separator, without lines quoted
/// with `>`. When nothing would be left (a message that is all quote), the
/// text is kept whole.
pub fn strip_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut previous: Option<&str> = None;
    for line in &lines {
        let trimmed = line.trim();
        if is_attribution(trimmed) || SEPARATORS.iter().any(|s| trimmed.starts_with(s)) {
            break;
        }
        // A wrapped attribution: "On Mon, 3 Nov 2026 at 10:00, Ada" / "<ada@example.com> wrote:".
        if let Some(prev) = previous
            && ATTRIBUTION_ENDS.iter().any(|e| trimmed.ends_with(e))
            && is_attribution(&format!("{} {trimmed}", prev.trim()))
        {
            kept.pop();
            break;
        }
        if trimmed.starts_with('>') {
            previous = None;
            continue;
        }
        kept.push(line);
        previous = Some(line);
    }
    let stripped = kept.join("\n").trim().to_owned();
    if stripped.is_empty() {
        text.trim().to_owned()
    } else {
        stripped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quoted_thread_below_the_attribution_is_left_out() {
        let reply = "Thanks, the new one works.\r\n\r\nAda\r\n\r\nOn Mon, 3 Nov 2026 at 10:00, Seam <desk@example.com> wrote:\r\n> We sent a replacement.\r\n> Kind regards";
        assert_eq!(strip_quoted(reply), "Thanks, the new one works.\n\nAda");
    }

    #[test]
    fn a_wrapped_attribution_and_inline_quotes_are_left_out() {
        let reply = "Yes, please.\n> Shall we send a new lid?\nAnd soon.\nOn Mon, 3 Nov 2026 at 10:00, Seam Desk\n<desk@example.com> wrote:\n> old";
        assert_eq!(strip_quoted(reply), "Yes, please.\nAnd soon.");
    }

    #[test]
    fn a_message_that_is_all_quote_is_kept_whole() {
        assert_eq!(strip_quoted("> only quoted"), "> only quoted");
        assert_eq!(strip_quoted("No quotes at all.\n"), "No quotes at all.");
    }

    #[test]
    fn the_subject_names_a_ticket_only_in_brackets_and_in_full() {
        assert_eq!(
            ticket_number_in_subject("Re: [TK-2026-000123] Broken lid"),
            Some("TK-2026-000123".to_owned())
        );
        assert_eq!(ticket_number_in_subject("TK-2026-000123 Broken lid"), None);
        assert_eq!(
            ticket_number_in_subject("[TK-26-1] [TK-2026-0001234]"),
            Some("TK-2026-0001234".to_owned())
        );
        assert_eq!(ticket_number_in_subject("[TK-2026-00012x]"), None);
    }

    #[test]
    fn files_above_the_limit_or_too_many_are_refused_naming_attachments() {
        let file = |n: usize| Upload {
            file_name: "a.txt".into(),
            content: vec![b'a'; n],
        };
        assert!(check_uploads(&[file(ATTACHMENT_BYTES_MAX)]).is_ok());
        let err = check_uploads(&[file(ATTACHMENT_BYTES_MAX + 1)]).unwrap_err();
        assert_eq!(
            err.for_field("attachments"),
            Some("error-attachment-too-large")
        );
        let many: Vec<Upload> = (0..=ATTACHMENTS_PER_MESSAGE_MAX).map(|_| file(1)).collect();
        assert_eq!(
            check_uploads(&many).unwrap_err().for_field("attachments"),
            Some("error-attachment-too-many")
        );
    }

    #[test]
    fn file_names_lose_their_path_and_unsafe_characters() {
        assert_eq!(
            clean_file_name("C:\\Users\\ada\\photo \"1\".jpg"),
            "photo 1.jpg"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("..."), "attachment");
    }
}
