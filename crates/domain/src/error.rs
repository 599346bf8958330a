//! Field errors: what a user sees next to the field they have to correct.

/// One problem with one field. `code` is a message-catalogue key
/// (`error-required`, `error-email`), so the web layer can translate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    /// Named values the message mentions (`resource`, `appointment`), empty
    /// for most messages.
    pub args: Vec<(&'static str, String)>,
}

/// All the problems found in one input, in the order the fields were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn one(field: &str, code: &'static str) -> Self {
        let mut errors = Self::new();
        errors.add(field, code);
        errors
    }

    pub fn add(&mut self, field: &str, code: &'static str) {
        self.add_with(field, code, Vec::new());
    }

    /// Adds an error whose message names things (`{ $resource } is booked`).
    pub fn add_with(&mut self, field: &str, code: &'static str, args: Vec<(&'static str, String)>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code,
            args,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The first error's code for `field`, for showing next to that field.
    pub fn for_field(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.code)
    }

    /// Ok when there is nothing to report, so validation can end with `errors.into_result(value)`.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Prefixes every field name, e.g. with `row 3: ` for CSV imports.
    pub fn prefixed(self, prefix: &str) -> Self {
        Self(
            self.0
                .into_iter()
                .map(|e| FieldError {
                    field: format!("{prefix}{}", e.field),
                    code: e.code,
                    args: e.args,
                })
                .collect(),
        )
    }

    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }
}
