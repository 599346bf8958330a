-- The ledger: accounts, posted journal entries (never changed; corrected by
-- reversal), balances maintained per account, day and currency as entries
-- post, closed periods, and gapless number series.
-- Same tables, columns and constraint names as ../postgres/0002_ledger.sql.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT uq_accounts_code UNIQUE (code)
);

CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    entry_date TEXT NOT NULL,
    memo TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    reverses_id BIGINT REFERENCES journal_entries (id),
    posted_at_us BIGINT NOT NULL,
    posted_by TEXT NOT NULL,
    CONSTRAINT uq_journal_entries_number UNIQUE (number),
    CONSTRAINT uq_journal_entries_reverses UNIQUE (reverses_id)
);
CREATE INDEX ix_journal_entries_date ON journal_entries (entry_date, id);

CREATE TABLE journal_lines (
    id INTEGER PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    line_no BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    debit_minor BIGINT NOT NULL CHECK (debit_minor >= 0),
    credit_minor BIGINT NOT NULL CHECK (credit_minor >= 0),
    CONSTRAINT uq_journal_lines_entry_line UNIQUE (entry_id, line_no)
);
CREATE INDEX ix_journal_lines_account ON journal_lines (account_id, entry_id);

-- Debit and credit totals per account, day and currency, added to in the
-- posting transaction: reports sum these, never the lines.
CREATE TABLE account_balances (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    balance_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    debit_minor BIGINT NOT NULL,
    credit_minor BIGINT NOT NULL,
    CONSTRAINT pk_account_balances PRIMARY KEY (account_id, balance_date, currency)
);
CREATE INDEX ix_account_balances_date ON account_balances (balance_date);

CREATE TABLE closed_periods (
    period TEXT PRIMARY KEY,
    closed_at_us BIGINT NOT NULL,
    closed_by TEXT NOT NULL
);

-- The last number handed out per series (JE-2026 → JE-2026-000042).
CREATE TABLE number_series (
    series TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);

-- A default chart of accounts, editable by the accountant.
INSERT INTO accounts (code, name, kind, archived, created_at_us) VALUES
    ('1000', 'Cash', 'asset', FALSE, 0),
    ('1100', 'Bank', 'asset', FALSE, 0),
    ('1200', 'Accounts receivable', 'asset', FALSE, 0),
    ('1300', 'Inventory', 'asset', FALSE, 0),
    ('1400', 'Input VAT', 'asset', FALSE, 0),
    ('1500', 'Equipment', 'asset', FALSE, 0),
    ('2000', 'Accounts payable', 'liability', FALSE, 0),
    ('2100', 'Output VAT', 'liability', FALSE, 0),
    ('2200', 'Salaries payable', 'liability', FALSE, 0),
    ('2300', 'Customer credit balances', 'liability', FALSE, 0),
    ('3000', 'Share capital', 'equity', FALSE, 0),
    ('3900', 'Retained earnings', 'equity', FALSE, 0),
    ('4000', 'Sales of goods', 'revenue', FALSE, 0),
    ('4100', 'Sales of services', 'revenue', FALSE, 0),
    ('4900', 'Exchange gains', 'revenue', FALSE, 0),
    ('5000', 'Cost of goods sold', 'expense', FALSE, 0),
    ('6000', 'Rent', 'expense', FALSE, 0),
    ('6100', 'Salaries', 'expense', FALSE, 0),
    ('6200', 'Office and IT', 'expense', FALSE, 0),
    ('6900', 'Exchange losses', 'expense', FALSE, 0);
