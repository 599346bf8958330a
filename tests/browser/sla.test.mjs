// Service levels in the browser, against the real `seam demo` binary on
// SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL:
//
//   1. the manager refuses working hours that close before they open, and
//      sees the default targets;
//   2. the service agent opens an urgent ticket for a caller: the ticket
//      page shows its first-response target running;
//   3. the test makes the ticket breach: it moves the ticket's stored
//      deadlines into the past in the database (with sqlite3 or psql), as if
//      half an hour had gone by;
//   4. the agent finds it on /service/sla under "Breached", with the badge
//      on the desk's list and on the ticket's page.
//
// Screenshots land in tests/browser/artifacts/<backend>-sla-*.png.
//
//   cargo build -p seam && node --test tests/browser/sla.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

// Texts from crates/web/locales/en-US/sla.ftl and service.ftl.
const T = {
  settings: 'Working hours and SLA targets',
  hoursOrder: 'Closing time must be after opening time.',
  lists: 'Service levels',
  breached: 'Breached',
  running: 'On track',
  opened: 'The ticket is open.',
};

const SUBJECT = 'Espresso machine leaking at the front counter';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

/** Runs one SQL statement on the journey's database, outside Seam. */
function sql(db, statement) {
  if (db.url.startsWith('sqlite://')) {
    const file = db.url.slice('sqlite://'.length);
    execFileSync('sqlite3', ['-cmd', '.timeout 10000', file, statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    // The schema is in the URL's search_path option; psql takes it from PGOPTIONS.
    const url = new URL(db.url);
    const options = decodeURIComponent(url.searchParams.get('options') || '');
    url.searchParams.delete('options');
    execFileSync('psql', [url.toString(), '-v', 'ON_ERROR_STOP=1', '-q', '-c', statement], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PGOPTIONS: options },
    });
  }
}

for (const backend of backends()) {
  describe(`service levels on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'sla-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('bad hours refused → urgent ticket → made to breach → on the breached list', async () => {
      const shared = {};

      await journey(env, 'sla-manager-settings', async (page) => {
        await login(page, 'manager');
        await page.goto('/service/sla/settings');
        assert.equal(await text(page.locator('main h1')), T.settings);
        // Default targets: urgent 30 min / 4 h among them.
        assert.ok((await text(page.locator('main'))).includes('30 min'));
        await page.fill('#f-mon_start', '17:00');
        await page.fill('#f-mon_end', '08:00');
        await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/service/sla/calendar')),
          page.locator('form[action="/service/sla/calendar"] button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('#f-mon_end-error')), T.hoursOrder);
        await screenshot(page, env.backend, 'sla-settings-refused');
        // Nothing was saved.
        await page.goto('/service/sla/settings');
        assert.equal(await page.inputValue('#f-mon_start'), '08:00');
      });

      await journey(env, 'sla-agent-opens', async (page) => {
        await login(page, 'service');
        await page.goto('/service/tickets/new');
        await page.selectOption('#f-party_id', { index: 1 });
        await page.fill('#f-subject', SUBJECT);
        await page.fill('#f-body', 'Water under the machine since opening.');
        await page.selectOption('#f-priority', 'urgent');
        await Promise.all([
          page.waitForURL(/\/service\/tickets\/\d+$/),
          page.locator('form[action="/service/tickets"] button[type=submit]').click(),
        ]);
        shared.id = new URL(page.url()).pathname.split('/').pop();
        shared.number = (await text(page.locator('main h1'))).split(' ')[0];
        const facts = await text(page.locator('main dl.sla'));
        assert.ok(facts.includes('First response'), facts);
        assert.ok(facts.includes('target 30 min'), facts);
      });

      // Half an hour later, as far as the stored deadlines are concerned.
      const past = (Date.now() - 60_000) * 1000;
      sql(
        db,
        `UPDATE ticket_slas SET first_response_due_at_us = ${past}, first_response_warn_at_us = ${past - 300_000_000} WHERE ticket_id = ${shared.id}`,
      );

      await journey(env, 'sla-agent-sees-breach', async (page) => {
        await login(page, 'service');
        await page.goto('/service/sla');
        assert.equal(await text(page.locator('main h1')), T.lists);
        const breached = page.locator('section[aria-labelledby=breached-h]');
        await breached.getByRole('link', { name: shared.number, exact: true }).waitFor();
        assert.ok((await text(breached)).includes(SUBJECT));
        const atRisk = page.locator('section[aria-labelledby=at-risk-h]');
        assert.equal(await atRisk.getByRole('link', { name: shared.number, exact: true }).count(), 0);
        await screenshot(page, env.backend, 'sla-lists');

        await page.goto('/service/tickets');
        const row = page.locator('main table tr', { hasText: shared.number });
        assert.equal(await text(row.locator('.badge.sla-breached')), T.breached);
        await screenshot(page, env.backend, 'sla-desk-badge');

        await page.goto(`/service/tickets/${shared.id}`);
        const facts = await text(page.locator('main dl.sla'));
        assert.ok(facts.includes(T.breached), facts);
        assert.ok(facts.includes('overdue'), facts);
        await screenshot(page, env.backend, 'sla-ticket');
      });
    });
  });
}
