//! How numbers, money and dates are written for a user's language.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    Es,
    Sv,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Es, Locale::Sv];

    /// The BCP 47 tag the message catalogue is filed under.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en-US",
            Locale::Es => "es-ES",
            Locale::Sv => "sv-SE",
        }
    }

    /// The language's own name, for the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
            Locale::Sv => "Svenska",
        }
    }

    /// Accepts `sv`, `sv-SE`, `sv_se`; `None` for a language Seam has no catalogue for.
    pub fn parse(tag: &str) -> Option<Locale> {
        let lang = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "en" => Some(Locale::En),
            "es" => Some(Locale::Es),
            "sv" => Some(Locale::Sv),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Locale {
        header
            .split(',')
            .filter_map(|part| Locale::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }

    fn separators(self) -> (&'static str, &'static str) {
        match self {
            Locale::En => (",", "."),
            Locale::Es => (".", ","),
            // Swedish groups with a no-break space.
            Locale::Sv => ("\u{a0}", ","),
        }
    }

    /// `1234567` as `1,234,567` / `1.234.567` / `1 234 567`.
    pub fn integer(self, n: i64) -> String {
        let (group, _) = self.separators();
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(group);
            }
            out.push(c);
        }
        out
    }

    /// An amount in minor units (cents) with the currency, e.g. `€1,234.56` or `1 234,56 kr`.
    pub fn money(self, minor: i64, currency: &str) -> String {
        let decimals = minor_digits(currency);
        let (_, decimal) = self.separators();
        let scale = 10_i64.pow(decimals);
        let whole = self.integer((minor / scale).abs());
        let sign = if minor < 0 { "-" } else { "" };
        let number = if decimals == 0 {
            whole
        } else {
            format!(
                "{whole}{decimal}{:0width$}",
                (minor % scale).abs(),
                width = decimals as usize
            )
        };
        let symbol = symbol(currency);
        match self {
            Locale::En if symbol.chars().count() == 1 => format!("{sign}{symbol}{number}"),
            Locale::En => format!("{sign}{symbol}\u{a0}{number}"),
            Locale::Es | Locale::Sv => format!(
                "{sign}{number}\u{a0}{}",
                self.local_symbol(currency, symbol)
            ),
        }
    }

    /// A rate in basis points as a percentage: `25%` / `12,5 %` / `12,5 %`
    /// (Spanish and Swedish put a no-break space before the sign).
    pub fn percent(self, bp: i64) -> String {
        let (_, decimal) = self.separators();
        let number = crate::product::format_rate(bp).replace('.', decimal);
        match self {
            Locale::En => format!("{number}%"),
            Locale::Es | Locale::Sv => format!("{number}\u{a0}%"),
        }
    }

    fn local_symbol(self, currency: &str, symbol: &'static str) -> &'static str {
        match (self, currency) {
            (Locale::Sv, "SEK") => "kr",
            (_, "SEK") => "SEK",
            _ => symbol,
        }
    }

    /// A calendar date: `Nov 23, 2026` / `23/11/2026` / `2026-11-23`.
    pub fn date(self, year: i16, month: i8, day: i8) -> String {
        match self {
            Locale::En => {
                let name = MONTHS_EN
                    .get(usize::try_from(month - 1).unwrap_or(0))
                    .unwrap_or(&"");
                format!("{name} {day}, {year}")
            }
            Locale::Es => format!("{day:02}/{month:02}/{year}"),
            Locale::Sv => format!("{year}-{month:02}-{day:02}"),
        }
    }

    /// A date with the time of day, 24-hour outside English.
    pub fn date_time(self, year: i16, month: i8, day: i8, hour: i8, minute: i8) -> String {
        let date = self.date(year, month, day);
        match self {
            Locale::En => {
                let (h12, half) = match hour {
                    0 => (12, "AM"),
                    1..=11 => (hour, "AM"),
                    12 => (12, "PM"),
                    _ => (hour - 12, "PM"),
                };
                format!("{date}, {h12}:{minute:02} {half}")
            }
            Locale::Es | Locale::Sv => format!("{date} {hour:02}:{minute:02}"),
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How many minor units a currency has (ISO 4217); two unless known otherwise.
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
        _ => 2,
    }
}

fn symbol(currency: &str) -> &'static str {
    match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        "SEK" => "SEK",
        "NOK" => "NOK",
        "DKK" => "DKK",
        "CHF" => "CHF",
        _ => "¤",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_group_by_locale() {
        assert_eq!(Locale::En.integer(1_234_567), "1,234,567");
        assert_eq!(Locale::Es.integer(-1_234), "-1.234");
        assert_eq!(Locale::Sv.integer(999), "999");
        assert_eq!(Locale::Sv.integer(1_000), "1\u{a0}000");
    }

    #[test]
    fn money_is_exact_and_local() {
        assert_eq!(Locale::En.money(123_456, "EUR"), "€1,234.56");
        assert_eq!(Locale::En.money(-5, "USD"), "-$0.05");
        assert_eq!(Locale::Es.money(123_456, "EUR"), "1.234,56\u{a0}€");
        assert_eq!(Locale::Sv.money(123_456, "SEK"), "1\u{a0}234,56\u{a0}kr");
        assert_eq!(Locale::En.money(1500, "JPY"), "¥1,500");
    }

    #[test]
    fn percentages_follow_the_locale() {
        assert_eq!(Locale::En.percent(2500), "25%");
        assert_eq!(Locale::Es.percent(1250), "12,5\u{a0}%");
        assert_eq!(Locale::Sv.percent(0), "0\u{a0}%");
    }

    #[test]
    fn dates_follow_the_locale() {
        assert_eq!(Locale::En.date(2026, 11, 3), "Nov 3, 2026");
        assert_eq!(Locale::Es.date(2026, 11, 3), "03/11/2026");
        assert_eq!(Locale::Sv.date_time(2026, 11, 3, 9, 5), "2026-11-03 09:05");
        assert_eq!(
            Locale::En.date_time(2026, 11, 3, 0, 5),
            "Nov 3, 2026, 12:05 AM"
        );
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(
            Locale::from_accept_language("de-DE,sv;q=0.8,en;q=0.5"),
            Locale::Sv
        );
        assert_eq!(Locale::from_accept_language("fr"), Locale::En);
    }
}
