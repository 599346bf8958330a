// Browser journeys through sales orders, against the real `seam demo` binary
// on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL: a seller creates
// a draft with a goods line and a service line, confirms it and sees the goods
// reserved in stock; the receptionist finds the order on the customer's page;
// an order for more than is available stays a draft with the reason next to
// the line; the warehouse may not create orders.
// Screenshots land in tests/browser/artifacts/<backend>-sales-*.png.
//
//   cargo build -p seam && node --test tests/browser/
//

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  backends,
  clearFailureShots,
  journey,
  launchBrowser,
  login,
  screenshot,
  startSeam,
} from './harness.mjs';

// Texts from crates/web/locales/en-US/main.ftl.
const FLASH_CREATED = 'The draft order was saved.';
const FLASH_CONFIRMED = 'The order was confirmed and its goods reserved.';
const CONFIRM_FAILED = 'The order could not be confirmed; see the lines below.';
const NOT_ENOUGH = 'Not enough stock is available.';

// Demo data (crates/app/src/demo.rs): a customer company without demo orders,
// a goods product with plenty of stock, a service, and a goods product with
// only a few units left.
const CUSTOMER = 'Baltic Amber UAB';
const GOODS = 'ESP-BEAN-1KG';
const GOODS_QTY = 5;
const SERVICE = 'SVC-INSTALL';
const SERVICE_QTY = 2;
const SCARCE = 'MACHINE-2GRP';

const ORDER_PATH = /^\/sales\/orders\/\d+$/;

const flash = async (page) => (await page.locator('main .flash[role=status]').innerText()).trim();

/** "1,200" as 1200. */
const whole = (text) => {
  const t = text.trim().replaceAll(',', '');
  assert.match(t, /^-?\d+$/, `not a whole number: "${text}"`);
  return Number(t);
};

/** "€351.94" as whole cents. */
function cents(text) {
  const t = text.trim();
  const m = /^(-?)\D*([\d,]+)\.(\d{2})$/.exec(t);
  assert.ok(m, `not an English euro amount: "${t}"`);
  return (m[1] ? -1 : 1) * (Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]));
}

/** The stock row of `sku` in the MAIN warehouse: `{onHand, reserved, available}`. */
async function stockOf(page, sku) {
  await page.goto(`/inventory/stock?q=${encodeURIComponent(sku)}`);
  const rows = [];
  for (const tr of await page.locator('#stock-results tbody tr').all()) {
    const cells = (await tr.locator('td').allInnerTexts()).map((t) => t.trim());
    if (cells.length === 6 && cells[0] === sku) rows.push(cells);
  }
  const main = rows.filter((c) => /MAIN/.test(c[2]));
  assert.equal(main.length, 1, `stock rows of ${sku} in MAIN: ${JSON.stringify(rows)}`);
  const [, , , onHand, reserved, available] = main[0];
  return { onHand: whole(onHand), reserved: whole(reserved), available: whole(available) };
}

/** The label of the option of `select` whose value or label starts with `sku`. */
async function productOption(page, select, sku) {
  const options = await page.locator(`${select} option`).evaluateAll((os) =>
    os.map((o) => ({ value: o.value, label: o.textContent.trim() })),
  );
  const found = options.find((o) => o.value === sku || o.label.startsWith(sku));
  assert.ok(found, `no option for ${sku} in ${select}: ${options.map((o) => o.label).slice(0, 8)}…`);
  return found.value;
}

/** Fills the new-order form with the customer and lines `[sku, qty]` and saves the draft. */
async function createDraft(page, customer, lines) {
  await page.selectOption('#f-customer', { label: customer });
  for (const [i, [sku, qty]] of lines.entries()) {
    const select = `select[name=product_${i + 1}]`;
    await page.selectOption(select, await productOption(page, select, sku));
    await page.fill(`input[name=qty_${i + 1}]`, String(qty));
  }
  await Promise.all([
    page.waitForURL((url) => ORDER_PATH.test(url.pathname)),
    page.getByRole('button', { name: 'Save draft', exact: true }).click(),
  ]);
  return new URL(page.url()).pathname;
}

/** The totals list under the lines: `{ Net: '€…', 'VAT 12%': '€…', … }`. */
async function totals(page) {
  const dl = page.locator('main section[aria-labelledby=lines-h] dl.facts');
  const terms = (await dl.locator('dt').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
  const values = (await dl.locator('dd').allInnerTexts()).map((t) => t.trim());
  assert.equal(terms.length, values.length);
  return Object.fromEntries(terms.map((t, i) => [t, values[i]]));
}

for (const backend of backends()) {
  describe(`sales journeys on ${backend.name}`, { timeout: 120_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'sales-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('seller confirms an order, stock is reserved, reception sees it on the customer', async () => {
      let partyPath = null;
      let number = null;
      await journey(env, 'sales-confirm', async (page) => {
        await login(page, 'sales');
        const before = await stockOf(page, GOODS);

        // Sales area, then its orders and the new-order form.
        await page.goto('/sales/orders');
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Sales orders');
        await Promise.all([
          page.waitForURL(/\/sales\/orders\/new$/),
          page.locator('main .toolbar').getByRole('link', { name: 'New sales order' }).click(),
        ]);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'New sales order');

        const orderPath = await createDraft(page, CUSTOMER, [
          [GOODS, GOODS_QTY],
          [SERVICE, SERVICE_QTY],
        ]);
        assert.equal(await flash(page), FLASH_CREATED);
        const heading = (await page.locator('main h1').innerText()).trim();
        assert.match(heading, /Draft/, `draft heading: "${heading}"`);
        assert.doesNotMatch(heading, /SO-/, 'a draft already has a number');
        const customerLink = page.locator('main dl.facts a[href^="/parties/"]');
        assert.equal((await customerLink.innerText()).trim(), CUSTOMER);
        partyPath = await customerLink.getAttribute('href');

        const lines = page.locator('main section[aria-labelledby=lines-h] tbody tr');
        assert.equal(await lines.count(), 2);
        const lineCells = [];
        for (const tr of await lines.all()) {
          lineCells.push((await tr.locator('td').allInnerTexts()).map((t) => t.trim()));
        }
        assert.match(lineCells[0][1], new RegExp(`^${GOODS}`));
        assert.equal(whole(lineCells[0][2]), GOODS_QTY);
        assert.match(lineCells[1][1], new RegExp(`^${SERVICE}`));
        assert.equal(whole(lineCells[1][2]), SERVICE_QTY);
        for (const c of lineCells) {
          assert.equal(cents(c[5]), Math.round(whole(c[2]) * cents(c[3])), `line net: ${c}`);
        }
        const rates = lineCells.map((c) => c[4]);
        assert.notEqual(rates[0], rates[1], `both lines have the VAT rate ${rates[0]}`);

        // Net, one VAT row per rate (with its base), VAT total and total.
        const t = await totals(page);
        const net = cents(t.Net);
        assert.equal(net, cents(lineCells[0][5]) + cents(lineCells[1][5]));
        const vatRows = Object.entries(t).filter(([k]) => /^VAT \S*\d/.test(k));
        assert.equal(vatRows.length, 2, `VAT rows: ${JSON.stringify(t)}`);
        // Each rate's row names the rate and shows that rate's base.
        for (const [i, rate] of rates.entries()) {
          const row = vatRows.find(([k]) => k.includes(`(${rate})`) || k.includes(`(${rate}%)`)
            || k.includes(`(${rate} %)`));
          assert.ok(row, `no VAT row for ${rate}: ${JSON.stringify(t)}`);
          assert.ok(row[0].endsWith(`(${lineCells[i][5]})`), `VAT row "${row[0]}" lacks the base ${lineCells[i][5]}`);
        }
        // The demo prices: 5 × €24.90 at 12 %, 2 h × €85.00 at 25 %.
        assert.deepEqual(
          [net, ...vatRows.map(([, v]) => cents(v)), cents(t['VAT total']), cents(t.Total)],
          [29450, 1494, 4250, 5744, 35194],
          JSON.stringify(t),
        );
        const vat = cents(t['VAT total']);
        assert.equal(vat, vatRows.reduce((s, [, v]) => s + cents(v), 0));
        assert.ok(vat > 0);
        assert.equal(cents(t.Total), net + vat);
        await screenshot(page, env.backend, 'sales-draft');

        // Confirm (answering yes should it ask).
        const questions = [];
        page.on('dialog', (d) => {
          questions.push(d.message());
          d.accept();
        });
        await Promise.all([
          page.waitForURL((url) => url.pathname === orderPath),
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/confirm')),
          page.getByRole('button', { name: 'Confirm order', exact: true }).click(),
        ]);
        await page.waitForLoadState('domcontentloaded');
        assert.equal(await flash(page), FLASH_CONFIRMED);
        const confirmed = (await page.locator('main h1').innerText()).trim();
        const year = new Date().getUTCFullYear();
        const m = /^(SO-(\d{4})-\d+)\s+Confirmed$/.exec(confirmed);
        assert.ok(m, `confirmed heading: "${confirmed}"`);
        assert.ok(Math.abs(Number(m[2]) - year) <= 1, `number year ${m[2]}`);
        number = m[1];
        assert.equal(await page.getByRole('button', { name: 'Confirm order' }).count(), 0,
          'a confirmed order offers to be confirmed again');
        assert.equal(cents((await totals(page)).Total), net + vat, 'confirming changed the total');
        await screenshot(page, env.backend, 'sales-confirmed');

        // The goods are reserved; the service reserves nothing.
        const afterwards = await stockOf(page, GOODS);
        assert.equal(afterwards.reserved, before.reserved + GOODS_QTY,
          `reserved ${before.reserved} → ${afterwards.reserved}`);
        assert.equal(afterwards.onHand, before.onHand);
        assert.equal(afterwards.available, before.available - GOODS_QTY);
        await screenshot(page, env.backend, 'sales-stock');

        // Log out.
        await page.locator('form[action="/logout"] button').click();
        await page.waitForURL(/\/login/);
      });

      await journey(env, 'sales-reception-sees-order', async (page) => {
        await login(page, 'receptionist');
        await page.goto(partyPath);
        assert.match(await page.locator('main h1').innerText(), new RegExp(CUSTOMER));
        const orders = page.locator('main section[aria-labelledby=orders-h]');
        assert.equal((await orders.locator('h2').innerText()).trim(), 'Orders');
        const row = orders.locator('tbody tr').filter({ hasText: number });
        assert.equal(await row.count(), 1, `order ${number} not listed: ${await orders.innerText()}`);
        const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
        assert.equal(cells[0], number);
        assert.equal(cells[2], 'Confirmed');
        await screenshot(page, env.backend, 'sales-party-orders');
      });
    });

    test('confirming more than is available marks the line and keeps the draft', () =>
      journey(env, 'sales-not-enough', async (page) => {
        await login(page, 'sales');
        const stock = await stockOf(page, SCARCE);
        assert.ok(stock.available >= 0 && stock.available < 50);
        await page.goto('/sales/orders/new');
        const orderPath = await createDraft(page, CUSTOMER, [
          [SERVICE, 1],
          [SCARCE, stock.available + 1],
        ]);
        page.on('dialog', (d) => d.accept());
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/confirm')),
          page.getByRole('button', { name: 'Confirm order', exact: true }).click(),
        ]);
        await page.waitForLoadState('domcontentloaded');
        assert.ok(response.status() >= 400, `confirming answered ${response.status()}`);
        assert.equal((await page.locator('main .errors[role=alert]').innerText()).trim(), CONFIRM_FAILED);
        const lines = page.locator('main section[aria-labelledby=lines-h] tbody tr');
        assert.equal(await lines.nth(0).locator('.error').count(), 0, 'the service line is marked');
        const error = lines.nth(1).locator('.error[role=alert]');
        assert.equal((await error.innerText()).trim(), NOT_ENOUGH);
        assert.match(await page.locator('main h1').innerText(), /Draft/);
        assert.doesNotMatch(await page.locator('main h1').innerText(), /SO-/);
        await screenshot(page, env.backend, 'sales-not-enough');

        // Still a draft when read again, and nothing reserved.
        await page.goto(orderPath);
        assert.match(await page.locator('main h1').innerText(), /Draft/);
        assert.equal(await page.getByRole('button', { name: 'Confirm order' }).count(), 1);
        assert.deepEqual(await stockOf(page, SCARCE), stock);
      }));

    test('the warehouse may not create sales orders', () =>
      journey(env, 'sales-warehouse-403', async (page) => {
        await login(page, 'warehouse');
        const response = await page.goto('/sales/orders/new');
        assert.equal(response.status(), 403);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Not allowed');
        assert.equal(await page.locator('main form[action="/sales/orders"]').count(), 0,
          'the refusal page shows the order form');
        await screenshot(page, env.backend, 'sales-warehouse-403');
      }));
  });
}
