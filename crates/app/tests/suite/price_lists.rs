//! Price lists through their use cases, on SQLite and (with
//! `SEAM_TEST_PG_URL`) PostgreSQL: order and quote lines priced from a
//! customer's list (item price, list price less the list's discount, a typed
//! price overriding both), a CHF order through a CHF list, the currency rule
//! still holding without an item, bad input named by field, CSV import all
//! or nothing and its round trip, and who may change a list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_app::price_lists;
use seam_app::quotes::{self, QuoteInput};
use seam_app::sales::{self, LineInput, OrderInput};
use seam_app::{Actor, App, AppError, audit, parties, products};
use seam_domain::access::Role;
use seam_domain::ids::{PartyId, PriceListId, SalesOrderId};
use seam_domain::party::PartyDraft;
use seam_domain::price_list::{ItemDraft, PriceListDraft};
use seam_domain::product::ProductDraft;

both_backends!(
    an_order_line_takes_the_item_price_or_the_list_price_less_the_discount,
    a_typed_price_overrides_the_price_list,
    a_chf_order_sells_a_eur_product_through_a_chf_list_item,
    a_product_of_another_currency_without_an_item_is_still_refused,
    a_quote_is_priced_from_the_list_too,
    bad_lists_and_items_are_named_by_field,
    a_csv_import_with_a_bad_line_writes_nothing_and_names_the_line,
    exported_item_prices_read_back_as_the_same,
    assigning_needs_a_customer_and_is_audited,
    roles_without_products_write_cannot_change_price_lists,
    the_demo_prices_the_swiss_customer_in_chf_and_wholesale_at_ten_percent_off,
);

async fn product(app: &App, sku: &str, price: &str, currency: &str) {
    let draft = ProductDraft {
        sku: sku.into(),
        name: format!("{sku} name"),
        kind: "service".into(),
        unit: "HUR".into(),
        currency: currency.into(),
        list_price: price.into(),
        standard_cost: "1.00".into(),
        tax_rate: "S25".into(),
        revenue_account: String::new(),
    };
    products::create_product(app, &Actor::system("test"), &draft)
        .await
        .unwrap();
}

async fn customer(app: &App, name: &str) -> PartyId {
    let draft = PartyDraft {
        kind: "company".into(),
        name: name.into(),
        is_customer: true,
        ..PartyDraft::default()
    };
    parties::create_party(app, &Actor::system("test"), &draft)
        .await
        .unwrap()
}

async fn list(app: &App, code: &str, currency: &str, discount: &str) -> PriceListId {
    let draft = PriceListDraft {
        code: code.into(),
        name: format!("{code} list"),
        currency: currency.into(),
        discount: discount.into(),
    };
    price_lists::create_price_list(app, &Actor::system("test"), &draft)
        .await
        .unwrap()
}

async fn set_price(app: &App, list: PriceListId, sku: &str, price: &str, discount: &str) {
    let draft = ItemDraft {
        unit_price: price.into(),
        discount: discount.into(),
    };
    price_lists::set_item_price(app, &Actor::system("test"), list, sku, &draft)
        .await
        .unwrap();
}

fn line(sku: &str, qty: &str, price: &str) -> LineInput {
    LineInput {
        product: sku.into(),
        qty: qty.into(),
        unit_price: price.into(),
    }
}

fn order(customer: PartyId, currency: &str, lines: Vec<LineInput>) -> OrderInput {
    OrderInput {
        customer: Some(customer),
        order_date: "2026-03-02".into(),
        currency: currency.into(),
        lines,
    }
}

async fn create(app: &App, input: &OrderInput) -> Result<SalesOrderId, AppError> {
    sales::create_order(app, &Actor::system("test"), input).await
}

/// `(sku, unit price, line net)` of each line of an order.
async fn priced(app: &App, id: SalesOrderId) -> (String, Vec<(String, i64, i64)>) {
    let d = sales::order_detail(app, &Actor::system("test"), id)
        .await
        .unwrap();
    let lines = d
        .lines
        .iter()
        .map(|l| (l.sku.clone(), l.unit_price_minor, l.line_net_minor))
        .collect();
    (d.order.currency, lines)
}

fn field_error<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str) -> &'static str {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field} in {errors:?}")),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn an_order_line_takes_the_item_price_or_the_list_price_less_the_discount(app: App) {
    let admin = Actor::system("admin");
    product(&app, "BOLT", "0.25", "EUR").await;
    product(&app, "NUT", "0.35", "EUR").await;
    product(&app, "GEAR", "10.00", "EUR").await;
    let wholesale = list(&app, "wholesale", "EUR", "10").await;
    set_price(&app, wholesale, "gear", "9.00", "").await;
    set_price(&app, wholesale, "NUT", "0.30", "0").await;
    let acme = customer(&app, "Acme").await;
    let walk_in = customer(&app, "Walk-in").await;
    price_lists::assign(&app, &admin, acme, Some(wholesale))
        .await
        .unwrap();

    let lines = vec![
        line("BOLT", "4", ""),
        line("NUT", "2", ""),
        line("GEAR", "1", ""),
    ];
    let id = create(&app, &order(acme, "", lines.clone())).await.unwrap();
    let (currency, got) = priced(&app, id).await;
    assert_eq!(currency, "EUR");
    assert_eq!(
        got,
        vec![
            // 0.25 less 10 % = 0.225, half to even: 0.22.
            ("BOLT".to_owned(), 22, 88),
            // The item's own discount (0 %) replaces the list's.
            ("NUT".to_owned(), 30, 60),
            // The item price less the list's 10 %.
            ("GEAR".to_owned(), 810, 810),
        ]
    );
    // A customer without a list pays the list prices.
    let id = create(&app, &order(walk_in, "", lines)).await.unwrap();
    let (_, got) = priced(&app, id).await;
    let prices: Vec<i64> = got.iter().map(|l| l.1).collect();
    assert_eq!(prices, vec![25, 35, 1000]);
}

async fn a_typed_price_overrides_the_price_list(app: App) {
    product(&app, "GEAR", "10.00", "EUR").await;
    let wholesale = list(&app, "WHOLESALE", "EUR", "10").await;
    set_price(&app, wholesale, "GEAR", "9.00", "5").await;
    let acme = customer(&app, "Acme").await;
    price_lists::assign(&app, &Actor::system("a"), acme, Some(wholesale))
        .await
        .unwrap();
    let id = create(&app, &order(acme, "EUR", vec![line("GEAR", "2", "12.00")]))
        .await
        .unwrap();
    assert_eq!(
        priced(&app, id).await.1,
        vec![("GEAR".to_owned(), 1200, 2400)]
    );
    // And without a typed price: 9.00 less the item's 5 % = 8.55.
    let id = create(&app, &order(acme, "EUR", vec![line("GEAR", "2", "")]))
        .await
        .unwrap();
    assert_eq!(
        priced(&app, id).await.1,
        vec![("GEAR".to_owned(), 855, 1710)]
    );
}

async fn a_chf_order_sells_a_eur_product_through_a_chf_list_item(app: App) {
    product(&app, "GEAR", "10.00", "EUR").await;
    let swiss = list(&app, "CH", "CHF", "").await;
    set_price(&app, swiss, "GEAR", "9.70", "").await;
    let zurich = customer(&app, "Zürcher Feinmechanik AG").await;
    price_lists::assign(&app, &Actor::system("a"), zurich, Some(swiss))
        .await
        .unwrap();
    // An empty currency is the customer's list's.
    let id = create(&app, &order(zurich, "", vec![line("GEAR", "3", "")]))
        .await
        .unwrap();
    let (currency, lines) = priced(&app, id).await;
    assert_eq!(currency, "CHF");
    assert_eq!(lines, vec![("GEAR".to_owned(), 970, 2910)]);
    // On an EUR order the CHF list does not apply: the EUR list price.
    let id = create(&app, &order(zurich, "EUR", vec![line("GEAR", "1", "")]))
        .await
        .unwrap();
    assert_eq!(
        priced(&app, id).await.1,
        vec![("GEAR".to_owned(), 1000, 1000)]
    );
}

async fn a_product_of_another_currency_without_an_item_is_still_refused(app: App) {
    product(&app, "GEAR", "10.00", "EUR").await;
    product(&app, "BOLT", "0.25", "EUR").await;
    let swiss = list(&app, "CH", "CHF", "").await;
    set_price(&app, swiss, "GEAR", "9.70", "").await;
    let zurich = customer(&app, "Zürcher Feinmechanik AG").await;
    let other = customer(&app, "Other").await;
    price_lists::assign(&app, &Actor::system("a"), zurich, Some(swiss))
        .await
        .unwrap();
    let input = order(
        zurich,
        "CHF",
        vec![line("GEAR", "1", ""), line("BOLT", "1", "")],
    );
    assert_eq!(
        field_error(create(&app, &input).await, "lines[2].product"),
        "error-currency-mismatch"
    );
    // A customer without the list cannot buy GEAR in CHF either.
    let input = order(other, "CHF", vec![line("GEAR", "1", "")]);
    assert_eq!(
        field_error(create(&app, &input).await, "lines[1].product"),
        "error-currency-mismatch"
    );
}

async fn a_quote_is_priced_from_the_list_too(app: App) {
    product(&app, "GEAR", "10.00", "EUR").await;
    let wholesale = list(&app, "WHOLESALE", "EUR", "12.5").await;
    let acme = customer(&app, "Acme").await;
    price_lists::assign(&app, &Actor::system("a"), acme, Some(wholesale))
        .await
        .unwrap();
    let input = QuoteInput {
        customer: Some(acme),
        quote_date: "2026-03-02".into(),
        valid_until: String::new(),
        currency: String::new(),
        lines: vec![line("GEAR", "1", "")],
    };
    let id = quotes::create_quote(&app, &Actor::system("t"), &input)
        .await
        .unwrap();
    let d = quotes::quote_detail(&app, &Actor::system("t"), id)
        .await
        .unwrap();
    assert_eq!(d.lines[0].unit_price_minor, 875);
}

async fn bad_lists_and_items_are_named_by_field(app: App) {
    let admin = Actor::system("admin");
    product(&app, "GEAR", "10.00", "EUR").await;
    let wholesale = list(&app, "WHOLESALE", "EUR", "10").await;
    let again = PriceListDraft {
        code: "wholesale".into(),
        name: "Again".into(),
        currency: "EUR".into(),
        discount: String::new(),
    };
    assert_eq!(
        field_error(
            price_lists::create_price_list(&app, &admin, &again).await,
            "code"
        ),
        "error-price-list-code-taken"
    );
    let bad = PriceListDraft {
        code: "X".into(),
        name: "X".into(),
        currency: "EUR".into(),
        discount: "101".into(),
    };
    assert_eq!(
        field_error(
            price_lists::create_price_list(&app, &admin, &bad).await,
            "discount"
        ),
        "error-discount-range"
    );
    let negative = ItemDraft {
        unit_price: "-1.00".into(),
        discount: String::new(),
    };
    assert_eq!(
        field_error(
            price_lists::set_item_price(&app, &admin, wholesale, "GEAR", &negative).await,
            "unit_price"
        ),
        "error-amount"
    );
    let too_much = ItemDraft {
        unit_price: "1.00".into(),
        discount: "100.5".into(),
    };
    assert_eq!(
        field_error(
            price_lists::set_item_price(&app, &admin, wholesale, "GEAR", &too_much).await,
            "discount"
        ),
        "error-discount-range"
    );
    let fine = ItemDraft {
        unit_price: "1.00".into(),
        discount: String::new(),
    };
    assert_eq!(
        field_error(
            price_lists::set_item_price(&app, &admin, wholesale, "NOPE", &fine).await,
            "product"
        ),
        "error-unknown-product"
    );
    let missing = price_lists::set_item_price(&app, &admin, PriceListId(999), "GEAR", &fine).await;
    assert!(matches!(missing, Err(AppError::NotFound)));
    let d = price_lists::price_list_detail(&app, &admin, wholesale)
        .await
        .unwrap();
    assert!(d.items.is_empty(), "nothing was written");
    // The name and discount may change; the code and currency stay.
    price_lists::update_price_list(&app, &admin, wholesale, "Trade", "7.5")
        .await
        .unwrap();
    let d = price_lists::price_list_detail(&app, &admin, wholesale)
        .await
        .unwrap();
    assert_eq!((d.list.name.as_str(), d.list.discount_bp), ("Trade", 750));
}

async fn a_csv_import_with_a_bad_line_writes_nothing_and_names_the_line(app: App) {
    let admin = Actor::system("admin");
    product(&app, "GEAR", "10.00", "EUR").await;
    product(&app, "BOLT", "0.25", "EUR").await;
    let wholesale = list(&app, "WHOLESALE", "EUR", "10").await;
    let csv = "sku,unit_price,discount_percent\n\
               GEAR,9.00,\n\
               NOPE,1.00,\n\
               BOLT,-1,\n\
               gear,8.00,5\n\
               BOLT,0.20,101\n";
    let report = price_lists::import_csv(&app, &admin, wholesale, csv.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(report.saved, 0);
    assert_eq!(
        report.errors.for_field("line 3: sku"),
        Some("error-unknown-product")
    );
    assert_eq!(
        report.errors.for_field("line 4: unit_price"),
        Some("error-amount")
    );
    assert_eq!(
        report.errors.for_field("line 5: sku"),
        Some("error-csv-duplicate")
    );
    assert_eq!(
        report.errors.for_field("line 6: discount_percent"),
        Some("error-discount-range")
    );
    let d = price_lists::price_list_detail(&app, &admin, wholesale)
        .await
        .unwrap();
    assert!(d.items.is_empty());

    let good = "SKU,Unit_Price\nGEAR,9.00\nBOLT,0.20\n";
    let preview = price_lists::import_csv(&app, &admin, wholesale, good.as_bytes(), false)
        .await
        .unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!((preview.rows.len(), preview.saved), (2, 0));
    let report = price_lists::import_csv(&app, &admin, wholesale, good.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(report.saved, 2);
    let events = audit::recent_events(&app, &admin, None, 100).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.entity_type == "price_list" && e.action == "import")
    );
}

async fn exported_item_prices_read_back_as_the_same(app: App) {
    let admin = Actor::system("admin");
    product(&app, "GEAR", "10.00", "EUR").await;
    product(&app, "BOLT", "0.25", "EUR").await;
    let swiss = list(&app, "CH", "CHF", "").await;
    set_price(&app, swiss, "GEAR", "9.70", "2.5").await;
    set_price(&app, swiss, "BOLT", "0.30", "").await;
    let csv = price_lists::export_csv(&app, &admin, swiss).await.unwrap();
    assert_eq!(
        csv,
        "sku,unit_price,discount_percent\nBOLT,0.30,\nGEAR,9.70,2.5\n"
    );
    let copy = list(&app, "CH2", "CHF", "").await;
    let report = price_lists::import_csv(&app, &admin, copy, csv.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(report.saved, 2, "{:?}", report.errors);
    assert_eq!(
        price_lists::export_csv(&app, &admin, copy).await.unwrap(),
        csv
    );
    // Setting a price again replaces it; removing takes it off.
    set_price(&app, copy, "BOLT", "0.40", "").await;
    let d = price_lists::price_list_detail(&app, &admin, copy)
        .await
        .unwrap();
    assert_eq!(d.items[0].unit_price_minor, 40);
    price_lists::remove_item(
        &app,
        &admin,
        copy,
        seam_domain::ids::ProductId(d.items[0].product_id),
    )
    .await
    .unwrap();
    let d = price_lists::price_list_detail(&app, &admin, copy)
        .await
        .unwrap();
    assert_eq!(d.items.len(), 1);
}

async fn assigning_needs_a_customer_and_is_audited(app: App) {
    let admin = Actor::system("admin");
    let wholesale = list(&app, "WHOLESALE", "EUR", "10").await;
    let retail = list(&app, "RETAIL", "EUR", "").await;
    let supplier = parties::create_party(
        &app,
        &admin,
        &PartyDraft {
            kind: "company".into(),
            name: "Supplier".into(),
            is_vendor: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        field_error(
            price_lists::assign(&app, &admin, supplier, Some(wholesale)).await,
            "party"
        ),
        "error-not-a-customer"
    );
    let acme = customer(&app, "Acme").await;
    price_lists::assign(&app, &admin, acme, Some(wholesale))
        .await
        .unwrap();
    price_lists::assign(&app, &admin, acme, Some(retail))
        .await
        .unwrap();
    let now = price_lists::party_price_list(&app, &admin, acme)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.code, "RETAIL", "one list per customer");
    let d = price_lists::price_list_detail(&app, &admin, wholesale)
        .await
        .unwrap();
    assert!(d.customers.is_empty());
    price_lists::assign(&app, &admin, acme, None).await.unwrap();
    assert!(
        price_lists::party_price_list(&app, &admin, acme)
            .await
            .unwrap()
            .is_none()
    );
    // An archived customer gets no list but may lose the one it had.
    price_lists::assign(&app, &admin, acme, Some(retail))
        .await
        .unwrap();
    parties::set_archived(&app, &admin, acme, true)
        .await
        .unwrap();
    assert_eq!(
        field_error(
            price_lists::assign(&app, &admin, acme, Some(wholesale)).await,
            "party"
        ),
        "error-not-a-customer"
    );
    price_lists::assign(&app, &admin, acme, None).await.unwrap();
    let actions: Vec<String> = audit::recent_events(&app, &admin, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_type == "price_list")
        .map(|e| e.action)
        .collect();
    for want in ["create", "assign", "unassign"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}

async fn roles_without_products_write_cannot_change_price_lists(app: App) {
    use seam_app::users::{self, UserDraft};
    let admin = Actor::system("admin");
    let wholesale = list(&app, "WHOLESALE", "EUR", "10").await;
    let acme = customer(&app, "Acme").await;
    for role in [Role::Warehouse, Role::Receptionist, Role::Marketing] {
        let draft = UserDraft {
            username: format!("u-{}", role.name()),
            password: "velvet orchard 77 kite".into(),
            roles: vec![role],
            ..UserDraft::default()
        };
        let user = users::add_user(&app, &admin, &draft).await.unwrap();
        let row = users::user(&app, &admin, user).await.unwrap();
        let actor = seam_app::auth::actor_from_user(&row, None);
        let created = price_lists::create_price_list(
            &app,
            &actor,
            &PriceListDraft {
                code: "X".into(),
                name: "X".into(),
                currency: "EUR".into(),
                discount: String::new(),
            },
        )
        .await;
        assert!(matches!(created, Err(AppError::Forbidden)), "{role:?}");
        let assigned = price_lists::assign(&app, &actor, acme, Some(wholesale)).await;
        assert!(matches!(assigned, Err(AppError::Forbidden)), "{role:?}");
        let imported =
            price_lists::import_csv(&app, &actor, wholesale, b"sku,unit_price\n", true).await;
        assert!(matches!(imported, Err(AppError::Forbidden)), "{role:?}");
        let read = price_lists::price_list_detail(&app, &actor, wholesale).await;
        assert_eq!(read.is_ok(), role != Role::Marketing, "{role:?} reads");
    }
}

async fn the_demo_prices_the_swiss_customer_in_chf_and_wholesale_at_ten_percent_off(app: App) {
    seam_app::demo::load_demo(&app).await.unwrap();
    let admin = Actor::system("admin");
    let lists = price_lists::list_price_lists(&app, &admin).await.unwrap();
    let codes: Vec<(&str, i64)> = lists
        .iter()
        .map(|l| (l.code.as_str(), l.customers))
        .collect();
    assert_eq!(codes, vec![("CH-CHF", 1), ("WHOLESALE", 2)]);
    let swiss = price_lists::price_list_by_code(&app, &admin, "ch-chf")
        .await
        .unwrap();
    let detail = price_lists::price_list_detail(&app, &admin, PriceListId(swiss.id))
        .await
        .unwrap();
    let zurich = PartyId(detail.customers[0].party_id);
    assert_eq!(detail.customers[0].name, "Zürcher Feinmechanik AG");
    let id = create(&app, &order(zurich, "", vec![line("GASKET-58", "10", "")]))
        .await
        .unwrap();
    let (currency, lines) = priced(&app, id).await;
    assert_eq!(currency, "CHF");
    assert_eq!(lines, vec![("GASKET-58".to_owned(), 420, 4200)]);
    // A product without a CHF item is refused on the CHF order.
    let refused = create(&app, &order(zurich, "", vec![line("TAMPER-58", "1", "")])).await;
    assert_eq!(
        field_error(refused, "lines[1].product"),
        "error-currency-mismatch"
    );
}
