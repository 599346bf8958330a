-- no-transaction
-- Shipments: goods leaving for a customer against a confirmed sales order.
-- A shipment takes the next number of its year (SH-2026-000001, gapless),
-- names the order lines and quantities it carries, and points at the journal
-- entry that booked their cost (none when the cost is zero). Shipped
-- quantities are not stored on the order lines; they are the sums of
-- shipment_lines. An order whose every line is shipped becomes `shipped`.
-- Same tables, columns and constraint names as ../postgres/0006_shipments.sql.
--
-- SQLite cannot change a CHECK constraint in place, so sales_orders is
-- rebuilt with `shipped` allowed, following the documented procedure
-- (foreign keys off outside the transaction, checked before commit).

PRAGMA foreign_keys = OFF;

BEGIN;

CREATE TABLE sales_orders_new (
    id INTEGER PRIMARY KEY,
    number TEXT,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    state TEXT NOT NULL,
    order_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CONSTRAINT uq_sales_orders_number UNIQUE (number),
    CONSTRAINT sales_orders_state_check CHECK (state IN ('draft', 'confirmed', 'shipped', 'cancelled')),
    CONSTRAINT ck_sales_orders_number CHECK (
        (state = 'draft' AND number IS NULL)
        OR (state IN ('confirmed', 'shipped') AND number IS NOT NULL)
        OR state = 'cancelled'
    ),
    CONSTRAINT ck_sales_orders_total CHECK (total_minor = net_minor + vat_minor)
);

INSERT INTO sales_orders_new (id, number, party_id, warehouse_id, state, order_date, currency,
    net_minor, vat_minor, total_minor, created_by, version, created_at_us, updated_at_us)
SELECT id, number, party_id, warehouse_id, state, order_date, currency,
    net_minor, vat_minor, total_minor, created_by, version, created_at_us, updated_at_us
FROM sales_orders;

DROP TABLE sales_orders;
ALTER TABLE sales_orders_new RENAME TO sales_orders;
CREATE INDEX ix_sales_orders_party ON sales_orders (party_id, id);
CREATE INDEX ix_sales_orders_state ON sales_orders (state, id);

CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES sales_orders (id),
    ship_date TEXT NOT NULL,
    tracking_reference TEXT NOT NULL,
    journal_entry_id BIGINT REFERENCES journal_entries (id),
    posted_by TEXT NOT NULL,
    posted_at_us BIGINT NOT NULL,
    CONSTRAINT uq_shipments_number UNIQUE (number)
);
CREATE INDEX ix_shipments_order ON shipments (order_id, id);

CREATE TABLE shipment_lines (
    shipment_id BIGINT NOT NULL REFERENCES shipments (id),
    order_line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    qty BIGINT NOT NULL,
    CONSTRAINT pk_shipment_lines PRIMARY KEY (shipment_id, order_line_no),
    CONSTRAINT ck_shipment_lines_qty CHECK (qty > 0)
);

COMMIT;

PRAGMA foreign_keys = ON;
