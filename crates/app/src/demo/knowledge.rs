//! The demo's knowledge base: help articles for customers and procedures for
//! the desk in a few categories, two canned replies, and one request the
//! portal customer has rated, all through the same use cases as the pages.

use seam_domain::knowledge::ArticleDraft;
use seam_domain::service::TicketDraft;

use crate::service::{self, TicketInput};
use crate::{Actor, App, AppResult, auth, csat, knowledge};

/// An article: category index, title, text, published, public.
struct Seed {
    category: usize,
    title: &'static str,
    body: &'static str,
    published: bool,
    public: bool,
}

const CATEGORIES: [&str; 4] = [
    "Orders and delivery",
    "Invoices and payments",
    "Your account",
    "Desk procedures",
];

const ARTICLES: [Seed; 8] = [
    Seed {
        category: 2,
        title: "Logging in to the customer portal",
        body: "Log in with the e-mail address we have on file and your own password.\n\n# If the portal says your password is wrong\n- Check that Caps Lock is off.\n- After five wrong tries the login rests for 15 minutes; wait and try again.\n- Still locked out? Open a request and we will unlock it.",
        published: true,
        public: true,
    },
    Seed {
        category: 0,
        title: "Tracking your delivery",
        body: "Every shipped order shows its tracking reference in the portal under Orders.\n\nOpen the order to see what has shipped and what is still to come.",
        published: true,
        public: true,
    },
    Seed {
        category: 0,
        title: "Damaged or missing goods",
        body: "If a parcel arrives damaged or short, tell us within 14 days.\n\n- Open a request in the portal and name the order.\n- Add photos of the damage to your e-mail if you can.\n\nWe send replacements or credit the invoice, whichever you prefer.",
        published: true,
        public: true,
    },
    Seed {
        category: 1,
        title: "Reading your invoice",
        body: "Each invoice lists what shipped, the VAT per rate and the amount due.\n\nThe PDF and the e-invoice (UBL) are in the portal under Invoices.",
        published: true,
        public: true,
    },
    Seed {
        category: 1,
        title: "Paying an invoice",
        body: "Pay by bank transfer to the account printed on the invoice, quoting the invoice number.\n\nPart payments are welcome; the portal shows what is still due.",
        published: true,
        public: true,
    },
    Seed {
        category: 3,
        title: "Crediting a disputed invoice",
        body: "Check the delivery note against the invoice first.\n\n- Short delivery: escalate the ticket to accounting with a note of what is missing.\n- Accounting issues the credit note from the ticket, which resolves it.",
        published: true,
        public: false,
    },
    Seed {
        category: 3,
        title: "Unlocking a portal login",
        body: "Portal logins lock after five wrong passwords for 15 minutes.\n\nIf the customer has forgotten the password, escalate to IT, who reset it.",
        published: true,
        public: false,
    },
    Seed {
        category: 0,
        title: "Returns after 30 days",
        body: "Being written: what we accept back after 30 days, and at what cost.",
        published: false,
        public: true,
    },
];

const CANNED: [(&str, &str); 2] = [
    (
        "We are on it",
        "Dear {customer_name},\n\nthank you for your message. We are looking into {ticket_number} and will come back to you shortly.\n\nKind regards,\n{agent_name}",
    ),
    (
        "Solved: closing",
        "Dear {customer_name},\n\nwe consider {ticket_number} solved. If anything is still unclear, just reply and the request opens again.\n\nKind regards,\n{agent_name}",
    ),
];

/// Writes the demo knowledge base once; does nothing when any category exists.
pub async fn create_knowledge(app: &App, actor: &Actor) -> AppResult<()> {
    if !knowledge::categories(app, actor).await?.is_empty() {
        return Ok(());
    }
    let mut categories = Vec::new();
    for name in CATEGORIES {
        categories.push(knowledge::create_category(app, actor, name).await?);
    }
    let mut tracking = None;
    for seed in &ARTICLES {
        let Some(category) = categories.get(seed.category) else {
            continue;
        };
        let draft = ArticleDraft {
            title: seed.title.to_owned(),
            body: seed.body.to_owned(),
            category_id: category.to_string(),
            state: if seed.published { "published" } else { "draft" }.to_owned(),
            audience: if seed.public { "public" } else { "internal" }.to_owned(),
        };
        let id = knowledge::create_article(app, actor, &draft).await?;
        if seed.title == "Tracking your delivery" {
            tracking = Some(id);
        }
    }
    for (title, body) in CANNED {
        knowledge::create_canned(app, actor, title, body).await?;
    }
    rated_request(app, actor, tracking.unwrap_or(0)).await
}

/// The portal customer asks where to find a tracking number, the desk answers
/// with the help article and resolves it, and the customer rates the answer.
async fn rated_request(app: &App, actor: &Actor, article: i64) -> AppResult<()> {
    let Some(row) = seam_store::users::user_by_username(&app.db, "portal").await? else {
        return Ok(());
    };
    let customer = auth::actor_from_user(&row, None);
    let input = TicketInput {
        party_id: None,
        ticket: TicketDraft {
            subject: "Where do I find the tracking number of my delivery?".to_owned(),
            body: "Our last order has shipped, but we cannot find its tracking reference."
                .to_owned(),
            priority: String::new(),
            channel: String::new(),
        },
        invoice: String::new(),
        order: String::new(),
    };
    let id = service::open_ticket(app, &customer, &input).await?;
    let answer = format!(
        "It is on the order's page in the portal. This article shows where: /portal/kb/{article}"
    );
    service::reply(app, actor, id, &answer, true).await?;
    service::resolve(app, actor, id).await?;
    csat::rate_ticket(
        app,
        &customer,
        id,
        "5",
        "Quick and clear answer, thank you.",
    )
    .await
}
