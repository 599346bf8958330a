// The e-mailed rating link in the browser, against the real `seam demo`
// binary on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL:
//
//   1. the customer (the demo `portal` login) asks for help in the portal;
//   2. the service desk (`service`) resolves the request; the job worker
//      e-mails the customer a rating link (to a local SMTP sink);
//   3. the link opens without a login, takes a rating of 5 with a comment,
//      and works only once;
//   4. the agent sees the rating on the ticket.
//
// Screenshots land in tests/browser/artifacts/<backend>-csat-*.png.
//
//   cargo build -p seam && node --test tests/browser/csat.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  backends,
  clearFailureShots,
  journey,
  launchBrowser,
  login,
  repoRoot,
  screenshot,
  smtpSink,
  startSeam,
} from './harness.mjs';

// Texts from crates/web/locales/en-US/{kb,sla,service}.ftl.
const T = {
  thanks: 'Thank you for your rating.',
  used: 'This link has been used already. Thank you!',
  send: 'Send rating',
};

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const SUBJECT = 'The kettle lid does not close';

/** The rating link in a raw message (quoted-printable soft breaks undone). */
function ratingLink(raw) {
  const body = raw.replace(/=\r\n/g, '').replace(/=3D/g, '=');
  const found = body.match(/https?:\/\/[^\s"<>]+\/csat\/[A-Za-z0-9_-]+/);
  return found ? found[0] : null;
}

async function waitFor(check, what, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

for (const backend of backends()) {
  describe(`rating link on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;
    let sink = null;

    before(async () => {
      clearFailureShots(backend.name, 'csat-');
      db = backend.create();
      sink = await smtpSink();
      env.server = await startSeam(db.url);
      const bin = path.resolve(repoRoot, process.env.SEAM_BIN || 'target/debug/seam');
      const cli = (...args) => execFileSync(bin, ['--database-url', db.url, ...args], { stdio: 'pipe' });
      cli('mail', 'set', '--smtp-url', `smtp://127.0.0.1:${sink.port}`);
      // The one public address every e-mailed link starts with.
      cli('campaign', 'settings', '--rate', '50', '--tick-seconds', '1', '--base-url', env.server.baseUrl);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      sink?.close();
      db?.drop();
    });

    test('a resolved request e-mails a rating link that works once, and the agent sees the rating', async () => {
      const shared = {};

      await journey(env, 'csat-portal-asks', async (page) => {
        await login(page, 'portal');
        await page.goto('/portal/tickets');
        await page.fill('#f-subject', SUBJECT);
        await page.fill('#f-body', 'It springs open when the water boils.');
        await Promise.all([
          page.waitForURL(/\/portal\/tickets\/\d+$/),
          page.locator('main form button[type=submit]').first().click(),
        ]);
        shared.id = new URL(page.url()).pathname.split('/').pop();
      });

      await journey(env, 'csat-agent-resolves', async (page) => {
        await login(page, 'service');
        await page.goto(`/service/tickets/${shared.id}`);
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/resolve"] button`).click(),
        ]);
      });

      const link = await waitFor(
        () => sink.messages.map((m) => ratingLink(m.data)).find(Boolean),
        'the rating e-mail',
      );
      assert.ok(link.startsWith(env.server.baseUrl), `the link starts with the public address: ${link}`);

      await journey(env, 'csat-customer-rates', async (page) => {
        await page.goto(link);
        assert.ok((await text(page.locator('main'))).includes(SUBJECT));
        await screenshot(page, env.backend, 'csat-form');
        await page.check('input[name=rating][value="5"]');
        await page.fill('#f-comment', 'Fixed the same day.');
        await page.getByRole('button', { name: T.send }).click();
        await page.waitForLoadState('networkidle');
        assert.equal(await text(page.locator('#csat-thanks')), T.thanks);
        await page.goto(link);
        assert.ok((await text(page.locator('main'))).includes(T.used), 'the link works once');
        await screenshot(page, env.backend, 'csat-used');
      });

      await journey(env, 'csat-agent-sees', async (page) => {
        await login(page, 'service');
        await page.goto(`/service/tickets/${shared.id}`);
        const facts = await text(page.locator('main dl.facts:not(.sla)'));
        assert.ok(facts.includes('5 out of 5') && facts.includes('Fixed the same day.'), facts);
      });
    });
  });
}
