//! The harness the use-case tests share: a fresh database per test, on
//! SQLite always and on PostgreSQL when `SEAM_TEST_PG_URL` is set.
#![allow(dead_code, clippy::unwrap_used)]

use seam_app::App;
use seam_store::testing::{self, TestDb};

pub async fn sqlite() -> (App, TestDb) {
    let db = testing::sqlite().await.unwrap();
    (App::new(db.db.clone()), db)
}

pub async fn postgres() -> Option<(App, TestDb)> {
    let db = testing::postgres().await.unwrap()?;
    Some((App::new(db.db.clone()), db))
}

#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (app, _db) = $crate::common::sqlite().await;
                super::$name(app).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some((app, _db)) = $crate::common::postgres().await else { return };
                super::$name(app).await
            }
        }
    )*};
}

/// A staff login with these roles (created by the system), as its actor.
pub async fn staff(
    app: &App,
    username: &str,
    roles: &[seam_domain::access::Role],
) -> seam_app::Actor {
    use seam_app::users::{self, UserDraft};
    let system = seam_app::Actor::system("t");
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} Person"),
        email: format!("{username}@example.com"),
        password: "velvet orchard 77 kite".into(),
        roles: roles.to_vec(),
        ..UserDraft::default()
    };
    let id = users::add_user(app, &system, &draft).await.unwrap();
    let row = users::user(app, &system, id).await.unwrap();
    seam_app::auth::actor_from_user(&row, None)
}
