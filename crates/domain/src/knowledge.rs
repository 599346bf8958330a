//! The service desk's knowledge base: articles in categories, written by the
//! desk for itself (internal) or for customers (public), drafted and then
//! published. Only published public articles reach the customer portal.
//!
//! Also the desk's other aids to answering: saved (canned) replies with merge
//! fields, and the words of a ticket that suggest articles to the agent.

use crate::FieldErrors;

/// The longest article title.
pub const TITLE_MAX: usize = 200;
/// The longest article body, in characters.
pub const ARTICLE_BODY_MAX: usize = 50_000;
/// The longest category name.
pub const CATEGORY_NAME_MAX: usize = 80;
/// The longest canned reply title.
pub const CANNED_TITLE_MAX: usize = 100;
/// The longest canned reply text: a reply's own limit.
pub const CANNED_BODY_MAX: usize = crate::service::BODY_MAX;
/// How many words of a ticket suggest articles.
pub const SUGGESTION_TERMS_MAX: usize = 8;

/// Whether an article is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleState {
    Draft,
    Published,
}

impl ArticleState {
    pub const ALL: [ArticleState; 2] = [ArticleState::Draft, ArticleState::Published];

    pub fn name(self) -> &'static str {
        match self {
            ArticleState::Draft => "draft",
            ArticleState::Published => "published",
        }
    }

    pub fn parse(name: &str) -> Option<ArticleState> {
        ArticleState::ALL
            .into_iter()
            .find(|s| s.name() == name.trim())
    }
}

/// Who may read a published article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The desk only.
    Internal,
    /// Customers too, in the portal.
    Public,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Internal, Audience::Public];

    pub fn name(self) -> &'static str {
        match self {
            Audience::Internal => "internal",
            Audience::Public => "public",
        }
    }

    pub fn parse(name: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.name() == name.trim())
    }
}

/// An article as typed in.
#[derive(Debug, Clone, Default)]
pub struct ArticleDraft {
    pub title: String,
    pub body: String,
    /// The category's id as text.
    pub category_id: String,
    /// `draft` (the default when empty) or `published`.
    pub state: String,
    /// `internal` (the default when empty) or `public`.
    pub audience: String,
}

/// An article that passed the rules (the category still has to exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidArticle {
    pub title: String,
    pub body: String,
    pub category_id: i64,
    pub state: ArticleState,
    pub audience: Audience,
}

/// Checks an article. Errors name `title`, `body`, `category_id`, `state`
/// or `audience`.
pub fn validate_article(draft: &ArticleDraft) -> Result<ValidArticle, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = draft.title.trim();
    if title.is_empty() {
        errors.add("title", "error-required");
    } else if title.chars().count() > TITLE_MAX {
        errors.add("title", "error-too-long");
    }
    // Leading spaces may indent a list; only the ends of the text are trimmed.
    let body = draft.body.trim_end().trim_start_matches(['\n', '\r']);
    if body.trim().is_empty() {
        errors.add("body", "error-required");
    } else if body.chars().count() > ARTICLE_BODY_MAX {
        errors.add("body", "error-too-long");
    }
    let category_id = draft.category_id.trim().parse::<i64>().ok();
    if category_id.is_none() {
        errors.add("category_id", "error-required");
    }
    let state = if draft.state.trim().is_empty() {
        Some(ArticleState::Draft)
    } else {
        ArticleState::parse(&draft.state)
    };
    if state.is_none() {
        errors.add("state", "error-kb-state");
    }
    let audience = if draft.audience.trim().is_empty() {
        Some(Audience::Internal)
    } else {
        Audience::parse(&draft.audience)
    };
    if audience.is_none() {
        errors.add("audience", "error-kb-audience");
    }
    match (category_id, state, audience) {
        (Some(category_id), Some(state), Some(audience)) if errors.is_empty() => Ok(ValidArticle {
            title: title.to_owned(),
            body: body.replace("\r\n", "\n"),
            category_id,
            state,
            audience,
        }),
        _ => Err(errors),
    }
}

/// A category's name, trimmed; errors name `name`.
pub fn validate_category_name(name: &str) -> Result<String, FieldErrors> {
    let name = name.trim();
    if name.is_empty() {
        Err(FieldErrors::one("name", "error-required"))
    } else if name.chars().count() > CATEGORY_NAME_MAX {
        Err(FieldErrors::one("name", "error-too-long"))
    } else {
        Ok(name.to_owned())
    }
}

/// One block of an article's text as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A line that starts with `#`.
    Heading(String),
    /// Lines that start with `- ` or `* `.
    List(Vec<String>),
    /// Any other run of lines up to a blank line.
    Paragraph(String),
}

/// Splits an article's text into headings, bullet lists and paragraphs: the
/// few markdown habits people type. The text itself stays plain (the pages
/// escape it), so nothing a writer types can become markup.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    fn flush(out: &mut Vec<Block>, paragraph: &mut Vec<&str>, list: &mut Vec<String>) {
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(paragraph.join("\n")));
            paragraph.clear();
        }
        if !list.is_empty() {
            out.push(Block::List(std::mem::take(list)));
        }
    }
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph, &mut list);
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            if !paragraph.is_empty() {
                out.push(Block::Paragraph(paragraph.join("\n")));
                paragraph.clear();
            }
            list.push(item.trim().to_owned());
        } else if trimmed.starts_with('#') {
            flush(&mut out, &mut paragraph, &mut list);
            out.push(Block::Heading(
                trimmed.trim_start_matches('#').trim().to_owned(),
            ));
        } else {
            if !list.is_empty() {
                out.push(Block::List(std::mem::take(&mut list)));
            }
            paragraph.push(trimmed);
        }
    }
    flush(&mut out, &mut paragraph, &mut list);
    out
}

/// The start of an article's text, for lists: at most `max` characters of
/// its first paragraph.
pub fn excerpt(body: &str, max: usize) -> String {
    let first = blocks(body)
        .into_iter()
        .find_map(|b| match b {
            Block::Paragraph(p) => Some(p),
            _ => None,
        })
        .unwrap_or_default();
    let flat = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Words that say nothing about what a ticket is about.
const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "also", "been", "before", "best", "could", "dear", "does", "from",
    "have", "hello", "here", "into", "just", "know", "like", "many", "more", "much", "need",
    "please", "regards", "should", "since", "some", "still", "than", "thank", "thanks", "that",
    "their", "them", "then", "there", "these", "they", "this", "today", "very", "want", "were",
    "what", "when", "where", "which", "while", "will", "with", "would", "your", "yours",
];

/// The words of a ticket that suggest articles: the subject's first, then
/// the customer's last message's, lower-cased, of four letters or more,
/// without common words or repeats, at most [`SUGGESTION_TERMS_MAX`]. An
/// article matching any of them is a candidate.
pub fn suggestion_terms(subject: &str, message: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let words = subject
        .split(|c: char| !c.is_alphanumeric())
        .chain(message.split(|c: char| !c.is_alphanumeric()));
    for word in words {
        let word = word.to_lowercase();
        if word.chars().count() < 4 || STOP_WORDS.contains(&word.as_str()) {
            continue;
        }
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == SUGGESTION_TERMS_MAX {
            break;
        }
    }
    terms
}

/// The merge fields a canned reply may use.
pub const MERGE_FIELDS: [&str; 3] = ["customer_name", "ticket_number", "agent_name"];

/// What a canned reply's merge fields become on one ticket.
#[derive(Debug, Clone, Default)]
pub struct MergeValues<'a> {
    pub customer_name: &'a str,
    pub ticket_number: &'a str,
    pub agent_name: &'a str,
}

/// The `{name}` fields of a text, in order, as written.
fn fields_of(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or("");
        match after.find(['}', '{']) {
            Some(close) if after.get(close..close + 1) == Some("}") => {
                let name = after.get(..close).unwrap_or("");
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    found.push(name);
                }
                rest = after.get(close + 1..).unwrap_or("");
            }
            Some(close) => rest = after.get(close..).unwrap_or(""),
            None => break,
        }
    }
    found
}

/// Fills a canned reply's merge fields. Anything else in braces stays as written.
pub fn merge(body: &str, values: &MergeValues<'_>) -> String {
    body.replace("{customer_name}", values.customer_name)
        .replace("{ticket_number}", values.ticket_number)
        .replace("{agent_name}", values.agent_name)
}

/// A canned reply that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCanned {
    pub title: String,
    pub body: String,
}

/// Checks a canned reply. Errors name `title` or `body`; a `{field}` that is
/// not one of [`MERGE_FIELDS`] is `error-canned-field`, so a typo is caught
/// when the reply is saved rather than when a customer reads it.
pub fn validate_canned(title: &str, body: &str) -> Result<ValidCanned, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = title.trim();
    if title.is_empty() {
        errors.add("title", "error-required");
    } else if title.chars().count() > CANNED_TITLE_MAX {
        errors.add("title", "error-too-long");
    }
    let body = body.trim();
    if body.is_empty() {
        errors.add("body", "error-required");
    } else if body.chars().count() > CANNED_BODY_MAX {
        errors.add("body", "error-too-long");
    } else if fields_of(body).iter().any(|f| !MERGE_FIELDS.contains(f)) {
        errors.add("body", "error-canned-field");
    }
    errors.into_result(ValidCanned {
        title: title.to_owned(),
        body: body.replace("\r\n", "\n"),
    })
}

/// The longest comment of a rating.
pub const RATING_COMMENT_MAX: usize = 2_000;

/// A customer's rating of a resolved ticket that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRating {
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    pub comment: String,
}

/// Checks a rating: a whole number from 1 to 5 and an optional comment.
/// Errors name `rating` (`error-rating-range`) or `comment`.
pub fn validate_rating(rating: &str, comment: &str) -> Result<ValidRating, FieldErrors> {
    let mut errors = FieldErrors::new();
    let value = rating
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| (1..=5).contains(r));
    if value.is_none() {
        errors.add("rating", "error-rating-range");
    }
    let comment = comment.trim();
    if comment.chars().count() > RATING_COMMENT_MAX {
        errors.add("comment", "error-too-long");
    }
    match value {
        Some(rating) if errors.is_empty() => Ok(ValidRating {
            rating,
            comment: comment.to_owned(),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_needs_a_title_a_body_a_category_and_known_names() {
        let bad = ArticleDraft {
            title: " ".into(),
            body: "\n".into(),
            category_id: "x".into(),
            state: "live".into(),
            audience: "world".into(),
        };
        let errors = validate_article(&bad).unwrap_err();
        for field in ["title", "body", "category_id", "state", "audience"] {
            assert!(errors.for_field(field).is_some(), "{field}");
        }
        let long = ArticleDraft {
            title: "Long".into(),
            body: "x".repeat(ARTICLE_BODY_MAX + 1),
            category_id: "1".into(),
            ..ArticleDraft::default()
        };
        assert_eq!(
            validate_article(&long).unwrap_err().for_field("body"),
            Some("error-too-long")
        );
        let good = ArticleDraft {
            title: " Reset a password ".into(),
            body: "Open the login page.\r\n".into(),
            category_id: "3".into(),
            ..ArticleDraft::default()
        };
        let valid = validate_article(&good).unwrap();
        assert_eq!(valid.title, "Reset a password");
        assert_eq!(valid.state, ArticleState::Draft);
        assert_eq!(valid.audience, Audience::Internal);
    }

    #[test]
    fn an_article_reads_as_headings_lists_and_paragraphs() {
        let text = "# Before you start\nHave your invoice number.\nIt is on the PDF.\n\n- Open the portal\n- Click Invoices\nThen pick one.";
        assert_eq!(
            blocks(text),
            vec![
                Block::Heading("Before you start".into()),
                Block::Paragraph("Have your invoice number.\nIt is on the PDF.".into()),
                Block::List(vec!["Open the portal".into(), "Click Invoices".into()]),
                Block::Paragraph("Then pick one.".into()),
            ]
        );
        assert_eq!(excerpt(text, 10), "Have your…");
    }

    #[test]
    fn a_ticket_suggests_by_its_telling_words() {
        let terms = suggestion_terms(
            "Cannot log in to the portal",
            "Hello, the portal says my password is wrong. Thanks",
        );
        assert_eq!(terms, ["cannot", "portal", "says", "password", "wrong"]);
    }

    #[test]
    fn merge_fields_are_filled_and_unknown_ones_refused() {
        let values = MergeValues {
            customer_name: "Nordlicht",
            ticket_number: "TK-2026-000001",
            agent_name: "Mia",
        };
        assert_eq!(
            merge(
                "Dear {customer_name}, about {ticket_number}: {agent_name} {x}",
                &values
            ),
            "Dear Nordlicht, about TK-2026-000001: Mia {x}"
        );
        assert_eq!(
            validate_canned("Hi", "Dear {customer}")
                .unwrap_err()
                .for_field("body"),
            Some("error-canned-field")
        );
        assert!(validate_canned("Hi", "Dear {customer_name}, {not a field} {").is_ok());
        assert!(
            validate_canned("", "x")
                .unwrap_err()
                .for_field("title")
                .is_some()
        );
    }

    #[test]
    fn a_rating_is_one_to_five() {
        for bad in ["0", "6", "", "4.5", "five"] {
            assert_eq!(
                validate_rating(bad, "").unwrap_err().for_field("rating"),
                Some("error-rating-range"),
                "{bad}"
            );
        }
        assert_eq!(validate_rating(" 5 ", " Quick ").unwrap().comment, "Quick");
        assert!(
            validate_rating("3", &"x".repeat(RATING_COMMENT_MAX + 1))
                .unwrap_err()
                .for_field("comment")
                .is_some()
        );
    }
}
