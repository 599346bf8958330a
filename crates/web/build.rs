//! The message catalogues are compiled in by `static_loader!`, which reads
//! every `.ftl` file in `locales/` at build time. Cargo only tracks files the
//! crate already includes, so a new catalogue file must trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
