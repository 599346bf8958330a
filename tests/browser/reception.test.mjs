// Visit to service in the browser, against the real `seam demo` binary on
// SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL: the receptionist
// checks in a visitor from a customer company and sees the company's card
// (balance, open invoices, open orders, open tickets); the host finds the
// notification that the visitor has arrived.
//
//   cargo build -p seam && node --test tests/browser/reception.test.mjs

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

// Texts from crates/web/locales/en-US/reception.ftl and notifications.ftl.
const T = {
  checkIn: 'Check in',
  checkedIn: 'The visitor is checked in and the host has been told.',
  arrived: (name) => `${name} has arrived at reception for you.`,
};

// The demo customer whose portal login has a billing ticket open.
const COMPANY = 'Nordlicht Handels GmbH';
const VISITOR = 'Ada Visitor';
// The demo's manager login (crates/app/src/demo.rs), the visitor's host.
const HOST = { username: 'manager', name: 'Thomas Keller' };

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

for (const backend of backends()) {
  describe(`visit to service on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'reception-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('a visitor checks in, the receptionist sees the company card, the host is notified', async () => {
      await journey(env, 'reception-check-in', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/reception/visits');
        await page.fill('#f-visitor_name', VISITOR);
        await page.selectOption('#f-party_id', { label: COMPANY });
        const hostValue = await page
          .locator('#f-host_user_id option')
          .filter({ hasText: HOST.name })
          .first()
          .getAttribute('value');
        await page.selectOption('#f-host_user_id', hostValue);
        await page.fill('#f-purpose', 'Contract review');
        await Promise.all([
          page.waitForURL(/\/reception\/visits\/\d+$/),
          page.locator('form[action="/reception/visits"] button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.checkedIn);
        const card = page.locator('#company-card');
        assert.ok((await text(card)).includes(COMPANY), 'the card names the company');
        assert.ok(await page.locator('#card-tickets li').count() >= 1, 'the card lists the open ticket');
        await screenshot(page, env.backend, 'reception-company-card');
      });

      await journey(env, 'reception-host-notified', async (page) => {
        await login(page, HOST.username);
        assert.ok(await page.locator('header .bell .badge').count() === 1, 'the bell shows unread notifications');
        await page.goto('/notifications');
        const list = await text(page.locator('main'));
        assert.ok(list.includes(T.arrived(VISITOR)), `no arrival notice in: ${list.slice(0, 300)}`);
      });
    });
  });
}
