// Browser journeys through the general ledger, against the real `seam demo`
// binary on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL: posting a
// journal entry, seeing it in the trial balance, reversing it, a refused
// unbalanced entry, and a user without the ledger permission.
// Screenshots land in tests/browser/artifacts/<backend>-ledger-*.png.
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

// Texts from crates/web/locales/en-US/main.ftl.
const FLASH_POSTED = 'The entry was posted.';
const FLASH_REVERSED = 'The reversal was posted.';
const UNBALANCED = 'Debits and credits must be equal.';
const REVERSE_CONFIRM = 'Post a reversal of this entry? It cannot be undone, only corrected with a new entry.';

const ENTRY_PATH = /^\/accounting\/journal\/\d+$/;

/** "€6,671.00" or "-€5.00" as whole cents; an empty cell is 0. */
function cents(text) {
  const t = text.trim();
  if (t === '') return 0;
  const m = /^(-?)\D*([\d,]+)\.(\d{2})$/.exec(t);
  assert.ok(m, `not an English euro amount: "${t}"`);
  return (m[1] ? -1 : 1) * (Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]));
}

/** The trial balance as shown: `{ rows: {code: {name, debit, credit}}, totals: {name, debit, credit} }`. */
async function trialBalance(page) {
  const table = page.locator('main table.report');
  const rows = {};
  for (const tr of await table.locator('tbody tr').all()) {
    const cells = tr.locator('td');
    const code = (await cells.nth(0).locator('.code').innerText()).trim();
    rows[code] = {
      name: (await cells.nth(0).innerText()).trim(),
      debit: cents(await cells.nth(1).innerText()),
      credit: cents(await cells.nth(2).innerText()),
    };
  }
  const foot = table.locator('tfoot tr');
  assert.equal(await foot.count(), 1, 'the trial balance should have one totals row');
  const totals = {
    name: (await foot.locator('th').innerText()).trim(),
    debit: cents(await foot.locator('td').nth(0).innerText()),
    credit: cents(await foot.locator('td').nth(1).innerText()),
  };
  return { rows, totals };
}

/** The lines of an entry page: `[{account, debit, credit}]` as texts, plus the totals row. */
async function entryLines(page) {
  const table = page.locator('main table').first();
  const lines = [];
  for (const tr of await table.locator('tbody tr').all()) {
    const [account, debit, credit] = (await tr.locator('td').allInnerTexts()).map((t) => t.trim());
    lines.push({ account, debit, credit });
  }
  const totals = (await table.locator('tfoot td').allInnerTexts()).map((t) => t.trim());
  return { lines, totals };
}

/** Fills the new-entry form: date, memo and lines `[account code, debit, credit]`. */
async function fillEntry(page, { date, memo, lines }) {
  await page.fill('#f-date', date);
  await page.fill('#f-memo', memo);
  for (const [i, [account, debit, credit]] of lines.entries()) {
    await page.selectOption(`#l${i}-account`, account);
    await page.fill(`#l${i}-debit`, debit);
    await page.fill(`#l${i}-credit`, credit);
  }
}

const flash = async (page) => (await page.locator('main .flash[role=status]').innerText()).trim();

for (const backend of backends()) {
  describe(`ledger journeys on ${backend.name}`, { timeout: 120_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'ledger-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('accountant posts an entry, finds it in the trial balance and reverses it', () =>
      journey(env, 'ledger-post-and-reverse', async (page) => {
        await login(page, 'accountant');

        // Accounting area from the side navigation, then its "post an entry" tool.
        await Promise.all([
          page.waitForURL(/\/accounting$/),
          page.locator('nav.side').getByRole('link', { name: 'Accounting', exact: true }).click(),
        ]);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Accounting');

        // The trial balance before, to compare with afterwards.
        await page.goto('/accounting/reports/trial-balance');
        const before = await trialBalance(page);
        assert.ok(before.rows['1100'], 'the demo data has no balance on 1100 Bank');
        const office = before.rows['6200']?.debit ?? 0;
        const bank = before.rows['1100'].debit - before.rows['1100'].credit;

        await page.goto('/accounting');
        await Promise.all([
          page.waitForURL(/\/accounting\/journal\/new$/),
          page.locator('main').getByRole('link', { name: 'Post a journal entry' }).click(),
        ]);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'New journal entry');

        // The form offers today's date (in the user's time zone) and EUR.
        const today = await page.inputValue('#f-date');
        assert.match(today, /^\d{4}-\d{2}-\d{2}$/, `the date field starts as "${today}"`);
        assert.equal(await page.inputValue('#f-currency'), 'EUR');
        assert.ok((await page.locator('main select[id$="-account"]').count()) >= 2, 'fewer than two entry lines');
        assert.equal(
          (await page.locator('#l0-account option[value="6200"]').innerText()).trim(),
          '6200 · Office and IT',
        );
        assert.equal((await page.locator('#l1-account option[value="1100"]').innerText()).trim(), '1100 · Bank');

        await fillEntry(page, {
          date: today,
          memo: 'Office chairs',
          lines: [
            ['6200', '300.00', ''],
            ['1100', '', '300.00'],
          ],
        });
        await screenshot(page, env.backend, 'ledger-entry-form');
        await Promise.all([
          page.waitForURL((url) => ENTRY_PATH.test(url.pathname)),
          page.getByRole('button', { name: 'Post entry', exact: true }).click(),
        ]);
        const entryPath = new URL(page.url()).pathname;

        assert.equal(await flash(page), FLASH_POSTED);
        const heading = (await page.locator('main h1').innerText()).trim();
        const numberMatch = new RegExp(`^Journal entry (JE-${today.slice(0, 4)}-\\d+)$`).exec(heading);
        assert.ok(numberMatch, `entry heading: "${heading}"`);
        const number = numberMatch[1];
        const facts = await page.locator('main dl.facts').innerText();
        assert.match(facts, /Office chairs/);
        assert.match(facts, /EUR/);
        assert.match(facts, /by /);
        const posted = await entryLines(page);
        assert.deepEqual(posted.lines, [
          { account: '6200 Office and IT', debit: '€300.00', credit: '' },
          { account: '1100 Bank', debit: '', credit: '€300.00' },
        ]);
        assert.deepEqual(posted.totals, ['€300.00', '€300.00']);
        await screenshot(page, env.backend, 'ledger-entry-posted');

        // The journal lists it; from there, the trial balance.
        await Promise.all([
          page.waitForURL(/\/accounting\/journal$/),
          page.locator('main .toolbar').getByRole('link', { name: /Journal/ }).click(),
        ]);
        assert.equal(await page.locator(`main a[href="${entryPath}"]`).first().innerText(), number);
        await Promise.all([
          page.waitForURL(/\/accounting\/reports\/trial-balance/),
          page.locator('main nav.subnav').getByRole('link', { name: 'Trial balance' }).click(),
        ]);
        assert.equal(await page.inputValue('#f-at'), today);
        const afterPosting = await trialBalance(page);
        assert.equal(afterPosting.totals.name, 'Total EUR');
        assert.ok(afterPosting.totals.debit > 0, 'the totals row shows no debits');
        assert.equal(afterPosting.totals.debit, afterPosting.totals.credit,
          `totals row: debits ${afterPosting.totals.debit} ≠ credits ${afterPosting.totals.credit} (cents)`);
        assert.ok(afterPosting.rows['6200'], `6200 is missing from the trial balance: ${Object.keys(afterPosting.rows)}`);
        assert.equal(afterPosting.rows['6200'].name, '6200 Office and IT');
        assert.equal(afterPosting.rows['6200'].debit, office + 30000, '6200 did not grow by €300.00');
        assert.equal(afterPosting.rows['1100'].debit - afterPosting.rows['1100'].credit, bank - 30000,
          '1100 Bank did not drop by €300.00');
        await screenshot(page, env.backend, 'ledger-trial-balance');

        // Reverse it from its page. Dismissing the question posts nothing.
        await page.goto(entryPath);
        const reverseButton = page.getByRole('button', { name: 'Post reversal', exact: true });
        const posts = [];
        page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
        const questions = [];
        page.once('dialog', (d) => {
          questions.push(d.message());
          d.dismiss();
        });
        await reverseButton.click();
        await page.waitForTimeout(500);
        assert.deepEqual(questions, [REVERSE_CONFIRM]);
        assert.deepEqual(posts, [], 'a dismissed confirmation still sent the form');
        assert.equal(new URL(page.url()).pathname, entryPath);

        page.on('dialog', (d) => {
          questions.push(d.message());
          d.accept();
        });
        await Promise.all([
          page.waitForURL((url) => ENTRY_PATH.test(url.pathname) && url.pathname !== entryPath),
          reverseButton.click(),
        ]);
        assert.equal(questions.length, 2, 'the reversal was posted without asking');
        const reversalPath = new URL(page.url()).pathname;
        assert.equal(await flash(page), FLASH_REVERSED);
        const reversalHeading = (await page.locator('main h1').innerText()).trim();
        assert.match(reversalHeading, /^Journal entry JE-\d{4}-\d+\s+Reversal$/);
        const reversalNumber = /JE-\d{4}-\d+/.exec(reversalHeading)[0];
        assert.notEqual(reversalNumber, number);
        const back = page.locator(`main dl.facts a[href="${entryPath}"]`);
        assert.equal((await back.innerText()).trim(), number, 'the reversal does not link to the original');
        const reversed = await entryLines(page);
        assert.deepEqual(reversed.lines, [
          { account: '6200 Office and IT', debit: '', credit: '€300.00' },
          { account: '1100 Bank', debit: '€300.00', credit: '' },
        ]);
        assert.equal(await page.getByRole('button', { name: 'Post reversal' }).count(), 0,
          'a reversal offers to be reversed');
        await screenshot(page, env.backend, 'ledger-reversal');

        // The original now links to its reversal and cannot be reversed again.
        await Promise.all([page.waitForURL((url) => url.pathname === entryPath), back.click()]);
        const facts2 = page.locator('main dl.facts');
        assert.match(await facts2.innerText(), /Reversed by/);
        const link = facts2.locator(`a[href="${reversalPath}"]`);
        assert.equal((await link.innerText()).trim(), reversalNumber);
        assert.match(await page.locator('main h1').innerText(), /Reversed$/);
        assert.equal(await page.getByRole('button', { name: 'Post reversal' }).count(), 0,
          'the reversed entry still offers a reversal');
        await screenshot(page, env.backend, 'ledger-reversed');

        // Both together leave the balances as they were.
        await page.goto(`/accounting/reports/trial-balance?at=${today}`);
        const afterReversal = await trialBalance(page);
        assert.equal(afterReversal.totals.debit, afterReversal.totals.credit);
        assert.equal(afterReversal.rows['6200']?.debit ?? 0, office);
        assert.equal(afterReversal.rows['1100'].debit - afterReversal.rows['1100'].credit, bank);
      }));

    test('an unbalanced entry stays on the form with the reason', () =>
      journey(env, 'ledger-unbalanced', async (page) => {
        await login(page, 'accountant');
        await page.goto('/accounting/journal/new');
        const today = await page.inputValue('#f-date');
        await fillEntry(page, {
          date: today,
          memo: 'Office chairs, mistyped',
          lines: [
            ['6200', '300.00', ''],
            ['1100', '', '299.99'],
          ],
        });
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Post entry', exact: true }).click(),
        ]);
        await page.waitForLoadState('domcontentloaded');
        assert.equal(response.status(), 422);
        assert.ok(!ENTRY_PATH.test(new URL(page.url()).pathname), `went on to ${page.url()}`);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'New journal entry');

        const error = page.locator('#f-lines-error');
        assert.equal((await error.innerText()).trim(), UNBALANCED);
        assert.equal(await error.getAttribute('role'), 'alert');
        assert.equal(await page.getAttribute('main fieldset.entry-lines', 'aria-describedby'), 'f-lines-error');
        assert.equal(await page.locator('main .errors[role=alert]').count(), 1, 'no summary above the form');

        // The input is kept for correcting.
        assert.equal(await page.inputValue('#f-date'), today);
        assert.equal(await page.inputValue('#f-memo'), 'Office chairs, mistyped');
        assert.equal(await page.inputValue('#l0-account'), '6200');
        assert.equal(await page.inputValue('#l0-debit'), '300.00');
        assert.equal(await page.inputValue('#l1-account'), '1100');
        assert.equal(await page.inputValue('#l1-credit'), '299.99');
        await screenshot(page, env.backend, 'ledger-unbalanced');

        // Nothing was posted.
        await page.goto('/accounting/journal');
        assert.doesNotMatch(await page.locator('main table').innerText(), /mistyped/);
      }));

    test('the unbalanced-entry message is coloured as an error', () =>
      journey(env, 'ledger-unbalanced-colour', async (page) => {
        await login(page, 'accountant');
        await page.goto('/accounting/journal/new');
        await fillEntry(page, {
          date: await page.inputValue('#f-date'),
          memo: 'Office chairs, mistyped',
          lines: [
            ['6200', '300.00', ''],
            ['1100', '', '299.99'],
          ],
        });
        await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Post entry', exact: true }).click(),
        ]);
        await page.locator('#f-lines-error').waitFor();
        const colours = await page.evaluate(() => {
          const probe = document.createElement('span');
          probe.style.color = 'var(--danger)';
          document.body.append(probe);
          const danger = getComputedStyle(probe).color;
          probe.remove();
          return { danger, message: getComputedStyle(document.getElementById('f-lines-error')).color };
        });
        assert.equal(colours.message, colours.danger);
      }));

    test('a receptionist may not post journal entries', () =>
      journey(env, 'ledger-receptionist-403', async (page) => {
        await login(page, 'receptionist');
        assert.ok(!(await navigation(page)).links.includes('Accounting'));
        const response = await page.goto('/accounting/journal/new');
        assert.equal(response.status(), 403);
        assert.equal((await page.locator('main h1').innerText()).trim(), 'Not allowed');
        assert.equal(await page.locator('main form[action="/accounting/journal"]').count(), 0,
          'the refusal page shows the entry form');
        assert.ok((await navigation(page)).links.includes('Reception'), 'the refusal page lost the navigation');
        await screenshot(page, env.backend, 'ledger-receptionist-403');
      }));

    test('in Swedish, amounts are read and written the Swedish way', () =>
      journey(env, 'ledger-swedish', async (page) => {
        await login(page, 'accountant');
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
          await page.goto('/accounting/journal/new');
          const today = await page.inputValue('#f-date');
          // A decimal comma and a space between thousands, as typed in Sweden.
          await fillEntry(page, {
            date: today,
            memo: 'Kontorsstolar',
            lines: [
              ['6200', '1 234,50', ''],
              ['1100', '', '1234,5'],
            ],
          });
          await Promise.all([
            page.waitForURL((url) => ENTRY_PATH.test(url.pathname)),
            page.locator('main form[action="/accounting/journal"] button[type=submit]').click(),
          ]);
          assert.equal(await flash(page), 'Verifikationen har bokförts.');
          assert.match(await page.locator('main h1').innerText(), /^Verifikation JE-\d{4}-\d+$/);
          assert.match(await page.locator('main dl.facts').innerText(), new RegExp(today));
          const nbsp = '\u00a0';
          const amount = `1${nbsp}234,50${nbsp}€`;
          const shown = await entryLines(page);
          assert.deepEqual(shown.lines.map((l) => [l.debit, l.credit]), [
            [amount, ''],
            ['', amount],
          ]);
          assert.deepEqual(shown.totals, [amount, amount]);
          await screenshot(page, env.backend, 'ledger-swedish');
        } finally {
          await savePreferences('English');
        }
      }));
  });
}
