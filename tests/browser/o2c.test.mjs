// The order-to-cash journey in the browser, against the real `seam demo`
// binary on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL, with each
// step done by the demo user whose job it is:
//
//   1. sales quotes a goods line and a service line to a customer, sends the
//      quote, accepts it into a draft order and confirms the order;
//   2. the warehouse ships everything on the order;
//   3. the accountant invoices the order, posts the invoice, fetches its PDF
//      and UBL, and records the customer's payment of the full amount;
//   4. the receptionist sees on the customer's page the order shipped and the
//      invoice paid, and may neither post nor record payments.
//
// Screenshots land in tests/browser/artifacts/<backend>-o2c-*.png.
//
//   cargo build -p seam && node --test tests/browser/o2c.test.mjs
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
const T = {
  areaSales: 'Sales',
  toolQuotes: 'Quotes',
  quotesTitle: 'Quotes',
  quoteNew: 'New quote',
  quoteCreate: 'Save draft',
  quoteSend: 'Send quote',
  quoteAccept: 'Accept and create order',
  quoteStateDraft: 'Draft',
  quoteStateSent: 'Sent',
  quoteStateAccepted: 'Accepted',
  quoteFrom: 'From quote',
  flashQuoteCreated: 'The draft quote was saved.',
  flashQuoteSent: 'The quote was numbered and marked as sent.',
  flashQuoteAccepted: 'The quote was accepted and a draft order created.',
  orderConfirm: 'Confirm order',
  orderStateDraft: 'Draft',
  orderStateConfirmed: 'Confirmed',
  orderStateShipped: 'Shipped',
  flashOrderConfirmed: 'The order was confirmed and its goods reserved.',
  orderShipRemaining: 'Ship what is left',
  flashOrderShipped: 'The shipment was posted.',
  orderCreateInvoice: 'Create invoice',
  flashInvoiceCreated: 'Draft invoice created.',
  invoicePost: 'Post',
  invoicePostConfirm: 'Post this document? It gets its number and is booked; it cannot be edited afterwards.',
  flashInvoicePosted: 'Posted.',
  invoiceStateDraft: 'Draft',
  invoiceStatePosted: 'Posted',
  invoiceStatePaid: 'Paid',
  invoiceRecordPayment: 'Record payment',
  invoicePdf: 'Download PDF',
  invoiceUbl: 'Download UBL (e-invoice)',
  invoiceCancel: 'Cancel draft',
  paymentRecord: 'Record payment',
  flashPaymentRecorded: 'Payment recorded.',
  partyOrders: 'Orders',
  partyFulfilment: 'Shipped',
  partyFulfilmentAll: 'All',
};

// Demo data (crates/app/src/demo.rs): a customer company without demo orders
// or quotes, a goods product with plenty of stock and a service.
const CUSTOMER = 'Baltic Amber UAB';
const GOODS = 'ESP-BEAN-1KG';
const GOODS_QTY = 5;
const SERVICE = 'SVC-INSTALL';
const SERVICE_QTY = 2;
// The demo prices: 5 × €24.90 at 12 % and 2 h × €85.00 at 25 % (as in
// sales.test.mjs): net €294.50, VAT €57.44, total €351.94.
const TOTAL_CENTS = 35194;
const TRACKING = 'TRACK-O2C-0001';

const QUOTE_PATH = /^\/sales\/quotes\/\d+$/;
const ORDER_PATH = /^\/sales\/orders\/\d+$/;
const INVOICE_PATH = /^\/invoices\/\d+$/;
const PAYMENT_PATH = /^\/payments\/\d+$/;

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));
const heading = (page) => text(page.locator('main h1'));
const cellsOf = async (row) => (await row.locator('td').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));

/** "€351.94" (or "351.94") as whole cents. */
function cents(value) {
  const t = value.trim();
  const m = /^(-?)\D*([\d,]+)\.(\d{2})$/.exec(t);
  assert.ok(m, `not an English amount: "${t}"`);
  return (m[1] ? -1 : 1) * (Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]));
}

/** The value of the `<dt>` named `term` in the definition list `dl`. */
async function fact(dl, term) {
  const terms = (await dl.locator('dt').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
  const values = (await dl.locator('dd').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
  assert.equal(terms.length, values.length);
  const i = terms.indexOf(term);
  assert.ok(i >= 0, `no "${term}" among ${JSON.stringify(terms)}`);
  return values[i];
}

/** The totals list under the lines. */
const totalsList = (page) => page.locator('main section[aria-labelledby=lines-h] dl.facts');

/** The value of the option of `select` whose value or label starts with `sku`. */
async function productOption(page, select, sku) {
  const options = await page.locator(`${select} option`).evaluateAll((os) =>
    os.map((o) => ({ value: o.value, label: o.textContent.trim() })),
  );
  const found = options.find((o) => o.value === sku || o.label.startsWith(sku));
  assert.ok(found, `no option for ${sku} in ${select}: ${options.map((o) => o.label).slice(0, 8)}…`);
  return found.value;
}

/** Accepts every confirm dialog and remembers what it asked. */
function answerYes(page) {
  const questions = [];
  page.on('dialog', (d) => {
    questions.push(d.message());
    d.accept();
  });
  return questions;
}

/** Clicks `button`, which posts to a path ending in `suffix`, and waits for the page it lands on. */
async function post(page, button, suffix, landing) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix)),
    page.waitForURL((url) => landing.test(url.pathname)),
    button.click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** The order's lines as cell texts. */
async function orderLines(page) {
  const rows = page.locator('main section[aria-labelledby=lines-h] tbody tr');
  const lines = [];
  for (const tr of await rows.all()) lines.push(await cellsOf(tr));
  return lines;
}

async function logout(page) {
  await page.locator('form[action="/logout"] button').click();
  await page.waitForURL(/\/login/);
}

for (const backend of backends()) {
  describe(`order to cash on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'o2c-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('quote → order → shipment → invoice → payment, each by its role', async (t) => {
      // What one step hands to the next.
      const o2c = {};

      // 1. Sales: quote, send, accept, confirm the order.
      await journey(env, 'o2c-sales', async (page) => {
        const questions = answerYes(page);
        await login(page, 'sales');

        // Sales area → Quotes → New quote.
        await Promise.all([
          page.waitForURL((url) => url.pathname !== '/' && !url.pathname.startsWith('/login')),
          page.locator('nav.side').getByRole('link', { name: T.areaSales, exact: true }).click(),
        ]);
        assert.equal(await heading(page), T.areaSales);
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/sales/quotes'),
          page.locator('main').getByRole('link', { name: T.toolQuotes, exact: true }).click(),
        ]);
        assert.equal(await heading(page), T.quotesTitle);
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/sales/quotes/new'),
          page.locator('main .toolbar').getByRole('link', { name: T.quoteNew, exact: true }).click(),
        ]);
        assert.equal(await heading(page), T.quoteNew);

        await page.selectOption('#f-customer', { label: CUSTOMER });
        for (const [i, [sku, qty]] of [[GOODS, GOODS_QTY], [SERVICE, SERVICE_QTY]].entries()) {
          const select = `select[name=product_${i + 1}]`;
          await page.selectOption(select, await productOption(page, select, sku));
          await page.fill(`input[name=qty_${i + 1}]`, String(qty));
        }
        await screenshot(page, env.backend, 'o2c-quote-form');
        await Promise.all([
          page.waitForURL((url) => QUOTE_PATH.test(url.pathname)),
          page.getByRole('button', { name: T.quoteCreate, exact: true }).click(),
        ]);
        const quotePath = new URL(page.url()).pathname;
        assert.equal(await flash(page), T.flashQuoteCreated);
        const draftHeading = await heading(page);
        assert.ok(draftHeading.endsWith(T.quoteStateDraft), `draft quote heading: "${draftHeading}"`);
        assert.doesNotMatch(draftHeading, /QU-/, 'a draft quote already has a number');
        const facts = page.locator('main section[aria-labelledby=facts-h] dl.facts');
        assert.equal(await fact(facts, 'Customer'), CUSTOMER);
        const quoteLines = await orderLines(page);
        assert.equal(quoteLines.length, 2, JSON.stringify(quoteLines));
        assert.match(quoteLines[0][1], new RegExp(`^${GOODS}`));
        assert.match(quoteLines[1][1], new RegExp(`^${SERVICE}`));
        assert.equal(cents(await fact(totalsList(page), 'Total')), TOTAL_CENTS);

        // Send: the quote gets its number.
        await post(page, page.getByRole('button', { name: T.quoteSend, exact: true }), '/send',
          new RegExp(`^${quotePath}$`));
        assert.equal(await flash(page), T.flashQuoteSent);
        const sent = /^(QU-(\d{4})-\d{6}) (\S+)$/.exec(await heading(page));
        assert.ok(sent, `sent quote heading: "${await heading(page)}"`);
        assert.equal(sent[3], T.quoteStateSent);
        o2c.quote = sent[1];
        await screenshot(page, env.backend, 'o2c-quote-sent');

        // Accept: a draft order with the quote's lines and prices.
        await post(page, page.getByRole('button', { name: T.quoteAccept, exact: true }), '/accept', ORDER_PATH);
        assert.ok(questions.some((q) => q.startsWith('Accept this quote?')), `asked: ${JSON.stringify(questions)}`);
        assert.equal(await flash(page), T.flashQuoteAccepted);
        o2c.orderPath = new URL(page.url()).pathname;
        const draftOrder = await heading(page);
        assert.ok(draftOrder.endsWith(T.orderStateDraft), `draft order heading: "${draftOrder}"`);
        assert.doesNotMatch(draftOrder, /SO-/, 'a draft order already has a number');
        const orderFacts = page.locator('main section[aria-labelledby=facts-h] dl.facts');
        assert.equal(await fact(orderFacts, 'Customer'), CUSTOMER);
        assert.ok((await fact(orderFacts, T.quoteFrom)).endsWith(o2c.quote), 'the order does not name its quote');
        o2c.partyPath = await orderFacts.locator('a[href^="/parties/"]').getAttribute('href');
        const lines = await orderLines(page);
        assert.deepEqual(lines.map((l) => l.slice(1, 6)), quoteLines.map((l) => l.slice(1, 6)),
          'the order lines differ from the quote lines');
        assert.equal(cents(await fact(totalsList(page), 'Total')), TOTAL_CENTS);
        await screenshot(page, env.backend, 'o2c-order-draft');

        // Confirm.
        await post(page, page.getByRole('button', { name: T.orderConfirm, exact: true }), '/confirm',
          new RegExp(`^${o2c.orderPath}$`));
        assert.equal(await flash(page), T.flashOrderConfirmed);
        const confirmed = /^(SO-(\d{4})-\d{6}) (\S+)$/.exec(await heading(page));
        assert.ok(confirmed, `confirmed order heading: "${await heading(page)}"`);
        assert.equal(confirmed[3], T.orderStateConfirmed);
        assert.ok(Math.abs(Number(confirmed[2]) - new Date().getUTCFullYear()) <= 1, `order year ${confirmed[2]}`);
        o2c.order = confirmed[1];
        assert.equal(await page.getByRole('button', { name: T.orderConfirm }).count(), 0);
        await screenshot(page, env.backend, 'o2c-order-confirmed');

        // The quote now names its order.
        await page.goto(quotePath);
        assert.equal(await heading(page), `${o2c.quote} ${T.quoteStateAccepted}`);
        const quoteFacts = page.locator('main section[aria-labelledby=facts-h] dl.facts');
        assert.equal(await fact(quoteFacts, 'Order'), o2c.order);
        assert.equal(await page.getByRole('button', { name: T.quoteAccept }).count(), 0);

        await logout(page);
      });

      // 2. Warehouse: ship everything.
      await journey(env, 'o2c-warehouse', async (page) => {
        await login(page, 'warehouse');
        await page.goto(o2c.orderPath);
        assert.equal(await heading(page), `${o2c.order} ${T.orderStateConfirmed}`);
        const ship = page.locator('main section[aria-labelledby=ship-h]');
        await ship.locator('#tracking_reference').fill(TRACKING);
        await screenshot(page, env.backend, 'o2c-ship-form');
        await post(page, ship.getByRole('button', { name: T.orderShipRemaining, exact: true }), '/ship',
          new RegExp(`^${o2c.orderPath}$`));
        assert.equal(await flash(page), T.flashOrderShipped);
        assert.equal(await heading(page), `${o2c.order} ${T.orderStateShipped}`);
        assert.equal(await page.locator('main section[aria-labelledby=ship-h]').count(), 0,
          'a shipped order offers to ship again');
        // Every line shipped in full: qty equals the shipped column.
        for (const l of await orderLines(page)) {
          assert.equal(l[3], l[2], `line not fully shipped: ${JSON.stringify(l)}`);
        }
        const shipments = page.locator('main section[aria-labelledby=shipments-h] tbody tr');
        assert.equal(await shipments.count(), 1);
        const shipment = await cellsOf(shipments.first());
        assert.equal(shipment[2], TRACKING);
        // The warehouse does not see invoicing.
        assert.equal(await page.locator('main section[aria-labelledby=billing-h]').count(), 0);
        await screenshot(page, env.backend, 'o2c-shipped');
        await logout(page);
      });

      // 3. Accountant: invoice, post, documents, payment.
      await journey(env, 'o2c-accountant', async (page) => {
        const questions = answerYes(page);
        await login(page, 'accountant');
        await page.goto(o2c.orderPath);
        assert.equal(await heading(page), `${o2c.order} ${T.orderStateShipped}`);
        const billing = page.locator('main section[aria-labelledby=billing-h]');
        await post(page, billing.getByRole('button', { name: T.orderCreateInvoice, exact: true }), '/invoice',
          INVOICE_PATH);
        assert.equal(await flash(page), T.flashInvoiceCreated);
        o2c.invoicePath = new URL(page.url()).pathname;
        const draft = await heading(page);
        assert.ok(draft.endsWith(T.invoiceStateDraft), `draft invoice heading: "${draft}"`);
        assert.doesNotMatch(draft, /INV-/, 'a draft invoice already has a number');
        const invoiceFacts = page.locator('main section[aria-labelledby=facts-h] dl.facts');
        assert.equal(await fact(invoiceFacts, 'Order'), o2c.order);
        assert.equal(await text(page.locator('main section[aria-labelledby=buyer-h] a[href^="/parties/"]').first()),
          CUSTOMER);
        assert.equal(cents(await fact(totalsList(page), 'Total')), TOTAL_CENTS);
        assert.equal(await page.getByRole('link', { name: T.invoicePdf }).count(), 0, 'a draft offers a PDF');
        await screenshot(page, env.backend, 'o2c-invoice-draft');

        // Post: the invoice gets its number.
        await post(page, page.getByRole('button', { name: T.invoicePost, exact: true }), '/post',
          new RegExp(`^${o2c.invoicePath}$`));
        assert.ok(questions.includes(T.invoicePostConfirm), `asked: ${JSON.stringify(questions)}`);
        assert.equal(await flash(page), T.flashInvoicePosted);
        const posted = /^(INV-(\d{4})-\d{6}) (\S+)$/.exec(await heading(page));
        assert.ok(posted, `posted invoice heading: "${await heading(page)}"`);
        assert.equal(posted[3], T.invoiceStatePosted);
        o2c.invoice = posted[1];
        assert.equal(await page.getByRole('button', { name: T.invoicePost, exact: true }).count(), 0);
        assert.equal(await page.getByRole('button', { name: T.invoiceCancel }).count(), 0);
        const totals = totalsList(page);
        assert.equal(cents(await fact(totals, 'Total')), TOTAL_CENTS);
        assert.equal(cents(await fact(totals, 'Due')), TOTAL_CENTS);
        await screenshot(page, env.backend, 'o2c-invoice-posted');

        // The documents: a PDF and a UBL e-invoice.
        const pdfHref = await page.getByRole('link', { name: T.invoicePdf, exact: true }).getAttribute('href');
        const pdf = await page.request.get(pdfHref);
        assert.equal(pdf.status(), 200, `PDF answered ${pdf.status()}`);
        assert.match(pdf.headers()['content-type'] || '', /application\/pdf/);
        const pdfBody = await pdf.body();
        assert.equal(pdfBody.subarray(0, 5).toString('latin1'), '%PDF-', 'the PDF does not start with %PDF-');
        assert.ok(pdfBody.length > 1000, `the PDF has only ${pdfBody.length} bytes`);
        const ublHref = await page.getByRole('link', { name: T.invoiceUbl, exact: true }).getAttribute('href');
        const ubl = await page.request.get(ublHref);
        assert.equal(ubl.status(), 200, `UBL answered ${ubl.status()}`);
        assert.match(ubl.headers()['content-type'] || '', /xml/);
        const xml = await ubl.text();
        assert.match(xml, /<Invoice[\s>]/, 'the UBL has no <Invoice> root');
        assert.ok(xml.includes(o2c.invoice), `the UBL does not name ${o2c.invoice}`);
        assert.ok(xml.includes('351.94'), 'the UBL does not carry the total 351.94');

        // Record the payment of the full amount, prefilled.
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/payments/new'),
          page.locator('main .toolbar').getByRole('link', { name: T.invoiceRecordPayment, exact: true }).click(),
        ]);
        const query = new URL(page.url()).searchParams;
        const invoiceId = o2c.invoicePath.split('/').pop();
        assert.equal(query.get('invoice'), invoiceId);
        assert.equal(`/parties/${query.get('party')}`, o2c.partyPath);
        assert.equal(await page.locator('#f-party option:checked').innerText(), CUSTOMER);
        assert.equal(cents(await page.inputValue('#f-amount')), TOTAL_CENTS, 'amount not prefilled in full');
        const alloc = page.locator(`input[name=alloc_${invoiceId}]`);
        assert.equal(cents(await alloc.inputValue()), TOTAL_CENTS, 'allocation not prefilled in full');
        const allocRow = page.locator('main form tbody tr').filter({ has: alloc });
        assert.equal((await cellsOf(allocRow))[0], o2c.invoice);
        await page.fill('#f-reference', `Bank transfer ${o2c.invoice}`);
        await screenshot(page, env.backend, 'o2c-payment-form');
        await Promise.all([
          page.waitForURL((url) => PAYMENT_PATH.test(url.pathname)),
          page.locator('main form').getByRole('button', { name: T.paymentRecord, exact: true }).click(),
        ]);
        assert.equal(await flash(page), T.flashPaymentRecorded);
        const payment = await heading(page);
        assert.match(payment, /^PAY-\d{4}-\d+$/, `payment heading: "${payment}"`);
        o2c.payment = payment;
        const paymentFacts = page.locator('main section[aria-labelledby=facts-h] dl.facts');
        assert.equal(await fact(paymentFacts, 'Customer'), CUSTOMER);
        assert.equal(cents(await fact(paymentFacts, 'Amount')), TOTAL_CENTS);
        assert.equal(cents(await fact(paymentFacts, 'Unallocated')), 0);
        const allocations = page.locator('main section[aria-labelledby=alloc-h] tbody tr');
        assert.equal(await allocations.count(), 1);
        const allocation = await cellsOf(allocations.first());
        assert.equal(allocation[0], o2c.invoice);
        assert.equal(cents(allocation[1]), TOTAL_CENTS);
        await screenshot(page, env.backend, 'o2c-payment');

        // The invoice is paid, lists the payment, and offers no further payment.
        await Promise.all([
          page.waitForURL((url) => url.pathname === o2c.invoicePath),
          page.locator('main section[aria-labelledby=alloc-h]').getByRole('link', { name: o2c.invoice }).click(),
        ]);
        assert.equal(await heading(page), `${o2c.invoice} ${T.invoiceStatePaid}`);
        assert.equal(cents(await fact(totalsList(page), 'Paid')), TOTAL_CENTS);
        assert.equal(cents(await fact(totalsList(page), 'Due')), 0);
        const payments = page.locator('main section[aria-labelledby=payments-h] tbody tr');
        assert.equal(await payments.count(), 1);
        assert.equal((await cellsOf(payments.first()))[0], o2c.payment);
        assert.equal(await page.getByRole('link', { name: T.invoiceRecordPayment }).count(), 0,
          'a paid invoice offers to record a payment');
        await screenshot(page, env.backend, 'o2c-invoice-paid');
        await logout(page);
      });

      // 4. Reception: the customer's page shows the order shipped and the invoice paid.
      await journey(env, 'o2c-reception', async (page) => {
        await login(page, 'receptionist');
        await page.goto(o2c.partyPath);
        assert.match(await heading(page), new RegExp(`^${CUSTOMER}`));

        const orders = page.locator('main section[aria-labelledby=orders-h]');
        assert.equal(await text(orders.locator('h2')), T.partyOrders);
        const orderRow = orders.locator('tbody tr').filter({ hasText: o2c.order });
        assert.equal(await orderRow.count(), 1, `order ${o2c.order} not listed: ${await orders.innerText()}`);
        const orderCells = await cellsOf(orderRow);
        assert.equal(orderCells[0], o2c.order);
        assert.equal(orderCells[2], T.orderStateShipped);
        assert.equal(cents(orderCells.at(-1)), TOTAL_CENTS);
        // With the fulfilment column (the 360° view), everything is shipped.
        const orderHeads = (await orders.locator('thead th').allInnerTexts()).map((t) => t.trim());
        const fulfilment = orderHeads.indexOf(T.partyFulfilment, 3);
        if (fulfilment >= 0) {
          assert.ok(orderCells[fulfilment].startsWith(T.partyFulfilmentAll),
            `fulfilment of ${o2c.order}: "${orderCells[fulfilment]}"`);
        }
        await screenshot(page, env.backend, 'o2c-party');

        // The invoice as the customer's page shows it (the 360° view) or, before
        // that, as the order's invoicing lists it.
        const invoiceRows = page.locator('main tbody tr').filter({ hasText: o2c.invoice });
        if (await invoiceRows.count()) {
          for (const row of await invoiceRows.all()) {
            const cells = await cellsOf(row);
            assert.ok(cells.includes(T.invoiceStatePaid),
              `the customer's page lists ${o2c.invoice} but not as paid: ${JSON.stringify(cells)}`);
          }
          const payments = page.locator('main tbody tr').filter({ hasText: o2c.payment });
          assert.ok(await payments.count() >= 1, `the customer's page lists ${o2c.invoice} but not ${o2c.payment}`);
        } else {
          t.diagnostic(`the customer's page does not list ${o2c.invoice} yet; checked the order page`);
        }
        await page.goto(o2c.orderPath);
        assert.equal(await heading(page), `${o2c.order} ${T.orderStateShipped}`);
        const billing = page.locator('main section[aria-labelledby=billing-h]');
        const billed = billing.locator('tbody tr').filter({ hasText: o2c.invoice });
        assert.equal(await billed.count(), 1, `invoice ${o2c.invoice} not on the order`);
        const billedCells = await cellsOf(billed);
        assert.equal(billedCells[3], T.invoiceStatePaid);
        assert.equal(cents(billedCells[4]), TOTAL_CENTS);
        assert.equal(cents(billedCells[5]), 0);
        assert.equal(await billing.getByRole('button', { name: T.orderCreateInvoice }).count(), 0,
          'reception may create invoices');
        await screenshot(page, env.backend, 'o2c-reception-order');

        // The invoice: readable, but nothing to post or pay.
        await page.goto(o2c.invoicePath);
        assert.equal(await heading(page), `${o2c.invoice} ${T.invoiceStatePaid}`);
        assert.equal(await page.getByRole('button', { name: T.invoicePost, exact: true }).count(), 0);
        assert.equal(await page.getByRole('link', { name: T.invoiceRecordPayment }).count(), 0);
        assert.equal(await page.getByRole('button', { name: T.invoiceRecordPayment }).count(), 0);
        await screenshot(page, env.backend, 'o2c-reception-invoice');

        // And the payment form itself is refused.
        const refused = await page.goto(`/payments/new?party=${o2c.partyPath.split('/').pop()}`);
        assert.equal(refused.status(), 403);
        assert.equal(await heading(page), 'Not allowed');
      });
    });
  });
}
