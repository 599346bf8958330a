//! Every user-facing text comes from the Fluent catalogues in `locales/`,
//! compiled into the binary; a new language is a new folder, not a code change.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use seam_domain::locale::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Bidi isolation marks around arguments confuse copy-paste and tests; our texts are left-to-right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Texts and formats for one user's language.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub locale: Locale,
}

fn language(locale: Locale) -> LanguageIdentifier {
    locale.tag().parse().unwrap_or_default()
}

impl I18n {
    pub fn new(locale: Locale) -> I18n {
        I18n { locale }
    }

    /// The text for `key`; the key itself if no catalogue has it (so a gap shows, and never panics).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&language(self.locale), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with one named argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES
            .try_lookup_with_args(&language(self.locale), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with named arguments (a field error that names
    /// what it is about).
    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        if args.is_empty() {
            return self.t(key);
        }
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(&language(self.locale), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }

    pub fn integer(&self, n: &i64) -> String {
        self.locale.integer(*n)
    }

    /// An amount in minor units with its currency, written the user's way (`€1,234.56`, `1 234,56 kr`).
    pub fn money(&self, minor: i64, currency: &str) -> String {
        self.locale.money(minor, currency)
    }

    /// A stored `YYYY-MM-DD` date written the user's way; the text itself if it is not a date.
    pub fn date(&self, iso: &str) -> String {
        match seam_domain::ledger::Date::parse(iso) {
            Some(d) => self.locale.date(d.year, d.month, d.day),
            None => iso.to_owned(),
        }
    }

    /// A stored timestamp (µs since the epoch) in the user's time zone and format.
    pub fn timestamp(&self, at_us: &i64, time_zone: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_microsecond(*at_us) else {
            return String::new();
        };
        let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let dt = ts.to_zoned(tz).datetime();
        self.locale
            .date_time(dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute())
    }
}

/// Every key of a language's catalogue: all the `.ftl` files in its folder
/// (`main.ftl`, and one per capability such as `service.ftl`). Read from the
/// source tree, for the tests that every language is complete.
pub fn catalogue_keys(tag: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(tag);
    let mut keys = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "ftl")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                keys.extend(keys_of(&text));
            }
        }
    }
    keys
}

/// Every key of the English catalogue.
pub fn english_keys() -> Vec<String> {
    catalogue_keys("en-US")
}

pub fn keys_of(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two files defining one key make the bundle refuse the second, and
    /// every page of that language fails: keys are unique per language.
    #[test]
    fn no_key_is_defined_twice_in_a_language() {
        for tag in ["en-US", "es-ES", "sv-SE"] {
            let mut keys = catalogue_keys(tag);
            keys.sort();
            let twice: Vec<&String> = keys
                .windows(2)
                .filter_map(|w| match w {
                    [a, b] if a == b => Some(a),
                    _ => None,
                })
                .collect();
            assert!(twice.is_empty(), "{tag} defines {twice:?} twice");
        }
    }

    #[test]
    fn every_language_translates_every_english_key() {
        let english = english_keys();
        assert!(
            english.len() > 500,
            "read only {} English keys",
            english.len()
        );
        for tag in ["es-ES", "sv-SE"] {
            let keys = catalogue_keys(tag);
            let missing: Vec<&String> = english.iter().filter(|k| !keys.contains(k)).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
        }
    }

    /// Every `"error-…"` literal in the domain and app sources.
    fn codes_in_sources() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut codes = Vec::new();
        let mut files = Vec::new();
        let mut dirs = vec![root.join("domain/src"), root.join("app/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        {
            for path in files {
                let text = std::fs::read_to_string(path).unwrap();
                for (start, _) in text.match_indices("\"error-") {
                    let rest = &text[start + 1..];
                    let code: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                        .collect();
                    if rest[code.len()..].starts_with('"') && code.len() > 6 {
                        codes.push(code);
                    }
                }
            }
        }
        codes.sort();
        codes.dedup();
        codes
    }

    #[test]
    fn every_error_code_of_the_use_cases_has_a_message() {
        let codes = codes_in_sources();
        assert!(codes.len() > 20, "found only {codes:?}");
        let english = english_keys();
        let missing: Vec<&String> = codes.iter().filter(|c| !english.contains(c)).collect();
        assert!(missing.is_empty(), "no message for {missing:?}");
    }

    #[test]
    fn texts_come_in_the_users_language() {
        assert_eq!(I18n::new(Locale::En).t("nav-front-office"), "Front office");
        assert_ne!(I18n::new(Locale::Sv).t("nav-front-office"), "Front office");
        assert_eq!(I18n::new(Locale::En).t("no-such-key"), "no-such-key");
        // Every catalogue must parse: a broken one would fail every page at runtime.
        for locale in Locale::ALL {
            assert_ne!(I18n::new(locale).t("login"), "login", "{locale:?}");
        }
    }
}
