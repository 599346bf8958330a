//! `seam segment …` and `seam campaign …`: marketing from the console.
//! Segments are saved, counted and listed; campaigns are written, sent,
//! followed by recipient, attributed; bounces, the suppression list,
//! consent and the sending settings are kept here too.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::marketing;
use seam_app::{Actor, App, AppError};
use seam_domain::FieldErrors;
use seam_domain::marketing::{CampaignDraft, RecipientStatus, SegmentDraft};

use crate::output::{out, out_raw, table, timestamp, with_option_names};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OverdueArg {
    Any,
    Only,
    Exclude,
}

#[derive(Debug, Subcommand)]
pub enum SegmentCommand {
    /// List the segments.
    List,
    /// Save a segment (a filter over parties) and print its id and member count.
    Create {
        #[arg(long)]
        name: String,
        /// company or person.
        #[arg(long)]
        kind: Option<String>,
        /// Two letters, e.g. SE.
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Bought this product (SKU) on a posted invoice, within --days.
        #[arg(long, value_name = "SKU")]
        bought: Option<String>,
        /// The look-back of --bought, in days.
        #[arg(long, value_name = "N")]
        days: Option<String>,
        /// How overdue invoices count.
        #[arg(long, value_enum, default_value_t = OverdueArg::Any)]
        overdue: OverdueArg,
        /// Created in the last N days.
        #[arg(long, value_name = "N")]
        created_days: Option<String>,
        /// Only addresses that consented to marketing e-mail.
        #[arg(long)]
        consent: bool,
    },
    /// Show a segment: its member count and first members.
    Show { id: i64 },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AttributionFormat {
    Table,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// List campaigns, newest first.
    List,
    /// Save a draft campaign and print its id. Merge fields: {{name}},
    /// {{first_name}}, {{company}}, {{email}}, {{unsubscribe_url}}.
    Create {
        /// The code leads carry (utm_campaign), e.g. spring-fair.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        subject: String,
        /// The message; or --body-file.
        #[arg(long, conflicts_with = "body_file")]
        body: Option<String>,
        /// Read the message from this file.
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
        /// The sender, e.g. "News <news@example.com>".
        #[arg(long)]
        from: String,
        /// The segment's id.
        #[arg(long, value_name = "ID")]
        segment: i64,
    },
    /// Show a campaign with its recipients counted by status.
    Show { id: i64 },
    /// Send a draft campaign now, or at --at (RFC 3339, e.g. 2026-05-01T09:00:00Z).
    Send {
        id: i64,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// A campaign's recipients (the first page), optionally in one status.
    Recipients {
        id: i64,
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Record a bounce for an address: its sent messages are marked bounced,
    /// and (unless --soft) the address is suppressed.
    Bounce {
        email: String,
        #[arg(long)]
        soft: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// What a campaign brought in: leads with its code, wins, invoiced revenue.
    Attribution {
        id: i64,
        #[arg(long, value_enum, default_value_t = AttributionFormat::Table)]
        format: AttributionFormat,
    },
    /// Put an address on the suppression list.
    Suppress {
        email: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Take an address off the suppression list.
    Unsuppress { email: String },
    /// The suppression list as CSV.
    Suppressions,
    /// Append a consent record for an address: granted or withdrawn.
    Consent {
        email: String,
        #[arg(long)]
        state: String,
        #[arg(long)]
        source: String,
    },
    /// Show or change how campaigns are sent.
    Settings {
        /// Messages per tick.
        #[arg(long, value_name = "N")]
        rate: Option<String>,
        /// Seconds between two ticks of one campaign.
        #[arg(long, value_name = "S")]
        tick_seconds: Option<String>,
        /// Where unsubscribe links point, e.g. https://seam.example.com.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

/// The use case's field names as the options that carry them.
fn option_names(err: AppError) -> AppError {
    with_option_names(
        err,
        &[
            ("from_address", "--from"),
            ("segment_id", "--segment"),
            ("bought_sku", "--bought"),
            ("bought_days", "--days"),
            ("rate_per_tick", "--rate"),
            ("email", "EMAIL"),
        ],
    )
}

pub async fn segment(app: &App, command: SegmentCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        SegmentCommand::List => {
            let rows = marketing::segments(app, &actor).await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|s| vec![s.id.to_string(), s.name.clone(), s.definition.clone()])
                .collect();
            out(table(&["id", "name", "filter"], &rows))?;
        }
        SegmentCommand::Create {
            name,
            kind,
            country,
            tag,
            bought,
            days,
            overdue,
            created_days,
            consent,
        } => {
            let draft = SegmentDraft {
                name,
                kind: kind.unwrap_or_default(),
                country: country.unwrap_or_default(),
                tag: tag.unwrap_or_default(),
                bought_sku: bought.unwrap_or_default(),
                bought_days: days.unwrap_or_default(),
                overdue: format!("{overdue:?}").to_lowercase(),
                created_days: created_days.unwrap_or_default(),
                consent,
            };
            let id = marketing::create_segment(app, &actor, &draft)
                .await
                .map_err(option_names)?;
            let detail = marketing::segment(app, &actor, id).await?;
            out(format!(
                "{id}\n{} parties, {} with an e-mail address",
                detail.preview.count, detail.preview.with_email
            ))?;
        }
        SegmentCommand::Show { id } => {
            let d = marketing::segment(app, &actor, id).await?;
            out(format!(
                "segment {} {}\nfilter  {}\nmembers {} ({} with an e-mail address)",
                d.segment.id,
                d.segment.name,
                d.segment.definition,
                d.preview.count,
                d.preview.with_email
            ))?;
            let rows: Vec<Vec<String>> = d
                .preview
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        m.kind.clone(),
                        m.name.clone(),
                        m.email.clone().unwrap_or_else(|| "-".into()),
                        m.country.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            out(table(&["party", "kind", "name", "email", "country"], &rows))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn campaign(app: &App, command: CampaignCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        CampaignCommand::List => {
            let rows = marketing::campaigns(app, &actor, None).await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.code.clone(),
                        c.state.clone(),
                        c.name.clone(),
                        c.segment_name.clone(),
                    ]
                })
                .collect();
            out(table(&["id", "code", "state", "name", "segment"], &rows))?;
        }
        CampaignCommand::Create {
            code,
            name,
            subject,
            body,
            body_file,
            from,
            segment,
        } => {
            let body = match (body, body_file) {
                (Some(b), _) => b,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("--body-file {}: {e}", path.display()))?,
                (None, None) => String::new(),
            };
            let draft = CampaignDraft {
                code,
                name,
                subject,
                body,
                from_address: from,
                segment_id: Some(segment),
            };
            let id = marketing::create_campaign(app, &actor, &draft)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
        CampaignCommand::Show { id } => {
            let d = marketing::campaign(app, &actor, id).await?;
            let c = &d.campaign;
            let counts: Vec<String> = d.counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
            out(format!(
                "campaign {} {}\ncode     {}\nstate    {}\nsegment  {} {}\nfrom     {}\nsubject  {}\nstarted  {}\nfinished {}\nrecipients {}",
                c.id,
                c.name,
                c.code,
                c.state,
                c.segment_id,
                c.segment_name,
                c.from_address,
                c.subject,
                timestamp(c.started_at_us),
                timestamp(c.finished_at_us),
                if counts.is_empty() {
                    "-".to_owned()
                } else {
                    counts.join(", ")
                }
            ))?;
        }
        CampaignCommand::Send { id, at } => {
            let at = match at.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(
                    text.parse::<jiff::Timestamp>()
                        .map_err(|_| {
                            AppError::Invalid(FieldErrors::one("--at", "error-date-time"))
                        })?
                        .as_microsecond(),
                ),
            };
            let row = marketing::send_campaign(app, &actor, id, at).await?;
            out(row.state)?;
        }
        CampaignCommand::Recipients { id, status } => {
            let status = match status.as_deref() {
                None => None,
                Some(s) => Some(RecipientStatus::parse(s).ok_or_else(|| {
                    AppError::Invalid(FieldErrors::one("--status", "error-choice"))
                })?),
            };
            let rows = marketing::recipients(app, &actor, id, status, 0).await?;
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.email.clone(),
                        r.status.clone(),
                        timestamp(r.sent_at_us),
                    ]
                })
                .collect();
            out(table(&["id", "email", "status", "sent"], &rows))?;
        }
        CampaignCommand::Bounce { email, soft, note } => {
            let n =
                marketing::record_bounce(app, &actor, &email, !soft, note.as_deref().unwrap_or(""))
                    .await
                    .map_err(option_names)?;
            out(format!("{n} messages marked bounced"))?;
        }
        CampaignCommand::Attribution { id, format } => match format {
            AttributionFormat::Csv => out_raw(&marketing::attribution_csv(app, &actor, id).await?)?,
            AttributionFormat::Table => {
                let r = marketing::attribution(app, &actor, id).await?;
                let s = &r.summary;
                out(format!(
                    "campaign {}\nleads          {}\nqualified      {}\nopportunities  {}\nwon            {} ({})\ninvoiced (net) {} ({} invoices)",
                    r.code,
                    s.leads,
                    s.qualified,
                    s.opportunities,
                    s.won,
                    or_dash(marketing::totals_text(&s.won_amount)),
                    or_dash(marketing::totals_text(&s.invoiced)),
                    s.invoices
                ))?;
            }
        },
        CampaignCommand::Suppress { email, note } => {
            let added =
                marketing::add_suppression(app, &actor, &email, note.as_deref().unwrap_or(""))
                    .await
                    .map_err(option_names)?;
            out(if added {
                "suppressed"
            } else {
                "already suppressed"
            })?;
        }
        CampaignCommand::Unsuppress { email } => {
            marketing::remove_suppression(app, &actor, &email)
                .await
                .map_err(option_names)?;
            out("removed")?;
        }
        CampaignCommand::Suppressions => {
            out_raw(&marketing::suppressions_csv(app, &actor).await?)?;
        }
        CampaignCommand::Consent {
            email,
            state,
            source,
        } => {
            let id = marketing::record_consent(app, &actor, &email, &state, &source)
                .await
                .map_err(option_names)?;
            out(id.to_string())?;
        }
        CampaignCommand::Settings {
            rate,
            tick_seconds,
            base_url,
        } => {
            let s = if rate.is_none() && tick_seconds.is_none() && base_url.is_none() {
                marketing::send_settings(app, &actor).await?
            } else {
                marketing::update_send_settings(
                    app,
                    &actor,
                    rate.as_deref().unwrap_or(""),
                    tick_seconds.as_deref().unwrap_or(""),
                    base_url.as_deref().unwrap_or(""),
                )
                .await
                .map_err(option_names)?
            };
            out(format!(
                "rate {} per tick\ntick {} s\nbase url {}",
                s.rate_per_tick, s.tick_seconds, s.base_url
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}
