//! The demo's CRM: leads (two of them the same person, to show duplicate
//! detection), a qualified lead with its opportunity, opportunities of known
//! customers across the pipeline and one lost, and activities (one overdue,
//! one mentioning the manager) — all through the CRM's use cases, so the
//! sales login finds a board, a forecast and work to do.

use jiff::ToSpan;
use seam_domain::crm::{ActivityDraft, LeadDraft, LeadSource, OpportunityDraft, Stage};
use seam_domain::ids::PartyId;

use crate::crm::{self, LineDraft, QualifyInput};
use crate::parties::{self, PartyFilter, PartySort};
use crate::{Actor, App, AppResult, users};

fn lead(
    name: &str,
    company: &str,
    email: &str,
    phone: &str,
    notes: &str,
    campaign: &str,
) -> LeadDraft {
    LeadDraft {
        name: name.into(),
        company: company.into(),
        email: email.into(),
        phone: phone.into(),
        notes: notes.into(),
        campaign: campaign.into(),
    }
}

/// An opportunity to open: title, amount, days to its expected close, stage, products.
type OpportunitySeed = (
    &'static str,
    &'static str,
    i64,
    Stage,
    &'static [(&'static str, &'static str)],
);

/// A date `days` from today, `YYYY-MM-DD`.
fn in_days(days: i64) -> String {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    today.checked_add(days.days()).unwrap_or(today).to_string()
}

/// Fills the CRM once; does nothing when any lead exists.
pub async fn create_crm(app: &App, actor: &Actor) -> AppResult<()> {
    if !crm::list_leads(app, actor, None, "", None)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let sales = users::user_by_username(app, actor, "sales").await?.id;
    let manager = users::user_by_username(app, actor, "manager")
        .await?
        .username;
    let owner = Some(sales);

    let web = crm::add_lead(
        app,
        actor,
        &lead(
            "Maria López",
            "Café López",
            "maria@cafe-lopez.es",
            "",
            "Three cafés in Valencia; wants a grinder and beans every month.",
            "coffee-fair",
        ),
        LeadSource::WebForm,
    )
    .await?;
    crm::add_lead(
        app,
        actor,
        &lead(
            "maria lopez",
            "",
            "MARIA@cafe-lopez.es",
            "+34 612 345 678",
            "Called reception about the web form.",
            "",
        ),
        LeadSource::Manual,
    )
    .await?;
    crm::add_lead(
        app,
        actor,
        &lead(
            "Jonas Berg",
            "Berg Bageri AB",
            "jonas@bergbageri.se",
            "+46 70 555 12 12",
            "Bakery chain, met at the fair.",
            "coffee-fair",
        ),
        LeadSource::Import,
    )
    .await?;
    let qualified = crm::add_lead(
        app,
        actor,
        &lead(
            "Elena Rossi",
            "Trattoria Rossi",
            "elena@trattoria-rossi.it",
            "",
            "Wants olive oil for two restaurants.",
            "",
        ),
        LeadSource::Api,
    )
    .await?;
    let oil = crm::qualify(
        app,
        actor,
        qualified,
        &QualifyInput {
            existing_party: None,
            opportunity: OpportunityDraft {
                party_id: None,
                title: "Olive oil for two restaurants".into(),
                amount: "2592".into(),
                currency: "EUR".into(),
                expected_close: in_days(20),
                owner_user_id: owner,
            },
            lines: vec![LineDraft {
                product: "OLIVE-EV-5L".into(),
                qty: "48".into(),
            }],
        },
    )
    .await?;
    crm::move_stage(app, actor, oil.opportunity_id, Stage::Proposal).await?;

    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    let customers: Vec<PartyId> =
        parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 5)
            .await?
            .rows
            .into_iter()
            .map(|p| PartyId(p.id))
            .collect();
    let seeds: [OpportunitySeed; 4] = [
        (
            "Espresso machines for the new branch",
            "8400",
            45,
            Stage::Negotiation,
            &[("ESP-BEAN-1KG", "40")],
        ),
        (
            "Yearly maintenance contract",
            "3600",
            60,
            Stage::Qualification,
            &[],
        ),
        (
            "Barista training for 12 staff",
            "1800",
            10,
            Stage::Prospecting,
            &[],
        ),
        (
            "Filter coffee subscription",
            "5160",
            30,
            Stage::Proposal,
            &[("FIL-BEAN-1KG", "240")],
        ),
    ];
    let mut opened = Vec::new();
    for ((title, amount, days, stage, lines), party) in seeds.iter().zip(customers.iter().cycle()) {
        let id = crm::create_opportunity(
            app,
            actor,
            &OpportunityDraft {
                party_id: Some(party.0),
                title: (*title).into(),
                amount: (*amount).into(),
                currency: "EUR".into(),
                expected_close: in_days(*days),
                owner_user_id: owner,
            },
            &lines
                .iter()
                .map(|(p, q)| LineDraft {
                    product: (*p).into(),
                    qty: (*q).into(),
                })
                .collect::<Vec<_>>(),
        )
        .await?;
        if *stage != Stage::Prospecting {
            crm::move_stage(app, actor, id, *stage).await?;
        }
        opened.push(id);
    }
    if let Some(first) = customers.first() {
        let lost = crm::create_opportunity(
            app,
            actor,
            &OpportunityDraft {
                party_id: Some(first.0),
                title: "Tea assortment".into(),
                amount: "900".into(),
                currency: "EUR".into(),
                expected_close: in_days(5),
                owner_user_id: owner,
            },
            &[],
        )
        .await?;
        crm::lose(app, actor, lost, "Went with their current tea supplier").await?;
    }
    let activities = [
        ActivityDraft {
            kind: "call".into(),
            subject: "Call Maria about grinder sizes".into(),
            due_date: in_days(-2),
            lead_id: Some(web),
            ..ActivityDraft::default()
        },
        ActivityDraft {
            kind: "task".into(),
            subject: "Send the machine offer".into(),
            body: format!("@{manager} please approve the 5 % discount before Friday."),
            due_date: in_days(1),
            opportunity_id: opened.first().copied(),
            ..ActivityDraft::default()
        },
        ActivityDraft {
            kind: "meeting".into(),
            subject: "Tasting at Trattoria Rossi".into(),
            due_date: in_days(3),
            opportunity_id: Some(oil.opportunity_id),
            ..ActivityDraft::default()
        },
    ];
    for draft in activities {
        let draft = ActivityDraft {
            owner_user_id: owner,
            ..draft
        };
        crm::add_activity(app, actor, &draft).await?;
    }
    Ok(())
}
