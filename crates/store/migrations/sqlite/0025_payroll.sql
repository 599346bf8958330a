-- Payroll: salary structures (effective-dated versions of an ordered rule
-- list), each employee's payroll record, runs per month, and their payslips.
--
-- A structure version's rules are one JSON array (rules), written whole and
-- never edited: a change is a new version from a later date, so a posted
-- payslip always names the rules it was computed with.
-- payroll_employees is the payroll record HR's hiring opens: which structure
-- pays the employee from start_date, and up to end_date (their last day).
-- A period (YYYY-MM) has one regular run; a posted period is corrected by
-- correction runs (kind 'correction'), whose payslips hold differences.
-- Posting writes journal entry entry_id, paying writes payment_entry_id.
-- Timestamps are microseconds since the Unix epoch; amounts minor units.
-- Same tables, columns and constraint names on both backends.

CREATE TABLE payroll_structures (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_payroll_structures_name UNIQUE (name)
);

CREATE TABLE payroll_structure_versions (
    id INTEGER PRIMARY KEY,
    structure_id BIGINT NOT NULL REFERENCES payroll_structures (id),
    effective_from TEXT NOT NULL,
    rules TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_payroll_structure_versions UNIQUE (structure_id, effective_from)
);

CREATE TABLE payroll_employees (
    employee_id BIGINT PRIMARY KEY REFERENCES employees (id),
    structure_id BIGINT NOT NULL REFERENCES payroll_structures (id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT ck_payroll_employees_dates CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE payroll_runs (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    currency TEXT NOT NULL,
    gross_minor BIGINT NOT NULL,
    net_minor BIGINT NOT NULL,
    employer_minor BIGINT NOT NULL,
    payslip_count BIGINT NOT NULL,
    entry_id BIGINT REFERENCES journal_entries (id),
    payment_entry_id BIGINT REFERENCES journal_entries (id),
    created_by TEXT NOT NULL,
    approved_by TEXT,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_payroll_runs_number UNIQUE (number),
    CONSTRAINT ck_payroll_runs_kind CHECK (kind IN ('regular', 'correction')),
    CONSTRAINT ck_payroll_runs_state CHECK (state IN ('draft', 'computed', 'approved', 'posted', 'paid'))
);
CREATE UNIQUE INDEX ux_payroll_runs_regular ON payroll_runs (period) WHERE kind = 'regular';
CREATE INDEX ix_payroll_runs_period ON payroll_runs (period, id);

CREATE TABLE payslips (
    id INTEGER PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES payroll_runs (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    structure_version_id BIGINT NOT NULL REFERENCES payroll_structure_versions (id),
    currency TEXT NOT NULL,
    gross_minor BIGINT NOT NULL,
    deductions_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    employer_minor BIGINT NOT NULL,
    net_minor BIGINT NOT NULL,
    days_paid BIGINT NOT NULL,
    days_in_period BIGINT NOT NULL,
    is_final BOOLEAN NOT NULL,
    CONSTRAINT uq_payslips_run_employee UNIQUE (run_id, employee_id)
);
CREATE INDEX ix_payslips_employee ON payslips (employee_id, run_id);

CREATE TABLE payslip_lines (
    id INTEGER PRIMARY KEY,
    payslip_id BIGINT NOT NULL REFERENCES payslips (id),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    base_minor BIGINT,
    amount_minor BIGINT NOT NULL,
    CONSTRAINT uq_payslip_lines UNIQUE (payslip_id, position)
);

-- The accounts a payroll posting needs beyond the default chart's
-- 2200 Salaries payable and 6100 Salaries.
INSERT INTO accounts (code, name, kind, archived, created_at_us) VALUES
    ('2210', 'Payroll taxes payable', 'liability', FALSE, 0),
    ('2220', 'Social contributions payable', 'liability', FALSE, 0),
    ('6150', 'Employer social contributions', 'expense', FALSE, 0)
ON CONFLICT (code) DO NOTHING;
