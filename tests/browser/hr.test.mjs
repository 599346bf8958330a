// HR in the browser, against the real `seam demo` binary on SQLite and, when
// SEAM_TEST_PG_URL is set, on PostgreSQL: HR creates an employee record for
// the receptionist's login with a contract under the managing director; IT
// opens the record and sees no salary; the receptionist requests leave from
// "My profile"; the manager approves it from "My approvals"; and it
// shows on the team calendar.
//
//   cargo build -p seam && SEAM_BIN=target/debug/seam node --test tests/browser/hr.test.mjs

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

// Texts from crates/web/locales/en-US/hr.ftl.
const T = {
  added: 'The employee was added.',
  contract: 'The contract was added.',
  requested: 'Your request was sent to your manager.',
  approved: 'The leave was approved.',
  badIban: 'This is not a valid IBAN',
};

// From the demo (crates/app/src/demo.rs, demo/hr.rs): the receptionist's
// login has no employee record yet; Thomas Keller (the `manager` login) is
// the managing director.
const NAME = 'Sofia Rossi';
const MANAGER = 'Thomas Keller';
const SALARY = '3,650.00';

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const iso = (d) => d.toISOString().slice(0, 10);

/** A Monday at least two weeks ahead whose week stays in one year, and its Wednesday. */
function leaveWeek() {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 14);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  const wed = new Date(d);
  wed.setUTCDate(d.getUTCDate() + 2);
  if (wed.getUTCFullYear() !== d.getUTCFullYear()) {
    d.setUTCDate(d.getUTCDate() + 7);
    wed.setUTCDate(wed.getUTCDate() + 7);
  }
  return { start: iso(d), end: iso(wed), month: iso(d).slice(0, 7) };
}

for (const backend of backends()) {
  describe(`hr on ${backend.name}`, { timeout: 240_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;
    let employeePath = '';
    const week = leaveWeek();

    before(async () => {
      clearFailureShots(backend.name, 'hr-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('HR creates an employee with a contract; IT sees no salary', async () => {
      await journey(env, 'hr-create', async (page) => {
        await login(page, 'hr-officer');
        await page.goto('/hr');
        assert.ok((await text(page.locator('#employees'))).includes(MANAGER));
        await page.fill('#f-name', NAME);
        await page.fill('#f-iban', 'DE44 5001 0517 5407 3249 30');
        await page.fill('#f-username', 'receptionist');
        await page.locator('form[action="/hr/employees"] button[type=submit]').click();
        await page.waitForSelector('#f-iban-error');
        assert.ok((await text(page.locator('#f-iban-error'))).includes(T.badIban));
        assert.equal(await page.inputValue('#f-name'), NAME, 'the input is kept');
        await page.fill('#f-iban', 'DE44 5001 0517 5407 3249 31');
        await Promise.all([
          page.waitForURL(/\/hr\/employees\/\d+$/),
          page.locator('form[action="/hr/employees"] button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.added);
        employeePath = new URL(page.url()).pathname;

        await page.locator('summary', { hasText: 'New contract' }).click();
        await page.fill('#f-start_date', '2024-03-01');
        await page.selectOption('#f-manager_id', { label: `${MANAGER} (EMP-000001)` });
        await page.selectOption('#f-position_id', { label: 'Office Assistant' });
        await page.selectOption('#f-department_id', { label: 'Operations' });
        await page.fill('#f-hours_per_week', '40');
        await page.fill('#f-salary', '3650');
        await Promise.all([
          page.waitForURL(employeePath),
          page.locator(`form[action="${employeePath}/contracts"] button[type=submit]`).click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.contract);
        const contracts = await text(page.locator('#contracts'));
        assert.ok(contracts.includes(MANAGER) && contracts.includes(SALARY), contracts);
        await screenshot(page, env.backend, 'hr-employee');
      });
      await journey(env, 'hr-it-reads', async (page) => {
        await login(page, 'it-support');
        await page.goto(employeePath);
        const body = await text(page.locator('main'));
        assert.ok(body.includes(NAME) && body.includes(MANAGER), body);
        assert.ok(!body.includes(SALARY), 'IT sees no salary');
        assert.ok(!body.includes('5407324931'), 'IT sees no bank account');
        await screenshot(page, env.backend, 'hr-employee-it');
      });
    });

    test('the employee requests leave, the manager approves, the calendar shows it', async () => {
      await journey(env, 'hr-request', async (page) => {
        await login(page, 'receptionist');
        await page.goto('/me');
        assert.ok((await text(page.locator('#my-contracts'))).includes(SALARY), 'their own salary');
        await page.selectOption('#f-leave_type_id', { label: 'Unpaid leave' });
        await page.fill('#f-start_date', week.start);
        await page.fill('#f-end_date', week.end);
        await Promise.all([
          page.waitForURL('/me'),
          page.locator('#leave-form button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.requested);
        assert.ok((await text(page.locator('#my-requests'))).includes('pending'));
        await screenshot(page, env.backend, 'hr-my-profile');
      });
      await journey(env, 'hr-approve', async (page) => {
        await login(page, 'manager');
        await page.goto('/me/approvals');
        const row = page.locator('#pending-requests tr').filter({ hasText: NAME });
        assert.equal(await row.count(), 1, 'the request waits for the manager');
        assert.ok((await text(row)).includes('3'), 'three working days');
        await screenshot(page, env.backend, 'hr-approvals');
        await Promise.all([
          page.waitForURL('/me/approvals'),
          row.locator('button', { hasText: 'Approve' }).click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.approved);

        await page.goto(`/hr/calendar?month=${week.month}`);
        const line = page.locator('#team-calendar tbody tr').filter({ hasText: NAME });
        assert.equal(await line.locator('td.leave-approved').count(), 3);
        await screenshot(page, env.backend, 'hr-calendar');

        await page.goto('/hr/org');
        assert.ok((await text(page.locator('#org-chart'))).includes(NAME));
        await screenshot(page, env.backend, 'hr-org');
      });
    });
  });
}
