//! `seam company …`: the company's own profile, the seller on every invoice
//! (name, VAT and registration numbers, address, bank account), and the
//! currency its books are kept in.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use seam_app::company::{self, CompanyProfile};
use seam_app::{Actor, App};

use crate::output::out;

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Show the profile.
    Show,
    /// Change fields of the profile; fields not named keep their value, and
    /// an empty value ("") clears one.
    Set(Box<ProfileArgs>),
}

/// The fields `company set` may change.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The legal name invoices show.
    #[arg(long)]
    name: Option<String>,
    /// The VAT identification number, e.g. SE556677889901.
    #[arg(long, value_name = "VAT_ID")]
    vat_id: Option<String>,
    /// The company registration number.
    #[arg(long, value_name = "ID")]
    legal_id: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. SE.
    #[arg(long, value_name = "CODE")]
    country: Option<String>,
    /// Where customers write about invoices.
    #[arg(long)]
    email: Option<String>,
    /// The bank account payments go to.
    #[arg(long)]
    iban: Option<String>,
    /// ISO 4217: the currency of the books.
    #[arg(long, value_name = "CODE")]
    currency: Option<String>,
}

fn text(p: &CompanyProfile) -> String {
    let rows = [
        ("name", &p.name),
        ("vat id", &p.vat_id),
        ("legal id", &p.legal_id),
        ("street", &p.street),
        ("postcode", &p.postcode),
        ("city", &p.city),
        ("country", &p.country),
        ("email", &p.email),
        ("iban", &p.iban),
        ("currency", &p.currency),
    ];
    rows.iter()
        .map(|(k, v)| format!("{:<9} {v}", format!("{k}:")))
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn company(app: &App, command: CompanyCommand) -> anyhow::Result<ExitCode> {
    match command {
        CompanyCommand::Show => out(text(&company::profile(app).await?))?,
        CompanyCommand::Set(args) => {
            let ProfileArgs {
                name,
                vat_id,
                legal_id,
                street,
                postcode,
                city,
                country,
                email,
                iban,
                currency,
            } = *args;
            let mut p = company::profile(app).await?;
            let changes = [
                (&mut p.name, name),
                (&mut p.vat_id, vat_id),
                (&mut p.legal_id, legal_id),
                (&mut p.street, street),
                (&mut p.postcode, postcode),
                (&mut p.city, city),
                (&mut p.country, country),
                (&mut p.email, email),
                (&mut p.iban, iban),
                (&mut p.currency, currency),
            ];
            for (field, value) in changes {
                if let Some(value) = value {
                    *field = value;
                }
            }
            company::update_profile(app, &Actor::system("cli"), &p).await?;
            out(text(&company::profile(app).await?))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
