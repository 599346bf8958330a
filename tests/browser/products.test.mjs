// Browser journeys through the product catalogue, against the real `seam demo`
// binary on SQLite and, when SEAM_TEST_PG_URL is set, on PostgreSQL: live
// search and filters, editing a price, a refused SKU, archiving with its
// question, the pages at phone width, and a reader without the right to edit.
// Screenshots land in tests/browser/artifacts/<backend>-products-*.png.
//
//   cargo build -p seam && node --test tests/browser/
//

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { backends, clearFailureShots, journey, launchBrowser, login, screenshot, startSeam } from './harness.mjs';

// Texts from crates/web/locales/en-US/main.ftl.
const FLASH_CREATED = 'The product was created.';
const FLASH_SAVED = 'Your changes were saved.';
const FLASH_ARCHIVED = 'The product was archived.';
const BAD_SKU = 'A SKU has 1 to 40 letters, digits, dots, dashes or underscores.';
const ARCHIVE_CONFIRM =
  'Archive this product? It disappears from lists and from new documents, keeps its history, and can be restored.';

const PRODUCT_PATH = /^\/products\/\d+$/;

const flash = async (page) => (await page.locator('main .flash[role=status]').innerText()).trim();
const count = async (page) => (await page.locator('#product-results p.muted').innerText()).trim();
const skus = async (page) =>
  (await page.locator('#product-results tbody td:first-child a').allInnerTexts()).map((t) => t.trim());

/** True when the page is wider than the window (a phone would scroll sideways). */
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

for (const backend of backends()) {
  describe(`product journeys on ${backend.name}`, { timeout: 120_000 }, () => {
    const env = { backend: backend.name, server: null, browser: null };
    let db = null;

    before(async () => {
      clearFailureShots(backend.name, 'products-');
      db = backend.create();
      env.server = await startSeam(db.url);
      env.browser = await launchBrowser();
    });

    after(async () => {
      await env.browser?.close().catch(() => {});
      await env.server?.stop();
      db?.drop();
    });

    test('sales finds a product by typing, filters, and changes its price', () =>
      journey(env, 'products-search-and-edit', async (page) => {
        await login(page, 'sales');
        await page.goto('/sales');
        await Promise.all([
          page.waitForURL(/\/products$/),
          page.locator('main').getByRole('link', { name: 'Products & services', exact: true }).click(),
        ]);
        const all = await count(page);

        // The list narrows while typing, and the address keeps the filter.
        await page.fill('#q', 'olive');
        await page.waitForFunction(() => document.querySelector('#product-results p.muted').textContent.trim() === '4 found');
        assert.deepEqual((await skus(page)).sort(), ['OLIVE-BULK', 'OLIVE-EV-1L', 'OLIVE-EV-5L', 'SARD-120G']);
        assert.match(page.url(), /q=olive/);
        await page.selectOption('#kind', 'service');
        await page.waitForFunction(() => document.querySelector('#product-results p.muted').textContent.trim() === '0 found');
        await page.fill('#q', '');
        await page.waitForFunction((before) => document.querySelector('#product-results p.muted').textContent.trim() !== before, '0 found');
        assert.notEqual(await count(page), all, 'services only is fewer than everything');
        assert.ok((await skus(page)).every((sku) => sku.startsWith('SVC-')), `not only services: ${await skus(page)}`);
        await screenshot(page, env.backend, 'products-list-services');

        // Open a product and raise its price.
        await page.goto('/products?q=espresso+beans');
        await Promise.all([
          page.waitForURL((url) => PRODUCT_PATH.test(url.pathname)),
          page.locator('#product-results').getByRole('link', { name: 'ESP-BEAN-1KG' }).click(),
        ]);
        const facts = await page.locator('main').innerText();
        assert.match(facts, /€24\.90/);
        assert.match(facts, /S12 · Reduced 12%/);
        assert.match(facts, /4000 · Sales of goods/);
        await page.getByRole('link', { name: 'Edit', exact: true }).click();
        await page.waitForURL(/\/edit$/);
        assert.equal(await page.inputValue('#f-list_price'), '24.90');
        await page.fill('#f-list_price', '26,50');
        await Promise.all([
          page.waitForURL((url) => PRODUCT_PATH.test(url.pathname)),
          page.getByRole('button', { name: 'Save', exact: true }).click(),
        ]);
        assert.equal(await flash(page), FLASH_SAVED);
        assert.match(await page.locator('main').innerText(), /€26\.50/);
        assert.match(await page.locator('ol.timeline').innerText(), /Edited · sales/);
        await screenshot(page, env.backend, 'products-detail');
      }));

    test('a refused SKU stays on the form; the product is created, then archived after the question', () =>
      journey(env, 'products-create-and-archive', async (page) => {
        await login(page, 'purchasing');
        await page.goto('/products/new');
        await page.fill('#f-sku', 'pitcher 1l');
        await page.fill('#f-name', 'Milk pitcher, 1 l');
        await page.fill('#f-list_price', '22.00');
        await page.fill('#f-standard_cost', '9.40');
        await page.selectOption('#f-tax_rate', 'S25');
        await Promise.all([page.waitForURL(/\/products$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
        assert.equal((await page.locator('#f-sku-error').innerText()).trim(), BAD_SKU);
        assert.equal(await page.inputValue('#f-name'), 'Milk pitcher, 1 l', 'the input is kept');

        await page.fill('#f-sku', 'pitcher-1l');
        await Promise.all([
          page.waitForURL((url) => PRODUCT_PATH.test(url.pathname)),
          page.getByRole('button', { name: 'Save', exact: true }).click(),
        ]);
        assert.equal(await flash(page), FLASH_CREATED);
        assert.match(await page.locator('main').innerText(), /PITCHER-1L/);

        // Dismissing the question archives nothing; accepting it does.
        const archive = page.getByRole('button', { name: 'Archive', exact: true });
        page.once('dialog', (dialog) => {
          assert.equal(dialog.message(), ARCHIVE_CONFIRM);
          dialog.dismiss();
        });
        await archive.click();
        await page.waitForTimeout(300);
        assert.ok(await archive.isVisible(), 'dismissing archived the product');
        page.once('dialog', (dialog) => dialog.accept());
        await Promise.all([page.waitForURL((url) => PRODUCT_PATH.test(url.pathname)), archive.click()]);
        assert.equal(await flash(page), FLASH_ARCHIVED);
        await page.goto('/products?q=pitcher');
        assert.equal(await count(page), '0 found', 'archived products leave the list');
        await page.goto('/products?q=pitcher&status=archived');
        assert.deepEqual(await skus(page), ['PITCHER-1L']);
      }));

    test('at phone width the catalogue and a product page fit the screen', () =>
      journey(
        env,
        'products-phone',
        async (page) => {
          await login(page, 'sales');
          for (const path of ['/products', '/products?q=grinder', '/tax-rates', '/products/import']) {
            await page.goto(path);
            assert.equal(await overflows(page), false, `${path} is wider than the phone`);
          }
          await page.goto('/products?q=grinder');
          await Promise.all([
            page.waitForURL((url) => PRODUCT_PATH.test(url.pathname)),
            page.locator('#product-results').getByRole('link', { name: 'GRINDER-64' }).click(),
          ]);
          assert.equal(await overflows(page), false, 'the product page is wider than the phone');
          await screenshot(page, env.backend, 'products-phone-detail');
        },
        { viewport: { width: 390, height: 844 } },
      ));

    test('the warehouse reads the catalogue but is not offered to change it', () =>
      journey(env, 'products-warehouse-reads', async (page) => {
        await login(page, 'warehouse');
        await page.goto('/inventory');
        await Promise.all([
          page.waitForURL(/\/products\?kind=goods$/),
          page.locator('main').getByRole('link', { name: 'Products & services', exact: true }).click(),
        ]);
        assert.ok((await skus(page)).length > 0, 'the goods are listed');
        assert.equal(await page.locator('main').getByRole('link', { name: 'New product' }).count(), 0);
        await page.locator('#product-results tbody a').first().click();
        await page.waitForURL((url) => PRODUCT_PATH.test(url.pathname));
        assert.equal(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 0);
        assert.equal(await page.getByRole('button', { name: 'Archive', exact: true }).count(), 0);
      }));
  });
}
