-- Sales quotes: an offer to a customer with lines like an order's, valid
-- until a date. A draft has no number; sending gives it the next number of
-- its year (QU-2026-000001, gapless). Accepting it creates a sales order
-- with the same lines and prices, and the quote keeps the order's id. A sent
-- quote past its valid-until date reads as expired; that state is not stored.
-- Amounts are minor units of the quote's currency.
-- Same tables, columns and constraint names as ../postgres/0008_quotes.sql.

CREATE TABLE sales_quotes (
    id INTEGER PRIMARY KEY,
    number TEXT,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'accepted', 'declined')),
    quote_date TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    order_id BIGINT REFERENCES sales_orders (id),
    decline_reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_sales_quotes_number UNIQUE (number),
    CONSTRAINT uq_sales_quotes_order UNIQUE (order_id),
    CONSTRAINT ck_sales_quotes_number CHECK (
        (state = 'draft' AND number IS NULL) OR (state <> 'draft' AND number IS NOT NULL)
    ),
    CONSTRAINT ck_sales_quotes_order CHECK (
        (state = 'accepted' AND order_id IS NOT NULL) OR (state <> 'accepted' AND order_id IS NULL)
    ),
    CONSTRAINT ck_sales_quotes_dates CHECK (valid_until >= quote_date),
    CONSTRAINT ck_sales_quotes_total CHECK (total_minor = net_minor + vat_minor)
);
CREATE INDEX ix_sales_quotes_party ON sales_quotes (party_id, id);
CREATE INDEX ix_sales_quotes_state ON sales_quotes (state, id);

-- The lines keep the price and VAT rate they were quoted at; the order an
-- accepted quote becomes copies them as they are.
CREATE TABLE sales_quote_lines (
    quote_id BIGINT NOT NULL REFERENCES sales_quotes (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    description TEXT NOT NULL,
    qty BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    tax_rate_code TEXT NOT NULL REFERENCES tax_rates (code),
    vat_basis_points BIGINT NOT NULL,
    line_net_minor BIGINT NOT NULL,
    CONSTRAINT pk_sales_quote_lines PRIMARY KEY (quote_id, line_no),
    CONSTRAINT ck_sales_quote_lines_qty CHECK (qty > 0),
    CONSTRAINT ck_sales_quote_lines_price CHECK (unit_price_minor >= 0),
    CONSTRAINT ck_sales_quote_lines_net CHECK (line_net_minor = qty * unit_price_minor)
);
CREATE INDEX ix_sales_quote_lines_product ON sales_quote_lines (product_id);
