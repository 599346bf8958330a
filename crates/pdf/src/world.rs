//! The smallest Typst world that renders one template: the template is the
//! only source file, there are no other files or packages, fonts are the
//! embedded ones, and the data arrives in `sys.inputs.data`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::PdfError;

/// How many compilations a memoised result survives unused. Typst caches
/// layout work across compilations; evicting keeps a long-running server's
/// memory flat while repeated renders of similar documents stay fast.
const CACHE_MAX_AGE: usize = 10;

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The embedded fonts, parsed on first use and shared by every render.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// The one file id every template is compiled under.
fn main_id() -> Result<FileId, PdfError> {
    static MAIN: OnceLock<Option<FileId>> = OnceLock::new();
    MAIN.get_or_init(|| {
        VirtualPath::new("/main.typ")
            .ok()
            .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
    })
    .ok_or_else(|| PdfError::Internal("no file id for the template".into()))
}

struct TemplateWorld {
    library: LazyHash<Library>,
    main: Source,
    fonts: &'static Fonts,
}

impl World for TemplateWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // A document's dates come from its data; rendering it twice must
        // give the same file.
        None
    }
}

impl TemplateWorld {
    fn messages(&self, diagnostics: &[SourceDiagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| {
                let line = self
                    .range(d.span)
                    .and_then(|range| self.main.lines().byte_to_line(range.start));
                match line {
                    Some(line) => format!("line {}: {}", line + 1, d.message),
                    None => d.message.to_string(),
                }
            })
            .collect()
    }
}

/// Renders a Typst `template` into PDF bytes. `inputs` reaches the template
/// as a JSON string in `sys.inputs.data`; read it with
/// `#let data = json(bytes(sys.inputs.data))`. The template cannot read
/// files, import packages or ask for today's date.
///
/// Use this to render a document kind of your own with your own template;
/// [`crate::invoice_pdf`] is this with the invoice template.
pub fn render(template: &str, inputs: &serde_json::Value) -> Result<Vec<u8>, PdfError> {
    let main = Source::new(main_id()?, template.to_owned());
    let mut sys_inputs = Dict::new();
    sys_inputs.insert("data".into(), inputs.to_string().into_value());
    let world = TemplateWorld {
        library: LazyHash::new(Library::builder().with_inputs(sys_inputs).build()),
        main,
        fonts: fonts(),
    };
    let result = catch_unwind(AssertUnwindSafe(|| compile(&world)));
    typst::comemo::evict(CACHE_MAX_AGE);
    result.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        Err(PdfError::Internal(message))
    })
}

fn compile(world: &TemplateWorld) -> Result<Vec<u8>, PdfError> {
    let document: PagedDocument = typst::compile(world)
        .output
        .map_err(|errors| PdfError::Template(world.messages(&errors)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| PdfError::Export(world.messages(&errors)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_text_not_markup() {
        let template = "#let data = json(bytes(sys.inputs.data))\n#data.text";
        let pdf = render(template, &serde_json::json!({"text": "#panic(\"no\") *x*"})).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn template_errors_name_their_line() {
        let err = render("ok\n#undefined_thing", &serde_json::json!({})).unwrap_err();
        let PdfError::Template(messages) = &err else {
            panic!("{err:?}")
        };
        assert!(messages[0].starts_with("line 2: "), "{messages:?}");
        assert!(err.to_string().contains("undefined_thing"), "{err}");
    }

    #[test]
    fn templates_cannot_read_files_or_the_date() {
        for template in [
            "#read(\"/etc/passwd\")",
            "#import \"@preview/x:0.1.0\": *",
            "#datetime.today().display()",
        ] {
            assert!(
                matches!(
                    render(template, &serde_json::json!({})),
                    Err(PdfError::Template(_))
                ),
                "{template}"
            );
        }
    }
}
