// The internal helpdesk in the browser, against the real `seam demo` binary
// on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL: Sofia Romano
// (the `employee` login) asks IT for help from "IT help"; IT (the
// `it-support` login) finds the request in the IT queue and answers; Sofia
// reads the answer. Then she asks for access to a Seam role; her manager,
// Thomas Keller (the `manager` login), approves it from "My approvals";
// and IT finds the ticket for the grant in its queue.
//
//   cargo build -p seam && SEAM_BIN=target/debug/seam node --test tests/browser/helpdesk.test.mjs

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

// Texts from crates/web/locales/en-US/helpdesk.ftl and service.ftl.
const T = {
  opened: 'Your request was sent to IT.',
  accessSent: 'Your access request was sent to your manager.',
  accessApproved: 'The access was approved; IT has a ticket for it.',
  unknownRole: 'There is no such staff role.',
};

const SUBJECT = 'Docking station flickers';
const ANSWER = 'Please try the other USB-C port; a new cable is on its way.';
const REASON = 'I help close the books at the month end.';
const GRANT = 'Access: accountant role for Sofia Romano';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

for (const backend of backends()) {
  describe(`helpdesk on ${backend.name}`, { timeout: 240_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;
    let requestPath = '';

    before(async () => {
      clearFailureShots(backend.name, 'helpdesk-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('the employee asks IT for help, IT answers, the employee reads it', async () => {
      await journey(env, 'helpdesk-open', async (page) => {
        await login(page, 'employee');
        await page.goto('/me');
        await Promise.all([
          page.waitForURL('**/me/it'),
          page.locator('main nav.tabs a[href="/me/it"]').click(),
        ]);
        await page.fill('#f-subject', SUBJECT);
        await page.fill('#f-body', 'The external screen goes dark every few minutes.');
        await page.selectOption('#f-priority', 'high');
        await Promise.all([
          page.waitForURL(/\/me\/it\/\d+$/),
          page.locator('#it-request-form button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.opened);
        requestPath = new URL(page.url()).pathname;
        assert.ok((await text(page.locator('main h1'))).includes(SUBJECT));
        await screenshot(page, env.backend, 'helpdesk-request');
      });
      await journey(env, 'helpdesk-it-answers', async (page) => {
        await login(page, 'it-support');
        await page.goto('/service/tickets?queue=it');
        await Promise.all([
          page.waitForURL(/\/service\/tickets\/\d+$/),
          page.locator('main tr', { hasText: SUBJECT }).locator('a[href^="/service/tickets/"]').first().click(),
        ]);
        await page.fill('#f-body', ANSWER);
        await Promise.all([
          page.waitForURL(/\/service\/tickets\/\d+$/),
          page.locator('#reply-form button[type=submit]').first().click(),
        ]);
        assert.ok((await text(page.locator('main .thread'))).includes(ANSWER));
      });
      await journey(env, 'helpdesk-employee-reads', async (page) => {
        await login(page, 'employee');
        await page.goto(requestPath);
        assert.ok((await text(page.locator('main .thread'))).includes(ANSWER));
        await page.goto('/me/it');
        assert.ok((await text(page.locator('#my-it-requests'))).includes(SUBJECT));
      });
    });

    test('the employee asks for access, the manager approves, IT gets the ticket', async () => {
      await journey(env, 'helpdesk-access', async (page) => {
        await login(page, 'employee');
        await page.goto('/me/it');
        await page.fill('#f-reason', REASON);
        await page.locator('#access-form button[type=submit]').click();
        await page.waitForSelector('#f-system-error');
        assert.equal(await page.inputValue('#f-reason'), REASON, 'the input is kept');
        await page.selectOption('#f-role', 'accountant');
        await Promise.all([
          page.waitForURL('**/me/it'),
          page.locator('#access-form button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.accessSent);
        assert.ok((await text(page.locator('#my-access-requests'))).includes('Accountant role'));
      });
      await journey(env, 'helpdesk-manager-approves', async (page) => {
        await login(page, 'manager');
        await page.goto('/me/approvals');
        const item = page.locator('#access-to-decide li', { hasText: REASON });
        assert.ok((await text(item)).includes('Sofia Romano'));
        await Promise.all([
          page.waitForURL('**/me/approvals'),
          item.locator('form[action$="/approve"] button').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.accessApproved);
        await screenshot(page, env.backend, 'helpdesk-approvals');
      });
      await journey(env, 'helpdesk-it-grant', async (page) => {
        await login(page, 'it-support');
        await page.goto('/service/tickets?queue=it');
        assert.ok((await text(page.locator('main'))).includes(GRANT));
      });
    });
  });
}
