// The knowledge base in a customer's request, in the browser, against the
// real `seam demo` binary on SQLite and, when SEAM_TEST_PG_URL is set, on
// PostgreSQL:
//
//   1. the customer (the demo `portal` login) reports a damaged parcel;
//   2. the service agent sees the fitting help article suggested on the
//      ticket, inserts its link into the reply, sends it and closes the ticket;
//   3. the customer finds the article in the portal's help articles, reads
//      it, and rates the closed request;
//   4. the agent sees the rating on the ticket and the desk's average.
//
// Screenshots land in tests/browser/artifacts/<backend>-kb-*.png.
//
//   cargo build -p seam && node --test tests/browser/kb.test.mjs

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

// Texts from crates/web/locales/en-US/{kb,service}.ftl and the demo articles.
const T = {
  send: 'Send request',
  suggested: 'Suggested articles',
  article: 'Damaged or missing goods',
  insertLink: 'Insert link',
  replied: 'The reply is sent to the customer.',
  helpArticles: 'Help articles',
  sendRating: 'Send rating',
  thanks: 'Thank you for your rating.',
};

const SUBJECT = 'Damaged parcel in our delivery';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));

for (const backend of backends()) {
  describe(`knowledge base on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'kb-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('a suggested article answers the request; the customer reads it and rates the closed request', async () => {
      const shared = {};

      await journey(env, 'kb-portal-asks', async (page) => {
        await login(page, 'portal');
        await page.goto('/portal/tickets');
        await page.fill('#f-subject', SUBJECT);
        await page.fill('#f-body', 'Two chairs arrived broken.');
        await Promise.all([
          page.waitForURL(/\/portal\/tickets\/\d+$/),
          page.getByRole('button', { name: T.send }).click(),
        ]);
        shared.path = new URL(page.url()).pathname;
        shared.id = shared.path.split('/').pop();
        shared.number = (await text(page.locator('main h1'))).split(' ')[0];
      });

      await journey(env, 'kb-agent-answers', async (page) => {
        await login(page, 'service');
        await page.goto('/service/tickets');
        await page.getByRole('link', { name: shared.number, exact: true }).click();
        await page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`));
        const suggestions = page.locator('main .suggestions');
        assert.equal(await text(suggestions.locator('h3')), T.suggested);
        const item = suggestions.locator('li', { hasText: T.article });
        assert.equal(await item.count(), 1, 'the fitting article is suggested');
        await screenshot(page, env.backend, 'kb-suggestions');
        await page.fill('#f-body', 'We are sorry about the chairs.');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}/compose$`)),
          item.getByRole('button', { name: T.insertLink }).click(),
        ]);
        const body = await page.inputValue('#f-body');
        assert.ok(body.startsWith('We are sorry about the chairs.'), body);
        const link = body.match(/\/portal\/kb\/(\d+)/);
        assert.ok(link && body.includes(T.article), `the article's link in the reply: ${body}`);
        shared.article = `/portal/kb/${link[1]}`;
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/reply"] button[type=submit]`).click(),
        ]);
        assert.ok((await text(page.locator('main .thread'))).includes(shared.article));
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/close"] button`).click(),
        ]);
      });

      await journey(env, 'kb-portal-reads-and-rates', async (page) => {
        await login(page, 'portal');
        await page.getByRole('link', { name: T.helpArticles, exact: true }).click();
        await page.waitForURL(/\/portal\/kb$/);
        await page.fill('#q', 'damaged');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.waitForURL(/\/portal\/kb\?q=damaged/);
        const results = page.locator('main #kb-results');
        assert.ok((await text(results)).includes(T.article));
        assert.ok(!(await text(results)).includes('Returns after 30 days'), 'no draft');
        await results.getByRole('link', { name: T.article }).click();
        await page.waitForURL(new RegExp(`${shared.article}$`));
        assert.equal(await text(page.locator('main h1')), T.article);
        assert.ok((await text(page.locator('main article'))).includes('tell us within 14 days'));
        await screenshot(page, env.backend, 'kb-portal-article');

        await page.goto(shared.path);
        assert.ok((await text(page.locator('main'))).includes(shared.article), 'the reply with the link');
        await page.check('input[name=rating][value="4"]');
        await page.fill('#f-comment', 'Helpful article, quick answer.');
        await Promise.all([
          page.waitForURL(new RegExp(`${shared.path}$`)),
          page.getByRole('button', { name: T.sendRating }).click(),
        ]);
        assert.equal(await flash(page), T.thanks);
        assert.ok((await text(page.locator('main'))).includes('You rated this request 4 out of 5.'));
        assert.equal(await page.locator(`form[action="${shared.path}/rating"]`).count(), 0, 'rated once');
        await screenshot(page, env.backend, 'kb-portal-rated');
      });

      await journey(env, 'kb-agent-sees-rating', async (page) => {
        await login(page, 'service');
        await page.goto(`/service/tickets/${shared.id}`);
        const facts = await text(page.locator('main dl.facts:not(.sla)'));
        assert.ok(facts.includes('4 out of 5') && facts.includes('Helpful article'), facts);
        await page.goto('/service/tickets');
        // The demo's rated request (5) and this one (4).
        assert.ok((await text(page.locator('main .csat-summary'))).includes('4.5'));
        await screenshot(page, env.backend, 'kb-queue');
      });
    });
  });
}
