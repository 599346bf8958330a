//! `seam lead …`, `seam opportunity …` and `seam forecast`: the CRM and the
//! sales pipeline from the console. Add, list, show, merge, qualify,
//! disqualify and import leads; list, show, move, win and lose
//! opportunities; the weighted forecast as a table, CSV or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::crm::{self, LineDraft, OpportunityFilter, OpportunityRow, QualifyInput};
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::crm::{LeadDraft, LeadSource, LeadState, OpportunityDraft, Stage};
use seam_domain::ids::PartyId;
use seam_domain::ledger::format_amount;
use serde_json::json;

use crate::output::{out, out_raw, table, table_aligned, timestamp};
use crate::report::{ReportFormat, csv_text};

#[derive(Debug, Subcommand)]
pub enum LeadCommand {
    /// Add a lead and print its id, with any open lead that looks like the same person.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// The campaign code the lead answered.
        #[arg(long, value_name = "CODE")]
        campaign: Option<String>,
    },
    /// List leads, newest first.
    List {
        /// Only leads in this state.
        #[arg(long, value_enum, value_name = "STATE")]
        state: Option<LeadStateArg>,
        /// Text to find in the name, company or e-mail.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
    /// Show a lead with its possible duplicates, matching parties, activities and opportunities.
    Show { id: i64 },
    /// Merge lead OTHER into lead KEEP: KEEP takes OTHER's values where its
    /// own are blank, both notes, and OTHER's activities and opportunities.
    Merge { keep: i64, other: i64 },
    /// Qualify a lead into a customer and an opportunity, all or nothing.
    ///
    /// Without --party, a customer is made from the lead: a company with the
    /// lead as its contact person when it names a company, else a person.
    Qualify {
        id: i64,
        /// An existing party the lead turned out to be, instead of new ones.
        #[arg(long, value_name = "PARTY_ID")]
        party: Option<i64>,
        /// The opportunity's title.
        #[arg(long)]
        title: String,
        /// The expected value, e.g. 12000.00.
        #[arg(long)]
        amount: String,
        /// Three letters, e.g. EUR.
        #[arg(long)]
        currency: String,
        /// The expected closing day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        close: String,
        /// The salesperson's username.
        #[arg(long, value_name = "USERNAME")]
        owner: String,
        /// A product line: SKU:QTY, e.g. FORK-1:2; repeat for more lines.
        #[arg(long = "line", value_name = "SKU:QTY")]
        lines: Vec<String>,
    },
    /// Close an open lead as not worth pursuing.
    Disqualify {
        id: i64,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Import leads from a CSV file: all rows or none.
    ///
    /// The header names the columns: name (required), company, email,
    /// phone, notes, campaign. Any bad row is reported as `line N: field:
    /// problem`, nothing is written, and the exit code is 1.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum OpportunityCommand {
    /// List opportunities, newest first.
    List {
        /// Only this stage.
        #[arg(long, value_enum, value_name = "STAGE")]
        stage: Option<StageArg>,
        /// Only the open stages.
        #[arg(long)]
        open: bool,
        /// Only this customer's.
        #[arg(long, value_name = "PARTY_ID")]
        party: Option<i64>,
    },
    /// Show an opportunity with its product lines and activities.
    Show { id: i64 },
    /// Move an open opportunity to another open stage.
    Stage {
        id: i64,
        #[arg(value_enum)]
        stage: StageArg,
    },
    /// Win an open opportunity; with product lines a draft quote is made, and its id printed.
    Win { id: i64 },
    /// Lose an open opportunity, with a reason.
    Lose {
        id: i64,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LeadStateArg {
    Open,
    Qualified,
    Disqualified,
    Merged,
}

impl LeadStateArg {
    fn state(self) -> LeadState {
        match self {
            LeadStateArg::Open => LeadState::Open,
            LeadStateArg::Qualified => LeadState::Qualified,
            LeadStateArg::Disqualified => LeadState::Disqualified,
            LeadStateArg::Merged => LeadState::Merged,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    Prospecting,
    Qualification,
    Proposal,
    Negotiation,
    Won,
    Lost,
}

impl StageArg {
    fn stage(self) -> Stage {
        match self {
            StageArg::Prospecting => Stage::Prospecting,
            StageArg::Qualification => Stage::Qualification,
            StageArg::Proposal => Stage::Proposal,
            StageArg::Negotiation => Stage::Negotiation,
            StageArg::Won => Stage::Won,
            StageArg::Lost => Stage::Lost,
        }
    }
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(err: AppError) -> AppError {
    let AppError::Invalid(errors) = err else {
        return err;
    };
    let mut renamed = FieldErrors::new();
    for e in errors.iter() {
        let field = match e.field.as_str() {
            "name" => "--name".to_owned(),
            "company" => "--company".to_owned(),
            "email" => "--email".to_owned(),
            "phone" => "--phone".to_owned(),
            "notes" => "--notes".to_owned(),
            "campaign" => "--campaign".to_owned(),
            "title" => "--title".to_owned(),
            "amount" => "--amount".to_owned(),
            "currency" => "--currency".to_owned(),
            "expected_close" => "--close".to_owned(),
            "owner_user_id" => "--owner".to_owned(),
            "party_id" => "--party".to_owned(),
            "lost_reason" | "reason" => "--reason".to_owned(),
            other => match other.strip_prefix("lines[") {
                // `lines[0].qty` is the first --line.
                Some(rest) => {
                    let (n, part) = rest.split_once("].").unwrap_or((rest, ""));
                    let n = n.parse::<usize>().map_or(0, |n| n + 1);
                    format!("--line {n} {part}")
                }
                None => other.to_owned(),
            },
        };
        renamed.add(&field, e.code);
    }
    AppError::Invalid(renamed)
}

/// `SKU:QTY` as a line; missing parts stay empty and are reported by the use case.
fn parse_line(text: &str) -> LineDraft {
    let (product, qty) = text.split_once(':').unwrap_or((text, ""));
    LineDraft {
        product: product.trim().to_owned(),
        qty: qty.trim().to_owned(),
    }
}

fn or_dash(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => "-".to_owned(),
    }
}

fn reasons(r: &[seam_domain::crm::MatchReason]) -> String {
    r.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")
}

pub async fn lead(app: &App, command: LeadCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        LeadCommand::Add {
            name,
            company,
            email,
            phone,
            notes,
            campaign,
        } => {
            let draft = LeadDraft {
                name,
                company: company.unwrap_or_default(),
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                notes: notes.unwrap_or_default(),
                campaign: campaign.unwrap_or_default(),
            };
            let id = crm::add_lead(app, &actor, &draft, LeadSource::Manual)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
            let detail = crm::lead_detail(app, &actor, id).await?;
            for d in &detail.duplicates {
                out(format!(
                    "possible duplicate: lead {} {} ({})",
                    d.record.id,
                    d.record.name,
                    reasons(&d.reasons)
                ))?;
            }
        }
        LeadCommand::List { state, search } => {
            let rows = crm::list_leads(
                app,
                &actor,
                state.map(LeadStateArg::state),
                search.as_deref().unwrap_or(""),
                None,
            )
            .await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|l| {
                    vec![
                        l.id.to_string(),
                        l.state.clone(),
                        l.name.clone(),
                        or_dash(Some(&l.company)),
                        or_dash(l.email.as_deref()),
                        or_dash(l.phone.as_deref()),
                        l.source.clone(),
                    ]
                })
                .collect();
            out(table(
                &["id", "state", "name", "company", "email", "phone", "source"],
                &rows,
            ))?;
        }
        LeadCommand::Show { id } => {
            let d = crm::lead_detail(app, &actor, id).await?;
            let l = &d.lead;
            let mut text = format!(
                "lead {} {}\nstate     {}\ncompany   {}\nemail     {}\nphone     {}\nsource    {}\ncampaign  {}\nowner     {}\ncreated   {}\n",
                l.id,
                l.name,
                l.state,
                or_dash(Some(&l.company)),
                or_dash(l.email.as_deref()),
                or_dash(l.phone.as_deref()),
                l.source,
                or_dash(Some(&l.campaign)),
                or_dash(l.owner_name.as_deref()),
                timestamp(Some(l.created_at_us)),
            );
            if let (Some(party), Some(name)) = (l.party_id, &l.party_name) {
                text.push_str(&format!("party     {name} ({party})\n"));
            }
            if let Some(into) = l.merged_into_id {
                text.push_str(&format!("merged    into lead {into}\n"));
            }
            if !l.notes.is_empty() {
                text.push_str(&format!("\n{}\n", l.notes));
            }
            for dup in &d.duplicates {
                text.push_str(&format!(
                    "possible duplicate: lead {} {} ({})\n",
                    dup.record.id,
                    dup.record.name,
                    reasons(&dup.reasons)
                ));
            }
            for p in &d.parties {
                text.push_str(&format!(
                    "matching party: {} {} ({})\n",
                    p.record.id,
                    p.record.name,
                    reasons(&p.reasons)
                ));
            }
            for o in &d.opportunities {
                text.push_str(&format!(
                    "opportunity {}: {} ({})\n",
                    o.id, o.title, o.stage
                ));
            }
            for a in &d.activities {
                text.push_str(&format!(
                    "{} {}: {}{}\n",
                    a.kind,
                    a.id,
                    a.subject,
                    if a.done_at_us.is_some() {
                        " (done)"
                    } else {
                        ""
                    }
                ));
            }
            out(text.trim_end())?;
        }
        LeadCommand::Merge { keep, other } => {
            crm::merge_leads(app, &actor, keep, other).await?;
            out(format!("merged lead {other} into lead {keep}"))?;
        }
        LeadCommand::Qualify {
            id,
            party,
            title,
            amount,
            currency,
            close,
            owner,
            lines,
        } => {
            let owner = match seam_app::users::user_by_username(app, &actor, &owner).await {
                Ok(user) => user.id,
                Err(AppError::NotFound) => {
                    return Err(AppError::Invalid(FieldErrors::one(
                        "--owner",
                        "error-unknown-user",
                    ))
                    .into());
                }
                Err(e) => return Err(e.into()),
            };
            let input = QualifyInput {
                existing_party: party.map(PartyId),
                opportunity: OpportunityDraft {
                    party_id: None,
                    title,
                    amount,
                    currency,
                    expected_close: close,
                    owner_user_id: Some(owner),
                },
                lines: lines.iter().map(|l| parse_line(l)).collect(),
            };
            let q = crm::qualify(app, &actor, id, &input)
                .await
                .map_err(option_names)?;
            let contact = q
                .contact_id
                .map(|c| format!(", contact {}", c.0))
                .unwrap_or_default();
            out(format!(
                "qualified lead {id}: party {}{contact}, opportunity {}",
                q.party_id.0, q.opportunity_id
            ))?;
        }
        LeadCommand::Disqualify { id, reason } => {
            crm::disqualify(app, &actor, id, &reason)
                .await
                .map_err(option_names)?;
            out(format!("disqualified lead {id}"))?;
        }
        LeadCommand::Import { file } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let report = crm::import_leads(app, &actor, &bytes).await?;
            out(format!(
                "imported {} leads ({} possible duplicates)",
                report.created.len(),
                report.possible_duplicates
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn opportunity_cells(o: &OpportunityRow) -> Vec<String> {
    vec![
        o.id.to_string(),
        o.stage.clone(),
        o.party_name.clone(),
        o.title.clone(),
        format_amount(o.amount_minor, &o.currency),
        o.currency.clone(),
        o.expected_close.clone(),
        o.owner_name.clone(),
    ]
}

pub async fn opportunity(app: &App, command: OpportunityCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        OpportunityCommand::List { stage, open, party } => {
            let filter = OpportunityFilter {
                stage: stage.map(|s| s.stage().name()),
                open,
                party_id: party,
                owner_user_id: None,
                lead_id: None,
            };
            let rows = crm::list_opportunities(app, &actor, filter, None).await?;
            out(table_aligned(
                &[
                    "id", "stage", "customer", "title", "amount", "currency", "close", "owner",
                ],
                &[4],
                &rows.iter().map(opportunity_cells).collect::<Vec<_>>(),
            ))?;
        }
        OpportunityCommand::Show { id } => {
            let d = crm::opportunity(app, &actor, id).await?;
            let o = &d.opportunity;
            let mut text = format!(
                "opportunity {} {}\ncustomer  {} ({})\nstage     {} ({}%)\namount    {} {}\nclose     {}\nowner     {}\n",
                o.id,
                o.title,
                o.party_name,
                o.party_id,
                o.stage,
                crm::stage_of(o).probability_bp() / 100,
                format_amount(o.amount_minor, &o.currency),
                o.currency,
                o.expected_close,
                o.owner_name,
            );
            if let Some(lead) = o.lead_id {
                text.push_str(&format!("lead      {lead}\n"));
            }
            if let Some(quote) = o.quote_id {
                text.push_str(&format!("quote     {quote}\n"));
            }
            if !o.lost_reason.is_empty() {
                text.push_str(&format!("lost      {}\n", o.lost_reason));
            }
            if !d.lines.is_empty() {
                let rows: Vec<Vec<String>> = d
                    .lines
                    .iter()
                    .map(|l| vec![l.sku.clone(), l.product_name.clone(), l.qty.to_string()])
                    .collect();
                text.push('\n');
                text.push_str(&table_aligned(&["sku", "product", "qty"], &[2], &rows));
                text.push('\n');
            }
            for a in &d.activities {
                text.push_str(&format!(
                    "{} {}: {}{}\n",
                    a.kind,
                    a.id,
                    a.subject,
                    if a.done_at_us.is_some() {
                        " (done)"
                    } else {
                        ""
                    }
                ));
            }
            out(text.trim_end())?;
        }
        OpportunityCommand::Stage { id, stage } => {
            crm::move_stage(app, &actor, id, stage.stage()).await?;
            out(format!(
                "moved opportunity {id} to {}",
                stage.stage().name()
            ))?;
        }
        OpportunityCommand::Win { id } => match crm::win(app, &actor, id).await? {
            Some(quote) => out(format!("won opportunity {id}: draft quote {}", quote.0))?,
            None => out(format!("won opportunity {id} (no product lines, no quote)"))?,
        },
        OpportunityCommand::Lose { id, reason } => {
            crm::lose(app, &actor, id, &reason)
                .await
                .map_err(option_names)?;
            out(format!("lost opportunity {id}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The weighted forecast of the open opportunities, per month of expected
/// close, salesperson and currency.
pub async fn forecast(app: &App, format: ReportFormat) -> anyhow::Result<ExitCode> {
    let rows = crm::forecast(app, &cli()).await?;
    let headers = [
        "month", "owner", "currency", "count", "pipeline", "weighted",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.month.clone(),
                r.owner.clone(),
                r.currency.clone(),
                r.cell.count.to_string(),
                format_amount(r.cell.pipeline_minor, &r.currency),
                format_amount(r.cell.weighted_minor, &r.currency),
            ]
        })
        .collect();
    let text = match format {
        ReportFormat::Table => format!("{}\n", table_aligned(&headers, &[3, 4, 5], &cells)),
        ReportFormat::Csv => csv_text(&headers, &cells),
        ReportFormat::Json => {
            let rows: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    json!({
                        "month": r.month,
                        "owner": r.owner,
                        "currency": r.currency,
                        "count": r.cell.count,
                        "pipeline": format_amount(r.cell.pipeline_minor, &r.currency),
                        "pipeline_minor": r.cell.pipeline_minor,
                        "weighted": format_amount(r.cell.weighted_minor, &r.currency),
                        "weighted_minor": r.cell.weighted_minor,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({ "rows": rows }))?
            )
        }
    };
    out_raw(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_named_after_the_options_and_lines_count_from_one() {
        let mut errors = FieldErrors::new();
        errors.add("expected_close", "error-date");
        errors.add("lines[0].qty", "error-qty");
        errors.add("lost_reason", "error-required");
        let AppError::Invalid(named) = option_names(AppError::Invalid(errors)) else {
            panic!("not a field error");
        };
        let fields: Vec<&str> = named.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["--close", "--line 1 qty", "--reason"]);
    }

    #[test]
    fn a_line_is_a_sku_and_a_quantity() {
        assert_eq!(
            parse_line("FORK-1:2"),
            LineDraft {
                product: "FORK-1".into(),
                qty: "2".into()
            }
        );
        assert_eq!(parse_line("FORK-1").qty, "");
    }
}
