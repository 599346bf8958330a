//! The roles table in the administrators' guide is generated from
//! `Role::permissions`; this test fails, printing the current table, when
//! the two drift apart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seam_domain::access::{Permission, Role};

const START: &str = "<!-- roles table: generated from Role::permissions, checked by crates/domain/tests/docs.rs -->";
const END: &str = "<!-- end of roles table -->";

fn roles_table() -> String {
    let mut out = String::from("| role | permissions |\n|---|---|\n");
    for role in Role::ALL {
        let granted = role.permissions();
        let text = if granted.len() == Permission::ALL.len() {
            "every permission".to_owned()
        } else {
            granted
                .iter()
                .map(|p| format!("`{}`", p.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("| `{}` | {text} |\n", role.name()));
    }
    out
}

#[test]
fn the_roles_table_in_the_administrators_guide_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/user/administration.md"
    );
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find(START).expect("the start marker") + START.len();
    let end = doc.find(END).expect("the end marker");
    let table = roles_table();
    assert_eq!(
        doc[start..end].trim(),
        table.trim(),
        "replace the table in docs/user/administration.md with:\n{table}"
    );
}
