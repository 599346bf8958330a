//! The CRM on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: a lead from
//! the web form and the same person typed again are found as duplicates and
//! merged, qualified into a customer and an opportunity, moved through the
//! pipeline, forecast, won into a draft quote; the form's honeypot and rate
//! limit; activities with @mentions and reminders; refusals that write nothing.

use seam_app::crm::{self, FormOutcome, LineDraft, QualifyInput, WebFormLead};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, auth, jobs, notifications, parties, products, quotes};
use seam_domain::access::Role;
use seam_domain::crm::{
    ActivityDraft, LeadDraft, LeadSource, LeadState, MatchReason, OpportunityDraft, Stage,
};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

both_backends!(
    a_lead_is_deduplicated_merged_qualified_forecast_and_won_into_a_quote,
    the_web_form_ignores_bots_and_limits_each_address,
    activities_notify_mentioned_colleagues_and_remind_their_owner_once,
    bad_crm_input_and_illegal_moves_write_nothing,
    contacts_go_out_as_vcards_and_come_in_as_leads,
);

fn admin() -> Actor {
    Actor::system("tester")
}

async fn login(app: &App, username: &str, roles: &[Role]) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} (staff)"),
        password: "velvet orchard 77 kite".into(),
        roles: roles.to_vec(),
        ..UserDraft::default()
    };
    let id = users::add_user(app, &admin(), &draft).await.unwrap();
    let row = users::user(app, &admin(), id).await.unwrap();
    auth::actor_from_user(&row, None)
}

async fn forklift(app: &App) {
    let draft = ProductDraft {
        sku: "FORK-1".into(),
        name: "Electric forklift".into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "6000.00".into(),
        standard_cost: "4000".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin(), &draft)
        .await
        .unwrap();
}

fn anna() -> LeadDraft {
    LeadDraft {
        name: "Anna Berg".into(),
        company: "Berg Logistik AB".into(),
        email: "anna@berg-logistik.se".into(),
        notes: "Asked about forklifts on the web site".into(),
        campaign: "spring-fair".into(),
        ..LeadDraft::default()
    }
}

fn opportunity(owner: &Actor) -> OpportunityDraft {
    OpportunityDraft {
        party_id: None,
        title: "Two forklifts".into(),
        amount: "12000".into(),
        currency: "EUR".into(),
        expected_close: "2026-12-31".into(),
        owner_user_id: owner.user_id.map(|u| u.0),
    }
}

fn forklifts(qty: &str) -> Vec<LineDraft> {
    vec![LineDraft {
        product: "fork-1".into(),
        qty: qty.into(),
    }]
}

async fn leads(app: &App) -> usize {
    crm::list_leads(app, &admin(), None, "", None)
        .await
        .unwrap()
        .len()
}

async fn parties_named(app: &App, text: &str) -> usize {
    parties::search(app, &admin(), text, 50)
        .await
        .unwrap()
        .len()
}

async fn a_lead_is_deduplicated_merged_qualified_forecast_and_won_into_a_quote(app: App) {
    forklift(&app).await;
    let sara = login(&app, "sara", &[Role::Sales]).await;
    let form = WebFormLead {
        lead: anna(),
        honeypot: String::new(),
        client_ip: "203.0.113.7".into(),
    };
    let FormOutcome::Received(first) = crm::submit_web_form(&app, &form).await.unwrap() else {
        panic!("the form lead was not received");
    };
    let again = LeadDraft {
        name: "anna  berg".into(),
        company: String::new(),
        email: "ANNA@Berg-Logistik.se".into(),
        phone: "+46 70 123 45 67".into(),
        notes: "Called the switchboard".into(),
        campaign: String::new(),
    };
    let second = crm::add_lead(&app, &sara, &again, LeadSource::Manual)
        .await
        .unwrap();
    let call = ActivityDraft {
        kind: "call".into(),
        subject: "Call Anna back".into(),
        owner_user_id: sara.user_id.map(|u| u.0),
        lead_id: Some(second),
        ..ActivityDraft::default()
    };
    let activity = crm::add_activity(&app, &sara, &call).await.unwrap();

    // The second lead finds the first by its address and its name.
    let detail = crm::lead_detail(&app, &sara, second).await.unwrap();
    let found = detail
        .duplicates
        .iter()
        .find(|d| d.record.id == first)
        .expect("the form lead is a duplicate");
    assert_eq!(found.reasons, vec![MatchReason::Email, MatchReason::Name]);
    assert_eq!(detail.lead.source, "manual");
    assert_eq!(detail.lead.owner_user_id, sara.user_id.map(|u| u.0));

    // Merged: the kept lead fills its blanks, takes the activity, and the other points at it.
    crm::merge_leads(&app, &sara, first, second).await.unwrap();
    let kept = crm::lead_detail(&app, &sara, first).await.unwrap();
    assert_eq!(kept.lead.phone.as_deref(), Some("+46701234567"));
    assert_eq!(kept.lead.company, "Berg Logistik AB");
    assert_eq!(
        kept.lead.notes,
        "Asked about forklifts on the web site\n\nCalled the switchboard"
    );
    assert_eq!(kept.lead.owner_user_id, sara.user_id.map(|u| u.0));
    assert_eq!(kept.activities.len(), 1);
    assert_eq!(kept.activities[0].id, activity);
    assert!(kept.duplicates.is_empty());
    let gone = crm::lead(&app, &sara, second).await.unwrap();
    assert_eq!(
        (gone.state.as_str(), gone.merged_into_id),
        ("merged", Some(first))
    );
    assert!(matches!(
        crm::merge_leads(&app, &sara, first, second).await,
        Err(AppError::Conflict("error-lead-state"))
    ));

    // Qualified: a customer company, Anna as its contact, and an opportunity.
    let qualified = crm::qualify(
        &app,
        &sara,
        first,
        &QualifyInput {
            existing_party: None,
            opportunity: opportunity(&sara),
            lines: forklifts("2"),
        },
    )
    .await
    .unwrap();
    let company = parties::party(&app, &admin(), qualified.party_id)
        .await
        .unwrap();
    assert_eq!(
        (company.name.as_str(), company.kind.as_str()),
        ("Berg Logistik AB", "company")
    );
    assert!(company.is_customer);
    let contact = parties::party(&app, &admin(), qualified.contact_id.unwrap())
        .await
        .unwrap();
    assert_eq!(contact.company_id, Some(qualified.party_id.0));
    assert_eq!(contact.email.as_deref(), Some("anna@berg-logistik.se"));
    let lead = crm::lead(&app, &sara, first).await.unwrap();
    assert_eq!(lead.state, LeadState::Qualified.name());
    assert_eq!(lead.party_id, Some(qualified.party_id.0));
    let from_lead = crm::lead_detail(&app, &sara, first)
        .await
        .unwrap()
        .opportunities;
    assert_eq!(
        from_lead.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![qualified.opportunity_id]
    );

    // A second, smaller opportunity of the same customer for the forecast.
    let small = crm::create_opportunity(
        &app,
        &sara,
        &OpportunityDraft {
            party_id: Some(qualified.party_id.0),
            title: "Service contract".into(),
            amount: "3.33".into(),
            ..opportunity(&sara)
        },
        &[],
    )
    .await
    .unwrap();
    let id = qualified.opportunity_id;
    crm::move_stage(&app, &sara, id, Stage::Proposal)
        .await
        .unwrap();
    crm::move_stage(&app, &sara, small, Stage::Proposal)
        .await
        .unwrap();
    let board = crm::board(&app, &sara).await.unwrap();
    let proposal = board.iter().find(|c| c.stage == Stage::Proposal).unwrap();
    assert_eq!(proposal.cards.len(), 2);
    let forecast = crm::forecast(&app, &sara).await.unwrap();
    assert_eq!(forecast.len(), 1);
    let row = &forecast[0];
    assert_eq!(
        (
            row.month.as_str(),
            row.owner.as_str(),
            row.currency.as_str()
        ),
        ("2026-12", "sara (staff)", "EUR")
    );
    assert_eq!(row.cell.count, 2);
    assert_eq!(row.cell.pipeline_minor, 1_200_333);
    // 12,000.00 × 50 % and 3.33 × 50 % = 1.665, rounded half away from zero to 1.67.
    assert_eq!(row.cell.weighted_minor, 600_000 + 167);

    // Won: a draft quote for the customer with the opportunity's products.
    let quote = crm::win(&app, &sara, id).await.unwrap().expect("a quote");
    let detail = quotes::quote_detail(&app, &sara, quote).await.unwrap();
    assert_eq!(detail.quote.party_id, qualified.party_id.0);
    assert_eq!(detail.quote.state, "draft");
    assert_eq!(detail.lines.len(), 1);
    assert_eq!(
        (detail.lines[0].sku.as_str(), detail.lines[0].qty),
        ("FORK-1", 2)
    );
    assert_eq!(detail.lines[0].unit_price_minor, 600_000);
    let won = crm::opportunity(&app, &sara, id).await.unwrap().opportunity;
    assert_eq!((won.stage.as_str(), won.quote_id), ("won", Some(quote.0)));
    assert!(won.closed_at_us.is_some());
    assert!(matches!(
        crm::win(&app, &sara, id).await,
        Err(AppError::Conflict("error-opportunity-state"))
    ));
    assert!(matches!(
        crm::move_stage(&app, &sara, id, Stage::Prospecting).await,
        Err(AppError::Conflict("error-opportunity-state"))
    ));
    crm::lose(&app, &sara, small, "Chose a local supplier")
        .await
        .unwrap();
    assert!(crm::forecast(&app, &sara).await.unwrap().is_empty());
}

async fn the_web_form_ignores_bots_and_limits_each_address(app: App) {
    let bot = WebFormLead {
        lead: anna(),
        honeypot: "http://spam.example".into(),
        client_ip: "198.51.100.1".into(),
    };
    assert_eq!(
        crm::submit_web_form(&app, &bot).await.unwrap(),
        FormOutcome::Ignored
    );
    assert_eq!(leads(&app).await, 0);

    let person = WebFormLead {
        honeypot: String::new(),
        ..bot
    };
    for _ in 0..crm::FORM_LIMIT {
        assert!(matches!(
            crm::submit_web_form(&app, &person).await.unwrap(),
            FormOutcome::Received(_)
        ));
    }
    assert!(matches!(
        crm::submit_web_form(&app, &person).await,
        Err(AppError::Conflict("error-form-rate-limited"))
    ));
    assert_eq!(leads(&app).await, 5);
    let elsewhere = WebFormLead {
        client_ip: "198.51.100.2".into(),
        ..person.clone()
    };
    assert!(crm::submit_web_form(&app, &elsewhere).await.is_ok());
    // A bad address is a field error, not a lead.
    let bad = WebFormLead {
        lead: LeadDraft {
            email: "anna at berg".into(),
            ..anna()
        },
        client_ip: "198.51.100.3".into(),
        ..person
    };
    match crm::submit_web_form(&app, &bad).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("email"), Some("error-email")),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(leads(&app).await, 6);
    let stored = crm::list_leads(&app, &admin(), Some(LeadState::Open), "berg", None)
        .await
        .unwrap();
    assert_eq!(stored.len(), 6);
    assert!(
        stored
            .iter()
            .all(|l| l.source == "web_form" && l.owner_user_id.is_none())
    );
}

async fn activities_notify_mentioned_colleagues_and_remind_their_owner_once(app: App) {
    let sara = login(&app, "sara", &[Role::Sales]).await;
    let olle = login(&app, "olle", &[Role::Sales]).await;
    let lead = crm::add_lead(&app, &sara, &anna(), LeadSource::Manual)
        .await
        .unwrap();
    let draft = ActivityDraft {
        kind: "task".into(),
        subject: "Send the price list".into(),
        body: "@olle can you check the forklift discount? cc @nobody, mail anna@example.com".into(),
        due_date: "2026-01-05".into(),
        owner_user_id: sara.user_id.map(|u| u.0),
        lead_id: Some(lead),
        ..ActivityDraft::default()
    };
    let id = crm::add_activity(&app, &sara, &draft).await.unwrap();
    let olles = notifications::mine(&app, &olle, None).await.unwrap();
    assert_eq!(olles.len(), 1);
    assert_eq!(olles[0].kind, "crm-mention");
    assert_eq!(olles[0].link, format!("/crm/leads/{lead}"));
    // Nobody is notified of their own activity before it is due.
    assert!(
        notifications::mine(&app, &sara, None)
            .await
            .unwrap()
            .is_empty()
    );

    let mine = crm::my_activities(&app, &sara).await.unwrap();
    assert_eq!(
        mine.overdue.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![id]
    );
    assert!(
        crm::my_activities(&app, &olle)
            .await
            .unwrap()
            .open
            .is_empty()
    );

    // The reminder is due (its day has begun) and is sent once, even when the job runs again.
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();
    let reminders = |rows: Vec<seam_app::notifications::NotificationRow>| {
        rows.into_iter().filter(|n| n.kind == "crm-due").count()
    };
    assert_eq!(
        reminders(notifications::mine(&app, &sara, None).await.unwrap()),
        1
    );
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();
    assert_eq!(
        reminders(notifications::mine(&app, &sara, None).await.unwrap()),
        1
    );

    crm::complete_activity(&app, &sara, id).await.unwrap();
    assert!(
        crm::my_activities(&app, &sara)
            .await
            .unwrap()
            .overdue
            .is_empty()
    );
    assert!(matches!(
        crm::complete_activity(&app, &sara, id).await,
        Err(AppError::Conflict("error-activity-done"))
    ));
}

async fn bad_crm_input_and_illegal_moves_write_nothing(app: App) {
    forklift(&app).await;
    let sara = login(&app, "sara", &[Role::Sales]).await;
    let marketing = login(&app, "maja", &[Role::Marketing]).await;
    let bad = LeadDraft {
        email: "anna@".into(),
        ..anna()
    };
    match crm::add_lead(&app, &sara, &bad, LeadSource::Api).await {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("email"), Some("error-email")),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(leads(&app).await, 0);

    let lead = crm::add_lead(&app, &sara, &anna(), LeadSource::Manual)
        .await
        .unwrap();
    // A bad amount and an unknown product: named, and no party is made.
    let input = QualifyInput {
        existing_party: None,
        opportunity: OpportunityDraft {
            amount: "12,000.001".into(),
            ..opportunity(&sara)
        },
        lines: vec![LineDraft {
            product: "NOPE".into(),
            qty: "0".into(),
        }],
    };
    match crm::qualify(&app, &sara, lead, &input).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("amount"), Some("error-amount"));
            assert_eq!(
                e.for_field("lines[0].product"),
                Some("error-unknown-product")
            );
            assert_eq!(e.for_field("lines[0].qty"), Some("error-qty-positive"));
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert_eq!(parties_named(&app, "Berg").await, 0);
    assert_eq!(crm::lead(&app, &sara, lead).await.unwrap().state, "open");

    // Marketing may log leads but not sell.
    assert!(matches!(
        crm::qualify(&app, &marketing, lead, &QualifyInput::default()).await,
        Err(AppError::Forbidden)
    ));
    // An opportunity for a party that does not exist.
    let ghost = OpportunityDraft {
        party_id: Some(999_999),
        ..opportunity(&sara)
    };
    match crm::create_opportunity(&app, &sara, &ghost, &forklifts("1")).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("party_id"), Some("error-unknown-party"))
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    // Losing needs a reason.
    let customer = parties::create_party(
        &app,
        &admin(),
        &PartyDraft {
            kind: "company".into(),
            name: "Acme AB".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let id = crm::create_opportunity(
        &app,
        &sara,
        &OpportunityDraft {
            party_id: Some(customer.0),
            ..opportunity(&sara)
        },
        &forklifts("1"),
    )
    .await
    .unwrap();
    match crm::lose(&app, &sara, id, "  ").await {
        Err(AppError::Invalid(e)) => assert_eq!(e.for_field("lost_reason"), Some("error-required")),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(
        crm::opportunity(&app, &sara, id)
            .await
            .unwrap()
            .opportunity
            .stage,
        "prospecting"
    );
    // An activity about nothing, or about a lead that does not exist.
    let nothing = ActivityDraft {
        kind: "call".into(),
        subject: "Call".into(),
        owner_user_id: sara.user_id.map(|u| u.0),
        ..ActivityDraft::default()
    };
    assert!(matches!(
        crm::add_activity(&app, &sara, &nothing).await,
        Err(AppError::Invalid(_))
    ));
    let unknown = ActivityDraft {
        lead_id: Some(999_999),
        ..nothing
    };
    match crm::add_activity(&app, &sara, &unknown).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("record"), Some("error-unknown-record"))
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    // A file with one bad row adds no lead at all.
    let csv = "name,email,company\nOlle Lind,olle@example.com,Lind AB\n,nobody@example.com,\nKarin,karin@,\n";
    match crm::import_leads(&app, &sara, csv.as_bytes()).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("line 3: name"), Some("error-required"));
            assert_eq!(e.for_field("line 4: email"), Some("error-email"));
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert_eq!(leads(&app).await, 1);
    let good = "name,email,company\nOlle Lind,olle@example.com,Lind AB\nAnna Berg,anna@berg-logistik.se,\n";
    let report = crm::import_leads(&app, &sara, good.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.created.len(), 2);
    assert_eq!(report.possible_duplicates, 1);
}

async fn contacts_go_out_as_vcards_and_come_in_as_leads(app: App) {
    use calcard::vcard::{VCard, VCardProperty};
    let company = parties::create_party(
        &app,
        &admin(),
        &PartyDraft {
            kind: "company".into(),
            name: "Berg Logistik AB".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    let anna = parties::create_party(
        &app,
        &admin(),
        &PartyDraft {
            kind: "person".into(),
            name: "Anna Berg, Jr.".into(),
            company_id: Some(company.0),
            email: "anna@berg.se".into(),
            phone: "+46 70 123 45 67".into(),
            city: "Göteborg".into(),
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    // Written by Seam, read back by the parser.
    let text = seam_app::vcard::party_vcard(&app, &admin(), anna)
        .await
        .unwrap();
    let card = VCard::parse(&text).unwrap_or_else(|e| panic!("{e:?} in {text}"));
    let value = |p: VCardProperty| {
        card.property(&p)
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(value(VCardProperty::Fn), "Anna Berg, Jr.");
    assert_eq!(value(VCardProperty::Org), "Berg Logistik AB");
    assert_eq!(value(VCardProperty::Email), "anna@berg.se");
    assert_eq!(value(VCardProperty::Tel), "+46701234567");
    assert!(text.contains("Göteborg"));

    // The same card imported becomes a lead; a broken file adds nothing.
    let sara = login(&app, "sara", &[Role::Sales]).await;
    assert!(matches!(
        crm::import_leads(&app, &sara, b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\r\nEND:VCARD\r\n").await,
        Err(AppError::Invalid(e)) if e.for_field("card 1: name") == Some("error-required")
    ));
    assert_eq!(leads(&app).await, 0);
    let report = crm::import_leads(&app, &sara, text.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.created.len(), 1);
    let lead = crm::lead(&app, &sara, report.created[0]).await.unwrap();
    assert_eq!(
        (lead.name.as_str(), lead.company.as_str()),
        ("Anna Berg, Jr.", "Berg Logistik AB")
    );
    assert_eq!(lead.email.as_deref(), Some("anna@berg.se"));
}
