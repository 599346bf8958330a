//! Products and tax rates through their use cases, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: the edit cycle and its audit trail, SKU
//! uniqueness, references to tax rates and revenue accounts, the VAT category
//! rules, search and keyset pages, and CSV import all or nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::products::{self, ArchiveFilter, ProductCursor, ProductFilter, ProductSort};
use seam_app::{Actor, App, AppError, audit, ledger};
use seam_domain::access::Role;
use seam_domain::ids::ProductId;
use seam_domain::ledger::AccountDraft;
use seam_domain::product::{ProductDraft, TaxRateDraft};

both_backends!(
    a_product_is_created_edited_archived_and_restored_with_its_timeline,
    a_stale_edit_is_refused_and_changes_nothing,
    a_sku_belongs_to_one_product_only,
    a_product_needs_a_known_tax_rate_and_an_active_revenue_account,
    the_seeded_tax_rates_follow_the_vat_category_rules,
    a_tax_rate_is_created_and_edited_but_its_code_stays,
    search_finds_products_by_sku_or_name_prefix_and_filters_combine,
    keyset_pages_visit_every_product_once_by_name_and_by_sku,
    a_csv_import_with_a_bad_row_writes_nothing_and_names_line_and_field,
    a_csv_import_refuses_skus_already_in_the_catalogue,
    an_exported_catalogue_reads_back_as_the_same_products,
    roles_without_products_write_cannot_change_the_catalogue,
    the_global_search_finds_products_for_those_who_may_read_them,
);

fn draft(sku: &str, name: &str) -> ProductDraft {
    ProductDraft {
        sku: sku.into(),
        name: name.into(),
        kind: "goods".into(),
        unit: "C62".into(),
        currency: "EUR".into(),
        list_price: "24.90".into(),
        standard_cost: "11.20".into(),
        tax_rate: "S12".into(),
        revenue_account: String::new(),
    }
}

fn field_error(result: Result<impl std::fmt::Debug, AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field} in {errors:?}")),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn a_product_is_created_edited_archived_and_restored_with_its_timeline(app: App) {
    let actor = Actor::system("clerk");
    let id = products::create_product(&app, &actor, &draft("esp-1kg", "Espresso beans 1 kg"))
        .await
        .unwrap();
    let row = products::product(&app, &actor, id).await.unwrap();
    assert_eq!(row.sku, "ESP-1KG", "SKUs are stored in upper case");
    assert_eq!(row.list_price_minor, 2490);
    assert_eq!(row.standard_cost_minor, 1120);
    assert_eq!(row.revenue_account_code, "4000", "goods default to 4000");
    assert_eq!(row.version, 1);

    let mut edited = draft("ESP-1KG", "Espresso beans, dark roast, 1 kg");
    edited.list_price = "26".into();
    products::update_product(&app, &actor, id, 1, &edited)
        .await
        .unwrap();
    products::set_archived(&app, &actor, id, true)
        .await
        .unwrap();
    let active = products::list_products(
        &app,
        &actor,
        &ProductFilter::default(),
        ProductSort::NameAsc,
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(active.total, 0, "archived products leave the default list");
    products::set_archived(&app, &actor, id, false)
        .await
        .unwrap();

    let detail = products::product_detail(&app, &actor, id).await.unwrap();
    assert_eq!(detail.product.list_price_minor, 2600);
    assert_eq!(detail.product.version, 4);
    assert_eq!(detail.tax_rate.unwrap().rate_bp, 1200);
    assert_eq!(
        detail.revenue_account_name.as_deref(),
        Some("Sales of goods")
    );
    let actions: Vec<&str> = detail.timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["restore", "archive", "update", "create"]);
    let update = &detail.timeline[2];
    assert!(update.before_json.contains("\"list_price_minor\":2490"));
    assert!(update.after_json.contains("\"list_price_minor\":2600"));
    assert_eq!(update.actor_name, "clerk");
    assert_eq!(audit::verify(&app, &actor).await.unwrap().first_break, None);
}

async fn a_stale_edit_is_refused_and_changes_nothing(app: App) {
    let actor = Actor::system("test");
    let id = products::create_product(&app, &actor, &draft("TAMP-58", "Tamper"))
        .await
        .unwrap();
    products::update_product(&app, &actor, id, 1, &draft("TAMP-58", "Tamper 58 mm"))
        .await
        .unwrap();
    let stale = products::update_product(&app, &actor, id, 1, &draft("TAMP-58", "Old idea")).await;
    assert!(
        matches!(stale, Err(AppError::Conflict("error-stale"))),
        "{stale:?}"
    );
    let row = products::product(&app, &actor, id).await.unwrap();
    assert_eq!((row.name.as_str(), row.version), ("Tamper 58 mm", 2));
    let missing =
        products::update_product(&app, &actor, ProductId(9_999), 1, &draft("X", "X")).await;
    assert!(matches!(missing, Err(AppError::NotFound)), "{missing:?}");
}

async fn a_sku_belongs_to_one_product_only(app: App) {
    let actor = Actor::system("test");
    let first = products::create_product(&app, &actor, &draft("CUP-8OZ", "Paper cups"))
        .await
        .unwrap();
    let again = products::create_product(&app, &actor, &draft("cup-8oz", "Other cups")).await;
    assert_eq!(field_error(again, "sku"), "error-sku-taken");
    let second = products::create_product(&app, &actor, &draft("LID-8OZ", "Lids"))
        .await
        .unwrap();
    let renamed =
        products::update_product(&app, &actor, second, 1, &draft("CUP-8OZ", "Lids")).await;
    assert_eq!(field_error(renamed, "sku"), "error-sku-taken");
    assert_eq!(
        products::product(&app, &actor, second).await.unwrap().sku,
        "LID-8OZ"
    );
    let unchanged =
        products::update_product(&app, &actor, first, 1, &draft("CUP-8OZ", "Cups")).await;
    assert!(
        unchanged.is_ok(),
        "keeping its own SKU is fine: {unchanged:?}"
    );
}

async fn a_product_needs_a_known_tax_rate_and_an_active_revenue_account(app: App) {
    let actor = Actor::system("test");
    let mut bad = draft("X-1", "Thing");
    bad.tax_rate = "S99".into();
    assert_eq!(
        field_error(
            products::create_product(&app, &actor, &bad).await,
            "tax_rate"
        ),
        "error-unknown-tax-rate"
    );
    let mut bad = draft("X-1", "Thing");
    bad.revenue_account = "9999".into();
    assert_eq!(
        field_error(
            products::create_product(&app, &actor, &bad).await,
            "revenue_account"
        ),
        "error-unknown-account"
    );
    bad.revenue_account = "1100".into();
    assert_eq!(
        field_error(
            products::create_product(&app, &actor, &bad).await,
            "revenue_account"
        ),
        "error-revenue-account",
        "the bank is no revenue account"
    );
    let account = AccountDraft {
        code: "4200".into(),
        name: "Old sales".into(),
        kind: "revenue".into(),
    };
    let old = ledger::create_account(&app, &actor, &account)
        .await
        .unwrap();
    ledger::update_account(&app, &actor, old, "Old sales", true)
        .await
        .unwrap();
    bad.revenue_account = "4200".into();
    assert_eq!(
        field_error(
            products::create_product(&app, &actor, &bad).await,
            "revenue_account"
        ),
        "error-account-archived"
    );
    let mut service = draft("SVC-1", "Installation");
    service.kind = "service".into();
    service.unit = "HUR".into();
    service.tax_rate = "S25".into();
    let id = products::create_product(&app, &actor, &service)
        .await
        .unwrap();
    assert_eq!(
        products::product(&app, &actor, id)
            .await
            .unwrap()
            .revenue_account_code,
        "4100",
        "services default to 4100"
    );
    assert_eq!(
        products::list_products(
            &app,
            &actor,
            &ProductFilter::default(),
            ProductSort::NameAsc,
            None,
            10
        )
        .await
        .unwrap()
        .total,
        1,
        "nothing of the refused products was written"
    );
}

async fn the_seeded_tax_rates_follow_the_vat_category_rules(app: App) {
    let actor = Actor::system("test");
    let rates = products::tax_rates(&app, &actor).await.unwrap();
    let codes: Vec<&str> = rates.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["AE", "E", "G", "K", "O", "S12", "S25", "S6", "Z0"]);
    for rate in &rates {
        let category = products::category_of(rate).unwrap();
        assert_eq!(category.is_taxed(), rate.rate_bp > 0, "{}", rate.code);
        assert_eq!(
            category.needs_exemption_reason(),
            rate.exemption_reason.is_some(),
            "{}",
            rate.code
        );
    }
    let s25 = rates.iter().find(|r| r.code == "S25").unwrap();
    assert_eq!((s25.name.as_str(), s25.rate_bp), ("Standard 25%", 2500));
    // The database refuses what the rules refuse, even when the app is bypassed.
    let sneaky = sqlx::AssertSqlSafe(
        "INSERT INTO tax_rates (code, name, category, rate_bp, version, created_at_us, updated_at_us) \
         VALUES ('Z5', 'Zero at five', 'Z', 500, 1, 0, 0)",
    );
    let refused = match &app.db {
        seam_app::Db::Sqlite { writer, .. } => {
            let mut conn = writer.idle().await.unwrap();
            sqlx::query(sneaky).execute(&mut *conn).await.is_err()
        }
        seam_app::Db::Pg(pool) => sqlx::query(sneaky).execute(pool).await.is_err(),
    };
    assert!(refused, "ck_tax_rates_rate holds in the database");
}

fn rate(code: &str, category: &str, percent: &str, reason: &str) -> TaxRateDraft {
    TaxRateDraft {
        code: code.into(),
        name: format!("{category} {percent}"),
        category: category.into(),
        rate: percent.into(),
        exemption_reason: reason.into(),
    }
}

async fn a_tax_rate_is_created_and_edited_but_its_code_stays(app: App) {
    let actor = Actor::system("test");
    let id = products::create_tax_rate(&app, &actor, &rate("s21", "S", "21", ""))
        .await
        .unwrap();
    let row = products::tax_rate(&app, &actor, id).await.unwrap();
    assert_eq!((row.code.as_str(), row.rate_bp), ("S21", 2100));
    assert_eq!(
        field_error(
            products::create_tax_rate(&app, &actor, &rate("S21", "S", "20", "")).await,
            "code"
        ),
        "error-tax-code-taken"
    );
    assert_eq!(
        field_error(
            products::create_tax_rate(&app, &actor, &rate("K-GOODS", "K", "0", "")).await,
            "exemption_reason"
        ),
        "error-exemption-reason-required"
    );
    assert_eq!(
        field_error(
            products::create_tax_rate(&app, &actor, &rate("Z1", "Z", "1", "")).await,
            "rate"
        ),
        "error-vat-rate-zero"
    );
    let k = products::create_tax_rate(
        &app,
        &actor,
        &rate("K-GOODS", "K", "", "Intra-community supply"),
    )
    .await
    .unwrap();
    assert_eq!(
        products::tax_rate(&app, &actor, k).await.unwrap().rate_bp,
        0
    );

    products::update_tax_rate(&app, &actor, id, 1, &rate("S21", "S", "20,5", ""))
        .await
        .unwrap();
    assert_eq!(
        products::tax_rate(&app, &actor, id).await.unwrap().rate_bp,
        2050
    );
    assert_eq!(
        field_error(
            products::update_tax_rate(&app, &actor, id, 2, &rate("S22", "S", "22", "")).await,
            "code"
        ),
        "error-tax-code-fixed"
    );
    let stale = products::update_tax_rate(&app, &actor, id, 1, &rate("S21", "S", "19", "")).await;
    assert!(matches!(stale, Err(AppError::Conflict("error-stale"))));
    let events = audit::recent_events(&app, &actor, None, 10).await.unwrap();
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.entity_type.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("tax_rate", "update"),
            ("tax_rate", "create"),
            ("tax_rate", "create")
        ]
    );
}

async fn search_finds_products_by_sku_or_name_prefix_and_filters_combine(app: App) {
    let actor = Actor::system("test");
    products::create_product(
        &app,
        &actor,
        &draft("ESP-BEAN-1KG", "Espresso beans, dark roast"),
    )
    .await
    .unwrap();
    products::create_product(
        &app,
        &actor,
        &draft("OLIVE-5L", "Extra virgin olive oil 5 l"),
    )
    .await
    .unwrap();
    let mut install = draft("SVC-INSTALL", "Espresso machine installation");
    install.kind = "service".into();
    install.unit = "HUR".into();
    products::create_product(&app, &actor, &install)
        .await
        .unwrap();
    let found = |text: &str, kind: Option<&str>, archive: ArchiveFilter| {
        let filter = ProductFilter {
            text: Some(text.to_owned()),
            kind: kind.map(str::to_owned),
            archive,
        };
        let app = app.clone();
        let actor = actor.clone();
        async move {
            products::list_products(&app, &actor, &filter, ProductSort::SkuAsc, None, 10)
                .await
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.sku)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found("espr", None, ArchiveFilter::Active).await,
        ["ESP-BEAN-1KG", "SVC-INSTALL"]
    );
    assert_eq!(
        found("espresso", Some("service"), ArchiveFilter::Active).await,
        ["SVC-INSTALL"]
    );
    assert_eq!(
        found("olive-5", None, ArchiveFilter::Active).await,
        ["OLIVE-5L"],
        "a SKU is found by its parts"
    );
    assert_eq!(
        found("virgin oil", None, ArchiveFilter::Active).await,
        ["OLIVE-5L"],
        "every word must match the start of a word"
    );
    assert!(
        found("\"' OR 1=1 --", None, ArchiveFilter::Active)
            .await
            .is_empty(),
        "search syntax cannot be injected"
    );
    let olive = products::list_products(
        &app,
        &actor,
        &ProductFilter {
            text: Some("olive".into()),
            ..ProductFilter::default()
        },
        ProductSort::NameAsc,
        None,
        1,
    )
    .await
    .unwrap();
    products::set_archived(&app, &actor, ProductId(olive.rows[0].id), true)
        .await
        .unwrap();
    assert!(found("olive", None, ArchiveFilter::Active).await.is_empty());
    assert_eq!(
        found("olive", None, ArchiveFilter::Archived).await,
        ["OLIVE-5L"]
    );
    assert_eq!(found("", None, ArchiveFilter::All).await.len(), 3);
}

async fn keyset_pages_visit_every_product_once_by_name_and_by_sku(app: App) {
    let actor = Actor::system("test");
    // Repeated names make the id the tie-breaker.
    for n in 0..23 {
        products::create_product(
            &app,
            &actor,
            &draft(&format!("P-{n:03}"), &format!("Product {}", n % 5)),
        )
        .await
        .unwrap();
    }
    for sort in ProductSort::ALL {
        let mut seen: Vec<(String, String, i64)> = Vec::new();
        let mut cursor: Option<ProductCursor> = None;
        loop {
            let page = products::list_products(
                &app,
                &actor,
                &ProductFilter::default(),
                sort,
                cursor.as_ref(),
                4,
            )
            .await
            .unwrap();
            assert_eq!(page.total, 23);
            seen.extend(
                page.rows
                    .iter()
                    .map(|r| (r.sort_name.clone(), r.sku.clone(), r.id)),
            );
            match page.next {
                Some(next) => cursor = Some(ProductCursor::decode(&next.encode()).unwrap()),
                None => break,
            }
        }
        let mut ids: Vec<i64> = seen.iter().map(|s| s.2).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 23, "{sort:?}: every product exactly once");
        let skus: Vec<&String> = seen.iter().map(|s| &s.1).collect();
        match sort {
            ProductSort::SkuAsc => assert!(skus.windows(2).all(|w| w[0] < w[1])),
            ProductSort::SkuDesc => assert!(skus.windows(2).all(|w| w[0] > w[1])),
            ProductSort::NameAsc => assert!(
                seen.windows(2)
                    .all(|w| (&w[0].0, w[0].2) < (&w[1].0, w[1].2))
            ),
            ProductSort::NameDesc => assert!(
                seen.windows(2)
                    .all(|w| (&w[0].0, w[0].2) > (&w[1].0, w[1].2))
            ),
        }
    }
}

const HEADER: &str =
    "sku,name,kind,unit,list_price,currency,standard_cost,tax_rate,revenue_account\n";

async fn product_count(app: &App) -> i64 {
    let filter = ProductFilter {
        archive: ArchiveFilter::All,
        ..ProductFilter::default()
    };
    products::list_products(
        app,
        &Actor::system("t"),
        &filter,
        ProductSort::NameAsc,
        None,
        1,
    )
    .await
    .unwrap()
    .total
}

async fn a_csv_import_with_a_bad_row_writes_nothing_and_names_line_and_field(app: App) {
    let actor = Actor::system("importer");
    let bad = format!(
        "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,\n\
         SVC-1,Installation,service,HUR,85.999,EUR,,S25,\n\
         CUP-8,Cups,goods,C62,48,EUR,,S99,4000\n"
    );
    let report = products::import_csv(&app, &actor, bad.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(report.created, 0);
    assert_eq!(
        report.errors.for_field("line 3: list_price"),
        Some("error-amount-decimals")
    );
    assert_eq!(
        product_count(&app).await,
        0,
        "nothing of a bad file is written"
    );
    let unknown_rate = format!("{HEADER}CUP-8,Cups,goods,C62,48,EUR,,S99,4000\n");
    let report = products::import_csv(&app, &actor, unknown_rate.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(
        report.errors.for_field("line 2: tax_rate"),
        Some("error-unknown-tax-rate")
    );
    assert_eq!(product_count(&app).await, 0);

    let good = format!(
        "{HEADER}ESP-1KG,Espresso beans,goods,KGM,24.90,EUR,11.20,S12,\n\
         SVC-1,Installation,service,HUR,85,EUR,,S25,\n\
         CONSULT-EU,\"Consulting, EU business customers\",service,HUR,110,EUR,,AE,4100\n"
    );
    let preview = products::import_csv(&app, &actor, good.as_bytes(), false)
        .await
        .unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!((preview.rows.len(), preview.created), (3, 0));
    assert_eq!(product_count(&app).await, 0, "a preview writes nothing");
    let done = products::import_csv(&app, &actor, good.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(done.created, 3);
    assert_eq!(product_count(&app).await, 3);
    let events = audit::recent_events(&app, &actor, None, 10).await.unwrap();
    assert_eq!(events.len(), 3, "one audit event per imported product");
    assert!(events.iter().all(|e| e.action == "import"));
}

async fn a_csv_import_refuses_skus_already_in_the_catalogue(app: App) {
    let actor = Actor::system("importer");
    products::create_product(&app, &actor, &draft("ESP-1KG", "Espresso beans"))
        .await
        .unwrap();
    let file = format!(
        "{HEADER}NEW-1,New thing,goods,C62,5,EUR,,S25,\n\
         esp-1kg,Espresso beans again,goods,C62,5,EUR,,S25,\n\
         NEW-1,New thing twice,goods,C62,5,EUR,,S25,\n"
    );
    let report = products::import_csv(&app, &actor, file.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(
        report.errors.for_field("line 4: sku"),
        Some("error-csv-duplicate")
    );
    let file = format!(
        "{HEADER}NEW-1,New thing,goods,C62,5,EUR,,S25,\nesp-1kg,Espresso beans again,goods,C62,5,EUR,,S25,\n"
    );
    let report = products::import_csv(&app, &actor, file.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(
        report.errors.for_field("line 3: sku"),
        Some("error-sku-taken")
    );
    assert_eq!(product_count(&app).await, 1);
}

async fn an_exported_catalogue_reads_back_as_the_same_products(app: App) {
    let actor = Actor::system("test");
    let mut yen = draft("JP-1", "Matcha, 100 g");
    yen.currency = "JPY".into();
    yen.list_price = "1500".into();
    yen.standard_cost = "700".into();
    products::create_product(&app, &actor, &yen).await.unwrap();
    products::create_product(&app, &actor, &draft("ESP-1KG", "Espresso beans, dark"))
        .await
        .unwrap();
    let csv = products::export_csv(&app, &actor, &ProductFilter::default())
        .await
        .unwrap();
    assert_eq!(
        csv,
        format!(
            "{HEADER}ESP-1KG,\"Espresso beans, dark\",goods,C62,24.90,EUR,11.20,S12,4000\n\
             JP-1,\"Matcha, 100 g\",goods,C62,1500,JPY,700,S12,4000\n"
        )
    );
    let again = products::import_csv(&app, &actor, csv.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        again.errors.for_field("line 2: sku"),
        Some("error-sku-taken"),
        "the same catalogue cannot be imported twice"
    );
}

async fn roles_without_products_write_cannot_change_the_catalogue(app: App) {
    use seam_app::users::{self, UserDraft};
    let admin = Actor::system("admin");
    let id = products::create_product(&app, &admin, &draft("ESP-1KG", "Espresso beans"))
        .await
        .unwrap();
    let mut actors = Vec::new();
    for role in [Role::Warehouse, Role::Marketing, Role::Service] {
        let draft = UserDraft {
            username: format!("u-{}", role.name()),
            password: "velvet orchard 77 kite".into(),
            roles: vec![role],
            ..UserDraft::default()
        };
        let user = users::add_user(&app, &admin, &draft).await.unwrap();
        let row = users::user(&app, &admin, user).await.unwrap();
        actors.push((role, seam_app::auth::actor_from_user(&row, None)));
    }
    for (role, actor) in &actors {
        let created = products::create_product(&app, actor, &draft("X-1", "X")).await;
        assert!(matches!(created, Err(AppError::Forbidden)), "{role:?}");
        let archived = products::set_archived(&app, actor, id, true).await;
        assert!(matches!(archived, Err(AppError::Forbidden)), "{role:?}");
        let imported = products::import_csv(&app, actor, HEADER.as_bytes(), true).await;
        assert!(matches!(imported, Err(AppError::Forbidden)), "{role:?}");
        let rate = products::create_tax_rate(&app, actor, &rate("S1", "S", "1", "")).await;
        assert!(matches!(rate, Err(AppError::Forbidden)), "{role:?}");
        let read = products::product(&app, actor, id).await;
        assert_eq!(read.is_ok(), *role != Role::Marketing, "{role:?} reads");
    }
    assert!(!products::product(&app, &admin, id).await.unwrap().archived);
}

async fn the_global_search_finds_products_for_those_who_may_read_them(app: App) {
    let actor = Actor::system("test");
    products::create_product(&app, &actor, &draft("GRINDER-64", "Espresso grinder"))
        .await
        .unwrap();
    let hits = seam_app::parties::search(&app, &actor, "grind", 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (
            hits[0].kind,
            hits[0].title.as_str(),
            hits[0].detail.as_str()
        ),
        ("product", "Espresso grinder", "GRINDER-64")
    );
    let mut marketing = Actor::system("m");
    marketing.grants = seam_domain::access::Grants::for_roles(&[Role::Marketing]);
    assert!(
        seam_app::parties::search(&app, &marketing, "grind", 10)
            .await
            .unwrap()
            .is_empty(),
        "marketing may not read products"
    );
}
