// Key user journeys in headless Chromium against the real `seam demo`
// binary: on SQLite always, and again on PostgreSQL (a throwaway schema made
// with psql) when SEAM_TEST_PG_URL is set. Screenshots of every journey land
// in tests/browser/artifacts/ for review; a failing journey adds
// <backend>-<name>-FAILED.png and names it in the error.
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
  navigation,
  screenshot,
  startSeam,
} from './harness.mjs';

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** How wide the page is laid out, in CSS pixels (more than the screen means sideways scrolling). */
const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

for (const backend of backends()) {
  describe(`journeys on ${backend.name}`, { timeout: 120_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name);
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('receptionist creates a company and finds it again', () =>
      journey(env, 'create-and-search', async (page) => {
        await login(page, 'receptionist');

        const nav = await navigation(page);
        assert.ok(nav.headings.includes('Front office'), `nav headings: ${nav.headings}`);
        assert.ok(!nav.headings.includes('Back office'), `nav headings: ${nav.headings}`);
        for (const link of ['Reception', 'CRM', 'Service']) {
          assert.ok(nav.links.includes(link), `"${link}" missing from nav links: ${nav.links}`);
        }
        for (const link of ['HR', 'Accounting', 'Payroll']) {
          assert.ok(!nav.links.includes(link), `"${link}" must not be in nav links: ${nav.links}`);
        }

        await page.goto('/parties/new');
        await page.check('input[name=kind][value=company]');
        await page.fill('#f-name', 'Lumen Kontor AB');
        await page.fill('#f-email', 'info@lumen-kontor.example');
        await page.fill('#f-city', 'Malmö');
        await page.fill('#f-tags', 'vip');
        await page.check('input[name=is_customer]');
        await Promise.all([
          page.waitForURL(/\/parties\/[^/]+$/),
          page.getByRole('button', { name: 'Save', exact: true }).click(),
        ]);
        const partyPath = new URL(page.url()).pathname;
        assert.notEqual(partyPath, '/parties/new', 'still on the form after saving');
        assert.equal(
          (await page.locator('main .flash[role=status]').innerText()).trim(),
          'The party was created.',
        );
        assert.match(await page.locator('main h1').innerText(), /Lumen Kontor AB/);
        const facts = await page.locator('main section[aria-labelledby=facts-h] dl.facts').innerText();
        assert.match(facts, /info@lumen-kontor\.example/);
        assert.match(facts, /Malmö/);
        assert.match(facts, /vip/);
        await screenshot(page, env.backend, 'party-created');

        // Live suggestions (htmx) under the search box while typing.
        const box = page.locator('#global-search');
        await box.click();
        await box.pressSequentially('lumen', { delay: 40 });
        const suggestion = page.locator(`#search-suggestions a[href="${partyPath}"]`);
        await suggestion.waitFor({ state: 'visible', timeout: 5_000 });
        assert.match(await suggestion.innerText(), /Lumen Kontor AB/);
        await screenshot(page, env.backend, 'search-suggestions');

        // Enter submits the form to the full search page.
        await Promise.all([page.waitForURL(/\/search\?q=lumen/), box.press('Enter')]);
        const result = page.locator(`main #search-results a[href="${partyPath}"]`);
        await result.waitFor({ state: 'visible' });
        assert.match(await result.innerText(), /Lumen Kontor AB/);
        await screenshot(page, env.backend, 'search-results');

        await Promise.all([
          page.waitForURL(/\/login/),
          page.getByRole('button', { name: 'Log out' }).click(),
        ]);
      }));

    test('search suggestions close on Escape', () =>
      journey(env, 'suggestions-escape', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/parties');
        const box = page.locator('#global-search');
        await box.click();
        await box.pressSequentially('a', { delay: 40 });
        await page.locator('#search-suggestions a').first().waitFor({ state: 'visible', timeout: 5_000 });
        await box.press('Escape');
        await page.waitForTimeout(600); // longer than the 250 ms htmx delay
        const panel = await page.locator('#search-suggestions').boundingBox();
        assert.ok(!panel || panel.height === 0,
          `the suggestion panel is still ${panel?.height}px tall: "${await page.locator('#search-suggestions').innerText()}"`);
      }));

    test('new-party form keeps input and explains errors', () =>
      journey(env, 'validation', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/parties/new');
        await page.check('input[name=kind][value=company]');
        await page.fill('#f-name', '');
        await page.fill('#f-email', 'nope');
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Save', exact: true }).click(),
        ]);
        await page.waitForLoadState('domcontentloaded');
        assert.ok(response.status() >= 400 && response.status() < 500,
          `expected a 4xx answer to the invalid form, got ${response.status()}`);
        assert.ok(!/\/parties\/[0-9a-z-]{8,}$/i.test(new URL(page.url()).pathname),
          'redirected to a party page although the form was invalid');
        await page.locator('#f-name').waitFor();

        const nameError = page.locator('#f-name-error');
        const emailError = page.locator('#f-email-error');
        assert.equal(await nameError.getAttribute('role'), 'alert');
        assert.equal(await emailError.getAttribute('role'), 'alert');
        assert.equal((await nameError.innerText()).trim(), 'This field is required.');
        assert.equal((await emailError.innerText()).trim(), 'This is not a valid e-mail address.');
        assert.equal(await page.inputValue('#f-email'), 'nope');
        assert.equal(await page.getAttribute('#f-name', 'aria-invalid'), 'true');
        assert.equal(await page.getAttribute('#f-name', 'aria-describedby'), 'f-name-error');
        assert.equal(await page.getAttribute('#f-email', 'aria-describedby'), 'f-email-error');
        assert.ok(await page.isChecked('input[name=kind][value=company]'), 'the chosen kind was lost');
        await screenshot(page, env.backend, 'validation');
      }));

    test('accountant sees Accounting but is refused HR', () =>
      journey(env, 'accountant-forbidden', async (page) => {
        await login(page, 'accountant');
        const nav = await navigation(page);
        assert.ok(nav.links.includes('Accounting'), `nav links: ${nav.links}`);
        assert.ok(!nav.links.includes('HR'), `nav links: ${nav.links}`);

        const response = await page.goto('/hr');
        assert.equal(response.status(), 403);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Not allowed');
        // The refusal page still carries the user's own navigation.
        assert.ok((await navigation(page)).links.includes('Accounting'));
        await screenshot(page, env.backend, 'accountant-hr-403');
      }));

    test('phone width: no horizontal scroll, party list renders', () =>
      journey(env, 'phone', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/');
        const width = await pageWidth(page);
        assert.ok(width <= 391, `home page is ${width}px wide on a 390px screen`);
        assert.ok(await page.locator('nav.side a[href="/parties"]').isVisible(), 'no party link on the phone');
        await screenshot(page, env.backend, 'phone-home');

        await page.goto('/parties');
        const rows = page.locator('#party-results tbody tr');
        await rows.first().waitFor();
        assert.ok((await rows.count()) >= 10, `only ${await rows.count()} party rows`);
        assert.ok(await rows.first().locator('a').isVisible(), 'the first party name is not visible');
        // The optional columns (e-mail, city) are hidden on a phone.
        assert.ok(!(await page.locator('#party-results th.optional').first().isVisible()));
        await screenshot(page, env.backend, 'phone-parties');
      }, phone));

    test('phone width: the party list does not scroll sideways', () =>
      journey(env, 'phone-parties-overflow', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/parties');
        await page.locator('#party-results tbody tr').first().waitFor();
        const width = await pageWidth(page);
        assert.ok(width <= 391, `party list is ${width}px wide on a 390px screen`);
      }, phone));

    test('keyboard: login focus order, every field labelled', () =>
      journey(env, 'keyboard', async (page) => {
        const focused = () =>
          page.evaluate(() => {
            const el = document.activeElement;
            if (!el || el === document.body) return 'body';
            return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className}`;
          });

        await page.goto('/login');
        // The username field is focused on arrival (autofocus), so typing starts there.
        assert.equal(await focused(), '#username', 'username is not focused when the login page opens');

        // From the top of the page, Tab reaches the skip link first; following
        // it, the next Tab lands in the username field.
        await page.evaluate(() => document.activeElement?.blur());
        await page.mouse.click(5, 400); // an empty spot left of the card: the focus starting point
        await page.keyboard.press('Tab');
        assert.equal(await focused(), 'a.skip', 'the first Tab stop is not the skip link');
        await page.keyboard.press('Enter');
        await page.waitForURL(/#main$/);
        await page.keyboard.press('Tab');
        assert.equal(await focused(), '#username', 'after "Skip to content", Tab does not reach the username');

        // Without the skip link, only header links come before the username field.
        await page.goto('/login');
        await page.evaluate(() => document.activeElement?.blur());
        await page.mouse.click(5, 400);
        const order = [];
        for (let i = 0; i < 5 && order.at(-1) !== '#username'; i++) {
          await page.keyboard.press('Tab');
          order.push(await focused());
        }
        assert.equal(order.at(-1), '#username', `Tab order from the top: ${order.join(' → ')}`);
        assert.ok(order.slice(0, -1).every((f) => f.startsWith('a.')),
          `Tab order from the top: ${order.join(' → ')}`);
        const formControlsFirst = await page.evaluate(() =>
          [...document.querySelectorAll('main input:not([type=hidden]), main button, main select')]
            .indexOf(document.getElementById('username')));
        assert.equal(formControlsFirst, 0, 'a form control comes before the username field');

        await login(page, 'receptionist');
        await page.goto('/parties/new');
        const unlabelled = await page.evaluate(() =>
          [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden')
            .filter((el) => {
              if (el.labels && el.labels.length > 0) return false;
              if (el.type === 'radio' || el.type === 'checkbox') {
                const legend = el.closest('fieldset')?.querySelector('legend');
                if (legend && legend.textContent.trim()) return false;
              }
              return true;
            })
            .map((el) => el.outerHTML.slice(0, 120)),
        );
        assert.deepEqual(unlabelled, [], `form controls without a label:\n${unlabelled.join('\n')}`);
        await screenshot(page, env.backend, 'party-form');
      }));

    test('admin switches the interface to Swedish and back', () =>
      journey(env, 'language', async (page) => {
        await login(page, 'admin');
        const savePreferences = async (label) => {
          await page.goto('/settings');
          await page.selectOption('#f-locale', { label });
          const [response] = await Promise.all([
            page.waitForNavigation(),
            page.locator('form[action="/settings/preferences"] button[type=submit]').click(),
          ]);
          assert.equal(response?.status(), 200, `saving the preferences ended on ${page.url()}`);
        };
        try {
          await savePreferences('Svenska');
          const nav = await navigation(page);
          assert.ok(!nav.headings.includes('Front office'), `nav headings still English: ${nav.headings}`);
          assert.ok(nav.headings.includes('Kundnära verksamhet'), `nav headings: ${nav.headings}`);
          assert.match(await page.locator('html').getAttribute('lang'), /^sv/);
          assert.equal(await page.locator('#f-locale option:checked').innerText(), 'Svenska');
          await screenshot(page, env.backend, 'language-swedish');
        } finally {
          await savePreferences('English');
        }
        const nav = await navigation(page);
        assert.ok(nav.headings.includes('Front office'), `nav headings after switching back: ${nav.headings}`);
      }));
  });
}
