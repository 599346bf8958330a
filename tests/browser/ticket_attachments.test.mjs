// A ticket's files and a replacement shipment in the browser, against the
// real `seam demo` binary on SQLite and, when SEAM_TEST_PG_URL is set, on
// PostgreSQL:
//
//   1. the customer (the demo `portal` login) opens a request about one of
//      their shipped orders and attaches a photo in the portal;
//   2. the service agent downloads the photo and escalates the ticket to the
//      warehouse;
//   3. the warehouse sends a replacement of one unit from the ticket;
//   4. the customer sees the replacement in the thread and on the order,
//      marked as sent at no charge.
//
// Screenshots land in tests/browser/artifacts/<backend>-attachments-*.png.
//
//   cargo build -p seam && node --test tests/browser/ticket_attachments.test.mjs

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

// Texts from crates/web/locales/en-US/service.ftl and ticket_mail.ftl.
const T = {
  send: 'Send request',
  opened: 'Thank you: your request is with our service desk.',
  replied: 'Your message is sent.',
  escalated: 'The ticket is in its new queue.',
  replaced: 'The replacement is shipped and the customer is told.',
  tooLarge: 'A file is larger than 10 MiB; nothing was sent.',
  noCharge: 'replacement, no charge',
};

const PHOTO = Buffer.from('a photo of the cracked lid');

const text = async (locator) => (await locator.innerText()).trim().replace(/\s+/g, ' ');
const flash = (page) => text(page.locator('main .flash[role=status]'));

for (const backend of backends()) {
  describe(`ticket attachments on ${backend.name}`, { timeout: 240_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'attachments-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('portal file → agent downloads it → warehouse replacement seen in the portal', async () => {
      const shared = {};

      await journey(env, 'attachments-portal', async (page) => {
        await login(page, 'portal');
        // One of the customer's orders that has shipped.
        await page.goto('/portal/orders');
        const links = await page.locator('main table a[href^="/portal/orders/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        for (const href of links) {
          await page.goto(href);
          if ((await page.locator('section[aria-labelledby=shipments-h] tbody td.nowrap').count()) > 0) {
            shared.orderPath = href;
            shared.order = (await text(page.locator('main h1'))).match(/SO-\d{4}-\d{6}/)[0];
            break;
          }
        }
        assert.ok(shared.order, 'the demo customer has a shipped order');

        await page.goto('/portal/tickets');
        await page.fill('#f-subject', 'Kettle lid arrived cracked');
        await page.fill('#f-body', 'One lid was cracked on arrival.');
        await page.fill('#f-order', shared.order);
        await Promise.all([
          page.waitForURL(/\/portal\/tickets\/\d+$/),
          page.getByRole('button', { name: T.send }).click(),
        ]);
        assert.equal(await flash(page), T.opened);
        shared.id = new URL(page.url()).pathname.split('/').pop();
        shared.number = (await text(page.locator('main h1'))).split(' ')[0];

        // Too large: the field says so and nothing is sent.
        await page.fill('#f-body', 'The big one.');
        await page.setInputFiles('#f-attachments', {
          name: 'huge.bin',
          mimeType: 'application/octet-stream',
          buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 1),
        });
        await page.locator(`form[action="/portal/tickets/${shared.id}/reply"] button[type=submit]`).click();
        await page.waitForSelector('#f-attachments-error');
        assert.equal(await text(page.locator('#f-attachments-error')), T.tooLarge);
        assert.ok(!(await text(page.locator('ol.thread'))).includes('The big one.'));

        await page.fill('#f-body', 'Here is a photo.');
        await page.setInputFiles('#f-attachments', { name: 'lid.txt', mimeType: 'text/plain', buffer: PHOTO });
        await Promise.all([
          page.waitForURL(new RegExp(`/portal/tickets/${shared.id}$`)),
          page.locator(`form[action="/portal/tickets/${shared.id}/reply"] button[type=submit]`).click(),
        ]);
        assert.equal(await flash(page), T.replied);
        assert.equal(await page.locator('ol.thread ul.files a', { hasText: 'lid.txt' }).count(), 1);
        await screenshot(page, env.backend, 'attachments-portal');
      });

      await journey(env, 'attachments-agent', async (page) => {
        await login(page, 'service');
        await page.goto(`/service/tickets/${shared.id}`);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator('ol.thread ul.files a', { hasText: 'lid.txt' }).click(),
        ]);
        assert.equal(download.suggestedFilename(), 'lid.txt');
        assert.deepEqual(await readFile(await download.path()), PHOTO);
        await page.selectOption('#f-queue', 'warehouse');
        await page.fill('#f-note', 'Please send a new lid.');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          page.locator(`form[action="/service/tickets/${shared.id}/escalate"] button[type=submit]`).click(),
        ]);
        assert.equal(await flash(page), T.escalated);
        // The service agent may not ship.
        assert.equal(await page.locator(`form[action="/service/tickets/${shared.id}/replacement"]`).count(), 0);
      });

      await journey(env, 'attachments-warehouse', async (page) => {
        await login(page, 'warehouse');
        await page.goto(`/service/tickets/${shared.id}`);
        const form = page.locator(`form[action="/service/tickets/${shared.id}/replacement"]`);
        await form.locator('input[name^=qty_]').first().fill('1');
        await form.locator('#f-tracking_reference').fill('TRK-LID-1');
        await Promise.all([
          page.waitForURL(new RegExp(`/service/tickets/${shared.id}$`)),
          form.locator('button[type=submit]').click(),
        ]);
        assert.equal(await flash(page), T.replaced);
        const thread = await text(page.locator('ol.thread'));
        shared.shipment = thread.match(/Replacement shipment (SH-\d{4}-\d{6})/)[1];
        await screenshot(page, env.backend, 'attachments-replaced');
      });

      await journey(env, 'attachments-portal-sees', async (page) => {
        await login(page, 'portal');
        await page.goto(`/portal/tickets/${shared.id}`);
        assert.ok((await text(page.locator('ol.thread'))).includes(shared.shipment));
        await page.goto(shared.orderPath);
        const row = page.locator('main tr', { hasText: shared.shipment });
        assert.ok((await text(row)).includes(T.noCharge));
        assert.ok((await text(row)).includes('TRK-LID-1'));
        await screenshot(page, env.backend, 'attachments-portal-order');
      });
    });
  });
}
