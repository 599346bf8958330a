//! A test harness that drives the real router in-process, on SQLite and, when
//! `SEAM_TEST_PG_URL` is set, on PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use seam_app::users::{UserDraft, add_user};
use seam_app::{Actor, App};
use seam_domain::access::Role;
use seam_store::testing::{self, TestDb};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Instantiates each named `async fn(Backend)` as one test per backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

pub const PASSWORD: &str = "quiet harbour lamp 91";

pub struct Env {
    pub app: App,
    pub router: Router,
    _db: TestDb,
}

/// A fresh, migrated database and a router on it; `None` when PostgreSQL was
/// asked for but `SEAM_TEST_PG_URL` is not set.
pub async fn env(backend: Backend) -> Option<Env> {
    let db = match backend {
        Backend::Sqlite => testing::sqlite().await.expect("sqlite test database"),
        Backend::Postgres => match testing::postgres().await.expect("postgres test database") {
            Some(db) => db,
            None => {
                eprintln!("SEAM_TEST_PG_URL is not set: skipping the PostgreSQL run");
                return None;
            }
        },
    };
    let app = App::new(db.db.clone());
    let router = seam_web::router(app.clone(), seam_web::WebConfig::default());
    Some(Env {
        app,
        router,
        _db: db,
    })
}

impl Env {
    /// Creates a login with these roles; its username is the roles' names joined.
    pub async fn user(&self, username: &str, roles: &[Role], party_id: Option<i64>) -> i64 {
        let draft = UserDraft {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password: PASSWORD.to_owned(),
            roles: roles.to_vec(),
            party_id,
            ..UserDraft::default()
        };
        add_user(&self.app, &Actor::system("test"), &draft)
            .await
            .expect("user created")
            .0
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            bearer: None,
        }
    }

    /// A client logged in as `username` through the login form.
    pub async fn logged_in(&self, username: &str) -> Client {
        let mut client = self.client();
        let response = client
            .post_form("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            response.body
        );
        assert!(client.cookie.is_some(), "login sets the session cookie");
        client
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub async fn send(&mut self, mut request: Request<Body>) -> Response {
        let headers = request.headers_mut();
        headers.insert(header::HOST, "seam.test".parse().unwrap());
        if let Some(cookie) = &self.cookie {
            headers.insert(
                header::COOKIE,
                format!("seam_session={cookie}").parse().unwrap(),
            );
        }
        if let Some(token) = &self.bearer {
            headers.insert(
                header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            );
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            if let Some(rest) = text.strip_prefix("seam_session=") {
                let secret = rest.split(';').next().unwrap_or("");
                self.cookie = if secret.is_empty() {
                    None
                } else {
                    Some(secret.to_owned())
                };
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn post_json(
        &mut self,
        path: &str,
        body: &str,
        idempotency_key: Option<&str>,
    ) -> Response {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        self.send(request.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    pub async fn put_json(&mut self, path: &str, body: &str) -> Response {
        let request = Request::put(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }
}
