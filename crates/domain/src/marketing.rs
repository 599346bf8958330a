//! Marketing's rules: segments as a small typed filter over parties, e-mail
//! campaigns with merge fields and their states, consent and suppression
//! words, and the arithmetic that attributes leads, opportunities and
//! invoiced revenue to a campaign.
//!
//! A segment is never SQL from a user: it is [`SegmentFilter`], which the
//! store turns into static SQL fragments with bound values.

use crate::FieldErrors;

/// The longest segment or campaign name.
pub const NAME_CHARS_MAX: usize = 120;
/// The longest campaign code (the code leads carry).
pub const CODE_CHARS_MAX: usize = 40;
/// The longest subject.
pub const SUBJECT_CHARS_MAX: usize = 200;
/// The longest body.
pub const BODY_CHARS_MAX: usize = 50_000;
/// The longest look-back a segment filter takes, in days (ten years).
pub const DAYS_MAX: i64 = 3_660;
/// The longest tag or product code a filter names.
pub const WORD_CHARS_MAX: usize = 64;

/// What a segment says about a party's overdue invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverdueRule {
    /// Overdue invoices do not matter.
    #[default]
    Any,
    /// Only parties with at least one overdue invoice.
    Only,
    /// Only parties with none.
    Exclude,
}

impl OverdueRule {
    pub const ALL: [OverdueRule; 3] = [OverdueRule::Any, OverdueRule::Only, OverdueRule::Exclude];

    pub fn name(self) -> &'static str {
        match self {
            OverdueRule::Any => "any",
            OverdueRule::Only => "only",
            OverdueRule::Exclude => "exclude",
        }
    }

    pub fn parse(text: &str) -> Option<OverdueRule> {
        match text.trim() {
            "" | "any" => Some(OverdueRule::Any),
            "only" | "include" => Some(OverdueRule::Only),
            "exclude" => Some(OverdueRule::Exclude),
            _ => None,
        }
    }
}

/// "Bought this product in the last `days` days" (on a posted invoice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bought {
    pub sku: String,
    pub days: i64,
}

/// A segment's filter: every condition that is set must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentFilter {
    /// `company` or `person`.
    pub kind: Option<String>,
    /// ISO 3166 alpha-2, upper case.
    pub country: Option<String>,
    /// A party tag, lower case.
    pub tag: Option<String>,
    pub bought: Option<Bought>,
    pub overdue: OverdueRule,
    /// Created in the last this many days.
    pub created_days: Option<i64>,
    /// Only addresses whose newest consent record grants marketing e-mail.
    pub consent: bool,
}

/// A segment as typed in a form or sent to the API: text, checked by [`validate_segment`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentDraft {
    pub name: String,
    pub kind: String,
    pub country: String,
    pub tag: String,
    pub bought_sku: String,
    pub bought_days: String,
    pub overdue: String,
    pub created_days: String,
    pub consent: bool,
}

impl SegmentDraft {
    /// The draft that shows `filter` in a form.
    pub fn of(name: &str, filter: &SegmentFilter) -> SegmentDraft {
        SegmentDraft {
            name: name.to_owned(),
            kind: filter.kind.clone().unwrap_or_default(),
            country: filter.country.clone().unwrap_or_default(),
            tag: filter.tag.clone().unwrap_or_default(),
            bought_sku: filter
                .bought
                .as_ref()
                .map(|b| b.sku.clone())
                .unwrap_or_default(),
            bought_days: filter
                .bought
                .as_ref()
                .map(|b| b.days.to_string())
                .unwrap_or_default(),
            overdue: filter.overdue.name().to_owned(),
            created_days: filter
                .created_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            consent: filter.consent,
        }
    }
}

/// A segment that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSegment {
    pub name: String,
    pub filter: SegmentFilter,
}

fn days(field: &str, text: &str, errors: &mut FieldErrors) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=DAYS_MAX).contains(&n) => Some(n),
        _ => {
            errors.add(field, "error-segment-days");
            None
        }
    }
}

fn name(field: &str, text: &str, errors: &mut FieldErrors) -> String {
    let text = text.trim();
    if text.is_empty() {
        errors.add(field, "error-required");
    } else if text.chars().count() > NAME_CHARS_MAX {
        errors.add(field, "error-too-long");
    }
    text.to_owned()
}

fn word(field: &str, text: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > WORD_CHARS_MAX || text.contains([',', ';', '%', '_']) {
        errors.add(field, "error-segment-word");
    }
    Some(text.to_owned())
}

/// Checks a segment. Errors name `name`, `kind` (`error-party-kind`),
/// `country` (`error-country`), `tag` or `bought_sku` (`error-segment-word`),
/// `bought_days` or `created_days` (`error-days`: a whole number of days
/// from 1 to [`DAYS_MAX`]; a product without days is `error-required` on
/// `bought_days`), and `overdue` (`error-overdue-rule`).
pub fn validate_segment(draft: &SegmentDraft) -> Result<ValidSegment, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = name("name", &draft.name, &mut errors);
    let kind = match draft.kind.trim() {
        "" => None,
        k @ ("company" | "person") => Some(k.to_owned()),
        _ => {
            errors.add("kind", "error-party-kind");
            None
        }
    };
    let country = match draft.country.trim() {
        "" => None,
        c if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        _ => {
            errors.add("country", "error-country");
            None
        }
    };
    let tag = word("tag", &draft.tag, &mut errors).map(|t| t.to_lowercase());
    let sku = word("bought_sku", &draft.bought_sku, &mut errors).and_then(|text| {
        let sku = crate::product::normalize_sku(&text);
        if sku.is_none() {
            errors.add("bought_sku", "error-sku");
        }
        sku
    });
    let bought_days = days("bought_days", &draft.bought_days, &mut errors);
    let bought = match (sku, bought_days) {
        (Some(sku), Some(days)) => Some(Bought { sku, days }),
        (Some(_), None) if draft.bought_days.trim().is_empty() => {
            errors.add("bought_days", "error-required");
            None
        }
        (None, Some(_)) => {
            errors.add("bought_sku", "error-required");
            None
        }
        _ => None,
    };
    let overdue = OverdueRule::parse(&draft.overdue).unwrap_or_else(|| {
        errors.add("overdue", "error-overdue-rule");
        OverdueRule::Any
    });
    let created_days = days("created_days", &draft.created_days, &mut errors);
    errors.into_result(ValidSegment {
        name,
        filter: SegmentFilter {
            kind,
            country,
            tag,
            bought,
            overdue,
            created_days,
            consent: draft.consent,
        },
    })
}

/// The merge fields a campaign's subject and body may use, as `{{name}}`.
pub const MERGE_FIELDS: [&str; 5] = ["name", "first_name", "company", "email", "unsubscribe_url"];

/// What the merge fields become for one recipient.
#[derive(Debug, Clone, Default)]
pub struct MergeValues<'a> {
    pub name: &'a str,
    pub first_name: &'a str,
    pub company: &'a str,
    pub email: &'a str,
    pub unsubscribe_url: &'a str,
}

impl MergeValues<'_> {
    fn value(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(self.name),
            "first_name" => Some(self.first_name),
            "company" => Some(self.company),
            "email" => Some(self.email),
            "unsubscribe_url" => Some(self.unsubscribe_url),
            _ => None,
        }
    }
}

/// One piece of a template: text as written, or a `{{field}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// Splits a template at its `{{ … }}` fields. A `{{` without its `}}` is
/// text, so a stray brace never swallows the rest of the message.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = rest.get(open + 2..).unwrap_or("");
        let Some(close) = after.find("}}") else {
            break;
        };
        if let Some(before) = rest.get(..open).filter(|b| !b.is_empty()) {
            out.push(Piece::Text(before));
        }
        out.push(Piece::Field(after.get(..close).unwrap_or("").trim()));
        rest = after.get(close + 2..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The merge fields a template uses that are not in [`MERGE_FIELDS`], in order.
pub fn unknown_fields(text: &str) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for piece in pieces(text) {
        if let Piece::Field(f) = piece
            && !MERGE_FIELDS.contains(&f)
            && !unknown.iter().any(|u| u == f)
        {
            unknown.push(f.to_owned());
        }
    }
    unknown
}

/// Fills a template's merge fields. Callers validate first, so an unknown
/// field (which validation refuses) is left as written rather than dropped.
pub fn render(text: &str, values: &MergeValues<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(f) => match values.value(f) {
                Some(v) => out.push_str(v),
                None => {
                    out.push_str("{{");
                    out.push_str(f);
                    out.push_str("}}");
                }
            },
        }
    }
    out
}

fn template(field: &str, text: &str, max: usize, errors: &mut FieldErrors) {
    if text.trim().is_empty() {
        errors.add(field, "error-required");
    } else if text.chars().count() > max {
        errors.add(field, "error-too-long");
    } else if let Some(unknown) = unknown_fields(text).into_iter().next() {
        errors.add_with(field, "error-merge-field", vec![("field", unknown)]);
    }
}

/// A campaign as typed: text, checked by [`validate_campaign`]. The sender
/// address is checked by the caller, which knows how to parse a mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignDraft {
    pub code: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub from_address: String,
    pub segment_id: Option<i64>,
}

/// A campaign's fields that passed the rules (all but the sender).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCampaign {
    pub code: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub segment_id: i64,
}

/// Checks a campaign. Errors name `code` (`error-required`,
/// `error-campaign-code`: lower-case letters, digits and `-`, at most
/// [`CODE_CHARS_MAX`]), `name`, `subject` and `body` (`error-required`,
/// `error-too-long`, `error-merge-field` naming the unknown field), and
/// `segment_id` (`error-required`).
pub fn validate_campaign(draft: &CampaignDraft) -> Result<ValidCampaign, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = draft.code.trim().to_lowercase();
    if code.is_empty() {
        errors.add("code", "error-required");
    } else if code.chars().count() > CODE_CHARS_MAX
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errors.add("code", "error-campaign-code");
    }
    let name = name("name", &draft.name, &mut errors);
    let subject = draft.subject.trim().to_owned();
    template("subject", &subject, SUBJECT_CHARS_MAX, &mut errors);
    if subject.contains(['\r', '\n']) {
        errors.add("subject", "error-one-line");
    }
    let body = draft.body.replace("\r\n", "\n");
    template("body", &body, BODY_CHARS_MAX, &mut errors);
    let segment_id = draft.segment_id.unwrap_or_else(|| {
        errors.add("segment_id", "error-required");
        0
    });
    errors.into_result(ValidCampaign {
        code,
        name,
        subject,
        body,
        segment_id,
    })
}

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignState {
    Draft,
    Scheduled,
    Sending,
    Sent,
}

impl CampaignState {
    pub const ALL: [CampaignState; 4] = [
        CampaignState::Draft,
        CampaignState::Scheduled,
        CampaignState::Sending,
        CampaignState::Sent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CampaignState::Draft => "draft",
            CampaignState::Scheduled => "scheduled",
            CampaignState::Sending => "sending",
            CampaignState::Sent => "sent",
        }
    }

    pub fn parse(text: &str) -> Option<CampaignState> {
        CampaignState::ALL.into_iter().find(|s| s.name() == text)
    }

    /// Only a draft may be edited or sent; a scheduled one has its send
    /// queued, and one being sent or sent is history.
    pub fn editable(self) -> bool {
        self == CampaignState::Draft
    }
}

/// The message code of a move a campaign's state does not allow.
pub const CAMPAIGN_STATE_ERROR: &str = "error-campaign-state";

/// What became of one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientStatus {
    Queued,
    Sent,
    Bounced,
    Suppressed,
    Failed,
}

impl RecipientStatus {
    pub const ALL: [RecipientStatus; 5] = [
        RecipientStatus::Queued,
        RecipientStatus::Sent,
        RecipientStatus::Bounced,
        RecipientStatus::Suppressed,
        RecipientStatus::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RecipientStatus::Queued => "queued",
            RecipientStatus::Sent => "sent",
            RecipientStatus::Bounced => "bounced",
            RecipientStatus::Suppressed => "suppressed",
            RecipientStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<RecipientStatus> {
        RecipientStatus::ALL.into_iter().find(|s| s.name() == text)
    }
}

/// Consent to marketing e-mail, as one record of its history says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentState {
    Granted,
    Withdrawn,
}

impl ConsentState {
    pub fn name(self) -> &'static str {
        match self {
            ConsentState::Granted => "granted",
            ConsentState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<ConsentState> {
        match text.trim() {
            "granted" => Some(ConsentState::Granted),
            "withdrawn" => Some(ConsentState::Withdrawn),
            _ => None,
        }
    }
}

/// The longest consent source or suppression note.
pub const NOTE_CHARS_MAX: usize = 200;

/// Why an address is on the suppression list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    Unsubscribe,
    Bounce,
    Manual,
}

impl SuppressionReason {
    pub fn name(self) -> &'static str {
        match self {
            SuppressionReason::Unsubscribe => "unsubscribe",
            SuppressionReason::Bounce => "bounce",
            SuppressionReason::Manual => "manual",
        }
    }
}

/// A lead that carries a campaign's code, for attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributedLead {
    pub id: i64,
    /// The day the lead came in, `YYYY-MM-DD`: only invoices from that day on count.
    pub date: String,
    /// The party it was qualified into, if it was.
    pub party_id: Option<i64>,
}

/// An opportunity made from one of the leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributedOpportunity {
    pub lead_id: i64,
    pub won: bool,
    pub amount_minor: i64,
    pub currency: String,
}

/// A posted invoice (or credit note, with a negative net) of one of the leads' parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributedInvoice {
    pub id: i64,
    pub party_id: i64,
    pub issue_date: String,
    pub net_minor: i64,
    pub currency: String,
}

/// Money per currency, sorted by currency.
pub type Totals = Vec<(String, i64)>;

/// What a campaign brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub leads: i64,
    pub qualified: i64,
    pub opportunities: i64,
    pub won: i64,
    pub won_amount: Totals,
    pub invoices: i64,
    pub invoiced: Totals,
}

fn add(totals: &mut Totals, currency: &str, minor: i64) {
    match totals.iter_mut().find(|(c, _)| c == currency) {
        Some((_, sum)) => *sum = sum.saturating_add(minor),
        None => {
            totals.push((currency.to_owned(), minor));
            totals.sort();
        }
    }
}

/// Sums a campaign's funnel: its leads, those qualified, their
/// opportunities and the won ones (with their amounts), and the net of the
/// posted invoices of the qualified parties dated on or after the lead's
/// day. An invoice counts once even if two of the campaign's leads became
/// the same party (from the earliest such lead's day).
pub fn attribute(
    leads: &[AttributedLead],
    opportunities: &[AttributedOpportunity],
    invoices: &[AttributedInvoice],
) -> Attribution {
    use std::collections::{HashMap, HashSet};
    let lead_ids: HashSet<i64> = leads.iter().map(|l| l.id).collect();
    // Each party from the earliest day one of the campaign's leads became it.
    let mut party_since: HashMap<i64, &str> = HashMap::new();
    for lead in leads {
        if let Some(party) = lead.party_id {
            let since = party_since.entry(party).or_insert(lead.date.as_str());
            if lead.date.as_str() < *since {
                *since = lead.date.as_str();
            }
        }
    }
    let mut out = Attribution {
        leads: leads.len() as i64,
        qualified: leads.iter().filter(|l| l.party_id.is_some()).count() as i64,
        ..Attribution::default()
    };
    for o in opportunities
        .iter()
        .filter(|o| lead_ids.contains(&o.lead_id))
    {
        out.opportunities += 1;
        if o.won {
            out.won += 1;
            add(&mut out.won_amount, &o.currency, o.amount_minor);
        }
    }
    for invoice in invoices {
        let counts = party_since
            .get(&invoice.party_id)
            .is_some_and(|since| invoice.issue_date.as_str() >= *since);
        if counts {
            out.invoices += 1;
            add(&mut out.invoiced, &invoice.currency, invoice.net_minor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(f: impl FnOnce(&mut SegmentDraft)) -> SegmentDraft {
        let mut d = SegmentDraft {
            name: "Forklift buyers".into(),
            ..SegmentDraft::default()
        };
        f(&mut d);
        d
    }

    #[test]
    fn a_segment_filter_is_typed_and_each_bad_part_names_its_field() {
        let valid = validate_segment(&segment(|d| {
            d.kind = "company".into();
            d.country = "se".into();
            d.tag = "VIP".into();
            d.bought_sku = "FORK-1".into();
            d.bought_days = "90".into();
            d.overdue = "exclude".into();
            d.consent = true;
        }))
        .unwrap();
        assert_eq!(valid.filter.country.as_deref(), Some("SE"));
        assert_eq!(valid.filter.tag.as_deref(), Some("vip"));
        assert_eq!(
            valid.filter.bought,
            Some(Bought {
                sku: "FORK-1".into(),
                days: 90
            })
        );
        assert_eq!(valid.filter.overdue, OverdueRule::Exclude);
        let round = validate_segment(&SegmentDraft::of(&valid.name, &valid.filter)).unwrap();
        assert_eq!(round, valid);

        let err = validate_segment(&segment(|d| {
            d.name = " ".into();
            d.kind = "robot".into();
            d.country = "Sweden".into();
            d.bought_sku = "FORK-1".into();
            d.overdue = "sometimes".into();
            d.created_days = "0".into();
        }))
        .unwrap_err();
        assert_eq!(err.for_field("name"), Some("error-required"));
        assert_eq!(err.for_field("kind"), Some("error-party-kind"));
        assert_eq!(err.for_field("country"), Some("error-country"));
        assert_eq!(err.for_field("bought_days"), Some("error-required"));
        assert_eq!(err.for_field("overdue"), Some("error-overdue-rule"));
        assert_eq!(err.for_field("created_days"), Some("error-segment-days"));
        let err = validate_segment(&segment(|d| d.bought_days = "30".into())).unwrap_err();
        assert_eq!(err.for_field("bought_sku"), Some("error-required"));
    }

    #[test]
    fn merge_fields_are_filled_and_an_unknown_one_is_named() {
        let values = MergeValues {
            name: "Anna Berg",
            first_name: "Anna",
            company: "Berg AB",
            email: "anna@berg.se",
            unsubscribe_url: "https://seam.test/u/abc",
        };
        assert_eq!(
            render(
                "Hej {{first_name}} at {{ company }}! {{name}} <{{email}}> {{unsubscribe_url}} {{ and }} {x} {{",
                &values
            ),
            "Hej Anna at Berg AB! Anna Berg <anna@berg.se> https://seam.test/u/abc {{and}} {x} {{"
        );
        assert_eq!(
            unknown_fields("{{name}} {{frist_name}} {{ zip }} {{frist_name}}"),
            vec!["frist_name".to_owned(), "zip".to_owned()]
        );
        let draft = CampaignDraft {
            code: "Spring-Fair".into(),
            name: "Spring fair".into(),
            subject: "Hello {{frist_name}}".into(),
            body: "See you, {{name}}".into(),
            from_address: String::new(),
            segment_id: Some(1),
        };
        let err = validate_campaign(&draft).unwrap_err();
        let e = err.iter().next().unwrap();
        assert_eq!(e.field, "subject");
        assert_eq!(e.code, "error-merge-field");
        assert_eq!(e.args, vec![("field", "frist_name".to_owned())]);
        let ok = validate_campaign(&CampaignDraft {
            subject: "Hello {{first_name}}".into(),
            ..draft.clone()
        })
        .unwrap();
        assert_eq!(ok.code, "spring-fair");
    }

    #[test]
    fn a_campaign_needs_a_code_a_subject_a_body_and_a_segment() {
        let err = validate_campaign(&CampaignDraft {
            code: "no spaces".into(),
            ..CampaignDraft::default()
        })
        .unwrap_err();
        assert_eq!(err.for_field("code"), Some("error-campaign-code"));
        assert_eq!(err.for_field("name"), Some("error-required"));
        assert_eq!(err.for_field("subject"), Some("error-required"));
        assert_eq!(err.for_field("body"), Some("error-required"));
        assert_eq!(err.for_field("segment_id"), Some("error-required"));
    }

    #[test]
    fn attribution_counts_leads_wins_and_invoices_after_the_lead_once() {
        let leads = vec![
            AttributedLead {
                id: 1,
                date: "2026-03-01".into(),
                party_id: Some(10),
            },
            AttributedLead {
                id: 2,
                date: "2026-04-01".into(),
                party_id: Some(10),
            },
            AttributedLead {
                id: 3,
                date: "2026-03-05".into(),
                party_id: None,
            },
        ];
        let opportunities = vec![
            AttributedOpportunity {
                lead_id: 1,
                won: true,
                amount_minor: 1_200_000,
                currency: "EUR".into(),
            },
            AttributedOpportunity {
                lead_id: 2,
                won: false,
                amount_minor: 50_000,
                currency: "EUR".into(),
            },
            AttributedOpportunity {
                lead_id: 99,
                won: true,
                amount_minor: 7,
                currency: "EUR".into(),
            },
        ];
        let invoice = |id, date: &str, net| AttributedInvoice {
            id,
            party_id: 10,
            issue_date: date.into(),
            net_minor: net,
            currency: "EUR".into(),
        };
        let invoices = vec![
            invoice(1, "2026-02-28", 999),
            invoice(2, "2026-03-01", 1_000_000),
            invoice(3, "2026-05-01", 200_001),
            AttributedInvoice {
                currency: "SEK".into(),
                ..invoice(4, "2026-05-02", 300)
            },
        ];
        let a = attribute(&leads, &opportunities, &invoices);
        assert_eq!(a.leads, 3);
        assert_eq!(a.qualified, 2);
        assert_eq!(a.opportunities, 2);
        assert_eq!(a.won, 1);
        assert_eq!(a.won_amount, vec![("EUR".to_owned(), 1_200_000)]);
        assert_eq!(a.invoices, 3);
        assert_eq!(
            a.invoiced,
            vec![("EUR".to_owned(), 1_200_001), ("SEK".to_owned(), 300)]
        );
    }
}
