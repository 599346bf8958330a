-- Sales orders: what a customer ordered, at what price and VAT. A draft has
-- no number; confirming gives it the next number of its year
-- (SO-2026-000001, gapless) and reserves its goods in the same transaction.
-- Amounts are minor units of the order's currency.
-- Same tables, columns and constraint names as ../postgres/0005_sales.sql.

CREATE TABLE sales_orders (
    id INTEGER PRIMARY KEY,
    number TEXT,
    party_id BIGINT NOT NULL REFERENCES parties (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'confirmed', 'shipped', 'cancelled')),
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
    CONSTRAINT ck_sales_orders_number CHECK (
        (state = 'draft' AND number IS NULL) OR (state IN ('confirmed', 'shipped') AND number IS NOT NULL) OR state = 'cancelled'
    ),
    CONSTRAINT ck_sales_orders_total CHECK (total_minor = net_minor + vat_minor)
);
CREATE INDEX ix_sales_orders_party ON sales_orders (party_id, id);
CREATE INDEX ix_sales_orders_state ON sales_orders (state, id);

-- The lines keep the price and VAT rate they were ordered at, so a later
-- change of the product does not change the order.
CREATE TABLE sales_order_lines (
    order_id BIGINT NOT NULL REFERENCES sales_orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    description TEXT NOT NULL,
    qty BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    tax_rate_code TEXT NOT NULL REFERENCES tax_rates (code),
    vat_basis_points BIGINT NOT NULL,
    line_net_minor BIGINT NOT NULL,
    CONSTRAINT pk_sales_order_lines PRIMARY KEY (order_id, line_no),
    CONSTRAINT ck_sales_order_lines_qty CHECK (qty > 0),
    CONSTRAINT ck_sales_order_lines_price CHECK (unit_price_minor >= 0),
    CONSTRAINT ck_sales_order_lines_net CHECK (line_net_minor = qty * unit_price_minor)
);
CREATE INDEX ix_sales_order_lines_product ON sales_order_lines (product_id);
