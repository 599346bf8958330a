// Issue to resolution in the browser, against the real `seam demo` binary on
// SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL:
//
//   1. the customer (the demo `portal` login) asks about one of their
//      invoices in the portal;
//   2. the service agent finds the ticket in the desk, adds an internal note
//      and escalates it to accounting;
//   3. the accountant opens the accounting queue and issues the credit note
//      from the ticket;
//   4. the customer sees the credit note on their request, and never the
//      internal note.
//
// Screenshots land in tests/browser/artifacts/<backend>-service-*.png.
//
//   cargo build -p seam && node --test tests/browser/service.test.mjs

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

// Texts from crates/web/locales/en-US/service.ftl.
const T = {
  portalTickets: 'My requests',
  send: 'Send request',
  opened: 'Thank you: your request is with our service desk.',
  escalated: 'The ticket is in its new queue.',
  noted: 'The internal note is saved.',
  accountingQueue: 'Accounting queue (tickets)',
  issueCredit: 'Issue credit note',
  credited: 'The credit note is posted and the ticket is resolved.',
  resolved: 'Resolved',
};

const SUBJECT = 'Please check our last invoice';
const NOTE = 'Internal: the delivery note shows a short delivery.';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));

for (const backend of backends()) {
  describe(`issue to resolution on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'service-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('portal ticket → escalated to accounting → credit note seen in the portal', async () => {
      const shared = {};

      await journey(env, 'service-portal-open', async (page) => {
        await login(page, 'portal');
        // The demo's billing request names one of the customer's invoices.
        await page.goto('/portal/tickets');
        assert.equal(await text(page.locator('main h1')), T.portalTickets);
        await page
          .locator('main table tr', { hasText: 'Invoice lists 12 boxes' })
          .locator('a[href^="/portal/tickets/"]')
          .click();
        await page.waitForURL(/\/portal\/tickets\/\d+$/);
        const invoiceLink = page.locator('main dl.facts a[href^="/portal/invoices/"]').first();
        shared.invoice = await text(invoiceLink);
        assert.match(shared.invoice, /^INV-\d{4}-\d{6}$/);

        await page.goto('/portal/tickets');
        await page.fill('#f-subject', SUBJECT);
        await page.fill('#f-body', 'The amount looks higher than agreed.');
        await page.fill('#f-invoice', shared.invoice);
        await Promise.all([
          page.waitForURL(/\/portal\/tickets\/\d+$/),
          page.getByRole('button', { name: T.send }).click(),
        ]);
        assert.equal(await flash(page), T.opened);
        shared.path = new URL(page.url()).pathname;
        shared.id = shared.path.split('/').pop();
        shared.number = (await text(page.locator('main h1'))).split(' ')[0];
        await screenshot(page, env.backend, 'service-portal-opened');
      });

      await journey(env, 'service-agent-escalates', async (page) => {
        await login(page, 'service');
        await page.goto('/service/tickets');
        await page.getByRole('link', { name: shared.number, exact: true }).click();
        await page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`));
        await page.fill('#f-body', NOTE);
        await page.check('input[name=visibility][value=internal]');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/reply"] button[type=submit]`).click(),
        ]);
        assert.equal(await flash(page), T.noted);
        await page.selectOption('#f-queue', 'accounting');
        await page.fill('#f-note', 'Please credit this invoice.');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/escalate"] button[type=submit]`).click(),
        ]);
        assert.equal(await flash(page), T.escalated);
        // The service agent may not issue credit notes.
        assert.equal(await page.locator(`form[action="/service/tickets/${shared.id}/credit"]`).count(), 0);
      });

      await journey(env, 'service-accountant-credits', async (page) => {
        await login(page, 'accountant');
        await page.goto('/accounting');
        await page.getByRole('link', { name: T.accountingQueue, exact: true }).click();
        await page.waitForURL(/\/service\/tickets\?queue=accounting/);
        await page.getByRole('link', { name: shared.number, exact: true }).click();
        await page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`));
        assert.ok((await text(page.locator('main'))).includes(NOTE), 'accounting reads the internal note');
        await page.fill('#f-reason', 'agreed price');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.getByRole('button', { name: T.issueCredit, exact: true }).click(),
        ]);
        assert.equal(await flash(page), T.credited);
        const credit = page.locator('main dl.facts a[href^="/invoices/"]').last();
        shared.credit = await text(credit);
        assert.match(shared.credit, /^CN-\d{4}-\d{6}$/);
        await screenshot(page, env.backend, 'service-credited');
      });

      await journey(env, 'service-portal-sees-credit', async (page) => {
        await login(page, 'portal');
        await page.goto(shared.path);
        const main = await text(page.locator('main'));
        assert.ok(main.includes(shared.credit), `the credit note ${shared.credit} on the request`);
        assert.ok(main.includes(T.resolved));
        assert.ok(!main.includes(NOTE), 'an internal note leaked to the customer');
        await screenshot(page, env.backend, 'service-portal-credit');
      });
    });
  });
}
