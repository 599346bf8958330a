-- Shipments: goods leaving for a customer against a confirmed sales order.
-- A shipment takes the next number of its year (SH-2026-000001, gapless),
-- names the order lines and quantities it carries, and points at the journal
-- entry that booked their cost (none when the cost is zero). Shipped
-- quantities are not stored on the order lines; they are the sums of
-- shipment_lines. An order whose every line is shipped becomes `shipped`.
-- Same tables, columns and constraint names as ../postgres/0006_shipments.sql.

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
