//! Payroll's rules, country-neutral: a salary structure is an ordered list of
//! rules, each producing one payslip line from the contract and the lines
//! above it. A country is modelled by writing its structure (see
//! docs/user/payroll.md), never by code.
//!
//! Money is in minor units (i64); rates are parts per million of the base
//! (`7.65 %` is `76_500`), so every product is exact in i128 before the one
//! rounding each rule states.

use crate::FieldErrors;
use crate::ledger::{Date, days_in_month};
use crate::sales::div_round_half_even;

/// A rate of one whole (100 %) in [`Rate`] units.
pub const RATE_ONE: i64 = 1_000_000;
/// The most rules one structure holds.
pub const RULES_MAX: usize = 100;
/// The built-in base every rule may name: the earnings and allowances listed above it.
pub const GROSS: &str = "GROSS";
/// The built-in base for the contract's (prorated) salary.
pub const SALARY: &str = "SALARY";

/// What a line does to the payslip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// Pay for work: adds to gross.
    Earning,
    /// Pay on top of work (meals, travel): adds to gross.
    Allowance,
    /// Withheld from the employee (their social contributions, pension).
    Deduction,
    /// Withheld income tax.
    IncomeTax,
    /// Paid by the employer on top of gross; never touches net.
    EmployerContribution,
    /// A subtotal later rules read (a taxable base): shown, never paid.
    Subtotal,
}

impl LineKind {
    pub const ALL: [LineKind; 6] = [
        LineKind::Earning,
        LineKind::Allowance,
        LineKind::Deduction,
        LineKind::IncomeTax,
        LineKind::EmployerContribution,
        LineKind::Subtotal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LineKind::Earning => "earning",
            LineKind::Allowance => "allowance",
            LineKind::Deduction => "deduction",
            LineKind::IncomeTax => "income_tax",
            LineKind::EmployerContribution => "employer_contribution",
            LineKind::Subtotal => "subtotal",
        }
    }

    pub fn parse(name: &str) -> Option<LineKind> {
        LineKind::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    fn adds_to_gross(self) -> bool {
        matches!(self, LineKind::Earning | LineKind::Allowance)
    }
}

/// How a rule rounds its exact result to minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest `step` minor units, halves away from zero.
    HalfUp,
    /// To the nearest `step`, halves to even (banker's rounding).
    HalfEven,
    /// Towards zero: what many tax tables ask for.
    Down,
}

impl Rounding {
    pub const ALL: [Rounding; 3] = [Rounding::HalfUp, Rounding::HalfEven, Rounding::Down];

    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Down => "down",
        }
    }

    pub fn parse(name: &str) -> Option<Rounding> {
        Rounding::ALL.into_iter().find(|r| r.name() == name.trim())
    }

    /// `numerator / denominator` rounded to a multiple of `step` minor units.
    pub fn apply(self, numerator: i128, denominator: i128, step: i64) -> i128 {
        let den = denominator * i128::from(step.max(1));
        let units = match self {
            Rounding::HalfEven => div_round_half_even(numerator, den),
            Rounding::Down => numerator / den,
            Rounding::HalfUp => {
                let q = numerator / den;
                let r = numerator % den;
                if 2 * r.abs() >= den.abs() {
                    q + numerator.signum() * den.signum()
                } else {
                    q
                }
            }
        };
        units * i128::from(step.max(1))
    }
}

/// One band of a progressive table: income from `from_minor` up to the next
/// band's start is taxed at `rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracket {
    pub from_minor: i64,
    pub rate: i64,
}

/// One term of a formula: `factor` (in [`RATE_ONE`] units) times a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub code: String,
    pub factor: i64,
}

/// How a rule computes its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computation {
    /// The contract's salary for the period, times the working-time share,
    /// prorated for a start or end inside the period.
    Salary,
    /// A fixed amount per period; `prorate` scales it like the salary.
    Fixed { amount_minor: i64, prorate: bool },
    /// `rate` of the sum of `of`, the base capped at `ceiling_minor`.
    Percentage {
        of: Vec<String>,
        rate: i64,
        ceiling_minor: Option<i64>,
    },
    /// A progressive (marginal) table over the sum of `of`. With
    /// `periods_per_year` the base is annualised first and the yearly amount
    /// divided back, as most income-tax tables are yearly.
    Brackets {
        of: Vec<String>,
        brackets: Vec<Bracket>,
        periods_per_year: Option<i64>,
    },
    /// `constant + Σ factor × line`, kept within `[min, max]`.
    Formula {
        terms: Vec<Term>,
        constant_minor: i64,
        min_minor: Option<i64>,
        max_minor: Option<i64>,
    },
}

impl Computation {
    pub fn method(&self) -> &'static str {
        match self {
            Computation::Salary => "salary",
            Computation::Fixed { .. } => "fixed",
            Computation::Percentage { .. } => "percentage",
            Computation::Brackets { .. } => "brackets",
            Computation::Formula { .. } => "formula",
        }
    }

    /// The codes this computation reads.
    fn reads(&self) -> Vec<&str> {
        match self {
            Computation::Salary | Computation::Fixed { .. } => Vec::new(),
            Computation::Percentage { of, .. } | Computation::Brackets { of, .. } => {
                of.iter().map(String::as_str).collect()
            }
            Computation::Formula { terms, .. } => terms.iter().map(|t| t.code.as_str()).collect(),
        }
    }
}

/// One rule of a salary structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Upper-case letters, digits and `_`: how later rules name this line.
    pub code: String,
    pub name: String,
    pub kind: LineKind,
    pub computation: Computation,
    pub rounding: Rounding,
    /// Round to multiples of this many minor units (1 = cents, 100 = whole units).
    pub step_minor: i64,
}

/// A structure as a sequence of rules, evaluated top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Structure {
    pub rules: Vec<Rule>,
}

/// Checks a structure: codes well formed and unique, every base names a rule
/// above it (so there are no cycles and the order is the evaluation order),
/// rates and amounts in range, brackets ascending from zero.
pub fn validate_structure(structure: &Structure) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if structure.rules.is_empty() {
        errors.add("rules", "error-required");
    }
    if structure.rules.len() > RULES_MAX {
        errors.add("rules", "error-too-many");
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, rule) in structure.rules.iter().enumerate() {
        let field = |name: &str| format!("rules[{i}].{name}");
        let code_ok = !rule.code.is_empty()
            && rule.code.len() <= 20
            && rule
                .code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && rule
                .code
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase());
        if !code_ok {
            errors.add(&field("code"), "error-payroll-code");
        } else if seen.contains(&rule.code.as_str()) || rule.code == GROSS || rule.code == SALARY {
            errors.add(&field("code"), "error-duplicate");
        }
        if rule.name.trim().is_empty() {
            errors.add(&field("name"), "error-required");
        }
        if rule.step_minor < 1 || rule.step_minor > 1_000_000 {
            errors.add(&field("step"), "error-payroll-step");
        }
        for read in rule.computation.reads() {
            if read != GROSS && read != SALARY && !seen.contains(&read) {
                errors.add_with(
                    &field("base"),
                    "error-payroll-unknown-base",
                    vec![("code", read.to_owned())],
                );
            }
        }
        match &rule.computation {
            Computation::Salary => {}
            Computation::Fixed { amount_minor, .. } => {
                if *amount_minor < 0 || *amount_minor > crate::ledger::AMOUNT_MINOR_MAX {
                    errors.add(&field("amount"), "error-amount");
                }
            }
            Computation::Percentage {
                of,
                rate,
                ceiling_minor,
            } => {
                if of.is_empty() {
                    errors.add(&field("base"), "error-required");
                }
                if *rate < 0 || *rate > RATE_ONE {
                    errors.add(&field("rate"), "error-payroll-rate");
                }
                if ceiling_minor.is_some_and(|c| c <= 0) {
                    errors.add(&field("ceiling"), "error-amount");
                }
            }
            Computation::Brackets {
                of,
                brackets,
                periods_per_year,
            } => {
                if of.is_empty() {
                    errors.add(&field("base"), "error-required");
                }
                let ascending = brackets.windows(2).all(|w| match w {
                    [a, b] => a.from_minor < b.from_minor,
                    _ => true,
                });
                if brackets.first().map(|b| b.from_minor) != Some(0) || !ascending {
                    errors.add(&field("brackets"), "error-payroll-brackets");
                }
                if brackets.iter().any(|b| b.rate < 0 || b.rate > RATE_ONE) {
                    errors.add(&field("brackets"), "error-payroll-rate");
                }
                if periods_per_year.is_some_and(|p| !(1..=366).contains(&p)) {
                    errors.add(&field("periods_per_year"), "error-payroll-periods");
                }
            }
            Computation::Formula {
                terms,
                min_minor,
                max_minor,
                ..
            } => {
                if terms.is_empty() {
                    errors.add(&field("terms"), "error-required");
                }
                if terms.iter().any(|t| t.factor.abs() > 100 * RATE_ONE) {
                    errors.add(&field("terms"), "error-payroll-rate");
                }
                if let (Some(min), Some(max)) = (min_minor, max_minor)
                    && min > max
                {
                    errors.add(&field("max"), "error-payroll-min-max");
                }
            }
        }
        seen.push(rule.code.as_str());
    }
    errors.into_result(())
}

/// One rule as typed in a form or sent to the API: every value text, so a
/// mistake comes back as a field error instead of a parse failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDraft {
    pub code: String,
    pub name: String,
    /// A [`LineKind`] name.
    pub kind: String,
    /// `salary`, `fixed`, `percentage`, `brackets` or `formula`.
    pub method: String,
    /// Fixed: the amount (`100.00`).
    pub amount: String,
    /// Fixed: scale with the days employed.
    pub prorate: bool,
    /// Percentage: the rate in percent (`7.65`).
    pub rate: String,
    /// Percentage and brackets: the codes summed into the base (`BASIC, MEAL`).
    pub base: String,
    /// Percentage: the highest base (an amount), or empty.
    pub ceiling: String,
    /// Brackets: `from:percent` pairs (`0:0, 10000:20, 40000:40`).
    pub brackets: String,
    /// Brackets: periods per year to annualise with (`12`), or empty.
    pub periods_per_year: String,
    /// Formula: `code:percent` terms (`GROSS:100, EE_SOC:-100`).
    pub terms: String,
    /// Formula: the constant, lower and upper bound (amounts, may be empty).
    pub constant: String,
    pub min: String,
    pub max: String,
    /// A [`Rounding`] name.
    pub rounding: String,
    /// Round to multiples of this amount (`0.01`, `1`); empty is the smallest unit.
    pub step: String,
}

/// Reads a signed amount (`-100.50`) as minor units.
fn signed_amount(text: &str, currency: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    match text.strip_prefix('-') {
        Some(rest) => crate::ledger::parse_amount(rest, currency).map(|a| -a),
        None => crate::ledger::parse_amount(text, currency),
    }
}

/// Reads a signed percentage (`-100`) as [`RATE_ONE`] units, up to ±10,000 %.
fn signed_percent(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let rest = rest.trim().trim_end_matches('%').trim();
    let (whole, fraction) = rest.split_once(['.', ',']).unwrap_or((rest, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 5
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 4
    {
        return Err("error-payroll-rate");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-payroll-rate")?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<4}")
            .parse()
            .map_err(|_| "error-payroll-rate")?
    };
    Ok(sign * (whole * 10_000 + fraction))
}

fn codes(text: &str) -> Vec<String> {
    text.split([',', ' ', '+'])
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Turns typed rules into a checked structure; every error names its field
/// (`rules[2].rate`), so a form can show it next to the value.
pub fn structure_from_drafts(
    drafts: &[RuleDraft],
    currency: &str,
) -> Result<Structure, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut rules = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        let field = |name: &str| format!("rules[{i}].{name}");
        let amount = |name: &str, text: &str, errors: &mut FieldErrors| -> Option<i64> {
            if text.trim().is_empty() {
                return None;
            }
            match signed_amount(text, currency) {
                Ok(a) => Some(a),
                Err(code) => {
                    errors.add(&field(name), code);
                    None
                }
            }
        };
        let kind = LineKind::parse(&d.kind).unwrap_or_else(|| {
            errors.add(&field("kind"), "error-payroll-kind");
            LineKind::Earning
        });
        let rounding = if d.rounding.trim().is_empty() {
            Rounding::HalfUp
        } else {
            Rounding::parse(&d.rounding).unwrap_or_else(|| {
                errors.add(&field("rounding"), "error-payroll-rounding");
                Rounding::HalfUp
            })
        };
        let step_minor = amount("step", &d.step, &mut errors).unwrap_or(1);
        let computation = match d.method.trim() {
            "salary" => Computation::Salary,
            "fixed" => {
                if d.amount.trim().is_empty() {
                    errors.add(&field("amount"), "error-required");
                }
                Computation::Fixed {
                    amount_minor: amount("amount", &d.amount, &mut errors).unwrap_or(0),
                    prorate: d.prorate,
                }
            }
            "percentage" => Computation::Percentage {
                of: codes(&d.base),
                rate: parse_percent(&d.rate).unwrap_or_else(|code| {
                    errors.add(&field("rate"), code);
                    0
                }),
                ceiling_minor: amount("ceiling", &d.ceiling, &mut errors),
            },
            "brackets" => {
                let mut brackets = Vec::new();
                for pair in d
                    .brackets
                    .split([',', ';', '\n'])
                    .filter(|p| !p.trim().is_empty())
                {
                    let parsed = pair.split_once(':').and_then(|(from, rate)| {
                        Some(Bracket {
                            from_minor: crate::ledger::parse_amount(from, currency).ok()?,
                            rate: parse_percent(rate).ok()?,
                        })
                    });
                    match parsed {
                        Some(b) => brackets.push(b),
                        None => {
                            errors.add(&field("brackets"), "error-payroll-brackets");
                            break;
                        }
                    }
                }
                let periods_per_year = match d.periods_per_year.trim() {
                    "" => None,
                    text => match text.parse::<i64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            errors.add(&field("periods_per_year"), "error-payroll-periods");
                            None
                        }
                    },
                };
                Computation::Brackets {
                    of: codes(&d.base),
                    brackets,
                    periods_per_year,
                }
            }
            "formula" => {
                let mut terms = Vec::new();
                for term in d.terms.split([',', ';']).filter(|t| !t.trim().is_empty()) {
                    let parsed = term.split_once(':').and_then(|(code, factor)| {
                        Some(Term {
                            code: code.trim().to_uppercase(),
                            factor: signed_percent(factor).ok()?,
                        })
                    });
                    match parsed {
                        Some(t) => terms.push(t),
                        None => {
                            errors.add(&field("terms"), "error-payroll-terms");
                            break;
                        }
                    }
                }
                Computation::Formula {
                    terms,
                    constant_minor: amount("constant", &d.constant, &mut errors).unwrap_or(0),
                    min_minor: amount("min", &d.min, &mut errors),
                    max_minor: amount("max", &d.max, &mut errors),
                }
            }
            _ => {
                errors.add(&field("method"), "error-payroll-method");
                Computation::Salary
            }
        };
        rules.push(Rule {
            code: d.code.trim().to_uppercase(),
            name: d.name.trim().to_owned(),
            kind,
            computation,
            rounding,
            step_minor,
        });
    }
    let structure = Structure { rules };
    if let Err(more) = validate_structure(&structure) {
        for e in more.iter() {
            // A field already reported once keeps its first, more precise message.
            if !errors.iter().any(|seen| seen.field == e.field) {
                errors.add_with(&e.field, e.code, e.args.clone());
            }
        }
    }
    errors.into_result(structure)
}

/// A rule written back as a draft, for a form prefilled with the current version.
pub fn draft_of(rule: &Rule, currency: &str) -> RuleDraft {
    let money = |minor: i64| {
        if minor < 0 {
            format!("-{}", crate::ledger::format_amount(-minor, currency))
        } else {
            crate::ledger::format_amount(minor, currency)
        }
    };
    let opt = |minor: Option<i64>| minor.map(money).unwrap_or_default();
    let mut d = RuleDraft {
        code: rule.code.clone(),
        name: rule.name.clone(),
        kind: rule.kind.name().to_owned(),
        method: rule.computation.method().to_owned(),
        rounding: rule.rounding.name().to_owned(),
        step: if rule.step_minor == 1 {
            String::new()
        } else {
            money(rule.step_minor)
        },
        ..RuleDraft::default()
    };
    match &rule.computation {
        Computation::Salary => {}
        Computation::Fixed {
            amount_minor,
            prorate,
        } => {
            d.amount = money(*amount_minor);
            d.prorate = *prorate;
        }
        Computation::Percentage {
            of,
            rate,
            ceiling_minor,
        } => {
            d.base = of.join(", ");
            d.rate = format_percent(*rate);
            d.ceiling = opt(*ceiling_minor);
        }
        Computation::Brackets {
            of,
            brackets,
            periods_per_year,
        } => {
            d.base = of.join(", ");
            d.brackets = brackets
                .iter()
                .map(|b| format!("{}:{}", money(b.from_minor), format_percent(b.rate)))
                .collect::<Vec<_>>()
                .join(", ");
            d.periods_per_year = periods_per_year.map(|p| p.to_string()).unwrap_or_default();
        }
        Computation::Formula {
            terms,
            constant_minor,
            min_minor,
            max_minor,
        } => {
            d.terms = terms
                .iter()
                .map(|t| {
                    let sign = if t.factor < 0 { "-" } else { "" };
                    format!("{}:{sign}{}", t.code, format_percent(t.factor.abs()))
                })
                .collect::<Vec<_>>()
                .join(", ");
            d.constant = if *constant_minor == 0 {
                String::new()
            } else {
                money(*constant_minor)
            };
            d.min = opt(*min_minor);
            d.max = opt(*max_minor);
        }
    }
    d
}

/// What the engine needs to know about one employee for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayInput {
    pub period_start: Date,
    pub period_end: Date,
    /// The contract's salary, per whatever the contract states.
    pub salary_minor: i64,
    /// The fraction of `salary_minor` one period pays, as (numerator,
    /// denominator): 1/1 for a monthly salary, 1/12 for a yearly one, 52
    /// weeks of the contract's hours / 12 for an hourly wage, times a
    /// part-time share where the structure's salary is full time.
    pub salary_scale: (i64, i64),
    /// The first and last day employed; outside the period means the whole period.
    pub employed_from: Date,
    pub employed_to: Option<Date>,
}

/// One computed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    pub code: String,
    pub name: String,
    pub kind: LineKind,
    /// The base the rate applied to, where there was one.
    pub base_minor: Option<i64>,
    pub amount_minor: i64,
}

/// A computed payslip: its lines and the four totals that post to the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payslip {
    pub lines: Vec<PayLine>,
    pub gross_minor: i64,
    pub deductions_minor: i64,
    pub tax_minor: i64,
    pub employer_minor: i64,
    pub net_minor: i64,
    /// Days employed and days in the period: the proration every prorated line used.
    pub days_paid: i64,
    pub days_in_period: i64,
}

/// Why a payslip could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayError {
    /// The employee was not employed on any day of the period.
    NotEmployed,
    /// The period ends before it starts.
    BadPeriod,
    /// A sum left the range money may take.
    Overflow,
}

/// The days employed in the period and the days of the period, both inclusive.
pub fn proration(input: &PayInput) -> Result<(i64, i64), PayError> {
    let total = crate::invoice::days_between(input.period_start, input.period_end) + 1;
    if total < 1 {
        return Err(PayError::BadPeriod);
    }
    let first = input.employed_from.max(input.period_start);
    let last = input
        .employed_to
        .map_or(input.period_end, |to| to.min(input.period_end));
    if last < first {
        return Err(PayError::NotEmployed);
    }
    Ok((crate::invoice::days_between(first, last) + 1, total))
}

/// Computes one payslip. Every rule is evaluated in order; a line reads the
/// exact amounts of the lines above it, so a rounding is never rounded again.
pub fn compute(structure: &Structure, input: &PayInput) -> Result<Payslip, PayError> {
    let (days_paid, days_in_period) = proration(input)?;
    let mut lines: Vec<PayLine> = Vec::with_capacity(structure.rules.len());
    let mut gross: i128 = 0;
    let value_of = |lines: &[PayLine], gross: i128, code: &str, salary: i128| -> i128 {
        match code {
            GROSS => gross,
            SALARY => salary,
            _ => lines
                .iter()
                .find(|l| l.code == code)
                .map_or(0, |l| i128::from(l.amount_minor)),
        }
    };
    // The salary scaled by working time and days, kept exact until a rule rounds it.
    let (scale_num, scale_den) = input.salary_scale;
    if scale_den <= 0 || scale_num < 0 {
        return Err(PayError::BadPeriod);
    }
    let salary_num = i128::from(input.salary_minor) * i128::from(scale_num) * i128::from(days_paid);
    let salary_den = i128::from(scale_den) * i128::from(days_in_period);
    let salary_rounded = Rounding::HalfUp.apply(salary_num, salary_den, 1);

    for rule in &structure.rules {
        let step = rule.step_minor;
        let (base, amount): (Option<i128>, i128) = match &rule.computation {
            Computation::Salary => (None, rule.rounding.apply(salary_num, salary_den, step)),
            Computation::Fixed {
                amount_minor,
                prorate,
            } => {
                let amount = if *prorate {
                    rule.rounding.apply(
                        i128::from(*amount_minor) * i128::from(days_paid),
                        i128::from(days_in_period),
                        step,
                    )
                } else {
                    i128::from(*amount_minor)
                };
                (None, amount)
            }
            Computation::Percentage {
                of,
                rate,
                ceiling_minor,
            } => {
                let sum: i128 = of
                    .iter()
                    .map(|c| value_of(&lines, gross, c, salary_rounded))
                    .sum();
                let base = ceiling_minor.map_or(sum, |c| sum.min(i128::from(c)));
                let amount =
                    rule.rounding
                        .apply(base * i128::from(*rate), i128::from(RATE_ONE), step);
                (Some(base), amount)
            }
            Computation::Brackets {
                of,
                brackets,
                periods_per_year,
            } => {
                let base: i128 = of
                    .iter()
                    .map(|c| value_of(&lines, gross, c, salary_rounded))
                    .sum();
                let periods = i128::from(periods_per_year.unwrap_or(1));
                let yearly_base = base * periods;
                let tax_num = marginal(yearly_base, brackets);
                let amount = rule
                    .rounding
                    .apply(tax_num, i128::from(RATE_ONE) * periods, step);
                (Some(base), amount)
            }
            Computation::Formula {
                terms,
                constant_minor,
                min_minor,
                max_minor,
            } => {
                let sum: i128 = terms
                    .iter()
                    .map(|t| {
                        value_of(&lines, gross, &t.code, salary_rounded) * i128::from(t.factor)
                    })
                    .sum::<i128>()
                    + i128::from(*constant_minor) * i128::from(RATE_ONE);
                let mut amount = rule.rounding.apply(sum, i128::from(RATE_ONE), step);
                if let Some(min) = min_minor {
                    amount = amount.max(i128::from(*min));
                }
                if let Some(max) = max_minor {
                    amount = amount.min(i128::from(*max));
                }
                (None, amount)
            }
        };
        let amount_minor = i64::try_from(amount).map_err(|_| PayError::Overflow)?;
        let base_minor = base
            .map(i64::try_from)
            .transpose()
            .map_err(|_| PayError::Overflow)?;
        if rule.kind.adds_to_gross() {
            gross += amount;
        }
        lines.push(PayLine {
            code: rule.code.clone(),
            name: rule.name.clone(),
            kind: rule.kind,
            base_minor,
            amount_minor,
        });
    }
    totals(lines, days_paid, days_in_period)
}

/// The tax of a marginal table on `base`, times [`RATE_ONE`] (not yet divided).
fn marginal(base: i128, brackets: &[Bracket]) -> i128 {
    let mut tax = 0;
    for (i, bracket) in brackets.iter().enumerate() {
        let from = i128::from(bracket.from_minor);
        if base <= from {
            break;
        }
        let to = brackets
            .get(i + 1)
            .map_or(base, |next| base.min(i128::from(next.from_minor)));
        tax += (to - from) * i128::from(bracket.rate);
    }
    tax
}

fn totals(lines: Vec<PayLine>, days_paid: i64, days_in_period: i64) -> Result<Payslip, PayError> {
    let sum = |kinds: &[LineKind]| -> Result<i64, PayError> {
        lines
            .iter()
            .filter(|l| kinds.contains(&l.kind))
            .try_fold(0_i64, |acc, l| acc.checked_add(l.amount_minor))
            .ok_or(PayError::Overflow)
    };
    let gross_minor = sum(&[LineKind::Earning, LineKind::Allowance])?;
    let deductions_minor = sum(&[LineKind::Deduction])?;
    let tax_minor = sum(&[LineKind::IncomeTax])?;
    let employer_minor = sum(&[LineKind::EmployerContribution])?;
    let net_minor = gross_minor
        .checked_sub(deductions_minor)
        .and_then(|n| n.checked_sub(tax_minor))
        .ok_or(PayError::Overflow)?;
    Ok(Payslip {
        lines,
        gross_minor,
        deductions_minor,
        tax_minor,
        employer_minor,
        net_minor,
        days_paid,
        days_in_period,
    })
}

/// What a correction pays: `now` less what `paid` (the earlier payslips of
/// the same employee and period) already paid, line by line and in total.
/// Lines keep `now`'s order; a line paid before but gone now is paid back.
pub fn difference(now: &Payslip, paid: &[Payslip]) -> Result<Payslip, PayError> {
    let paid_of = |code: &str| -> Result<i64, PayError> {
        paid.iter()
            .flat_map(|p| p.lines.iter())
            .filter(|l| l.code == code)
            .try_fold(0_i64, |acc, l| acc.checked_add(l.amount_minor))
            .ok_or(PayError::Overflow)
    };
    let mut lines = Vec::with_capacity(now.lines.len());
    for line in &now.lines {
        lines.push(PayLine {
            amount_minor: line
                .amount_minor
                .checked_sub(paid_of(&line.code)?)
                .ok_or(PayError::Overflow)?,
            ..line.clone()
        });
    }
    for old in paid.iter().flat_map(|p| p.lines.iter()) {
        if !lines.iter().any(|l| l.code == old.code) {
            lines.push(PayLine {
                base_minor: None,
                amount_minor: -paid_of(&old.code)?,
                ..old.clone()
            });
        }
    }
    totals(lines, now.days_paid, now.days_in_period)
}

/// The accounts a payroll posting touches, by role; the company's chart maps
/// each role to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostingRole {
    SalaryExpense,
    EmployerExpense,
    NetPayable,
    TaxLiability,
    ContributionLiability,
}

/// The one journal entry of a payroll run, as (role, debit, credit) lines.
/// It balances by construction: gross + employer = net + tax + deductions + employer.
pub fn posting(payslips: &[Payslip]) -> Result<Vec<(PostingRole, i64, i64)>, PayError> {
    let total = |f: fn(&Payslip) -> i64| -> Result<i64, PayError> {
        payslips
            .iter()
            .try_fold(0_i64, |acc, p| acc.checked_add(f(p)))
            .ok_or(PayError::Overflow)
    };
    let gross = total(|p| p.gross_minor)?;
    let employer = total(|p| p.employer_minor)?;
    let net = total(|p| p.net_minor)?;
    let tax = total(|p| p.tax_minor)?;
    let contributions = total(|p| p.deductions_minor)?
        .checked_add(employer)
        .ok_or(PayError::Overflow)?;
    let lines = [
        (PostingRole::SalaryExpense, gross, 0),
        (PostingRole::EmployerExpense, employer, 0),
        (PostingRole::NetPayable, 0, net),
        (PostingRole::TaxLiability, 0, tax),
        (PostingRole::ContributionLiability, 0, contributions),
    ];
    // A negative amount posts on the other side (a correction run that pays
    // back less, a net below zero); a zero line says nothing.
    Ok(lines
        .into_iter()
        .map(|(role, debit, credit)| {
            let net = debit - credit;
            if net >= 0 {
                (role, net, 0)
            } else {
                (role, 0, -net)
            }
        })
        .filter(|(_, d, c)| *d != 0 || *c != 0)
        .collect())
}

/// The calendar month holding `date`, as its first and last day.
pub fn month_of(date: Date) -> (Date, Date) {
    let first = Date { day: 1, ..date };
    let last = Date {
        day: days_in_month(date.year, date.month),
        ..date
    };
    (first, last)
}

/// Reads a percentage typed by a person (`7.65`, `12,5`) as [`RATE_ONE`]
/// units; at most four decimals, from 0 to 100.
pub fn parse_percent(text: &str) -> Result<i64, &'static str> {
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 4
    {
        return Err("error-payroll-rate");
    }
    let whole: i64 = whole.parse().map_err(|_| "error-payroll-rate")?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<4}")
            .parse()
            .map_err(|_| "error-payroll-rate")?
    };
    let rate = whole * 10_000 + fraction;
    if rate > RATE_ONE {
        return Err("error-payroll-rate");
    }
    Ok(rate)
}

/// A rate in [`RATE_ONE`] units as a percentage without trailing zeros.
pub fn format_percent(rate: i64) -> String {
    let whole = rate / 10_000;
    let fraction = format!("{:04}", (rate % 10_000).abs());
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The state of a payroll run. Posting is the point of no return: a posted
/// period is corrected by a correction run, never recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Draft,
    Computed,
    Approved,
    Posted,
    Paid,
}

impl RunState {
    pub const ALL: [RunState; 5] = [
        RunState::Draft,
        RunState::Computed,
        RunState::Approved,
        RunState::Posted,
        RunState::Paid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RunState::Draft => "draft",
            RunState::Computed => "computed",
            RunState::Approved => "approved",
            RunState::Posted => "posted",
            RunState::Paid => "paid",
        }
    }

    pub fn parse(name: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether `compute` may (re)write the payslips: only before approval.
    pub fn may_compute(self) -> bool {
        matches!(self, RunState::Draft | RunState::Computed)
    }

    /// The state the next step of the run leads to, if `action` is allowed now.
    pub fn next(self, action: RunAction) -> Option<RunState> {
        match (self, action) {
            (RunState::Draft | RunState::Computed, RunAction::Compute) => Some(RunState::Computed),
            (RunState::Computed, RunAction::Approve) => Some(RunState::Approved),
            (RunState::Approved, RunAction::Post) => Some(RunState::Posted),
            (RunState::Posted, RunAction::Pay) => Some(RunState::Paid),
            _ => None,
        }
    }
}

/// The steps of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    Compute,
    Approve,
    Post,
    Pay,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn rule(code: &str, kind: LineKind, computation: Computation) -> Rule {
        Rule {
            code: code.into(),
            name: code.to_lowercase(),
            kind,
            computation,
            rounding: Rounding::HalfUp,
            step_minor: 1,
        }
    }

    fn pct(of: &[&str], percent: &str) -> Computation {
        Computation::Percentage {
            of: of.iter().map(|s| (*s).to_owned()).collect(),
            rate: parse_percent(percent).unwrap(),
            ceiling_minor: None,
        }
    }

    /// The demo's worked example: salary, a meal allowance, 8 % employee and
    /// 12 % employer contributions on gross, and a yearly progressive tax of
    /// 0 % to 10,000, 20 % to 40,000 and 40 % above, on gross less contributions.
    fn example() -> Structure {
        let mut tax = rule(
            "TAX",
            LineKind::IncomeTax,
            Computation::Brackets {
                of: vec!["TAXABLE".into()],
                brackets: vec![
                    Bracket {
                        from_minor: 0,
                        rate: 0,
                    },
                    Bracket {
                        from_minor: 1_000_000,
                        rate: 200_000,
                    },
                    Bracket {
                        from_minor: 4_000_000,
                        rate: 400_000,
                    },
                ],
                periods_per_year: Some(12),
            },
        );
        tax.rounding = Rounding::Down;
        Structure {
            rules: vec![
                rule("BASIC", LineKind::Earning, Computation::Salary),
                rule(
                    "MEAL",
                    LineKind::Allowance,
                    Computation::Fixed {
                        amount_minor: 10_000,
                        prorate: true,
                    },
                ),
                rule("EE_SOC", LineKind::Deduction, pct(&[GROSS], "8")),
                rule(
                    "ER_SOC",
                    LineKind::EmployerContribution,
                    pct(&[GROSS], "12"),
                ),
                rule(
                    "TAXABLE",
                    LineKind::Subtotal,
                    Computation::Formula {
                        terms: vec![
                            Term {
                                code: GROSS.into(),
                                factor: RATE_ONE,
                            },
                            Term {
                                code: "EE_SOC".into(),
                                factor: -RATE_ONE,
                            },
                        ],
                        constant_minor: 0,
                        min_minor: Some(0),
                        max_minor: None,
                    },
                ),
                tax,
            ],
        }
    }

    fn full_month(salary: i64) -> PayInput {
        PayInput {
            period_start: d("2026-03-01"),
            period_end: d("2026-03-31"),
            salary_minor: salary,
            salary_scale: (1, 1),
            employed_from: d("2020-01-01"),
            employed_to: None,
        }
    }

    #[test]
    fn brackets_are_marginal_and_annualised() {
        // 3,000.00 a month is 36,000.00 a year: 0 on the first 10,000,
        // 20 % of 26,000 = 5,200; a twelfth is 433.33 (rounded down).
        let s = Structure {
            rules: vec![
                rule("BASIC", LineKind::Earning, Computation::Salary),
                Rule {
                    rounding: Rounding::Down,
                    ..rule(
                        "TAX",
                        LineKind::IncomeTax,
                        Computation::Brackets {
                            of: vec![GROSS.into()],
                            brackets: vec![
                                Bracket {
                                    from_minor: 0,
                                    rate: 0,
                                },
                                Bracket {
                                    from_minor: 1_000_000,
                                    rate: 200_000,
                                },
                                Bracket {
                                    from_minor: 4_000_000,
                                    rate: 400_000,
                                },
                            ],
                            periods_per_year: Some(12),
                        },
                    )
                },
            ],
        };
        validate_structure(&s).unwrap();
        let slip = compute(&s, &full_month(300_000)).unwrap();
        assert_eq!(slip.tax_minor, 43_333);
        assert_eq!(slip.net_minor, 300_000 - 43_333);
        // 5,000.00 a month is 60,000 a year: 6,000 + 40 % of 20,000 = 14,000; /12 = 1,166.66.
        let slip = compute(&s, &full_month(500_000)).unwrap();
        assert_eq!(slip.tax_minor, 116_666);
    }

    #[test]
    fn a_worked_month_adds_up() {
        let s = example();
        validate_structure(&s).unwrap();
        let slip = compute(&s, &full_month(300_000)).unwrap();
        let line = |c: &str| {
            slip.lines
                .iter()
                .find(|l| l.code == c)
                .unwrap()
                .amount_minor
        };
        assert_eq!(line("BASIC"), 300_000);
        assert_eq!(line("MEAL"), 10_000);
        assert_eq!(line("EE_SOC"), 24_800); // 8 % of 3,100.00
        assert_eq!(line("ER_SOC"), 37_200); // 12 % of 3,100.00
        assert_eq!(line("TAXABLE"), 285_200); // 3,100.00 − 248.00
        // 34,224.00 a year: 20 % of 24,224.00 = 4,844.80; a twelfth is 403.73 (down).
        assert_eq!(line("TAX"), 40_373);
        assert_eq!(slip.gross_minor, 310_000);
        assert_eq!(slip.net_minor, 310_000 - 24_800 - 40_373);
        assert_eq!(slip.employer_minor, 37_200);
    }

    #[test]
    fn a_mid_month_start_is_prorated_by_calendar_days() {
        let s = Structure {
            rules: vec![
                rule("BASIC", LineKind::Earning, Computation::Salary),
                rule(
                    "MEAL",
                    LineKind::Allowance,
                    Computation::Fixed {
                        amount_minor: 10_000,
                        prorate: true,
                    },
                ),
                rule(
                    "BONUS",
                    LineKind::Earning,
                    Computation::Fixed {
                        amount_minor: 5_000,
                        prorate: false,
                    },
                ),
            ],
        };
        // Starting on the 16th of a 30-day month: 15 of 30 days.
        let input = PayInput {
            period_start: d("2026-04-01"),
            period_end: d("2026-04-30"),
            employed_from: d("2026-04-16"),
            ..full_month(300_001)
        };
        let slip = compute(&s, &input).unwrap();
        assert_eq!((slip.days_paid, slip.days_in_period), (15, 30));
        // 3,000.01 × 15/30 = 1,500.005 → 1,500.01 half up.
        assert_eq!(slip.lines[0].amount_minor, 150_001);
        assert_eq!(slip.lines[1].amount_minor, 5_000);
        assert_eq!(slip.lines[2].amount_minor, 5_000);
        assert_eq!(slip.gross_minor, 160_001);
    }

    #[test]
    fn part_time_and_a_last_day_inside_the_period_both_scale_the_salary() {
        let s = Structure {
            rules: vec![rule("BASIC", LineKind::Earning, Computation::Salary)],
        };
        let input = PayInput {
            salary_scale: (3, 4),
            employed_to: Some(d("2026-03-10")),
            ..full_month(310_000)
        };
        // 3,100.00 × 75 % × 10/31 = 750.00.
        assert_eq!(compute(&s, &input).unwrap().gross_minor, 75_000);
        let gone = PayInput {
            employed_to: Some(d("2026-02-28")),
            ..full_month(310_000)
        };
        assert_eq!(compute(&s, &gone), Err(PayError::NotEmployed));
    }

    #[test]
    fn roundings_differ_only_where_they_should() {
        // 2.5 units of step 1.
        assert_eq!(Rounding::HalfUp.apply(5, 2, 1), 3);
        assert_eq!(Rounding::HalfEven.apply(5, 2, 1), 2);
        assert_eq!(Rounding::Down.apply(5, 2, 1), 2);
        assert_eq!(Rounding::HalfUp.apply(-5, 2, 1), -3);
        // To whole units of 100 minor: 12,345 → 12,300 (half up), 12,300 (down).
        assert_eq!(Rounding::HalfUp.apply(12_345, 1, 100), 12_300);
        assert_eq!(Rounding::HalfUp.apply(12_350, 1, 100), 12_400);
        assert_eq!(Rounding::Down.apply(12_399, 1, 100), 12_300);
    }

    #[test]
    fn a_ceiling_caps_the_base_and_a_formula_is_clamped() {
        let s = Structure {
            rules: vec![
                rule("BASIC", LineKind::Earning, Computation::Salary),
                rule(
                    "PENSION",
                    LineKind::Deduction,
                    Computation::Percentage {
                        of: vec!["BASIC".into()],
                        rate: parse_percent("9.3").unwrap(),
                        ceiling_minor: Some(700_000),
                    },
                ),
                rule(
                    "UNION",
                    LineKind::Deduction,
                    Computation::Formula {
                        terms: vec![Term {
                            code: "BASIC".into(),
                            factor: 10_000, // 1 %
                        }],
                        constant_minor: 500,
                        min_minor: None,
                        max_minor: Some(5_000),
                    },
                ),
            ],
        };
        validate_structure(&s).unwrap();
        let slip = compute(&s, &full_month(1_000_000)).unwrap();
        assert_eq!(slip.lines[1].base_minor, Some(700_000));
        assert_eq!(slip.lines[1].amount_minor, 65_100);
        assert_eq!(slip.lines[2].amount_minor, 5_000);
        assert_eq!(slip.net_minor, 1_000_000 - 65_100 - 5_000);
    }

    #[test]
    fn the_posting_balances() {
        let s = example();
        let slips: Vec<Payslip> = [250_000, 300_000, 812_345]
            .into_iter()
            .map(|salary| compute(&s, &full_month(salary)).unwrap())
            .collect();
        let lines = posting(&slips).unwrap();
        let debit: i64 = lines.iter().map(|l| l.1).sum();
        let credit: i64 = lines.iter().map(|l| l.2).sum();
        assert_eq!(debit, credit);
        assert!(lines.iter().any(|l| l.0 == PostingRole::TaxLiability));
    }

    #[test]
    fn a_structure_must_name_only_rules_above_and_be_well_formed() {
        validate_structure(&example()).unwrap();
        let bad = Structure {
            rules: vec![
                rule("EE", LineKind::Deduction, pct(&["BASIC"], "8")),
                rule("BASIC", LineKind::Earning, Computation::Salary),
                rule("BASIC", LineKind::Earning, Computation::Salary),
                rule("lower", LineKind::Earning, Computation::Salary),
                rule(
                    "TAX",
                    LineKind::IncomeTax,
                    Computation::Brackets {
                        of: vec![GROSS.into()],
                        brackets: vec![Bracket {
                            from_minor: 100,
                            rate: 10,
                        }],
                        periods_per_year: None,
                    },
                ),
            ],
        };
        let errors = validate_structure(&bad).unwrap_err();
        let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(codes.contains(&("rules[0].base", "error-payroll-unknown-base")));
        assert!(codes.contains(&("rules[2].code", "error-duplicate")));
        assert!(codes.contains(&("rules[3].code", "error-payroll-code")));
        assert!(codes.contains(&("rules[4].brackets", "error-payroll-brackets")));
        assert!(validate_structure(&Structure::default()).is_err());
    }

    #[test]
    fn a_correction_posts_only_the_difference_and_still_balances() {
        let s = example();
        let before = compute(&s, &full_month(300_000)).unwrap();
        let after = compute(&s, &full_month(280_000)).unwrap();
        let diff = difference(&after, std::slice::from_ref(&before)).unwrap();
        assert_eq!(diff.gross_minor, after.gross_minor - before.gross_minor);
        assert_eq!(diff.net_minor, after.net_minor - before.net_minor);
        assert!(diff.lines.iter().all(|l| l.amount_minor <= 0));
        let lines = posting(&[diff]).unwrap();
        let debit: i64 = lines.iter().map(|l| l.1).sum();
        let credit: i64 = lines.iter().map(|l| l.2).sum();
        assert_eq!(debit, credit);
        // Less salary: the expense is credited back, the payable debited.
        assert!(
            lines
                .iter()
                .any(|l| l.0 == PostingRole::SalaryExpense && l.2 > 0)
        );
        let same = difference(&before, std::slice::from_ref(&before)).unwrap();
        assert!(same.lines.iter().all(|l| l.amount_minor == 0));
    }

    #[test]
    fn typed_rules_become_the_worked_example_and_write_back_unchanged() {
        let structure = example();
        let drafts: Vec<RuleDraft> = structure.rules.iter().map(|r| draft_of(r, "EUR")).collect();
        assert_eq!(drafts[5].brackets, "0.00:0, 10000.00:20, 40000.00:40");
        assert_eq!(drafts[4].terms, "GROSS:100, EE_SOC:-100");
        assert_eq!(structure_from_drafts(&drafts, "EUR").unwrap(), structure);
    }

    #[test]
    fn typed_rules_report_each_bad_value_by_field() {
        let drafts = vec![
            RuleDraft {
                code: "basic".into(),
                name: "Basic".into(),
                kind: "earning".into(),
                method: "salary".into(),
                ..RuleDraft::default()
            },
            RuleDraft {
                code: "SOC".into(),
                name: "Social".into(),
                kind: "deduction".into(),
                method: "percentage".into(),
                rate: "150".into(),
                base: "BASIC".into(),
                ..RuleDraft::default()
            },
            RuleDraft {
                code: "TAX".into(),
                name: "Tax".into(),
                kind: "tax".into(),
                method: "brackets".into(),
                base: "NOPE".into(),
                brackets: "0:0, lots".into(),
                ..RuleDraft::default()
            },
            RuleDraft {
                code: "X".into(),
                name: "".into(),
                kind: "allowance".into(),
                method: "fixed".into(),
                amount: "12.345".into(),
                ..RuleDraft::default()
            },
        ];
        let errors = structure_from_drafts(&drafts, "EUR").unwrap_err();
        assert_eq!(
            errors.for_field("rules[1].rate"),
            Some("error-payroll-rate")
        );
        assert_eq!(
            errors.for_field("rules[2].kind"),
            Some("error-payroll-kind")
        );
        assert_eq!(
            errors.for_field("rules[2].brackets"),
            Some("error-payroll-brackets")
        );
        assert_eq!(
            errors.for_field("rules[2].base"),
            Some("error-payroll-unknown-base")
        );
        assert!(errors.for_field("rules[3].amount").is_some());
        assert_eq!(errors.for_field("rules[3].name"), Some("error-required"));
        // Lower-case codes are accepted and written in capitals.
        assert_eq!(errors.for_field("rules[0].code"), None);
    }

    #[test]
    fn percentages_read_and_write_back() {
        assert_eq!(parse_percent("7.65"), Ok(76_500));
        assert_eq!(parse_percent("12,5 %"), Ok(125_000));
        assert_eq!(parse_percent("100"), Ok(RATE_ONE));
        assert!(parse_percent("100.01").is_err());
        assert!(parse_percent("-1").is_err());
        assert!(parse_percent("1.23456").is_err());
        assert_eq!(format_percent(76_500), "7.65");
        assert_eq!(format_percent(200_000), "20");
    }

    #[test]
    fn runs_move_forward_only() {
        use RunAction::*;
        assert_eq!(RunState::Draft.next(Compute), Some(RunState::Computed));
        assert_eq!(RunState::Computed.next(Compute), Some(RunState::Computed));
        assert_eq!(RunState::Computed.next(Approve), Some(RunState::Approved));
        assert_eq!(RunState::Approved.next(Compute), None);
        assert_eq!(RunState::Posted.next(Compute), None);
        assert_eq!(RunState::Posted.next(Pay), Some(RunState::Paid));
        assert_eq!(RunState::Draft.next(Post), None);
    }
}
