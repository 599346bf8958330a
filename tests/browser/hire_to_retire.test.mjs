// Hire to retire in the browser, against the real `seam demo` binary on
// SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL:
//
//   1. HR (the demo `hr-officer` login) hires Mara Lind from the first of
//      this month as an account executive; her page shows the onboarding
//      checklist at 0 of 6;
//   2. IT (the demo `it-support` login) works its task list: creates her
//      Seam login, hands her a laptop from stock and an Office suite seat;
//   3. HR (who also runs payroll) puts her on payroll, finishes HR's two
//      tasks, and runs, approves and posts this month;
//   4. Mara logs in and downloads her payslip;
//   5. HR offboards her with today as her last day;
//   6. Mara can no longer log in.
//
// Screenshots land in tests/browser/artifacts/<backend>-h2r-*.png.
//
//   cargo build -p seam && node --test tests/browser/hire_to_retire.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DEMO_PASSWORD,
  backends,
  clearFailureShots,
  journey,
  launchBrowser,
  login,
  screenshot,
  startSeam,
} from './harness.mjs';

// Texts from crates/web/locales/en-US/{it,payroll,main}.ftl.
const T = {
  hired: 'Hired: the onboarding tasks are with HR, IT and payroll.',
  done: 'Task done.',
  offboarded: 'Offboarding started.',
  posted: 'The run is posted to the ledger.',
  wrongLogin: 'Wrong username or password.',
};

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));
const today = new Date().toISOString().slice(0, 10);
const month = today.slice(0, 7);
const NAME = 'Mara Lind';

/** Opens Mara's task `label` from the team's list. */
async function openTask(page, label) {
  await page.goto('/tasks');
  const row = page.locator('#tasks tbody tr', { hasText: NAME }).filter({ hasText: label });
  assert.equal(await row.count(), 1, `${label} waits in the list`);
  await Promise.all([page.waitForURL(/\/tasks\/\d+$/), row.getByRole('link', { name: label }).click()]);
}

async function markDone(page) {
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/tasks'),
    page.getByRole('button', { name: 'Mark done' }).click(),
  ]);
  assert.equal(await flash(page), T.done);
}

for (const backend of backends()) {
  describe(`hire to retire on ${backend.name}`, { timeout: 240_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'h2r-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('HR hires, IT and payroll do their tasks, the employee gets a payslip, HR offboards, the login is gone', async () => {
      const shared = {};

      await journey(env, 'h2r-hr-hires', async (page) => {
        await login(page, 'hr-officer');
        await page.goto('/hr');
        await Promise.all([page.waitForURL(/\/hr\/hire$/), page.getByRole('link', { name: 'Hire someone' }).click()]);
        // A negative salary is refused and what was typed stays.
        await page.fill('#f-name', NAME);
        await page.fill('#f-work_email', 'mara.lind@example.com');
        await page.fill('#f-start_date', `${month}-01`);
        await page.selectOption('#f-position_id', { label: 'Account Executive' });
        await page.fill('#f-salary', '-3900');
        await page.getByRole('button', { name: 'Hire someone' }).click();
        assert.ok((await text(page.locator('#f-salary-error'))).length > 0, 'the salary is named');
        assert.equal(await page.inputValue('#f-name'), NAME);
        await page.fill('#f-salary', '3900');
        await Promise.all([
          page.waitForURL(/\/hr\/employees\/\d+$/),
          page.getByRole('button', { name: 'Hire someone' }).click(),
        ]);
        assert.equal(await flash(page), T.hired);
        shared.employee = new URL(page.url()).pathname;
        assert.equal(await text(page.locator('#checklist-progress')), '0 / 6');
        await screenshot(page, env.backend, 'h2r-hired');
      });

      await journey(env, 'h2r-it-tasks', async (page) => {
        await login(page, 'it-support');
        await openTask(page, 'Seam login');
        await page.fill('#f-username', 'mara');
        await page.fill('#f-password', DEMO_PASSWORD);
        await markDone(page);
        await openTask(page, 'Laptop handed over');
        await page.selectOption('#f-asset_id', { index: 1 });
        await markDone(page);
        await openTask(page, 'Licence seats');
        await page.getByLabel(/Office suite/).check();
        await markDone(page);
        assert.equal(await page.locator('#tasks tbody tr', { hasText: NAME }).count(), 0, 'IT is done');
        await page.goto(shared.employee);
        assert.match(await text(page.locator('#equipment')), /Office suite/);
        await screenshot(page, env.backend, 'h2r-it-done');
        // The register and the licences with the demo's two warnings.
        await page.goto('/it');
        assert.ok((await page.locator('#assets tbody tr', { hasText: NAME }).count()) >= 1, 'her laptop is assigned');
        await screenshot(page, env.backend, 'h2r-register');
        await page.goto('/it/licences');
        const licences = await text(page.locator('#licences'));
        assert.ok(licences.includes('Expires within 30 days') && licences.includes('Over-allocated'), licences);
        await screenshot(page, env.backend, 'h2r-licences');
      });

      await journey(env, 'h2r-payroll', async (page) => {
        await login(page, 'hr-officer');
        await openTask(page, 'Payroll record');
        await page.selectOption('#f-structure_id', { label: 'Salaried staff' });
        await markDone(page);
        for (const label of ['Contract signed', 'Documents on file']) {
          await openTask(page, label);
          await markDone(page);
        }
        await page.goto(shared.employee);
        assert.equal(await text(page.locator('#checklist-progress')), '6 / 6');
        await page.goto('/payroll/runs');
        await page.fill('#f-period', month);
        await Promise.all([page.waitForURL(/\/payroll\/runs\/\d+$/), page.locator('#create-run').click()]);
        for (const button of ['#compute', '#approve', '#post']) {
          await Promise.all([page.waitForURL(/\/payroll\/runs\/\d+$/), page.locator(button).click()]);
        }
        assert.equal(await flash(page), T.posted);
        assert.equal(await page.locator('#payslips tbody tr', { hasText: NAME }).count(), 1);
        await screenshot(page, env.backend, 'h2r-run');
      });

      await journey(env, 'h2r-employee-payslip', async (page) => {
        await login(page, 'mara');
        await page.goto('/me/payslips');
        const row = page.locator('#my-payslips tbody tr', { hasText: month });
        assert.equal(await row.count(), 1, "this month's payslip");
        const href = await row.getByRole('link', { name: 'PDF' }).getAttribute('href');
        const pdf = await page.request.get(href);
        assert.equal(pdf.status(), 200);
        assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
        await screenshot(page, env.backend, 'h2r-payslip');
      });

      await journey(env, 'h2r-offboard', async (page) => {
        await login(page, 'hr-officer');
        await page.goto(shared.employee);
        await page.locator('summary', { hasText: 'Offboard' }).click();
        await page.fill('#f-last-day', today);
        await Promise.all([
          page.waitForURL((url) => url.pathname === shared.employee),
          page.getByRole('button', { name: 'Offboard' }).click(),
        ]);
        assert.equal(await flash(page), T.offboarded);
        const done = page.locator('#checklist tr.done', { hasText: 'Login and tokens revoked' });
        assert.equal(await done.count(), 1, 'the login went at once');
        await screenshot(page, env.backend, 'h2r-offboarded');
      });

      await journey(env, 'h2r-no-login', async (page) => {
        await page.goto('/login');
        await page.fill('#username', 'mara');
        await page.fill('#password', DEMO_PASSWORD);
        await page.click('main form button[type=submit]');
        await page.waitForLoadState('networkidle');
        assert.equal(new URL(page.url()).pathname, '/login');
        assert.ok((await text(page.locator('main'))).includes(T.wrongLogin));
      });
    });
  });
}
