//! A ticket's files and e-mail over HTTP, on both backends: a customer
//! attaches a file in the portal and an agent downloads it; a file over the
//! limit is a field error and writes nothing; a mail gateway's token ingests
//! an e-mail once; a malformed one is a problem naming `message`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::Backend;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use seam_app::service::{self, TicketInput};
use seam_app::{Actor, parties, tokens};
use seam_domain::access::{Permission, Role};
use seam_domain::ids::UserId;
use seam_domain::party::PartyDraft;
use seam_domain::service::TicketDraft;
use seam_domain::service_mail::ATTACHMENT_BYTES_MAX;

use crate::common::{Client, Env, env};

crate::both_backends!(
    a_customer_attaches_a_file_and_the_agent_downloads_it,
    a_gateway_token_ingests_an_email_once,
    files_go_up_and_down_through_the_json_api,
);

fn multipart(path: &str, body_text: &str, file: Option<(&str, &[u8])>) -> Request<Body> {
    let boundary = "seamfileboundary";
    let mut body: Vec<u8> = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n{body_text}\r\n"
    )
    .into_bytes();
    if let Some((name, content)) = file {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
        body.extend_from_slice(content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn party(env: &Env) -> i64 {
    let draft = PartyDraft {
        kind: "company".into(),
        name: "Lind".into(),
        is_customer: true,
        email: "ada@lind.example".into(),
        ..PartyDraft::default()
    };
    parties::create_party(&env.app, &Actor::system("t"), &draft)
        .await
        .unwrap()
        .0
}

async fn a_customer_attaches_a_file_and_the_agent_downloads_it(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    let lind = party(&env).await;
    env.user("ada", &[Role::Portal], Some(lind)).await;
    env.user("agent", &[Role::Service], None).await;
    let mut ada = env.logged_in("ada").await;
    let mut agent = env.logged_in("agent").await;
    let input = TicketInput {
        party_id: Some(lind),
        ticket: TicketDraft {
            subject: "Broken lid".into(),
            body: "Cracked.".into(),
            ..TicketDraft::default()
        },
        ..TicketInput::default()
    };
    let id = service::open_ticket(&env.app, &Actor::system("t"), &input)
        .await
        .unwrap();
    let path = format!("/portal/tickets/{id}/reply");

    let huge = vec![b'a'; ATTACHMENT_BYTES_MAX + 1];
    let refused = ada
        .send(multipart(&path, "kept words", Some(("big.txt", &huge))))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("f-attachments-error"),
        "error at the field"
    );
    assert!(
        refused.body.contains("kept words"),
        "the typed text is kept"
    );
    let detail = service::ticket(&env.app, &Actor::system("t"), id)
        .await
        .unwrap();
    assert_eq!(detail.messages.len(), 1, "nothing written");
    assert!(detail.attachments.is_empty());

    let sent = ada
        .send(multipart(
            &path,
            "A photo.",
            Some(("lid photo.txt", b"photo bytes")),
        ))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = agent.get(&format!("/service/tickets/{id}")).await;
    let detail = service::ticket(&env.app, &Actor::system("t"), id)
        .await
        .unwrap();
    let file = &detail.attachments[0];
    assert!(
        page.body
            .contains(&format!("/service/attachments/{}", file.id))
    );
    let download = agent
        .get(&format!("/service/attachments/{}", file.id))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, "photo bytes");
    assert_eq!(download.content_type(), "text/plain");
    // A reply without a file still works as a plain form.
    let plain = ada.post_form(&path, &[("body", "Thanks")]).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
}

async fn gateway(env: &Env) -> Client {
    let id = env.user("gateway", &[Role::Admin], None).await;
    let (_, secret) = tokens::create_token(
        &env.app,
        &Actor::system("test"),
        UserId(id),
        "mail gateway",
        &[Permission::MailIngest],
    )
    .await
    .unwrap();
    let mut client = env.client();
    client.bearer = Some(secret);
    client
}

fn inbound(raw: &[u8]) -> Request<Body> {
    Request::post("/api/v1/mail/inbound")
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(Body::from(raw.to_vec()))
        .unwrap()
}

async fn a_gateway_token_ingests_an_email_once(backend: Backend) {
    let Some(env) = env(backend).await else {
        return;
    };
    party(&env).await;
    let mut gateway = gateway(&env).await;
    let raw = b"From: Ada <ada@lind.example>\r\nSubject: Kettle leaks\r\nMessage-ID: <gw-1@lind.example>\r\n\r\nIt leaks.\r\n";
    let first = gateway.send(inbound(raw)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.json()["outcome"], "opened");
    assert_eq!(first.json()["message_id"], "gw-1@lind.example");
    let again = gateway.send(inbound(raw)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["outcome"], "duplicate");
    assert_eq!(again.json()["ticket_id"], first.json()["ticket_id"]);

    let bad = gateway.send(inbound(b"Subject: no sender\r\n\r\nx")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.content_type(), "application/problem+json");
    assert!(bad.body.contains("\"from\""), "{}", bad.body);

    // A token without the scope is refused.
    env.user("agent", &[Role::Service], None).await;
    let mut agent = env.logged_in("agent").await;
    assert_eq!(agent.send(inbound(raw)).await.status, StatusCode::FORBIDDEN);
}

/// The JSON API takes a message's files as base64, lists them on the
/// ticket and serves them; bad base64 and a file too large are 422 naming
/// `attachments` and write nothing; another customer's file is not found.
async fn files_go_up_and_down_through_the_json_api(backend: Backend) {
    use base64::Engine;
    let Some(env) = env(backend).await else {
        return;
    };
    let lind = party(&env).await;
    let other = parties::create_party(
        &env.app,
        &Actor::system("t"),
        &PartyDraft {
            kind: "company".into(),
            name: "Other".into(),
            is_customer: true,
            ..PartyDraft::default()
        },
    )
    .await
    .unwrap()
    .0;
    env.user("ada", &[Role::Portal], Some(lind)).await;
    env.user("bodil", &[Role::Portal], Some(other)).await;
    env.user("agent", &[Role::Service], None).await;
    let mut agent = env.logged_in("agent").await;
    let mut ada = env.logged_in("ada").await;
    let mut bo = env.logged_in("bodil").await;
    let input = TicketInput {
        party_id: Some(lind),
        ticket: TicketDraft {
            subject: "Broken lid".into(),
            body: "Cracked.".into(),
            ..TicketDraft::default()
        },
        ..TicketInput::default()
    };
    let id = service::open_ticket(&env.app, &Actor::system("t"), &input)
        .await
        .unwrap();
    let path = format!("/api/v1/tickets/{id}/messages");
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let message = |file: &str, content: &str| {
        format!(
            r#"{{"body":"Photo attached","attachments":[{{"file_name":"{file}","content_base64":"{content}"}}]}}"#
        )
    };
    let bad = ada
        .post_json(&path, &message("lid.jpg", "not base64!"), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("attachments"));
    let huge = b64(&vec![b'a'; ATTACHMENT_BYTES_MAX + 1]);
    let too_big = ada.post_json(&path, &message("big.txt", &huge), None).await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    let before = agent.get(&format!("/api/v1/tickets/{id}")).await.json();
    assert_eq!(
        before["messages"].as_array().unwrap().len(),
        1,
        "nothing written"
    );

    let photo = b"\xff\xd8\xff\xe0 a small jpeg";
    let sent = ada
        .post_json(&path, &message("lid.jpg", &b64(photo)), None)
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let detail = agent.get(&format!("/api/v1/tickets/{id}")).await.json();
    let files = detail["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["file_name"], "lid.jpg");
    assert_eq!(files[0]["size_bytes"], photo.len());
    let download = files[0]["download"].as_str().unwrap().to_owned();
    let got = agent.get(&download).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.len(), String::from_utf8_lossy(photo).len());
    // The customer sees their own file; another customer does not.
    assert_eq!(ada.get(&download).await.status, StatusCode::OK);
    assert_eq!(bo.get(&download).await.status, StatusCode::NOT_FOUND);
}
