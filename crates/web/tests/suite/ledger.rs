//! The ledger's pages and JSON API end to end, in-process, on both backends:
//! posting through the form and the API, what each role may do, errors named
//! by field, reversals, closed periods, reports and their CSV, and that a
//! retried POST posts once. Each test starts from a fresh database, which
//! comes with the standard chart of accounts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The harness is shared with the other web tests; not every helper is used here.
#[allow(dead_code)]
use crate::common;
use axum::http::StatusCode;
use common::{Backend, Env, env};
use seam_app::users::{UserDraft, add_user};
use seam_app::{Actor, ledger, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;

both_backends!(
    an_accountant_posts_an_entry_through_the_form_and_sees_it_in_the_journal_and_trial_balance,
    a_bad_entry_form_names_the_line_keeps_the_input_and_writes_nothing,
    a_receptionist_may_not_see_or_post_to_the_ledger,
    a_manager_reads_the_ledger_and_its_reports_but_may_not_post,
    an_entry_is_reversed_once_through_its_page,
    accounts_are_added_renamed_and_archived_through_the_pages,
    a_closed_period_takes_no_postings,
    reports_show_bad_dates_next_to_the_field_and_download_as_csv,
    the_api_posts_reads_and_reverses_entries_and_reports_the_trial_balance,
    an_entry_posted_twice_with_one_idempotency_key_is_posted_once,
    bad_api_bodies_are_problem_json_naming_each_field,
    amounts_are_written_the_users_way,
);

async fn entry_count(env: &Env) -> usize {
    ledger::entries(&env.app, &Actor::system("test"), None, 500)
        .await
        .unwrap()
        .len()
}

/// The fields of an entry form: a cash sale of 125.00 with 25.00 VAT, then blank rows.
fn sale_form<'a>(date: &'a str, lines: &[(&'a str, &'a str, &'a str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("date".to_owned(), date.to_owned()),
        ("memo".to_owned(), "Cash sale".to_owned()),
        ("currency".to_owned(), "EUR".to_owned()),
    ];
    for index in 0..8 {
        let (account, debit, credit) = lines.get(index).copied().unwrap_or(("", "", ""));
        fields.push((format!("lines[{index}].account"), account.to_owned()));
        fields.push((format!("lines[{index}].debit"), debit.to_owned()));
        fields.push((format!("lines[{index}].credit"), credit.to_owned()));
    }
    fields
}

const SALE: &[(&str, &str, &str)] = &[
    ("1000", "125.00", ""),
    ("4000", "", "100"),
    ("2100", "", "25,00"),
];

async fn post_form(
    client: &mut common::Client,
    path: &str,
    fields: &[(String, String)],
) -> common::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(path, &pairs).await
}

/// Posts the sale through the form and returns the new entry's page path.
async fn post_sale(client: &mut common::Client, date: &str) -> String {
    let posted = post_form(client, "/accounting/journal", &sale_form(date, SALE)).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let location = posted.location().to_owned();
    assert!(location.starts_with("/accounting/journal/"), "{location}");
    location
}

async fn an_accountant_posts_an_entry_through_the_form_and_sees_it_in_the_journal_and_trial_balance(
    backend: Backend,
) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("aino", &[Role::Accountant], None).await;
    let mut client = env.logged_in("aino").await;
    let form = client.get("/accounting/journal/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(r#"name="lines[7].credit""#),
        "eight rows"
    );
    assert!(
        form.body.contains(r#"<label for="l0-account">"#),
        "labelled"
    );
    assert!(form.body.contains(r#"value="EUR""#), "EUR by default");
    assert!(form.body.contains("1000 · Cash"));
    let location = post_sale(&mut client, "2026-11-20").await;
    let entry = client.get(&location).await;
    assert_eq!(entry.status, StatusCode::OK);
    assert!(entry.body.contains("The entry was posted."), "flash");
    assert!(entry.body.contains("JE-2026-000001"));
    assert!(entry.body.contains("€125.00"));
    assert!(entry.body.contains("€25.00"));
    assert!(entry.body.contains("by aino"), "who posted it");
    assert!(entry.body.contains("/reverse"), "an accountant may reverse");
    let journal = client.get("/accounting/journal").await;
    assert!(journal.body.contains("JE-2026-000001"));
    assert!(journal.body.contains("Cash sale"));
    assert!(journal.body.contains("€125.00"));
    let tb = client
        .get("/accounting/reports/trial-balance?at=2026-11-30")
        .await;
    assert_eq!(tb.status, StatusCode::OK);
    assert!(tb.body.contains("Output VAT"));
    assert!(tb.body.contains("€125.00"), "{}", tb.body);
    assert!(tb.body.contains("Total EUR"));
    let before = client
        .get("/accounting/reports/trial-balance?at=2026-11-19")
        .await;
    assert!(before.body.contains("Nothing was posted up to this date."));
    assert_eq!(entry_count(&env).await, 1);
}

async fn a_bad_entry_form_names_the_line_keeps_the_input_and_writes_nothing(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("bosse", &[Role::Accountant], None).await;
    let mut client = env.logged_in("bosse").await;
    let unbalanced = post_form(
        &mut client,
        "/accounting/journal",
        &sale_form(
            "2026-11-20",
            &[("1000", "100", ""), ("", "", ""), ("4000", "", "99.99")],
        ),
    )
    .await;
    assert_eq!(unbalanced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unbalanced
            .body
            .contains("Debits and credits must be equal.")
    );
    assert!(unbalanced.body.contains(r#"value="99.99""#), "input kept");
    assert!(
        unbalanced.body.contains(r#"value="Cash sale""#),
        "memo kept"
    );
    assert!(
        unbalanced
            .body
            .contains(r#"<option value="4000" selected>"#),
        "the chosen account stays chosen"
    );
    let two_sided = post_form(
        &mut client,
        "/accounting/journal",
        &sale_form(
            "2026-11-20",
            &[
                ("1000", "5", ""),
                ("4000", "", "5"),
                ("", "", ""),
                ("6000", "5", "5"),
            ],
        ),
    )
    .await;
    assert_eq!(two_sided.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        two_sided.body.contains(
            r#"id="l3-debit-error" role="alert">Put an amount in either debit or credit."#
        ),
        "the message sits next to line 4's debit: {}",
        two_sided.body
    );
    assert!(
        two_sided
            .body
            .contains(r#"aria-describedby="l3-debit-error""#)
    );
    let bad_amount = post_form(
        &mut client,
        "/accounting/journal",
        &sale_form("2026-02-30", &[("1000", "1.234.5x", ""), ("4000", "", "5")]),
    )
    .await;
    assert_eq!(bad_amount.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_amount.body.contains(r#"id="f-date-error""#));
    assert!(bad_amount.body.contains(r#"id="l0-debit-error""#));
    assert!(bad_amount.body.contains(r#"value="1.234.5x""#));
    let empty = client.post_form("/accounting/journal", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(entry_count(&env).await, 0, "nothing was written");
}

async fn a_receptionist_may_not_see_or_post_to_the_ledger(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("rita", &[Role::Receptionist], None).await;
    let mut client = env.logged_in("rita").await;
    for path in [
        "/accounting/journal/new",
        "/accounting/journal",
        "/accounting/reports/trial-balance",
    ] {
        assert_eq!(
            client.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let posted = post_form(
        &mut client,
        "/accounting/journal",
        &sale_form("2026-11-20", SALE),
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert_eq!(entry_count(&env).await, 0);
}

async fn a_manager_reads_the_ledger_and_its_reports_but_may_not_post(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("acc", &[Role::Accountant], None).await;
    env.user("maja", &[Role::Manager], None).await;
    let location = post_sale(&mut env.logged_in("acc").await, "2026-11-20").await;
    let mut manager = env.logged_in("maja").await;
    for path in [
        "/accounting/reports/trial-balance",
        "/accounting/reports/profit-and-loss?from=2026-01-01&to=2026-12-31",
        "/accounting/reports/balance-sheet?at=2026-12-31",
        "/accounting/accounts",
        "/accounting/periods",
    ] {
        assert_eq!(manager.get(path).await.status, StatusCode::OK, "{path}");
    }
    let pl = manager
        .get("/accounting/reports/profit-and-loss?from=2026-01-01&to=2026-12-31")
        .await;
    assert!(pl.body.contains("Profit (loss) EUR"));
    assert!(pl.body.contains("€100.00"));
    let journal = manager.get("/accounting/journal").await;
    assert!(journal.body.contains("JE-2026-000001"));
    assert!(
        !journal.body.contains("/accounting/journal/new"),
        "no button to post"
    );
    let entry = manager.get(&location).await;
    assert_eq!(entry.status, StatusCode::OK);
    assert!(!entry.body.contains("/reverse"), "no reverse form");
    assert!(
        !manager
            .get("/accounting/accounts")
            .await
            .body
            .contains(r#"action="/accounting/accounts""#),
        "no form to add accounts"
    );
    assert_eq!(
        manager.get("/accounting/journal/new").await.status,
        StatusCode::FORBIDDEN
    );
    let posted = post_form(
        &mut manager,
        "/accounting/journal",
        &sale_form("2026-11-20", SALE),
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let reversed = manager
        .post_form(&format!("{location}/reverse"), &[("date", "2026-11-21")])
        .await;
    assert_eq!(reversed.status, StatusCode::FORBIDDEN);
    assert_eq!(entry_count(&env).await, 1);
}

async fn an_entry_is_reversed_once_through_its_page(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("rolf", &[Role::Accountant], None).await;
    let mut client = env.logged_in("rolf").await;
    let original = post_sale(&mut client, "2026-11-20").await;
    let bad_date = client
        .post_form(&format!("{original}/reverse"), &[("date", "21.11.2026")])
        .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_date.body.contains("Write the date as YYYY-MM-DD."));
    assert!(bad_date.body.contains(r#"value="21.11.2026""#));
    let reversed = client
        .post_form(&format!("{original}/reverse"), &[("date", "2026-11-21")])
        .await;
    assert_eq!(reversed.status, StatusCode::SEE_OTHER, "{}", reversed.body);
    let reversal = reversed.location().to_owned();
    let page = client.get(&reversal).await;
    assert!(page.body.contains("The reversal was posted."));
    assert!(page.body.contains("JE-2026-000002"));
    assert!(page.body.contains("Reversal of JE-2026-000001"));
    assert!(
        !page.body.contains("/reverse\""),
        "a reversal is not reversed"
    );
    let first = client.get(&original).await;
    assert!(first.body.contains("Reversed by"));
    assert!(first.body.contains(&format!("href=\"{reversal}\"")));
    assert!(!first.body.contains("/reverse\""), "reversed once only");
    let again = client
        .post_form(&format!("{original}/reverse"), &[("date", "2026-11-22")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("This entry was reversed already."));
    let journal = client.get("/accounting/journal").await;
    assert!(journal.body.contains("badge reversal"));
    let missing = client
        .post_form(
            "/accounting/journal/999999/reverse",
            &[("date", "2026-11-22")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in ["/accounting/journal/999999", "/accounting/journal/JE-1"] {
        let missing = client.get(path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert!(missing.body.contains("There is nothing at this address."));
    }
    assert_eq!(entry_count(&env).await, 2);
}

async fn accounts_are_added_renamed_and_archived_through_the_pages(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("ada", &[Role::Accountant], None).await;
    let mut client = env.logged_in("ada").await;
    let added = client
        .post_form(
            "/accounting/accounts",
            &[
                ("code", "6110"),
                ("name", "Office supplies"),
                ("kind", "expense"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let list = client.get("/accounting/accounts").await;
    assert!(list.body.contains("The account was added."));
    assert!(list.body.contains("Office supplies"));
    let taken = client
        .post_form(
            "/accounting/accounts",
            &[("code", "6110"), ("name", "Again"), ("kind", "expense")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("Another account has this code."));
    assert!(taken.body.contains(r#"value="Again""#));
    let bad_kind = client
        .post_form(
            "/accounting/accounts",
            &[("code", "x y"), ("kind", "robot")],
        )
        .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_kind.body.contains(r#"id="f-kind-error""#));
    assert!(bad_kind.body.contains(r#"id="f-code-error""#));
    let id = ledger::accounts(&env.app, &Actor::system("t"))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.code == "6110")
        .unwrap()
        .id;
    let edit = client.get(&format!("/accounting/accounts/{id}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains(r#"value="Office supplies""#));
    let blank = client
        .post_form(&format!("/accounting/accounts/{id}"), &[("name", " ")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("This field is required."));
    let saved = client
        .post_form(
            &format!("/accounting/accounts/{id}"),
            &[("name", "Supplies"), ("archived", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = client.get("/accounting/accounts").await;
    assert!(
        list.body
            .contains("Supplies <span class=\"badge archived\">Archived</span>")
    );
    let form = client.get("/accounting/journal/new").await;
    assert!(
        !form.body.contains("6110 · Supplies"),
        "an archived account is not offered"
    );
    assert_eq!(
        client.get("/accounting/accounts/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_closed_period_takes_no_postings(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("per", &[Role::Accountant], None).await;
    let mut client = env.logged_in("per").await;
    let page = client.get("/accounting/periods").await;
    assert!(page.body.contains("data-confirm="));
    let bad = client
        .post_form("/accounting/periods", &[("period", "2026-13")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Write the period as YYYY-MM."));
    let closed = client
        .post_form("/accounting/periods", &[("period", "2026-10")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = client.get("/accounting/periods").await;
    assert!(page.body.contains("The period was closed."));
    assert!(page.body.contains("2026-10"));
    let again = client
        .post_form("/accounting/periods", &[("period", "2026-10")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("This period is closed already."));
    let into_closed = post_form(
        &mut client,
        "/accounting/journal",
        &sale_form("2026-10-15", SALE),
    )
    .await;
    assert_eq!(into_closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        into_closed
            .body
            .contains("This period is closed; post into an open one.")
    );
    assert_eq!(entry_count(&env).await, 0);
}

async fn reports_show_bad_dates_next_to_the_field_and_download_as_csv(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("cec", &[Role::Accountant], None).await;
    let mut client = env.logged_in("cec").await;
    post_sale(&mut client, "2026-11-20").await;
    for (path, field) in [
        ("/accounting/reports/trial-balance?at=2026-02-30", "at"),
        ("/accounting/reports/balance-sheet?at=yesterday", "at"),
        (
            "/accounting/reports/profit-and-loss?from=2026-13-01",
            "from",
        ),
        (
            "/accounting/reports/profit-and-loss?from=2026-12-01&to=2026-01-01",
            "from",
        ),
        ("/accounting/reports/profit-and-loss?to=31/12/2026", "to"),
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            page.body.contains(&format!(r#"id="f-{field}-error""#)),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("format=csv"), "no download of nothing");
    }
    let kept = client
        .get("/accounting/reports/trial-balance?at=2026-02-30")
        .await;
    assert!(kept.body.contains(r#"value="2026-02-30""#));
    let tb = client
        .get("/accounting/reports/trial-balance?at=2026-11-30")
        .await;
    assert!(
        tb.body
            .contains("trial-balance?at=2026-11-30&#38;format=csv"),
        "{}",
        tb.body
    );
    let csv = client
        .get("/accounting/reports/trial-balance?at=2026-11-30&format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(
        csv.body
            .starts_with("section,code,name,currency,debit,credit\n")
    );
    assert!(
        csv.body.contains("accounts,1000,Cash,EUR,125.00,0.00\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("accounts,4000,Sales of goods,EUR,0.00,100.00\n")
    );
    assert!(csv.body.contains("accounts,,total,EUR,125.00,125.00\n"));
    let bs = client
        .get("/accounting/reports/balance-sheet?at=2026-12-31&format=csv")
        .await;
    assert!(
        bs.body.contains("assets,1000,Cash,EUR,125.00\n"),
        "{}",
        bs.body
    );
    assert!(bs.body.contains("equity,,earnings,EUR,100.00\n"));
    assert!(bs.body.contains(",,total_claims,EUR,125.00\n"));
    let pl = client
        .get("/accounting/reports/profit-and-loss?from=2026-01-01&to=2026-12-31&format=csv")
        .await;
    assert!(
        pl.body.contains("revenue,4000,Sales of goods,EUR,100.00\n"),
        "{}",
        pl.body
    );
    assert!(pl.body.contains(",,result,EUR,100.00\n"));
    let bad_csv = client
        .get("/accounting/reports/trial-balance?at=nope&format=csv")
        .await;
    assert_eq!(bad_csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    let today = client.get("/accounting/reports/profit-and-loss").await;
    assert_eq!(today.status, StatusCode::OK, "defaults need no dates");
}

async fn api_client(
    env: &Env,
    username: &str,
    roles: &[Role],
    scopes: &[Permission],
) -> common::Client {
    let id = env.user(username, roles, None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "books",
        scopes,
    )
    .await
    .unwrap();
    let mut client = env.client();
    client.bearer = Some(secret);
    client
}

const SALE_JSON: &str = r#"{"date":"2026-11-20","memo":"Cash sale","currency":"EUR","lines":[
    {"account":"1000","debit":"125.00"},
    {"account":"4000","credit":"100.00"},
    {"account":"2100","credit":"25.00","debit":null}]}"#;

async fn the_api_posts_reads_and_reverses_entries_and_reports_the_trial_balance(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = api_client(
        &env,
        "books",
        &[Role::Accountant],
        &[
            Permission::LedgerRead,
            Permission::LedgerPost,
            Permission::LedgerAdmin,
        ],
    )
    .await;
    let chart = ledger::accounts(&env.app, &Actor::system("t"))
        .await
        .unwrap();
    let accounts = api.get("/api/v1/accounts").await.json();
    assert_eq!(accounts["items"].as_array().unwrap().len(), chart.len());
    assert_eq!(accounts["items"][0]["code"], chart[0].code.as_str());
    let account = api
        .post_json(
            "/api/v1/accounts",
            r#"{"code":"1930","name":"Second bank","kind":"asset"}"#,
            None,
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    assert_eq!(account.json()["code"], "1930");
    let posted = api
        .post_json("/api/v1/journal-entries", SALE_JSON, None)
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let entry = posted.json();
    assert_eq!(entry["number"], "JE-2026-000001");
    assert_eq!(entry["total"], "125.00");
    assert_eq!(entry["total_minor"], 12500);
    assert_eq!(entry["posted_by"], "books");
    assert_eq!(entry["lines"][0]["account"], "1000");
    assert_eq!(entry["lines"][0]["debit"], "125.00");
    assert_eq!(entry["lines"][0]["debit_minor"], 12500);
    assert_eq!(entry["lines"][2]["credit"], "25.00");
    assert!(entry["reversed_by_id"].is_null());
    let id = entry["id"].as_i64().unwrap();
    let read = api.get(&format!("/api/v1/journal-entries/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["lines"], entry["lines"]);
    let reversed = api
        .post_json(
            &format!("/api/v1/journal-entries/{id}/reverse"),
            r#"{"date":"2026-11-21"}"#,
            None,
        )
        .await;
    assert_eq!(reversed.status, StatusCode::CREATED, "{}", reversed.body);
    let reversal = reversed.json();
    assert_eq!(reversal["reverses_id"], id);
    assert_eq!(reversal["lines"][0]["credit"], "125.00");
    let original = api
        .get(&format!("/api/v1/journal-entries/{id}"))
        .await
        .json();
    assert_eq!(original["reversed_by_id"], reversal["id"]);
    let again = api
        .post_json(
            &format!("/api/v1/journal-entries/{id}/reverse"),
            r#"{"date":"2026-11-22"}"#,
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.content_type(), "application/problem+json");
    let page = api.get("/api/v1/journal-entries?limit=1").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["number"], "JE-2026-000002", "newest first");
    let before = page["next_before"].as_i64().unwrap();
    let rest = api
        .get(&format!("/api/v1/journal-entries?limit=1&before={before}"))
        .await
        .json();
    assert_eq!(rest["items"][0]["number"], "JE-2026-000001");
    assert!(rest["next_before"].is_null());
    let tb = api.get("/api/v1/reports/trial-balance?at=2026-11-20").await;
    assert_eq!(tb.status, StatusCode::OK);
    let tb = tb.json();
    assert_eq!(tb["at"], "2026-11-20");
    assert_eq!(tb["lines"][0]["code"], "1000");
    assert_eq!(tb["lines"][0]["debits"], "125.00");
    assert_eq!(tb["lines"][0]["balance_minor"], 12500);
    assert_eq!(
        tb["debit_totals"],
        serde_json::json!([{"currency":"EUR","amount":"125.00","amount_minor":12500}])
    );
    assert_eq!(tb["credit_totals"], tb["debit_totals"]);
    let after = api
        .get("/api/v1/reports/trial-balance?at=2026-11-21")
        .await
        .json();
    assert_eq!(
        after["lines"][0]["balance"], "0.00",
        "the reversal undid it"
    );
    let pl = api
        .get("/api/v1/reports/profit-and-loss?from=2026-11-01&to=2026-11-20")
        .await
        .json();
    assert_eq!(pl["result"][0]["amount"], "100.00");
    let bs = api
        .get("/api/v1/reports/balance-sheet?at=2026-11-20")
        .await
        .json();
    assert_eq!(bs["total_assets"], bs["total_claims"]);
    assert_eq!(bs["earnings"][0]["amount_minor"], 10000);
    for path in [
        "/api/v1/journal-entries/999999",
        "/api/v1/journal-entries/JE-1",
    ] {
        let missing = api.get(path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.content_type(), "application/problem+json");
    }
    assert!(
        ledger::balances_agree_with_lines(&env.app, &Actor::system("t"))
            .await
            .unwrap()
    );
}

async fn an_entry_posted_twice_with_one_idempotency_key_is_posted_once(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = api_client(
        &env,
        "retry",
        &[Role::Accountant],
        &[Permission::LedgerRead, Permission::LedgerPost],
    )
    .await;
    let first = api
        .post_json("/api/v1/journal-entries", SALE_JSON, Some("sale-20-11"))
        .await;
    let again = api
        .post_json("/api/v1/journal-entries", SALE_JSON, Some("sale-20-11"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body, again.body, "the retry gets the first answer");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(entry_count(&env).await, 1, "posted once");
    let other = api
        .post_json("/api/v1/journal-entries", SALE_JSON, Some("sale-20-11-b"))
        .await;
    assert_eq!(
        other.json()["number"],
        "JE-2026-000002",
        "a new key posts anew"
    );
}

/// The fields a problem+json body names, in order.
fn fields_of(response: &common::Response) -> Vec<(String, String)> {
    assert_eq!(
        response.content_type(),
        "application/problem+json",
        "{}",
        response.body
    );
    response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

async fn bad_api_bodies_are_problem_json_naming_each_field(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let mut api = api_client(
        &env,
        "sloppy",
        &[Role::Accountant],
        &[
            Permission::LedgerRead,
            Permission::LedgerPost,
            Permission::LedgerAdmin,
        ],
    )
    .await;
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":[{"account":"1000","debit":"10"},{"account":"4000","debit":10}]}"#,
            &[("lines[1].debit", "error-json-type")],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":[{"account":"1000","debit":"10","colour":"red"},"x"]}"#,
            &[
                ("lines[0].colour", "error-unknown-field"),
                ("lines[1]", "error-json-type"),
            ],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":[{"account":"1000","debit":"10"},{"account":"4000","credit":"9.99"}]}"#,
            &[("lines", "error-entry-unbalanced")],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":[{"account":"1000","debit":"10"},{"account":"9999","credit":"10"}]}"#,
            &[("lines[1].account", "error-unknown-account")],
        ),
        (
            r#"{"date":"20/11/2026","currency":"euro","lines":[{"account":"1000","debit":"1.005"},{"account":"4000","credit":"-1"}]}"#,
            &[
                ("date", "error-date"),
                ("currency", "error-currency"),
                ("lines[0].debit", "error-amount-decimals"),
                ("lines[1].credit", "error-amount"),
            ],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":[{"account":"1000","debit":"1.005"},{"account":"4000","credit":"1"}]}"#,
            &[("lines[0].debit", "error-amount-decimals")],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","lines":"all of them"}"#,
            &[("lines", "error-json-type")],
        ),
        (
            r#"{"date":"2026-11-20","currency":"EUR","number":"JE-1","lines":[]}"#,
            &[("number", "error-unknown-field")],
        ),
    ];
    for (body, expected) in cases {
        let response = api.post_json("/api/v1/journal-entries", body, None).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields_of(&response), pairs(expected), "{body}");
    }
    let account = api
        .post_json(
            "/api/v1/accounts",
            r#"{"code":"1000","name":"Twice","kind":"asset"}"#,
            None,
        )
        .await;
    assert_eq!(
        fields_of(&account),
        pairs(&[("code", "error-account-code-taken")])
    );
    let reverse = api
        .post_json(
            "/api/v1/journal-entries/1/reverse",
            r#"{"when":"now"}"#,
            None,
        )
        .await;
    assert_eq!(
        fields_of(&reverse),
        pairs(&[("when", "error-unknown-field")])
    );
    let limit = api.get("/api/v1/journal-entries?limit=0&before=x").await;
    assert_eq!(
        fields_of(&limit),
        pairs(&[("before", "error-cursor"), ("limit", "error-limit")])
    );
    let at = api.get("/api/v1/reports/balance-sheet?at=2026-02-30").await;
    assert_eq!(fields_of(&at), pairs(&[("at", "error-date")]));
    let range = api
        .get("/api/v1/reports/profit-and-loss?from=2026-12-01&to=2026-01-01")
        .await;
    assert_eq!(fields_of(&range), pairs(&[("from", "error-date-range")]));
    assert_eq!(entry_count(&env).await, 0, "nothing was written");
}

async fn amounts_are_written_the_users_way(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let draft = UserDraft {
        username: "sven".into(),
        display_name: "Sven".into(),
        password: common::PASSWORD.into(),
        roles: vec![Role::Accountant],
        locale: "sv".into(),
        time_zone: "Europe/Stockholm".into(),
        ..UserDraft::default()
    };
    add_user(&env.app, &Actor::system("test"), &draft)
        .await
        .unwrap();
    let mut client = env.logged_in("sven").await;
    let form = post_form(
        &mut client,
        "/accounting/journal",
        &[
            ("date", "2026-11-20"),
            ("memo", "Hyra"),
            ("currency", "sek"),
            ("lines[0].account", "6000"),
            ("lines[0].debit", "1 234,56"),
            ("lines[1].account", "1000"),
            ("lines[1].credit", "1234.56"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    )
    .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
    let entry = client.get(form.location()).await;
    assert!(
        entry.body.contains("1\u{a0}234,56\u{a0}kr"),
        "{}",
        entry.body
    );
    assert!(entry.body.contains("Verifikation JE-2026-000001"));
    let journal = client.get("/accounting/journal").await;
    assert!(journal.body.contains("2026-11-20"));
    assert!(journal.body.contains("Grundbok"));
}
