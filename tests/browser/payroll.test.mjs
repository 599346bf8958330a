// Payroll in the browser, against the real `seam demo` binary on SQLite and,
// when SEAM_TEST_PG_URL is set, on PostgreSQL:
//
//   1. HR (the demo `hr-officer` login) opens this month's run, computes it
//      (the demo staff are on the demo's salary structure), approves, posts
//      and pays it, and opens a payslip;
//   2. the employee (the demo `employee` login) finds the payslip under My
//      payslips and downloads it as a PDF; another employee's payslip is
//      "not found" to them.
//
// Screenshots land in tests/browser/artifacts/<backend>-payroll-*.png.
//
//   cargo build -p seam && node --test tests/browser/payroll.test.mjs

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

// Texts from crates/web/locales/en-US/payroll.ftl.
const T = {
  created: 'The run is open.',
  computed: 'Payslips computed.',
  approved: 'The run is approved.',
  posted: 'The run is posted to the ledger.',
  paid: 'Net salaries are paid.',
  paidState: 'Paid',
};

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));
const month = new Date().toISOString().slice(0, 7);

for (const backend of backends()) {
  describe(`payroll on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'payroll-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('HR runs the month and the employee downloads their payslip', async () => {
      const shared = {};

      await journey(env, 'payroll-hr-runs-the-month', async (page) => {
        await login(page, 'hr-officer');
        await page.goto('/payroll/runs');
        await page.fill('#f-period', month);
        await Promise.all([
          page.waitForURL(/\/payroll\/runs\/\d+$/),
          page.locator('#create-run').click(),
        ]);
        assert.equal(await flash(page), T.created);
        for (const [button, message] of [
          ['#compute', T.computed],
          ['#approve', T.approved],
          ['#post', T.posted],
          ['#pay', T.paid],
        ]) {
          await Promise.all([
            page.waitForURL(/\/payroll\/runs\/\d+$/),
            page.locator(button).click(),
          ]);
          assert.equal(await flash(page), message);
        }
        assert.equal(await text(page.locator('#run-state')), T.paidState);
        const rows = page.locator('#payslips tbody tr');
        assert.ok((await rows.count()) >= 5, 'a payslip per demo employee');
        await screenshot(page, env.backend, 'payroll-run');
        const other = page.locator('#payslips a', { hasText: 'Thomas Keller' });
        shared.other = await other.getAttribute('href');
        await page.locator('#payslips a', { hasText: 'Sofia Romano' }).click();
        await page.waitForURL(/\/payroll\/payslips\/\d+$/);
        assert.match(await text(page.locator('#payslip-net')), /^\d[\d,]*\.\d\d$/);
        await screenshot(page, env.backend, 'payroll-payslip');
      });

      await journey(env, 'payroll-employee-downloads', async (page) => {
        await login(page, 'employee');
        await page.goto('/me/payslips');
        const row = page.locator('#my-payslips tbody tr', { hasText: month });
        assert.equal(await row.count(), 1, 'this month\'s payslip');
        await screenshot(page, env.backend, 'payroll-my-payslips');
        const href = await row.getByRole('link', { name: 'PDF' }).getAttribute('href');
        const pdf = await page.request.get(href);
        assert.equal(pdf.status(), 200);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
        // Someone else's payslip: the payroll page is closed, their PDF not found.
        const id = shared.other.split('/').pop();
        assert.equal((await page.request.get(`/me/payslips/${id}/pdf`)).status(), 404);
        assert.equal((await page.request.get(shared.other)).status(), 403);
      });
    });
  });
}
