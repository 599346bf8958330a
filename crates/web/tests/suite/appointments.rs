//! Appointments through the pages, the API and the public feed route: a
//! double booking shows its message and writes nothing, the visitor of an
//! appointment is expected at reception and checks in from there, a feed is
//! `text/calendar` for its token and 404 for any other.

use axum::http::StatusCode;
use seam_domain::access::{Permission, Role};

use crate::common::{Backend, env};

both_backends!(
    reception_books_a_room_refuses_a_double_booking_and_checks_the_visitor_in,
    the_api_books_lists_and_refuses_clashes_with_a_token,
    a_feed_is_served_for_its_token_only,
);

const H: i64 = 3_600_000_000;
const DAY: i64 = 24 * H;

fn at(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us).unwrap().to_string()
}

async fn reception_books_a_room_refuses_a_double_booking_and_checks_the_visitor_in(
    backend: Backend,
) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("rita", &[Role::Receptionist], None).await;
    let host = env.user("hanna", &[Role::Sales], None).await;
    let acme = crate::web::company(&env, "Acme AB").await;
    let mut desk = env.logged_in("rita").await;

    let added = desk
        .post_form(
            "/reception/resources",
            &[("name", "Room 1"), ("kind", "room"), ("capacity", "6")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let bad = desk
        .post_form(
            "/reception/resources",
            &[("name", "Room 1"), ("kind", "room")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Another resource already has this name."));
    let resources = seam_store::appointments::resources(&env.app.db, true)
        .await
        .unwrap();
    let room = resources[0].id.to_string();

    let now = seam_app::now_us();
    let start = at(now);
    let end = at(now + H);
    let host_text = host.to_string();
    let party = acme.to_string();
    let booked = desk
        .post_form(
            "/reception/appointments",
            &[
                ("title", "Contract talk"),
                ("start_at", &start),
                ("end_at", &end),
                ("organiser_user_id", &host_text),
                ("resource_ids", &room),
                ("visitor_name", "Ada Visitor"),
                ("party_id", &party),
            ],
        )
        .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    let link = booked.location().to_owned();
    assert!(link.starts_with("/reception/appointments/"));
    let detail = desk.get(&link).await;
    assert!(detail.body.contains("Contract talk") && detail.body.contains("Room 1"));

    let twice = desk
        .post_form(
            "/reception/appointments",
            &[
                ("title", "Other talk"),
                ("start_at", &at(now + H / 2)),
                ("end_at", &at(now + 2 * H)),
                (
                    "organiser_user_id",
                    &env.user("otto", &[Role::Sales], None).await.to_string(),
                ),
                ("resource_ids", &room),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .body
            .contains("Room 1 is already booked then, for “Contract talk”"),
        "{}",
        twice.body
    );
    assert!(twice.body.contains("Other talk"), "the input is kept");
    assert_eq!(
        seam_store::appointments::count(&env.app.db).await.unwrap(),
        1
    );

    // The visitor is expected today at reception, and checks in from there.
    let visits = desk.get("/reception/visits").await;
    assert!(visits.body.contains("from-appointment") && visits.body.contains("Ada Visitor"));
    let id = link.rsplit('/').next().unwrap();
    let checked = desk
        .post_form(&format!("/reception/appointments/{id}/check-in"), &[])
        .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    assert!(checked.location().starts_with("/reception/visits/"));
    let visit = desk.get(checked.location()).await;
    assert!(
        visit.body.contains("company-card"),
        "the visit has the company's card"
    );
    assert_eq!(seam_store::reception::count(&env.app.db).await.unwrap(), 1);

    let day = desk.get("/reception/calendar").await;
    assert_eq!(day.status, StatusCode::OK);
    assert!(day.body.contains("room-schedule") && day.body.contains("Contract talk"));
    let next = desk.get("/reception/calendar?day=2030-01-01").await;
    assert!(next.body.contains("day=2029-12-31") && next.body.contains("day=2030-01-02"));

    // The host sees their own appointment; reception's pages stay closed to them.
    let mut hanna = env.logged_in("hanna").await;
    let mine = hanna.get("/appointments").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Contract talk"), "{}", mine.body);
    assert_eq!(
        hanna.get(&format!("/appointments/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        hanna.get("/reception/appointments").await.status,
        StatusCode::FORBIDDEN
    );
    let mut otto = env.logged_in("otto").await;
    assert_eq!(
        otto.get(&format!("/appointments/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "someone else's appointment is not found"
    );
}

async fn the_api_books_lists_and_refuses_clashes_with_a_token(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let host = env.user("hanna", &[Role::Sales], None).await;
    let (_, secret) = crate::web::token_for(
        &env,
        "desk",
        &[Role::Receptionist],
        &[Permission::ReceptionUse],
    )
    .await;
    let mut api = env.client();
    api.bearer = Some(secret);
    let room = api
        .post_json(
            "/api/v1/resources",
            r#"{"name":"Room 1","kind":"room","capacity":4}"#,
            None,
        )
        .await;
    assert_eq!(room.status, StatusCode::CREATED, "{}", room.body);
    let room = room.json()["id"].as_i64().unwrap();
    let t = (seam_app::now_us() / DAY + 10) * DAY + 9 * H;
    let body = |title: &str, start: i64, end: i64| {
        format!(
            r#"{{"title":"{title}","start":"{}","end":"{}","organiser_user_id":{host},"resource_ids":[{room}]}}"#,
            at(start),
            at(end)
        )
    };
    let created = api
        .post_json("/api/v1/appointments", &body("Planning", t, t + H), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let json = created.json();
    assert_eq!(json["sequence"], 0);
    assert_eq!(json["resources"][0]["name"], "Room 1");
    let id = json["id"].as_i64().unwrap();

    let clash = api
        .post_json("/api/v1/appointments", &body("Clash", t, t + H), None)
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = clash.json();
    assert_eq!(problem["errors"][0]["field"], "resource_ids");
    assert_eq!(problem["errors"][0]["code"], "error-resource-booked");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Room 1 is already booked then, for “Planning”"),
        "{problem}"
    );
    let past = api
        .post_json(
            "/api/v1/appointments",
            &body("Past", t - 40 * DAY, t - 40 * DAY + H),
            None,
        )
        .await;
    assert_eq!(past.json()["errors"][0]["field"], "start");

    let moved = api
        .post_json(
            &format!("/api/v1/appointments/{id}/reschedule"),
            &format!(r#"{{"start":"{}","end":"{}"}}"#, at(t + H), at(t + 2 * H)),
            None,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.json()["sequence"], 1);
    let list = api
        .get(&format!(
            "/api/v1/appointments?from={}&to={}",
            at(t),
            at(t + DAY)
        ))
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
    let cancelled = api
        .post_json(&format!("/api/v1/appointments/{id}/cancel"), "", None)
        .await;
    assert_eq!(cancelled.json()["state"], "cancelled");
    let again = api
        .post_json(&format!("/api/v1/appointments/{id}/cancel"), "", None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let doc = api.get("/api/v1/openapi.json").await;
    assert!(doc.body.contains("/api/v1/appointments/{id}/reschedule"));
    assert!(doc.body.contains("/api/v1/resources"));
}

async fn a_feed_is_served_for_its_token_only(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    env.user("hanna", &[Role::Sales], None).await;
    let mut hanna = env.logged_in("hanna").await;
    let made = hanna.post_form("/appointments/feed", &[]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let start = made.body.find("/calendar/seamcal_").unwrap();
    let path: String = made.body[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();
    assert!(path.ends_with(".ics"), "{path}");
    let mut anonymous = env.client();
    let feed = anonymous.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.content_type().starts_with("text/calendar"));
    assert!(feed.body.starts_with("BEGIN:VCALENDAR"));
    for wrong in [
        path.replace(".ics", ""),
        path.replace("seamcal_", "seamcal_0"),
        "/calendar/seam.css".to_owned(),
    ] {
        let response = anonymous.get(&wrong).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{wrong}");
        assert!(!response.body.contains("VCALENDAR"));
    }
    // A new address stops the old one.
    hanna.post_form("/appointments/feed", &[]).await;
    assert_eq!(anonymous.get(&path).await.status, StatusCode::NOT_FOUND);
}
