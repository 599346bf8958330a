-- Invoicing: invoices and credit notes, payments and what they settle, and
-- dated exchange rates. A draft has no number; posting gives it the next
-- number of its series and year (INV-2026-000042, CN-2026-000003, gapless)
-- and writes its journal entry in the same transaction. Posted documents
-- never change except for `settled_minor` and the paid state, which payments
-- and credit notes move. Amounts are minor units of the document's currency;
-- `rate_e9` is how many company-currency units one unit of it bought on the
-- booking date, times 10^9 (10^9 for the company currency itself).
-- Same tables, columns and constraint names as ../postgres/0007_invoicing.sql.

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    rate_date TEXT NOT NULL,
    rate_e9 BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    CONSTRAINT pk_exchange_rates PRIMARY KEY (currency, rate_date),
    CONSTRAINT ck_exchange_rates_rate CHECK (rate_e9 > 0)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number TEXT,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    order_id BIGINT REFERENCES sales_orders (id),
    credited_invoice_id BIGINT REFERENCES invoices (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'posted', 'paid', 'cancelled')),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    rate_e9 BIGINT NOT NULL,
    net_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    settled_minor BIGINT NOT NULL,
    -- The date of the last payment or credit that settled part of it.
    settled_date TEXT,
    total_company_minor BIGINT NOT NULL,
    journal_entry_id BIGINT REFERENCES journal_entries (id),
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_invoices_number UNIQUE (number),
    CONSTRAINT ck_invoices_number CHECK (
        (state = 'draft' AND number IS NULL AND journal_entry_id IS NULL)
        OR (state IN ('posted', 'paid') AND number IS NOT NULL AND journal_entry_id IS NOT NULL)
        OR (state = 'cancelled' AND number IS NULL)
    ),
    CONSTRAINT ck_invoices_credit CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL)),
    CONSTRAINT ck_invoices_total CHECK (total_minor = net_minor + vat_minor),
    CONSTRAINT ck_invoices_settled CHECK (settled_minor >= 0 AND settled_minor <= total_minor),
    CONSTRAINT ck_invoices_rate CHECK (rate_e9 > 0)
);
CREATE INDEX ix_invoices_party ON invoices (party_id, id);
CREATE INDEX ix_invoices_state ON invoices (state, id);
CREATE INDEX ix_invoices_order ON invoices (order_id);
CREATE INDEX ix_invoices_credited ON invoices (credited_invoice_id);
-- Open receivables by due date: the aging report reads only these rows.
CREATE INDEX ix_invoices_open ON invoices (kind, state, due_date);
-- Aging at a past date also reads invoices settled after it.
CREATE INDEX ix_invoices_settled ON invoices (settled_date);

-- The lines keep product, price, VAT and revenue account as invoiced.
CREATE TABLE invoice_lines (
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    line_no BIGINT NOT NULL,
    order_line_no BIGINT,
    product_id BIGINT NOT NULL REFERENCES products (id),
    description TEXT NOT NULL,
    qty BIGINT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    tax_rate_code TEXT NOT NULL REFERENCES tax_rates (code),
    vat_basis_points BIGINT NOT NULL,
    line_net_minor BIGINT NOT NULL,
    revenue_account_code TEXT NOT NULL REFERENCES accounts (code),
    CONSTRAINT pk_invoice_lines PRIMARY KEY (invoice_id, line_no),
    CONSTRAINT ck_invoice_lines_qty CHECK (qty > 0),
    CONSTRAINT ck_invoice_lines_price CHECK (unit_price_minor >= 0),
    CONSTRAINT ck_invoice_lines_net CHECK (line_net_minor = qty * unit_price_minor)
);
CREATE INDEX ix_invoice_lines_product ON invoice_lines (product_id);

-- A payment received from a customer (PAY-2026-000001). What it does not
-- settle stays as the customer's credit balance (`unallocated_minor`).
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    payment_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    rate_e9 BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    unallocated_minor BIGINT NOT NULL,
    reference TEXT NOT NULL,
    bank_account_code TEXT NOT NULL REFERENCES accounts (code),
    journal_entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    posted_by TEXT NOT NULL,
    posted_at_us BIGINT NOT NULL,
    CONSTRAINT uq_payments_number UNIQUE (number),
    CONSTRAINT ck_payments_amount CHECK (amount_minor > 0),
    CONSTRAINT ck_payments_unallocated CHECK (unallocated_minor >= 0 AND unallocated_minor <= amount_minor),
    CONSTRAINT ck_payments_rate CHECK (rate_e9 > 0)
);
CREATE INDEX ix_payments_party ON payments (party_id, id);

CREATE TABLE payment_allocations (
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    amount_minor BIGINT NOT NULL,
    CONSTRAINT pk_payment_allocations PRIMARY KEY (payment_id, invoice_id),
    CONSTRAINT ck_payment_allocations_amount CHECK (amount_minor > 0)
);
CREATE INDEX ix_payment_allocations_invoice ON payment_allocations (invoice_id);

-- The two EN 16931 categories the first catalogue lacked.
INSERT INTO tax_rates (code, name, category, rate_bp, exemption_reason, version, created_at_us, updated_at_us) VALUES
    ('K', 'Intra-community supply', 'K', 0, 'Intra-community supply', 1, 0, 0),
    ('O', 'Not subject to VAT', 'O', 0, 'Not subject to VAT', 1, 0, 0);
