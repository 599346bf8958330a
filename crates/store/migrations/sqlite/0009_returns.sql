-- Customer returns: goods a customer sends back against a shipped order.
-- A return takes the next number of its year (RET-2026-000001, gapless),
-- names the order lines and quantities that came back, puts them back in
-- stock, and points at the journal entry that took their cost back out of
-- cost of goods sold (none when the cost is zero). Returned quantities are
-- the sums of customer_return_lines; no line returns more than shipped.
-- Same tables, columns and constraint names as ../postgres/0009_returns.sql.

CREATE TABLE customer_returns (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES sales_orders (id),
    return_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    journal_entry_id BIGINT REFERENCES journal_entries (id),
    posted_by TEXT NOT NULL,
    posted_at_us BIGINT NOT NULL,
    CONSTRAINT uq_customer_returns_number UNIQUE (number)
);
CREATE INDEX ix_customer_returns_order ON customer_returns (order_id, id);

CREATE TABLE customer_return_lines (
    return_id BIGINT NOT NULL REFERENCES customer_returns (id),
    order_line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    qty BIGINT NOT NULL,
    CONSTRAINT pk_customer_return_lines PRIMARY KEY (return_id, order_line_no),
    CONSTRAINT ck_customer_return_lines_qty CHECK (qty > 0)
);
