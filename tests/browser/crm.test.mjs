// Lead to quote in the browser, against the real `seam demo` binary on SQLite
// and, when SEAM_TEST_PG_URL is set, on PostgreSQL: a prospect sends the
// public contact form; the salesperson finds the lead, qualifies it into a
// customer and an opportunity with a product, moves its card along the
// pipeline board (htmx), wins it and lands on the draft quote made from it.
//
//   cargo build -p seam && node --test tests/browser/crm.test.mjs

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

// Texts from crates/web/locales/en-US/crm.ftl.
const T = {
  thanks: 'Thank you. We have your message and will be in touch.',
  qualified: 'The lead was qualified; here is its opportunity.',
  wonQuote: 'The opportunity was won; here is its draft quote.',
};

const COMPANY = 'Fjällbacka Rosteri AB';
const PERSON = 'Ingrid Holm';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

for (const backend of backends()) {
  describe(`lead to quote on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'crm-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('a web lead is qualified, moved on the board, won, and becomes a quote', async () => {
      await journey(env, 'crm-web-form', async (page) => {
        await page.goto('/forms/lead?utm_campaign=coffee-fair');
        await page.fill('#f-name', PERSON);
        await page.fill('#f-company', COMPANY);
        await page.fill('#f-email', 'ingrid@fjallbacka-rosteri.se');
        await page.fill('#f-notes', 'We need beans for three cafés.');
        await page.click('main form button[type=submit]');
        assert.equal(await text(page.locator('#lead-thanks')), T.thanks);
      });

      await journey(env, 'crm-lead-to-quote', async (page) => {
        await login(page, 'sales');
        await page.goto(`/crm/leads?q=${encodeURIComponent('Fjällbacka')}`);
        await page.locator('#leads a', { hasText: PERSON }).click();
        await page.waitForURL(/\/crm\/leads\/\d+$/);
        assert.ok((await text(page.locator('main'))).includes('coffee-fair'), 'the lead keeps its campaign');

        await page.fill('#f-amount', '4800');
        await page.fill('#f-expected_close', '2027-01-31');
        await page.fill('#f-product-0', 'ESP-BEAN-1KG');
        await page.fill('#f-qty-0', '120');
        await screenshot(page, env.backend, 'crm-lead');
        await Promise.all([
          page.waitForURL(/\/crm\/opportunities\/\d+$/),
          page.locator('form[action$="/qualify"] button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.qualified);
        const opportunity = page.url();
        const id = opportunity.match(/(\d+)$/)[1];

        // On the board the card starts in Prospecting; → moves it without a page load.
        await page.goto('/crm/pipeline');
        const card = () => page.locator(`[data-opportunity="${id}"]`);
        assert.equal(await card().locator('xpath=ancestor::section[1]').getAttribute('data-stage'), 'prospecting');
        await card().locator('button', { hasText: '→' }).click();
        await page.locator(`[data-stage="qualification"] [data-opportunity="${id}"]`).waitFor();
        assert.ok(page.url().endsWith('/crm/pipeline'), 'the board was updated in place');
        await screenshot(page, env.backend, 'crm-pipeline');

        await page.goto(opportunity);
        await Promise.all([
          page.waitForURL(/\/sales\/quotes\/\d+$/),
          page.click('#win'),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.wonQuote);
        const quote = await text(page.locator('main'));
        assert.ok(quote.includes(COMPANY), 'the quote is for the new customer');
        assert.ok(quote.includes('ESP-BEAN-1KG'), 'the quote has the product');
        await screenshot(page, env.backend, 'crm-quote');
      });
    });
  });
}
