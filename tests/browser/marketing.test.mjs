// A campaign in the browser, against the real `seam demo` binary on SQLite
// and, when SEAM_TEST_PG_URL is set, on PostgreSQL: the marketing user
// previews and saves a segment, writes a campaign (a mistyped merge field is
// refused by name first), sends it, and sees its recipients' statuses once
// the job worker has sent them to a local SMTP sink; then a recipient opens
// the unsubscribe link from the received message, with no login, and confirms.
//
//   cargo build -p seam && node --test tests/browser/marketing.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  backends,
  clearFailureShots,
  header,
  journey,
  launchBrowser,
  login,
  repoRoot,
  screenshot,
  smtpSink,
  startSeam,
} from './harness.mjs';

// Texts from crates/web/locales/en-US/marketing.ftl.
const T = {
  segmentSaved: 'The segment was saved.',
  campaignSaved: 'The campaign was saved.',
  sending: 'The campaign is being sent.',
  badField: 'There is no merge field {{frist_name}}.',
};

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

for (const backend of backends()) {
  describe(`marketing on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;
    let sink = null;

    before(async () => {
      clearFailureShots(backend.name, 'marketing-');
      db = backend.create();
      sink = await smtpSink();
      env.server = await startSeam(db.url);
      const bin = path.resolve(repoRoot, process.env.SEAM_BIN || 'target/debug/seam');
      const cli = (...args) => execFileSync(bin, ['--database-url', db.url, ...args], { stdio: 'pipe' });
      cli('mail', 'set', '--smtp-url', `smtp://127.0.0.1:${sink.port}`);
      cli('campaign', 'settings', '--rate', '50', '--tick-seconds', '1', '--base-url', env.server.baseUrl);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      sink?.close();
      db?.drop();
    });

    test('a segment and a campaign are built and sent, and a recipient unsubscribes', async () => {
      let unsubscribeUrl = null;
      await journey(env, 'marketing-campaign', async (page) => {
        await login(page, 'marketing');
        await page.goto('/marketing');
        await page.click('a[href="/marketing/segments"]');

        // Preview first: nothing is saved, the count shows.
        await page.fill('#f-name', 'Swedish contacts');
        await page.selectOption('#f-kind', 'person');
        await page.fill('#f-country', 'se');
        await page.click('#preview');
        assert.match(await text(page.locator('#segment-count')), /^\d+ parties, \d+ with an e-mail address\.$/);
        await screenshot(page, backend.name, 'marketing-segment-preview');
        await Promise.all([page.waitForURL(/\/marketing\/segments\/\d+$/), page.click('#save-segment')]);
        assert.equal(await text(page.locator('.flash')), T.segmentSaved);
        const members = await page.locator('#members tbody tr').count();
        assert.ok(members > 0, 'the segment has members');
        await screenshot(page, backend.name, 'marketing-segment');

        await page.click('nav.tabs a[href="/marketing/campaigns"]');
        await page.fill('#f-name', 'Autumn news');
        await page.fill('#f-code', 'autumn-news');
        await page.fill('#f-from_address', 'News <news@example.com>');
        await page.selectOption('#f-segment_id', { label: 'Swedish contacts' });
        await page.fill('#f-subject', 'Hello {{frist_name}}');
        await page.fill('#f-body', 'Dear {{name}},\n\nautumn is here.\n\nUnsubscribe: {{unsubscribe_url}}');
        await page.click('#save-campaign');
        assert.equal(await text(page.locator('#f-subject-error')), T.badField);
        assert.equal(await page.inputValue('#f-subject'), 'Hello {{frist_name}}');
        await screenshot(page, backend.name, 'marketing-campaign-error');
        await page.fill('#f-subject', 'Hello {{first_name}}');
        await Promise.all([page.waitForURL(/\/marketing\/campaigns\/\d+$/), page.click('#save-campaign')]);
        assert.equal(await text(page.locator('.flash')), T.campaignSaved);
        assert.equal(await text(page.locator('#campaign-state')), 'Draft');

        await Promise.all([page.waitForURL(/\/marketing\/campaigns\/\d+$/), page.click('#send')]);
        assert.equal(await text(page.locator('.flash')), T.sending);
        // The job worker sends; reload until every recipient has left the queue.
        const deadline = Date.now() + 30_000;
        while ((await page.locator('#recipients tr[data-status="queued"]').count()) > 0 && Date.now() < deadline) {
          await page.waitForTimeout(500);
          await page.reload();
        }
        assert.equal(await text(page.locator('#campaign-state')), 'Sent');
        const sent = await page.locator('#recipients tr[data-status="sent"]').count();
        // The demo's own queued e-mails (invoices, invitations) reach the sink too.
        const campaignMessages = sink.messages.filter((m) => header(m.data, 'List-Unsubscribe-Post'));
        assert.equal(sent, campaignMessages.length);
        assert.ok(sent > 0);
        assert.match(await text(page.locator('#recipient-counts')), /Sent: \d+/);
        await screenshot(page, backend.name, 'marketing-campaign-sent');

        const message = campaignMessages[0];
        assert.equal(header(message.data, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
        const links = header(message.data, 'List-Unsubscribe');
        const found = links.match(/<(http[^>]+\/u\/[0-9a-f]+)>/);
        assert.ok(found, links);
        unsubscribeUrl = found[1];
        assert.ok(header(message.data, 'Subject').startsWith('Hello '));
      });

      await journey(env, 'marketing-unsubscribe', async (page) => {
        await page.goto(unsubscribeUrl);
        await screenshot(page, backend.name, 'marketing-unsubscribe');
        await page.click('#unsubscribe');
        assert.match(await text(page.locator('#unsubscribed')), /is unsubscribed/);
        await screenshot(page, backend.name, 'marketing-unsubscribed');
      });

      await journey(env, 'marketing-suppressed', async (page) => {
        await login(page, 'marketing');
        await page.goto('/marketing/suppressions');
        assert.ok((await page.locator('#suppressions tbody tr').count()) >= 1);
        assert.match(await text(page.locator('#suppressions')), /Unsubscribed/);
        await screenshot(page, backend.name, 'marketing-suppressions');
      });
    });
  });
}
