//! Marketing on SQLite and (with `SEAM_TEST_PG_URL`) PostgreSQL: segments
//! over parties and their invoices (bought a product in the last 90 days,
//! overdue excluded, consent), campaigns sent through the local SMTP sink
//! with the one-click unsubscribe headers, the suppression list checked at
//! the snapshot and again before each message, the throttle, unsubscribing
//! twice, bounces, attribution from leads to invoiced revenue, and bad
//! input that writes nothing.

use seam_app::crm::{self, QualifyInput};
use seam_app::invoicing::{self, InvoiceInput};
use seam_app::marketing::{self, RecipientRow};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::users::{self, UserDraft};
use seam_app::{Actor, App, AppError, auth, jobs, mail, parties, products};
use seam_domain::access::Role;
use seam_domain::crm::{LeadDraft, LeadSource, OpportunityDraft};
use seam_domain::ids::PartyId;
use seam_domain::marketing::{CampaignDraft, SegmentDraft};
use seam_domain::party::PartyDraft;
use seam_domain::product::ProductDraft;

use crate::smtp::SmtpSink;

both_backends!(
    segments_filter_by_purchases_overdue_invoices_kind_and_consent,
    a_campaign_goes_out_over_smtp_with_one_click_unsubscribe_headers,
    suppression_is_honoured_at_the_snapshot_and_again_before_each_message,
    a_tick_sends_at_most_the_configured_number,
    unsubscribing_withdraws_consent_and_suppresses_once,
    bounces_mark_messages_and_hard_ones_suppress,
    attribution_follows_the_code_from_leads_to_wins_and_invoiced_revenue,
    bad_marketing_input_gets_field_errors_and_writes_nothing,
);

fn admin() -> Actor {
    Actor::system("tester")
}

/// The actions the audit journal holds for one record, oldest first.
async fn actions(app: &App, entity_type: &str, id: &str) -> Vec<String> {
    seam_app::audit::events_after(app, &admin(), 0, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_type == entity_type && e.entity_id == id)
        .map(|e| e.action)
        .collect()
}

async fn marketer(app: &App) -> Actor {
    staff(app, "mia", Role::Marketing).await
}

async fn staff(app: &App, username: &str, role: Role) -> Actor {
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} (staff)"),
        password: "velvet orchard 77 kite".into(),
        roles: vec![role],
        ..UserDraft::default()
    };
    let id = users::add_user(app, &admin(), &draft).await.unwrap();
    let row = users::user(app, &admin(), id).await.unwrap();
    auth::actor_from_user(&row, None)
}

fn days_ago(days: i64) -> String {
    let t = seam_app::today();
    jiff::civil::Date::new(t.year, t.month, t.day)
        .unwrap()
        .checked_sub(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

async fn service(app: &App, sku: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} service"),
        kind: "service".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "100.00".into(),
        standard_cost: "10".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &admin(), &draft)
        .await
        .unwrap();
}

async fn party(
    app: &App,
    kind: &str,
    name: &str,
    email: &str,
    extra: impl FnOnce(&mut PartyDraft),
) -> PartyId {
    let mut draft = PartyDraft {
        kind: kind.into(),
        name: name.into(),
        email: email.into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    extra(&mut draft);
    parties::create_party(app, &admin(), &draft).await.unwrap()
}

/// A posted invoice for `qty` of `sku`, issued `days` ago and due after `terms` days.
async fn bought(app: &App, party: PartyId, sku: &str, days: i64, terms: &str) -> i64 {
    let input = OrderInput {
        customer: Some(party),
        order_date: days_ago(days),
        currency: String::new(),
        lines: vec![LineInput {
            product: sku.into(),
            qty: "3".into(),
            unit_price: String::new(),
        }],
    };
    let order = sales::create_order(app, &admin(), &input).await.unwrap();
    sales::confirm_order(app, &admin(), order, None)
        .await
        .unwrap();
    let input = InvoiceInput {
        issue_date: days_ago(days),
        terms_days: terms.into(),
        note: String::new(),
    };
    let id = invoicing::invoice_order(app, &admin(), order, &input)
        .await
        .unwrap();
    invoicing::post_invoice(app, &admin(), id).await.unwrap();
    id
}

fn segment(name: &str, f: impl FnOnce(&mut SegmentDraft)) -> SegmentDraft {
    let mut d = SegmentDraft {
        name: name.into(),
        ..SegmentDraft::default()
    };
    f(&mut d);
    d
}

async fn names(app: &App, actor: &Actor, id: i64) -> Vec<String> {
    let detail = marketing::segment(app, actor, id).await.unwrap();
    assert_eq!(detail.preview.count, detail.preview.members.len() as i64);
    detail.preview.members.into_iter().map(|m| m.name).collect()
}

async fn segments_filter_by_purchases_overdue_invoices_kind_and_consent(app: App) {
    let mia = marketer(&app).await;
    service(&app, "FIT").await;
    service(&app, "TRAIN").await;
    let acme = party(&app, "company", "Acme AB", "info@acme.se", |d| {
        d.country = "SE".into();
        d.tags = "vip".into();
    })
    .await;
    let bolt = party(&app, "company", "Bolt Oy", "hello@bolt.fi", |d| {
        d.country = "FI".into()
    })
    .await;
    let cora = party(&app, "company", "Cora GmbH", "cora@cora.de", |_| {}).await;
    let _dana = party(&app, "person", "Dana Lind", "dana@lind.se", |_| {}).await;
    // Acme bought fitting 10 days ago and is not yet due; Bolt 60 days ago
    // on 10-day terms and has not paid; Cora bought it 200 days ago, and
    // training recently.
    bought(&app, acme, "FIT", 10, "30").await;
    bought(&app, bolt, "FIT", 60, "10").await;
    bought(&app, cora, "FIT", 200, "30").await;
    bought(&app, cora, "TRAIN", 5, "30").await;

    let fit = |overdue: &str| {
        let overdue = overdue.to_owned();
        segment("Fitting buyers", move |d| {
            d.bought_sku = "fit".into();
            d.bought_days = "90".into();
            d.overdue = overdue;
        })
    };
    let any = marketing::create_segment(&app, &mia, &fit("any"))
        .await
        .unwrap();
    assert_eq!(names(&app, &mia, any).await, ["Acme AB", "Bolt Oy"]);
    let good = marketing::create_segment(&app, &mia, &fit("exclude"))
        .await
        .unwrap();
    assert_eq!(names(&app, &mia, good).await, ["Acme AB"]);
    let late = marketing::create_segment(&app, &mia, &fit("only"))
        .await
        .unwrap();
    assert_eq!(names(&app, &mia, late).await, ["Bolt Oy"]);

    let people =
        marketing::create_segment(&app, &mia, &segment("People", |d| d.kind = "person".into()))
            .await
            .unwrap();
    assert_eq!(names(&app, &mia, people).await, ["Dana Lind"]);
    let swedes = marketing::create_segment(
        &app,
        &mia,
        &segment("Swedish VIPs", |d| {
            d.country = "se".into();
            d.tag = "VIP".into();
            d.created_days = "30".into();
        }),
    )
    .await
    .unwrap();
    assert_eq!(names(&app, &mia, swedes).await, ["Acme AB"]);

    // Consent: only the newest record counts.
    let consenting =
        marketing::create_segment(&app, &mia, &segment("Opted in", |d| d.consent = true))
            .await
            .unwrap();
    assert!(names(&app, &mia, consenting).await.is_empty());
    marketing::record_consent(&app, &mia, "INFO@acme.se", "granted", "trade fair form")
        .await
        .unwrap();
    marketing::record_consent(&app, &mia, "dana@lind.se", "granted", "web form")
        .await
        .unwrap();
    marketing::record_consent(&app, &mia, "dana@lind.se", "withdrawn", "phone call")
        .await
        .unwrap();
    assert_eq!(names(&app, &mia, consenting).await, ["Acme AB"]);
    let history = marketing::consents(&app, &mia, "dana@lind.se", None)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|c| c.state.as_str()).collect::<Vec<_>>(),
        ["withdrawn", "granted"]
    );

    // Editing a segment changes what it holds; a preview saves nothing.
    let detail = marketing::segment(&app, &mia, good).await.unwrap();
    let mut draft = SegmentDraft::of(&detail.segment.name, &detail.filter);
    draft.bought_days = "365".into();
    marketing::update_segment(&app, &mia, good, detail.segment.version, &draft)
        .await
        .unwrap();
    assert_eq!(
        names(&app, &mia, good).await,
        ["Acme AB"],
        "Cora's old invoice is overdue"
    );
    draft.overdue = "any".into();
    marketing::update_segment(&app, &mia, good, detail.segment.version + 1, &draft)
        .await
        .unwrap();
    assert_eq!(
        names(&app, &mia, good).await,
        ["Acme AB", "Bolt Oy", "Cora GmbH"]
    );
    assert!(matches!(
        marketing::update_segment(&app, &mia, good, detail.segment.version, &draft).await,
        Err(AppError::Conflict("error-stale"))
    ));
    let preview = marketing::preview(&app, &mia, &fit("only")).await.unwrap();
    assert_eq!(preview.count, 1);
    assert_eq!(marketing::segments(&app, &mia).await.unwrap().len(), 6);
}

async fn mail_to(app: &App, sink: &SmtpSink, rate: &str, tick: &str) {
    mail::update_settings(
        app,
        &admin(),
        &mail::MailSettings {
            smtp_url: sink.url(),
            from: String::new(),
        },
    )
    .await
    .unwrap();
    marketing::update_send_settings(app, &admin(), rate, tick, "https://seam.example.com/")
        .await
        .unwrap();
}

fn campaign(code: &str, segment_id: i64) -> CampaignDraft {
    CampaignDraft {
        code: code.into(),
        name: "Spring fair".into(),
        subject: "{{first_name}}, see you at the fair".into(),
        body: "Hello {{name}} of {{company}},\n\ncome and see us.\n\nUnsubscribe: {{unsubscribe_url}}\n"
            .into(),
        from_address: "Seam Marketing <news@seam.example.com>".into(),
        segment_id: Some(segment_id),
    }
}

async fn everyone(app: &App, actor: &Actor) -> i64 {
    marketing::create_segment(app, actor, &segment("Everyone", |_| {}))
        .await
        .unwrap()
}

async fn statuses(app: &App, actor: &Actor, id: i64) -> Vec<(String, String)> {
    let detail = marketing::campaign(app, actor, id).await.unwrap();
    detail
        .recipients
        .into_iter()
        .map(|r: RecipientRow| (r.email, r.status))
        .collect()
}

async fn a_campaign_goes_out_over_smtp_with_one_click_unsubscribe_headers(app: App) {
    let mia = marketer(&app).await;
    let sink = SmtpSink::start().await;
    mail_to(&app, &sink, "10", "0").await;
    let acme = party(&app, "company", "Acme AB", "info@acme.se", |_| {}).await;
    party(&app, "person", "Anna Berg", "anna@acme.se", |d| {
        d.company_id = Some(acme.0)
    })
    .await;
    party(&app, "person", "No Mail", "", |_| {}).await;
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("spring-fair", all))
        .await
        .unwrap();
    let row = marketing::send_campaign(&app, &mia, id, None)
        .await
        .unwrap();
    assert_eq!(row.state, "sending");
    assert!(matches!(
        marketing::send_campaign(&app, &mia, id, None).await,
        Err(AppError::Conflict("error-campaign-state"))
    ));
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();

    let detail = marketing::campaign(&app, &mia, id).await.unwrap();
    assert_eq!(detail.campaign.state, "sent");
    assert_eq!(
        statuses(&app, &mia, id).await,
        [
            ("info@acme.se".to_owned(), "sent".to_owned()),
            ("anna@acme.se".to_owned(), "sent".to_owned())
        ]
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    let anna = messages.iter().find(|m| m.to == ["anna@acme.se"]).unwrap();
    let token = &detail
        .recipients
        .iter()
        .find(|r| r.email == "anna@acme.se")
        .unwrap()
        .token;
    assert_eq!(
        anna.header("List-Unsubscribe").unwrap(),
        format!(
            "<https://seam.example.com/u/{token}>, <mailto:news@seam.example.com?subject=unsubscribe>"
        )
    );
    assert_eq!(
        anna.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    assert_eq!(anna.header("Subject").unwrap(), "Anna, see you at the fair");
    assert_eq!(anna.from, "news@seam.example.com");
    assert!(
        anna.data.contains("Hello Anna Berg of Acme AB,"),
        "{}",
        anna.data
    );
    assert!(
        anna.data
            .contains(&format!("https://seam.example.com/u/{token}"))
    );
    let acme_message = messages.iter().find(|m| m.to == ["info@acme.se"]).unwrap();
    assert_eq!(
        acme_message.header("Subject").unwrap(),
        "Acme AB, see you at the fair"
    );
}

async fn suppression_is_honoured_at_the_snapshot_and_again_before_each_message(app: App) {
    let mia = marketer(&app).await;
    let sink = SmtpSink::start().await;
    mail_to(&app, &sink, "10", "0").await;
    for (name, email) in [
        ("Ann", "ann@a.se"),
        ("Ben", "ben@b.se"),
        ("Cid", "cid@c.se"),
    ] {
        party(&app, "company", name, email, |_| {}).await;
    }
    assert!(
        marketing::add_suppression(&app, &mia, "ANN@a.se", "asked at the fair")
            .await
            .unwrap()
    );
    assert!(
        !marketing::add_suppression(&app, &mia, "ann@a.se", "again")
            .await
            .unwrap()
    );
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("autumn", all))
        .await
        .unwrap();
    marketing::send_campaign(&app, &mia, id, None)
        .await
        .unwrap();
    // Ben unsubscribes between the snapshot and his message.
    marketing::add_suppression(&app, &mia, "ben@b.se", "")
        .await
        .unwrap();
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();
    assert_eq!(
        statuses(&app, &mia, id).await,
        [
            ("ann@a.se".to_owned(), "suppressed".to_owned()),
            ("ben@b.se".to_owned(), "suppressed".to_owned()),
            ("cid@c.se".to_owned(), "sent".to_owned())
        ]
    );
    assert_eq!(
        sink.messages()
            .iter()
            .map(|m| m.to.clone())
            .collect::<Vec<_>>(),
        [vec!["cid@c.se".to_owned()]]
    );
    // The list: shown, exported, and an address taken off it again.
    let list = marketing::suppressions(&app, &mia, "", "").await.unwrap();
    assert_eq!(list.len(), 2);
    let csv = marketing::suppressions_csv(&app, &mia).await.unwrap();
    assert!(csv.starts_with("email,reason,note,added_by,added_at\n"));
    assert!(
        csv.contains("ANN@a.se,manual,asked at the fair,mia,"),
        "{csv}"
    );
    let removed = marketing::remove_suppression(&app, &mia, "ben@b.se")
        .await
        .unwrap();
    assert_eq!(removed.reason, "manual");
    assert!(matches!(
        marketing::remove_suppression(&app, &mia, "ben@b.se").await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        actions(&app, "suppression", "ben@b.se").await,
        ["add", "remove"]
    );
}

async fn a_tick_sends_at_most_the_configured_number(app: App) {
    let mia = marketer(&app).await;
    let sink = SmtpSink::start().await;
    // Two per tick, the next tick an hour later.
    mail_to(&app, &sink, "2", "3600").await;
    for i in 0..5 {
        party(
            &app,
            "company",
            &format!("Firm {i}"),
            &format!("firm{i}@x.se"),
            |_| {},
        )
        .await;
    }
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("slow", all))
        .await
        .unwrap();
    marketing::send_campaign(&app, &mia, id, None)
        .await
        .unwrap();
    let pass = jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();
    assert_eq!(pass.done, 1, "one tick is due now, the next in an hour");
    assert_eq!(sink.count(), 2);
    let queued = jobs::list(&app, &admin(), Some(jobs::JobState::Queued), None, 10)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].run_at_us > seam_app::now_us() + 3_000_000_000);
    // Later ticks: two, then the last one, and the campaign is sent.
    let tick = marketing::send_tick(&app, id, 2).await.unwrap();
    assert_eq!((tick.sent, tick.left), (2, 1));
    let tick = marketing::send_tick(&app, id, 2).await.unwrap();
    assert_eq!((tick.sent, tick.left), (1, 0));
    assert_eq!(sink.count(), 5);
    let detail = marketing::campaign(&app, &mia, id).await.unwrap();
    assert_eq!(detail.campaign.state, "sent");
    assert_eq!(detail.counts, [("sent".to_owned(), 5)]);
}

async fn unsubscribing_withdraws_consent_and_suppresses_once(app: App) {
    let mia = marketer(&app).await;
    let sink = SmtpSink::start().await;
    mail_to(&app, &sink, "10", "0").await;
    party(&app, "company", "Acme AB", "info@acme.se", |_| {}).await;
    marketing::record_consent(&app, &mia, "info@acme.se", "granted", "contract")
        .await
        .unwrap();
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("news", all))
        .await
        .unwrap();
    marketing::send_campaign(&app, &mia, id, None)
        .await
        .unwrap();
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();
    let token = marketing::campaign(&app, &mia, id)
        .await
        .unwrap()
        .recipients[0]
        .token
        .clone();

    let target = marketing::unsubscribe_target(&app, &token).await.unwrap();
    assert_eq!(target.email_hint, "i…@acme.se");
    assert!(!target.done);
    assert!(marketing::unsubscribe(&app, &token).await.unwrap());
    assert!(
        !marketing::unsubscribe(&app, &token).await.unwrap(),
        "a second click changes nothing"
    );
    assert!(
        marketing::unsubscribe_target(&app, &token)
            .await
            .unwrap()
            .done
    );
    let history = marketing::consents(&app, &mia, "info@acme.se", None)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|c| c.state.as_str()).collect::<Vec<_>>(),
        ["withdrawn", "granted"]
    );
    assert_eq!(history[0].source, "unsubscribe link, campaign news");
    let list = marketing::suppressions(&app, &mia, "acme", "")
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reason, "unsubscribe");
    assert!(matches!(
        marketing::unsubscribe(&app, "not-a-token").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        marketing::unsubscribe(&app, &"0".repeat(64)).await,
        Err(AppError::NotFound)
    ));
}

async fn bounces_mark_messages_and_hard_ones_suppress(app: App) {
    let mia = marketer(&app).await;
    let sink = SmtpSink::start().await;
    mail_to(&app, &sink, "10", "0").await;
    party(&app, "company", "Acme AB", "info@acme.se", |_| {}).await;
    party(&app, "company", "Bolt Oy", "hello@bolt.fi", |_| {}).await;
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("bouncy", all))
        .await
        .unwrap();
    marketing::send_campaign(&app, &mia, id, None)
        .await
        .unwrap();
    jobs::work_until_idle(&app, &admin(), "test-node")
        .await
        .unwrap();

    assert_eq!(
        marketing::record_bounce(&app, &mia, "Info@Acme.se", true, "550 no such user")
            .await
            .unwrap(),
        1
    );
    let bolt = marketing::campaign(&app, &mia, id)
        .await
        .unwrap()
        .recipients[1]
        .clone();
    let row = marketing::bounce_recipient(&app, &mia, bolt.id, false)
        .await
        .unwrap();
    assert_eq!(row.status, "bounced");
    assert!(matches!(
        marketing::bounce_recipient(&app, &mia, bolt.id, false).await,
        Err(AppError::Conflict("error-recipient-state"))
    ));
    assert_eq!(
        statuses(&app, &mia, id).await,
        [
            ("info@acme.se".to_owned(), "bounced".to_owned()),
            ("hello@bolt.fi".to_owned(), "bounced".to_owned())
        ]
    );
    // Only the hard bounce suppresses.
    let list = marketing::suppressions(&app, &mia, "", "").await.unwrap();
    assert_eq!(
        list.iter()
            .map(|s| (s.email.as_str(), s.reason.as_str()))
            .collect::<Vec<_>>(),
        [("Info@Acme.se", "bounce")]
    );
}

async fn attribution_follows_the_code_from_leads_to_wins_and_invoiced_revenue(app: App) {
    let mia = marketer(&app).await;
    service(&app, "FIT").await;
    let all = everyone(&app, &mia).await;
    let id = marketing::create_campaign(&app, &mia, &campaign("spring-fair", all))
        .await
        .unwrap();
    let lead = |name: &str, code: &str| LeadDraft {
        name: name.into(),
        company: format!("{name} AB"),
        email: format!("{}@example.com", name.to_lowercase()),
        campaign: code.into(),
        ..LeadDraft::default()
    };
    let sara = staff(&app, "sara", Role::Sales).await;
    let won_lead = crm::add_lead(
        &app,
        &sara,
        &lead("Anna", "spring-fair"),
        LeadSource::Manual,
    )
    .await
    .unwrap();
    crm::add_lead(&app, &mia, &lead("Bert", "spring-fair"), LeadSource::Manual)
        .await
        .unwrap();
    crm::add_lead(&app, &mia, &lead("Cleo", "other"), LeadSource::Manual)
        .await
        .unwrap();
    let qualified = crm::qualify(
        &app,
        &sara,
        won_lead,
        &QualifyInput {
            existing_party: None,
            opportunity: OpportunityDraft {
                party_id: None,
                title: "Fittings".into(),
                amount: "1500.50".into(),
                currency: "EUR".into(),
                expected_close: "2030-12-31".into(),
                owner_user_id: sara.user_id.map(|u| u.0),
            },
            lines: Vec::new(),
        },
    )
    .await
    .unwrap();
    crm::win(&app, &sara, qualified.opportunity_id)
        .await
        .unwrap();
    // Two invoices after the lead (3 × 100.00 net each) and a credit note
    // would count; an invoice dated before the lead does not.
    bought(&app, qualified.party_id, "FIT", 0, "30").await;
    bought(&app, qualified.party_id, "FIT", 0, "30").await;
    bought(&app, qualified.party_id, "FIT", 400, "30").await;

    let report = marketing::attribution(&app, &mia, id).await.unwrap();
    let s = &report.summary;
    assert_eq!((s.leads, s.qualified, s.opportunities, s.won), (2, 1, 1, 1));
    assert_eq!(s.won_amount, [("EUR".to_owned(), 150_050)]);
    assert_eq!(s.invoices, 2);
    assert_eq!(s.invoiced, [("EUR".to_owned(), 60_000)]);
    assert_eq!(marketing::totals_text(&s.invoiced), "EUR 600.00");
    let csv = marketing::attribution_csv(&app, &mia, id).await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&format!("spring-fair,{won_lead},Anna,Anna AB,")),
        "{csv}"
    );
    assert!(lines[1].ends_with(",1,1,EUR,1500.50,600.00"), "{csv}");
    assert!(lines[2].ends_with(",0,0,,,"), "{csv}");
}

async fn bad_marketing_input_gets_field_errors_and_writes_nothing(app: App) {
    let mia = marketer(&app).await;
    let all = everyone(&app, &mia).await;
    let bad = CampaignDraft {
        subject: "  ".into(),
        body: "Hi {{frist_name}}".into(),
        from_address: "not an address".into(),
        ..campaign("spring", all)
    };
    match marketing::create_campaign(&app, &mia, &bad).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("subject"), Some("error-required"));
            assert_eq!(e.for_field("body"), Some("error-merge-field"));
            assert_eq!(e.for_field("from_address"), Some("error-email"));
        }
        other => panic!("{other:?}"),
    }
    let unknown_segment = CampaignDraft {
        segment_id: Some(999),
        ..campaign("spring", all)
    };
    match marketing::create_campaign(&app, &mia, &unknown_segment).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("segment_id"), Some("error-segment-unknown"))
        }
        other => panic!("{other:?}"),
    }
    marketing::create_campaign(&app, &mia, &campaign("spring", all))
        .await
        .unwrap();
    match marketing::create_campaign(&app, &mia, &campaign("spring", all)).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("code"), Some("error-campaign-code-taken"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        marketing::campaigns(&app, &mia, None).await.unwrap().len(),
        1
    );
    assert_eq!(actions(&app, "campaign", "1").await, ["create"]);
    match marketing::create_segment(
        &app,
        &mia,
        &segment("Buyers", |d| {
            d.bought_sku = "NOPE".into();
            d.bought_days = "30".into();
        }),
    )
    .await
    {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("bought_sku"), Some("error-product-unknown"))
        }
        other => panic!("{other:?}"),
    }
    for email in ["nobody", "a@", ""] {
        match marketing::add_suppression(&app, &mia, email, "").await {
            Err(AppError::Invalid(e)) => assert_eq!(e.for_field("email"), Some("error-email")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            marketing::record_bounce(&app, &mia, email, true, "").await,
            Err(AppError::Invalid(_))
        ));
    }
    match marketing::record_consent(&app, &mia, "x@y.se", "maybe", "").await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.for_field("state"), Some("error-consent-state"));
            assert_eq!(e.for_field("source"), Some("error-required"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(marketing::segments(&app, &mia).await.unwrap().len(), 1);
    assert!(
        marketing::suppressions(&app, &mia, "", "")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        marketing::consents(&app, &mia, "", None)
            .await
            .unwrap()
            .is_empty()
    );
    // Sales staff without marketing.use are refused before anything is read.
    let sales = Actor {
        grants: seam_domain::access::Grants::for_roles(&[Role::Sales]),
        roles: vec![Role::Sales],
        ..admin()
    };
    assert!(matches!(
        marketing::segments(&app, &sales).await,
        Err(AppError::Forbidden)
    ));
}
