//! The demo's service desk: a few tickets in different queues and states,
//! opened and worked through the same use cases as the desk's pages, so the
//! service, accounting and warehouse logins each find work waiting.

use seam_domain::ids::PartyId;
use seam_domain::service::TicketDraft;
use seam_store::invoices::InvoiceFilter;

use crate::parties::{self, PartyFilter, PartySort};
use crate::service::{self, ListFilter, TicketInput};
use crate::{Actor, App, AppResult, invoicing};

/// A ticket to open: customer index, subject, first message, channel, and
/// whether it is about the customer's latest invoice.
struct Seed {
    customer: usize,
    subject: &'static str,
    body: &'static str,
    channel: &'static str,
    about_invoice: bool,
}

const SEEDS: [Seed; 4] = [
    Seed {
        customer: 0,
        subject: "Invoice lists 12 boxes, 10 arrived",
        body: "Hello, our latest invoice lists twelve boxes but the delivery had ten. Please correct it.",
        channel: "portal",
        about_invoice: true,
    },
    Seed {
        customer: 1,
        subject: "Parcel arrived damaged",
        body: "Two of the items in yesterday's delivery were broken. Photos attached to our e-mail.",
        channel: "email",
        about_invoice: false,
    },
    Seed {
        customer: 2,
        subject: "Cannot log in to the customer portal",
        body: "The portal says my password is wrong since Monday.",
        channel: "phone",
        about_invoice: false,
    },
    Seed {
        customer: 3,
        subject: "Copy of last month's statement",
        body: "Could you send us a copy of last month's statement?",
        channel: "email",
        about_invoice: false,
    },
];

/// Opens the demo tickets once; does nothing when any ticket exists.
pub async fn create_tickets(app: &App, actor: &Actor, portal_company: PartyId) -> AppResult<()> {
    if !service::list(app, actor, &ListFilter::default(), None)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let filter = PartyFilter {
        kind: Some("company".to_owned()),
        customers_only: true,
        ..PartyFilter::default()
    };
    let mut customers: Vec<PartyId> =
        parties::list_parties(app, actor, &filter, PartySort::OldestFirst, None, 10)
            .await?
            .rows
            .into_iter()
            .map(|p| PartyId(p.id))
            .filter(|p| *p != portal_company)
            .collect();
    customers.insert(0, portal_company);
    let mut ids = Vec::new();
    for seed in &SEEDS {
        let Some(party) = customers.get(seed.customer).copied() else {
            continue;
        };
        let invoice = if seed.about_invoice {
            latest_invoice(app, actor, party).await?
        } else {
            String::new()
        };
        let input = TicketInput {
            party_id: Some(party.0),
            ticket: TicketDraft {
                subject: seed.subject.to_owned(),
                body: seed.body.to_owned(),
                priority: String::new(),
                channel: seed.channel.to_owned(),
            },
            invoice,
            order: String::new(),
        };
        ids.push(service::open_ticket(app, actor, &input).await?);
    }
    if let [billing, damaged, login, statement] = ids[..] {
        service::reply(
            app,
            actor,
            billing,
            "Thank you, we are checking this with billing.",
            true,
        )
        .await?;
        service::escalate(
            app,
            actor,
            billing,
            "accounting",
            "Delivery note shows 10 boxes: please credit 2.",
        )
        .await?;
        service::escalate(
            app,
            actor,
            damaged,
            "warehouse",
            "Send replacements for the two broken items.",
        )
        .await?;
        service::escalate(
            app,
            actor,
            login,
            "it",
            "Portal login locked; please check the account.",
        )
        .await?;
        service::reply(
            app,
            actor,
            statement,
            "Here it is: the statement is attached to our e-mail.",
            true,
        )
        .await?;
        service::resolve(app, actor, statement).await?;
    }
    Ok(())
}

/// The number of the customer's newest posted invoice, or "" when it has none.
async fn latest_invoice(app: &App, actor: &Actor, party: PartyId) -> AppResult<String> {
    let filter = InvoiceFilter {
        kind: Some("invoice".to_owned()),
        party_id: Some(party.0),
        ..InvoiceFilter::default()
    };
    let (rows, _) = invoicing::list_invoices(app, actor, &filter, None, 20).await?;
    Ok(rows.into_iter().find_map(|r| r.number).unwrap_or_default())
}
