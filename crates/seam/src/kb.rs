//! `seam kb …`: the knowledge base from the console. List or search the
//! articles, show one, add one (its category is created when it is new).

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use seam_app::knowledge::{self, ArticleQuery, ArticleRow};
use seam_app::{Actor, App};
use seam_domain::knowledge::ArticleDraft;

use crate::output::{out, table, timestamp};

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// List articles newest first, or search them: title matches first.
    List {
        /// Words that must all appear in the title or the text.
        #[arg(long, value_name = "WORDS")]
        search: Option<String>,
        /// Only this category, by name.
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
        /// Only published articles.
        #[arg(long)]
        published: bool,
    },
    /// Show an article with its text.
    Show {
        /// The article's id.
        id: i64,
    },
    /// Add an article and print its id.
    Add {
        #[arg(long)]
        title: String,
        /// The text: paragraphs separated by blank lines, "- " list items, "#" headings.
        #[arg(long, value_name = "TEXT")]
        body: String,
        /// The category's name; a new name creates the category.
        #[arg(long, value_name = "NAME")]
        category: String,
        /// Publish it at once (otherwise it is a draft).
        #[arg(long)]
        publish: bool,
        /// Who reads it. [default: internal]
        #[arg(long, value_enum)]
        audience: Option<AudienceArg>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    Internal,
    Public,
}

fn cli() -> Actor {
    Actor::system("cli")
}

async fn category_id(app: &App, actor: &Actor, name: &str) -> anyhow::Result<Option<i64>> {
    let name = name.trim();
    Ok(knowledge::categories(app, actor)
        .await?
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.id))
}

pub async fn kb(app: &App, command: KbCommand) -> anyhow::Result<ExitCode> {
    let actor = cli();
    match command {
        KbCommand::List {
            search,
            category,
            published,
        } => {
            let category_id = match category {
                Some(name) => match category_id(app, &actor, &name).await? {
                    Some(id) => Some(id),
                    None => anyhow::bail!("no category is named {name:?}"),
                },
                None => None,
            };
            let query = ArticleQuery {
                text: search.unwrap_or_default(),
                category_id,
                published_only: published,
            };
            let page = knowledge::list_articles(app, &actor, &query, None).await?;
            out(table(
                &["id", "state", "audience", "category", "title"],
                &page.rows.iter().map(summary).collect::<Vec<_>>(),
            ))?;
        }
        KbCommand::Show { id } => {
            let a = knowledge::article(app, &actor, id).await?;
            out(format!(
                "{}\ncategory  {}\nstate     {}\naudience  {}\nauthor    {}\nupdated   {}\n\n{}",
                a.title,
                a.category_name,
                a.state,
                a.audience,
                a.author_name,
                timestamp(Some(a.updated_at_us)),
                a.body
            ))?;
        }
        KbCommand::Add {
            title,
            body,
            category,
            publish,
            audience,
        } => {
            let mut draft = ArticleDraft {
                title,
                body,
                category_id: String::new(),
                state: if publish { "published" } else { "draft" }.to_owned(),
                audience: match audience {
                    Some(AudienceArg::Public) => "public",
                    _ => "internal",
                }
                .to_owned(),
            };
            // Check the article before a new category is made for it, so bad
            // input leaves nothing behind.
            let check = ArticleDraft {
                category_id: "0".to_owned(),
                ..draft.clone()
            };
            if let Err(errors) = seam_domain::knowledge::validate_article(&check) {
                return Err(seam_app::AppError::Invalid(errors).into());
            }
            let category_id = match category_id(app, &actor, &category).await? {
                Some(id) => id,
                None => knowledge::create_category(app, &actor, &category).await?,
            };
            draft.category_id = category_id.to_string();
            let id = knowledge::create_article(app, &actor, &draft).await?;
            out(id.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(a: &ArticleRow) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.state.clone(),
        a.audience.clone(),
        a.category_name.clone(),
        a.title.clone(),
    ]
}
