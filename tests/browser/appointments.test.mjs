// Appointments in the browser, against the real `seam demo` binary on SQLite
// and, when SEAM_TEST_PG_URL is set, on PostgreSQL: the receptionist books
// a room for a visitor from a customer, a second booking of the same room at
// the same time is refused with a message naming the room and the meeting,
// the visitor shows as expected today at reception and is checked in from
// the appointment, and the day's room calendar shows the booking.
//
//   cargo build -p seam && SEAM_BIN=target/debug/seam node --test tests/browser/appointments.test.mjs

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

// Texts from crates/web/locales/en-US/appointments.ftl and reception.ftl.
const T = {
  booked: 'The appointment is booked and everyone has been invited.',
  clash: (room, title) => `${room} is already booked then, for “${title}”`,
  checkedIn: 'The visitor is checked in and the host has been told.',
};

// From the demo (crates/app/src/demo.rs, demo/appointments.rs).
const COMPANY = 'Nordlicht Handels GmbH';
const ROOM = 'Fjord room';
const HOST = 'Thomas Keller';
const OTHER = 'Sofia Rossi';
const ZONE = 'Europe/Berlin';
const TITLE = 'Supplier visit';
const VISITOR = 'Vera Visitor';

/** `YYYY-MM-DDTHH:MM` in the demo users' time zone, `minutes` from now. */
function local(minutes) {
  const at = new Date(Date.now() + minutes * 60_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');

async function option(page, select, label) {
  return page.locator(`${select} option`).filter({ hasText: label }).first().getAttribute('value');
}

async function fillBooking(page, { title, organiser, visitor }) {
  await page.goto('/reception/appointments');
  await page.fill('#f-title', title);
  // The demo's own bookings start twenty minutes from now at the earliest.
  await page.fill('#f-start_at', local(1));
  await page.fill('#f-end_at', local(16));
  await page.selectOption('#f-organiser_user_id', await option(page, '#f-organiser_user_id', organiser));
  await page.locator('#f-resource_ids label').filter({ hasText: ROOM }).locator('input').check();
  if (visitor) {
    await page.fill('#f-visitor_name', visitor);
    await page.selectOption('#f-party_id', { label: COMPANY });
  }
  await page.locator('form[action="/reception/appointments"] button[type=submit]').click();
}

for (const backend of backends()) {
  describe(`appointments on ${backend.name}`, { timeout: 180_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'appointments-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('a room is booked for a visitor, booked twice is refused, the visitor checks in', async () => {
      await journey(env, 'appointments-book', async (page) => {
        await login(page, 'receptionist');
        await Promise.all([
          page.waitForURL(/\/reception\/appointments\/\d+$/),
          fillBooking(page, { title: TITLE, organiser: HOST, visitor: VISITOR }),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.booked);
        const facts = await text(page.locator('#appointment-facts'));
        assert.ok(facts.includes(ROOM) && facts.includes(VISITOR), facts);

        await fillBooking(page, { title: 'Double booking', organiser: OTHER });
        await page.waitForSelector('#f-resource_ids-error');
        const message = await text(page.locator('#f-resource_ids-error'));
        assert.ok(message.includes(T.clash(ROOM, TITLE)), message);
        assert.equal(await page.inputValue('#f-title'), 'Double booking', 'the input is kept');
        await screenshot(page, env.backend, 'appointments-double-booking');

        await page.goto('/reception/visits');
        const row = page.locator('#visits-expected tr.from-appointment').filter({ hasText: VISITOR });
        assert.equal(await row.count(), 1, 'the visitor is expected today');
        assert.ok((await text(row)).includes(COMPANY));
        await row.locator('input[name=agreement_acknowledged]').check();
        await Promise.all([
          page.waitForURL(/\/reception\/visits\/\d+$/),
          row.locator('button[type=submit]').click(),
        ]);
        assert.equal(await text(page.locator('main .flash[role=status]')), T.checkedIn);
        assert.ok((await text(page.locator('#visit-facts'))).includes(VISITOR));
        assert.ok((await text(page.locator('#company-card'))).includes(COMPANY));

        await page.goto('/reception/visits');
        assert.equal(
          await page.locator('#visits-expected tr.from-appointment').filter({ hasText: VISITOR }).count(),
          0,
          'no longer expected once in',
        );
        assert.ok((await text(page.locator('#visits-inside'))).includes(VISITOR));

        await page.goto('/reception/calendar');
        const schedule = await text(page.locator('#room-schedule'));
        assert.ok(schedule.includes(TITLE) && schedule.includes('Contract renewal'), schedule);
        await screenshot(page, env.backend, 'appointments-room-calendar');
      });
    });
  });
}
