//! The CRM and the sales pipeline: leads and how two of them are judged the
//! same person, the pipeline's stages with their probabilities, the weighted
//! forecast, and activities with their @mentions.
//!
//! A lead is someone who may buy: `open` until it is `qualified` (it became a
//! party and an opportunity), `disqualified`, or `merged` into another lead.
//! An opportunity moves through the open stages and ends `won` (a draft
//! quote is made from it) or `lost` (with a reason).

use std::collections::BTreeMap;

use crate::FieldErrors;
use crate::ledger::{Date, parse_amount};
use crate::party::{normalize_email, normalize_phone};

/// Longest name, company or title, in characters.
pub const TEXT_MAX: usize = 200;
/// Longest notes, activity body or lost reason, in characters.
pub const LONG_TEXT_MAX: usize = 5_000;
/// Names at least this similar (Jaro–Winkler, 0..1) are possible duplicates.
pub const NAME_SIMILARITY: f64 = 0.92;

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadSource {
    WebForm,
    Api,
    Import,
    Manual,
}

impl LeadSource {
    pub const ALL: [LeadSource; 4] = [
        LeadSource::WebForm,
        LeadSource::Api,
        LeadSource::Import,
        LeadSource::Manual,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LeadSource::WebForm => "web_form",
            LeadSource::Api => "api",
            LeadSource::Import => "import",
            LeadSource::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<LeadSource> {
        LeadSource::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Where a lead stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadState {
    Open,
    Qualified,
    Disqualified,
    Merged,
}

impl LeadState {
    pub const ALL: [LeadState; 4] = [
        LeadState::Open,
        LeadState::Qualified,
        LeadState::Disqualified,
        LeadState::Merged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LeadState::Open => "open",
            LeadState::Qualified => "qualified",
            LeadState::Disqualified => "disqualified",
            LeadState::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<LeadState> {
        LeadState::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// A lead as typed, posted or read from a CSV row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadDraft {
    pub name: String,
    pub company: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    /// The campaign code the lead answered (`utm_campaign`), for attribution.
    pub campaign: String,
}

/// A lead that passed [`validate_lead`]: trimmed, e-mail and phone normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLead {
    pub name: String,
    pub company: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    pub campaign: String,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, required: bool, max: usize) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, "error-required");
    } else if value.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    value.to_owned()
}

/// Checks a lead: a name, and a reachable e-mail or phone when given.
pub fn validate_lead(draft: &LeadDraft) -> Result<ValidLead, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = text(&mut errors, "name", &draft.name, true, TEXT_MAX);
    let company = text(&mut errors, "company", &draft.company, false, TEXT_MAX);
    let email = match draft.email.trim() {
        "" => None,
        e => {
            let normal = normalize_email(e);
            if normal.is_none() {
                errors.add("email", "error-email");
            }
            normal
        }
    };
    let phone = match draft.phone.trim() {
        "" => None,
        p => {
            let normal = normalize_phone(p);
            if normal.is_none() {
                errors.add("phone", "error-phone");
            }
            normal
        }
    };
    let notes = text(&mut errors, "notes", &draft.notes, false, LONG_TEXT_MAX);
    let campaign = text(&mut errors, "campaign", &draft.campaign, false, TEXT_MAX);
    errors.into_result(ValidLead {
        name,
        company,
        email,
        phone,
        notes,
        campaign,
    })
}

/// The key two e-mail addresses are compared by: the whole address in lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The key two phone numbers are compared by: the last nine digits, so
/// `+46 70 123 45 67` and `070-123 45 67` are the same number.
pub fn phone_key(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let start = digits.len().saturating_sub(9);
    digits.get(start..).unwrap_or_default().iter().collect()
}

/// The key two names are compared by: lower case, accents dropped from the
/// common Latin letters, punctuation as spaces, words in order.
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first characters of a name key, the block a fuzzy comparison looks in:
/// only names that start alike are compared, so the lookup is an index range.
pub fn name_block(name_key: &str) -> String {
    name_key.chars().take(2).collect()
}

/// Why two contacts look like the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchReason {
    Email,
    Phone,
    Name,
}

impl MatchReason {
    pub fn name(self) -> &'static str {
        match self {
            MatchReason::Email => "email",
            MatchReason::Phone => "phone",
            MatchReason::Name => "name",
        }
    }
}

/// What duplicate detection compares of a lead or a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contact<'a> {
    pub name: &'a str,
    pub company: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// How alike two names are, from 0 (nothing alike) to 1 (the same key).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(&name_key(a), &name_key(b))
}

/// Why `a` and `b` look like the same person: the same e-mail address, the
/// same phone number, or names at least [`NAME_SIMILARITY`] alike at
/// companies that do not differ (either blank, or alike too). Empty when they
/// look different.
pub fn duplicate_reasons(a: &Contact<'_>, b: &Contact<'_>) -> Vec<MatchReason> {
    let mut reasons = Vec::new();
    if let (Some(x), Some(y)) = (a.email, b.email)
        && email_key(x) == email_key(y)
    {
        reasons.push(MatchReason::Email);
    }
    if let (Some(x), Some(y)) = (a.phone, b.phone) {
        let (x, y) = (phone_key(x), phone_key(y));
        if x.len() >= 7 && x == y {
            reasons.push(MatchReason::Phone);
        }
    }
    let companies_agree = a.company.trim().is_empty()
        || b.company.trim().is_empty()
        || name_similarity(a.company, b.company) >= NAME_SIMILARITY;
    if companies_agree && name_similarity(a.name, b.name) >= NAME_SIMILARITY {
        reasons.push(MatchReason::Name);
    }
    reasons
}

/// What a merge writes on the lead that is kept: its own values, and the
/// other's where its own are blank; both leads' notes.
pub fn merged_lead(keep: &ValidLead, other: &ValidLead) -> ValidLead {
    let pick = |a: &str, b: &str| if a.is_empty() { b } else { a }.to_owned();
    let notes = match (keep.notes.is_empty(), other.notes.is_empty()) {
        (_, true) => keep.notes.clone(),
        (true, false) => other.notes.clone(),
        (false, false) => format!("{}\n\n{}", keep.notes, other.notes),
    };
    ValidLead {
        name: keep.name.clone(),
        company: pick(&keep.company, &other.company),
        email: keep.email.clone().or_else(|| other.email.clone()),
        phone: keep.phone.clone().or_else(|| other.phone.clone()),
        notes: notes.chars().take(LONG_TEXT_MAX).collect(),
        campaign: pick(&keep.campaign, &other.campaign),
    }
}

/// A stage of the sales pipeline, in board order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Prospecting,
    Qualification,
    Proposal,
    Negotiation,
    Won,
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Prospecting,
        Stage::Qualification,
        Stage::Proposal,
        Stage::Negotiation,
        Stage::Won,
        Stage::Lost,
    ];
    /// The stages an opportunity is worked in; a card moves freely among them.
    pub const OPEN: [Stage; 4] = [
        Stage::Prospecting,
        Stage::Qualification,
        Stage::Proposal,
        Stage::Negotiation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Prospecting => "prospecting",
            Stage::Qualification => "qualification",
            Stage::Proposal => "proposal",
            Stage::Negotiation => "negotiation",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.name() == s)
    }

    /// The chance that an opportunity in this stage is won, in basis points
    /// (1/100 of a percent).
    pub fn probability_bp(self) -> i64 {
        match self {
            Stage::Prospecting => 1_000,
            Stage::Qualification => 2_500,
            Stage::Proposal => 5_000,
            Stage::Negotiation => 7_500,
            Stage::Won => 10_000,
            Stage::Lost => 0,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Lost)
    }

    /// The stage a card moves to with the board's `←`/`→`, if any.
    pub fn neighbour(self, forward: bool) -> Option<Stage> {
        let i = Stage::OPEN.iter().position(|s| *s == self)?;
        let j = if forward { i + 1 } else { i.checked_sub(1)? };
        Stage::OPEN.get(j).copied()
    }
}

/// A move a closed opportunity does not allow.
pub const STAGE_ERROR: &str = "error-opportunity-state";

/// Checks a move between stages: only open opportunities move, and they move
/// to an open stage here (winning and losing have their own use cases).
pub fn check_move(from: Stage, to: Stage) -> Result<(), &'static str> {
    if from.is_open() && to.is_open() {
        Ok(())
    } else {
        Err(STAGE_ERROR)
    }
}

/// `amount × probability`, exactly, rounded half away from zero to a minor unit.
pub fn weighted_minor(amount_minor: i64, probability_bp: i64) -> i64 {
    let product = i128::from(amount_minor) * i128::from(probability_bp);
    let rounded = if product >= 0 {
        (product + 5_000) / 10_000
    } else {
        (product - 5_000) / 10_000
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// An opportunity as typed or posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityDraft {
    pub party_id: Option<i64>,
    pub title: String,
    /// The expected value as typed (`12000`, `12 000,50`).
    pub amount: String,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub expected_close: String,
    pub owner_user_id: Option<i64>,
}

/// An opportunity that passed [`validate_opportunity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOpportunity {
    pub party_id: i64,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub expected_close: Date,
    pub owner_user_id: i64,
}

/// Checks an opportunity: a customer, a title, an owner, an exact amount in
/// a three-letter currency and an expected closing date.
pub fn validate_opportunity(draft: &OpportunityDraft) -> Result<ValidOpportunity, FieldErrors> {
    let mut errors = FieldErrors::new();
    if draft.party_id.is_none() {
        errors.add("party_id", "error-required");
    }
    let title = text(&mut errors, "title", &draft.title, true, TEXT_MAX);
    let currency = draft.currency.trim().to_uppercase();
    let currency_ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
    if !currency_ok {
        errors.add("currency", "error-currency");
    }
    let amount_minor = if draft.amount.trim().is_empty() {
        errors.add("amount", "error-required");
        0
    } else if currency_ok {
        parse_amount(&draft.amount, &currency).unwrap_or_else(|code| {
            errors.add("amount", code);
            0
        })
    } else {
        0
    };
    let expected_close = Date::parse(&draft.expected_close);
    if expected_close.is_none() {
        errors.add("expected_close", "error-date");
    }
    if draft.owner_user_id.is_none() {
        errors.add("owner_user_id", "error-required");
    }
    match expected_close {
        Some(expected_close) if errors.is_empty() => Ok(ValidOpportunity {
            party_id: draft.party_id.unwrap_or_default(),
            title,
            amount_minor,
            currency,
            expected_close,
            owner_user_id: draft.owner_user_id.unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// A lost opportunity needs a reason.
pub fn validate_lost_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = text(&mut errors, "lost_reason", reason, true, LONG_TEXT_MAX);
    errors.into_result(reason)
}

/// What the forecast needs of one open opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastInput<'a> {
    /// `YYYY-MM-DD`.
    pub expected_close: &'a str,
    pub owner: &'a str,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub stage: Stage,
}

/// One cell of the forecast: a month, a salesperson and a currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastCell {
    pub count: i64,
    /// The amounts of the open opportunities, unweighted.
    pub pipeline_minor: i64,
    /// Each amount times its stage's probability, rounded per opportunity, summed.
    pub weighted_minor: i64,
}

/// The weighted forecast keyed by (month `YYYY-MM`, owner, currency), over
/// open opportunities; money in different currencies is never added up.
pub fn forecast<'a>(
    rows: impl IntoIterator<Item = ForecastInput<'a>>,
) -> BTreeMap<(String, String, String), ForecastCell> {
    let mut cells: BTreeMap<(String, String, String), ForecastCell> = BTreeMap::new();
    for row in rows.into_iter().filter(|r| r.stage.is_open()) {
        let month: String = row.expected_close.chars().take(7).collect();
        let cell = cells
            .entry((month, row.owner.to_owned(), row.currency.to_owned()))
            .or_default();
        cell.count += 1;
        cell.pipeline_minor = cell.pipeline_minor.saturating_add(row.amount_minor);
        cell.weighted_minor = cell
            .weighted_minor
            .saturating_add(weighted_minor(row.amount_minor, row.stage.probability_bp()));
    }
    cells
}

/// Kinds of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Note,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 4] = [
        ActivityKind::Call,
        ActivityKind::Meeting,
        ActivityKind::Task,
        ActivityKind::Note,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Task => "task",
            ActivityKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// An activity as typed: what, when it is due, on which record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityDraft {
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// `YYYY-MM-DD`, or empty for none (a note is never due).
    pub due_date: String,
    pub owner_user_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
}

/// An activity that passed [`validate_activity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidActivity {
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub due_date: Option<Date>,
    pub owner_user_id: i64,
    pub lead_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub party_id: Option<i64>,
}

/// Checks an activity: a kind, a subject, an owner, a real date when given,
/// and exactly one record it is about.
pub fn validate_activity(draft: &ActivityDraft) -> Result<ValidActivity, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = ActivityKind::parse(draft.kind.trim());
    if kind.is_none() {
        errors.add("kind", "error-choice");
    }
    let subject = text(&mut errors, "subject", &draft.subject, true, TEXT_MAX);
    let body = text(&mut errors, "body", &draft.body, false, LONG_TEXT_MAX);
    let due_date = match draft.due_date.trim() {
        "" => None,
        d => {
            let date = Date::parse(d);
            if date.is_none() {
                errors.add("due_date", "error-date");
            }
            date
        }
    };
    if draft.owner_user_id.is_none() {
        errors.add("owner_user_id", "error-required");
    }
    let links = [draft.lead_id, draft.opportunity_id, draft.party_id]
        .iter()
        .filter(|l| l.is_some())
        .count();
    if links != 1 {
        errors.add("record", "error-activity-record");
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidActivity {
            kind,
            subject,
            body,
            due_date,
            owner_user_id: draft.owner_user_id.unwrap_or_default(),
            lead_id: draft.lead_id,
            opportunity_id: draft.opportunity_id,
            party_id: draft.party_id,
        }),
        _ => Err(errors),
    }
}

/// The usernames mentioned as `@name` in a text, each once, in order.
/// A mention starts after a space or the start and is made of letters,
/// digits, `.`, `_` and `-`; an e-mail address (`anna@example.com`) is not one.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        if c == '@' && (previous.is_whitespace() || "([,;".contains(previous)) {
            let rest = text.get(i + 1..).unwrap_or_default();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || "._-".contains(*c))
                .collect();
            let name = name.trim_end_matches(['.', '-', '_']).to_lowercase();
            if !name.is_empty() && !found.contains(&name) {
                found.push(name);
            }
        }
        previous = c;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact<'a>(name: &'a str, email: Option<&'a str>, phone: Option<&'a str>) -> Contact<'a> {
        Contact {
            name,
            company: "",
            email,
            phone,
        }
    }

    #[test]
    fn the_same_address_in_other_case_is_a_duplicate() {
        let a = contact("Anna Berg", Some("Anna.Berg@Example.com"), None);
        let b = contact("A. Berg", Some("anna.berg@example.COM"), None);
        assert_eq!(duplicate_reasons(&a, &b), vec![MatchReason::Email]);
    }

    #[test]
    fn the_same_number_written_nationally_or_internationally_is_a_duplicate() {
        let a = contact("Anna Berg", None, Some("+46 70 123 45 67"));
        let b = contact("Someone Else", None, Some("070-123 45 67"));
        assert_eq!(duplicate_reasons(&a, &b), vec![MatchReason::Phone]);
        let short = contact("X", None, Some("12345"));
        assert!(duplicate_reasons(&short, &short.clone()).contains(&MatchReason::Name));
        assert!(!duplicate_reasons(&short, &short.clone()).contains(&MatchReason::Phone));
    }

    #[test]
    fn names_alike_are_duplicates_and_different_names_are_not() {
        let a = contact("Jonathan Müller", None, None);
        for alike in ["jonathan muller", "Jonathon Müller", "JONATHAN  MÜLLER."] {
            assert_eq!(
                duplicate_reasons(&a, &contact(alike, None, None)),
                vec![MatchReason::Name],
                "{alike}"
            );
        }
        for different in ["Johanna Miller", "Karl Müller", "Jon"] {
            assert!(
                duplicate_reasons(&a, &contact(different, None, None)).is_empty(),
                "{different}"
            );
        }
    }

    #[test]
    fn the_same_name_at_different_companies_is_not_a_duplicate() {
        let a = Contact {
            name: "Anna Berg",
            company: "Nordlicht GmbH",
            email: None,
            phone: None,
        };
        let b = Contact {
            company: "Acme AB",
            ..a
        };
        assert!(duplicate_reasons(&a, &b).is_empty());
        let c = Contact { company: "", ..a };
        assert_eq!(duplicate_reasons(&a, &c), vec![MatchReason::Name]);
    }

    #[test]
    fn keys_normalise_what_people_type() {
        assert_eq!(name_key("  Åsa  Öberg-Ström "), "asa oberg strom");
        assert_eq!(phone_key("+46 (0)70 123 45 67"), "701234567");
        assert_eq!(name_block("asa oberg"), "as");
        assert_eq!(email_key(" A@B.se "), "a@b.se");
    }

    #[test]
    fn a_lead_needs_a_name_and_a_reachable_address() {
        let errors = validate_lead(&LeadDraft {
            email: "not-an-address".into(),
            phone: "call me".into(),
            ..LeadDraft::default()
        })
        .unwrap_err();
        assert_eq!(errors.for_field("name"), Some("error-required"));
        assert_eq!(errors.for_field("email"), Some("error-email"));
        assert_eq!(errors.for_field("phone"), Some("error-phone"));
        let ok = validate_lead(&LeadDraft {
            name: " Anna ".into(),
            email: "Anna@Example.COM".into(),
            ..LeadDraft::default()
        })
        .unwrap();
        assert_eq!(ok.name, "Anna");
        assert_eq!(ok.email.as_deref(), Some("Anna@example.com"));
    }

    #[test]
    fn a_merge_keeps_the_kept_leads_values_and_fills_its_blanks() {
        let keep = validate_lead(&LeadDraft {
            name: "Anna Berg".into(),
            email: "anna@example.com".into(),
            notes: "Met at the fair".into(),
            ..LeadDraft::default()
        })
        .unwrap();
        let other = validate_lead(&LeadDraft {
            name: "A Berg".into(),
            company: "Berg AB".into(),
            email: "other@example.com".into(),
            phone: "+46701234567".into(),
            notes: "Asked for a price list".into(),
            ..LeadDraft::default()
        })
        .unwrap();
        let merged = merged_lead(&keep, &other);
        assert_eq!(merged.name, "Anna Berg");
        assert_eq!(merged.company, "Berg AB");
        assert_eq!(merged.email.as_deref(), Some("anna@example.com"));
        assert_eq!(merged.phone.as_deref(), Some("+46701234567"));
        assert_eq!(merged.notes, "Met at the fair\n\nAsked for a price list");
    }

    #[test]
    fn weighting_is_exact_and_rounds_half_away_from_zero() {
        assert_eq!(weighted_minor(1_000_000, 2_500), 250_000);
        assert_eq!(weighted_minor(333, 5_000), 167); // 166.5
        assert_eq!(weighted_minor(-333, 5_000), -167);
        assert_eq!(weighted_minor(1, 1_000), 0); // 0.1
        assert_eq!(weighted_minor(i64::MAX, 10_000), i64::MAX);
    }

    #[test]
    fn the_forecast_adds_weighted_amounts_per_month_owner_and_currency() {
        let rows = [
            ("2026-12-15", "sara", "EUR", 1_000_000, Stage::Proposal),
            ("2026-12-31", "sara", "EUR", 333, Stage::Proposal),
            ("2026-12-01", "sara", "SEK", 500_0000, Stage::Negotiation),
            ("2027-01-10", "sara", "EUR", 40_0000, Stage::Prospecting),
            ("2026-12-20", "olle", "EUR", 800_000, Stage::Qualification),
            ("2026-12-20", "olle", "EUR", 999_900, Stage::Won),
            ("2026-12-20", "olle", "EUR", 999_900, Stage::Lost),
        ];
        let cells = forecast(rows.iter().map(|(d, o, c, a, s)| ForecastInput {
            expected_close: d,
            owner: o,
            currency: c,
            amount_minor: *a,
            stage: *s,
        }));
        let key = |m: &str, o: &str, c: &str| (m.to_owned(), o.to_owned(), c.to_owned());
        assert_eq!(cells.len(), 4);
        assert_eq!(
            cells[&key("2026-12", "sara", "EUR")],
            ForecastCell {
                count: 2,
                pipeline_minor: 1_000_333,
                weighted_minor: 500_000 + 167,
            }
        );
        assert_eq!(
            cells[&key("2026-12", "sara", "SEK")].weighted_minor,
            3_750_000
        );
        assert_eq!(cells[&key("2027-01", "sara", "EUR")].weighted_minor, 40_000);
        assert_eq!(cells[&key("2026-12", "olle", "EUR")].count, 1);
        assert_eq!(
            cells[&key("2026-12", "olle", "EUR")].weighted_minor,
            200_000
        );
    }

    #[test]
    fn open_cards_move_among_open_stages_only() {
        assert_eq!(
            Stage::Prospecting.neighbour(true),
            Some(Stage::Qualification)
        );
        assert_eq!(Stage::Prospecting.neighbour(false), None);
        assert_eq!(Stage::Negotiation.neighbour(true), None);
        assert!(check_move(Stage::Proposal, Stage::Prospecting).is_ok());
        assert_eq!(check_move(Stage::Won, Stage::Proposal), Err(STAGE_ERROR));
        assert_eq!(check_move(Stage::Proposal, Stage::Lost), Err(STAGE_ERROR));
    }

    #[test]
    fn an_opportunity_needs_a_customer_an_exact_amount_and_a_date() {
        let errors = validate_opportunity(&OpportunityDraft {
            amount: "12.345".into(),
            currency: "EUR".into(),
            expected_close: "2026-02-30".into(),
            ..OpportunityDraft::default()
        })
        .unwrap_err();
        assert_eq!(errors.for_field("party_id"), Some("error-required"));
        assert_eq!(errors.for_field("title"), Some("error-required"));
        assert_eq!(errors.for_field("amount"), Some("error-amount-decimals"));
        assert_eq!(errors.for_field("expected_close"), Some("error-date"));
        assert_eq!(errors.for_field("owner_user_id"), Some("error-required"));
        let ok = validate_opportunity(&OpportunityDraft {
            party_id: Some(1),
            title: "Forklifts".into(),
            amount: "12 000,50".into(),
            currency: "eur".into(),
            expected_close: "2026-12-31".into(),
            owner_user_id: Some(2),
        })
        .unwrap();
        assert_eq!((ok.amount_minor, ok.currency.as_str()), (1_200_050, "EUR"));
    }

    #[test]
    fn an_activity_is_about_exactly_one_record() {
        let draft = ActivityDraft {
            kind: "call".into(),
            subject: "Follow up".into(),
            owner_user_id: Some(1),
            ..ActivityDraft::default()
        };
        assert_eq!(
            validate_activity(&draft).unwrap_err().for_field("record"),
            Some("error-activity-record")
        );
        let both = ActivityDraft {
            lead_id: Some(1),
            party_id: Some(2),
            ..draft.clone()
        };
        assert!(validate_activity(&both).is_err());
        let bad = ActivityDraft {
            kind: "lunch".into(),
            due_date: "tomorrow".into(),
            lead_id: Some(1),
            ..draft.clone()
        };
        let errors = validate_activity(&bad).unwrap_err();
        assert_eq!(errors.for_field("kind"), Some("error-choice"));
        assert_eq!(errors.for_field("due_date"), Some("error-date"));
    }

    #[test]
    fn mentions_are_usernames_after_an_at_sign_but_not_addresses() {
        assert_eq!(
            mentions("@sara can you call? cc @Olle.Lind, and @sara again. Mail anna@example.com"),
            vec!["sara", "olle.lind"]
        );
        assert!(mentions("no one").is_empty());
        assert!(mentions("@ alone").is_empty());
    }
}
