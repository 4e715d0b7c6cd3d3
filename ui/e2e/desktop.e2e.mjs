// Real-window end-to-end test: the built Vitrina binary under Xvfb, driven through WebDriver
// (tauri-driver + WebKitWebDriver). Run by scripts/e2e, which prepares the catalog and env:
//   VITRINA_APP   the desktop binary        VITRINA_CLI  the `vitrina` binary
//   VITRINA_HOME  a fresh data folder with catalog.db (a demo)   E2E_OUT  where screenshots go
//   E2E_PRICE_FILE  a supplier price list (cp1251 CSV, 30 rows, one with a negative price)
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';

const app = process.env.VITRINA_APP;
const cli = process.env.VITRINA_CLI;
const home = process.env.VITRINA_HOME;
const out = process.env.E2E_OUT;
const priceFile = process.env.E2E_PRICE_FILE;
const SECRET = `planted-secret-${process.pid}-${Date.now()}`;
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`  ok   ${name}`);
  } else {
    failed++;
    console.log(`  FAIL ${name} ${detail}`);
  }
}

let current = null;
async function screenshot(name) {
  // Let WebKit paint, then take the whole X screen as a person would see it, and the
  // webview's own rendering through WebDriver.
  await new Promise((r) => setTimeout(r, 800));
  execFileSync('/usr/bin/import', ['-window', 'root', join(out, `${name}.png`)]);
  if (current) await current.saveScreenshot(join(out, `${name}.webview.png`)).catch(() => {});
}

async function withApp(env, body) {
  const driver = spawn('tauri-driver', ['--port', '4444', '--native-port', '4445'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await new Promise((r) => setTimeout(r, 1500));
  let browser;
  try {
    browser = await remote({
      hostname: '127.0.0.1',
      port: 4444,
      logLevel: 'error',
      capabilities: {
        browserName: 'wry',
        'wdio:enforceWebDriverClassic': true,
        'tauri:options': { application: app },
      },
    });
    current = browser;
    await body(browser);
  } finally {
    if (browser) await browser.deleteSession().catch(() => {});
    driver.kill();
    await new Promise((r) => setTimeout(r, 500));
  }
}

function cliJson(...args) {
  return cliJsonOn(join(home, 'catalog.db'), ...args);
}

function cliJsonOn(db, ...args) {
  return JSON.parse(execFileSync(cli, ['--db', db, '--json', ...args], { encoding: 'utf8' }));
}

/** A YML feed of `n` plain offers: big enough that importing it takes a few seconds. */
function bigYml(n) {
  const offers = [];
  for (let i = 0; i < n; i++) {
    offers.push(
      `<offer id="K-${i}" available="true"><price>${1000 + (i % 5000)}</price><currencyId>RUB</currencyId>` +
        `<categoryId>1</categoryId><name>Кроссовки беговые, модель ${i}</name><vendor>Бренд ${i % 50}</vendor>` +
        `<description>Лёгкие кроссовки для бега, модель ${i}.</description><count>${1 + (i % 20)}</count></offer>`,
    );
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<yml_catalog date="2026-12-01T12:00:00+03:00"><shop><name>Опт</name>
<currencies><currency id="RUB" rate="1"/></currencies>
<categories><category id="1">Обувь</category></categories><offers>
${offers.join('\n')}
</offers></shop></yml_catalog>`;
}

/** Sets a <select> as a person would and lets the page see the change. */
async function choose(browser, selector, value) {
  await browser.execute((sel, v) => {
    const el = document.querySelector(sel);
    el.value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, selector, value);
}

/** Suppliers: add one by typing the price list's path, map it, price it, import, read the report. */
async function suppliers(browser, db) {
  await browser.$('[data-nav="suppliers"]').click();
  const add = await browser.$('[data-testid="add-supplier"]');
  await add.waitForClickable({ timeout: 10000 });
  await add.click();
  await browser.$('[data-testid="new-source"]').setValue(priceFile);
  await browser.$('[data-testid="new-name"]').setValue('Опт');
  await browser.$('[data-testid="create-supplier"]').click();

  // The mapping screen opens with the suggested mapping and the first rows as they will import.
  const rejected = await browser.$('[data-testid="preview-table"] tr.rejected[data-line="8"]');
  await rejected.waitForExist({ timeout: 15000 });
  check('the mapping preview marks the broken row (line 8) as rejected', (await rejected.getText()).includes('-500'), await rejected.getText());
  const price = '[data-testid="mapping"] select[aria-label="Цена, руб."]';
  check('the price column is suggested as the retail price', (await browser.$(price).getValue()) === 'price');
  // The supplier's price is what we pay: make it the cost, and sell at +30 % ending in 9.
  await choose(browser, price, 'cost');
  const save = await browser.$('[data-testid="save-mapping"]');
  await browser.waitUntil(async () => save.isEnabled(), { timeout: 10000 });
  await browser.pause(600); // the live preview catches up
  await screenshot('09-supplier-mapping');
  await save.click();
  await browser.$('.state.ok').waitForExist({ timeout: 10000 });
  check('the mapping is saved', true);

  await browser.$('[data-tab="rules"]').click();
  const markup = await browser.$('[data-testid="markup"]');
  await markup.waitForExist({ timeout: 10000 });
  await markup.setValue('30');
  await choose(browser, '[data-testid="rounding"]', 'end_in9');
  await browser.$('[data-testid="save-rules"]').click();
  await browser.$('[data-testid="rules"] .ok').waitForExist({ timeout: 10000 });
  await screenshot('10-supplier-rules');

  // Import now: the history shows the run with its counts once the job is done.
  await browser.$('[data-testid="import-now"]').click();
  const done = await browser.$('[data-testid="runs"] tr[data-state="succeeded"]');
  await done.waitForExist({ timeout: 60000 });
  const created = await done.$('td.created').getText();
  const rejectedCount = await done.$('td.rejected').getText();
  check('the run shows 29 created and 1 rejected', created === '29' && rejectedCount === '1', `${created} / ${rejectedCount}`);
  await browser.$('[data-testid="import-outcome"]').waitForExist({ timeout: 10000 }).catch(() => {});
  await screenshot('11-supplier-history');

  await done.$('[data-testid="open-report"]').click();
  const issue = await browser.$('[data-testid="issues"] tr.rejected[data-line="8"]');
  await issue.waitForExist({ timeout: 10000 });
  const text = await issue.getText();
  const value = await issue.$('td.value').getAttribute('title');
  check('the report lists the rejected row with its line and value', text.includes('8') && value === '-500', `${text} / ${value}`);
  await screenshot('12-import-report');

  await browser.$('[data-testid="supplier-page"] .back').click();
  const summary = await browser.$('[data-supplier="Опт"] [data-testid="last-run"]');
  await summary.waitForExist({ timeout: 10000 });
  check('the suppliers list shows the last import', (await summary.getText()).includes('29'), await summary.getText());
  await screenshot('13-suppliers');

  await browser.$('[data-nav="catalog"]').click();
  await browser.waitUntil(async () => (await browser.$$('.scroller .row[data-sku]')).length >= 15, { timeout: 20000 });
  await screenshot('14-catalog-imported');

  const products = cliJsonOn(db, 'stats').products;
  check('the CLI sees the 29 imported products', products === 29, String(products));
  const rows = cliJsonOn(db, 'products', 'list', '--supplier', 'Опт', '--limit', '100').rows;
  const prices = rows.map((r) => r.price.minor);
  check(
    'the imported products are priced by the rules (whole roubles ending in 9)',
    rows.length === 29 && prices.every((p) => p % 100 === 0 && (p / 100) % 10 === 9),
    JSON.stringify(prices.slice(0, 5)),
  );
}

const first = cliJson('products', 'list', '--sort', 'price', '--limit', '1').rows[0];
console.log(`e2e: product ${first.sku} (${first.name}), price ${first.price.minor}`);

await withApp({ VITRINA_HOME: home }, async (browser) => {
  const search = await browser.$('[data-testid="search"]');
  await search.waitForExist({ timeout: 20000 });
  await browser.$('.scroller .row[data-sku]').waitForExist({ timeout: 20000 });
  await screenshot('01-catalog');
  const total = await browser.$('[data-testid="total"]').getText();
  check('the catalog shows the demo products', /\d/.test(total), total);

  // Search as you type: the SKU is unique.
  await search.click();
  await search.setValue(first.sku);
  const row = await browser.$(`.scroller .row[data-sku="${first.sku}"]`);
  await row.waitForExist({ timeout: 10000 });
  await browser.waitUntil(async () => (await browser.$$('.scroller .row[data-sku]')).length === 1, { timeout: 10000 });
  await screenshot('02-search');
  check('search finds the product by SKU', true);

  // Open it.
  await row.doubleClick();
  const price = await browser.$('[data-field="price"]');
  await price.waitForExist({ timeout: 10000 });
  check('the editor opens with the product', (await browser.$('[data-testid="editor"] h2').getText()).length > 0);

  // A refused value stays at the field with the reason, and nothing is saved.
  await price.setValue('-5');
  await browser.keys('Tab');
  const invalid = await browser.$('[data-error="price"]');
  await invalid.waitForExist({ timeout: 5000 });
  check('an invalid price is refused at the field', (await invalid.getText()).length > 0);
  await screenshot('03-invalid-price');

  // Change the price.
  await price.setValue('12 345,67');
  await browser.keys('Enter');
  await browser.waitUntil(async () => (await price.getValue()) === '12 345,67' && !(await browser.$('[data-error="price"]').isExisting()), { timeout: 10000 });
  await browser.pause(300);
  await screenshot('04-price-changed');
  const after = cliJson('products', 'show', first.sku);
  const minor = after.product?.price?.minor ?? after.price?.minor;
  check('the new price is in the database (read through the CLI)', minor === 1234567, JSON.stringify(after).slice(0, 200));

  // Plant a secret through Settings; the UI only says it is set.
  await browser.$('[data-nav="settings"]').click();
  const input = await browser.$('[data-secret="wildberries.token"] input');
  await input.waitForExist({ timeout: 10000 });
  await input.setValue(SECRET);
  await browser.$('[data-secret="wildberries.token"] button').click();
  await browser.waitUntil(async () => (await browser.$('[data-secret="wildberries.token"] .badge').getText()) === 'Задан', { timeout: 10000 });
  check('the secret shows as set', true);
  await screenshot('05-settings');
  const html = await browser.getPageSource();
  check('the secret does not appear in the UI', !html.includes(SECRET));

  await browser.$('[data-nav="jobs"]').click();
  await browser.pause(500);
  await screenshot('06-jobs');
});

// The secret is nowhere on disk: not in the logs, the catalog or the settings.
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(home);
const leaks = files.filter((f) => readFileSync(f).includes(Buffer.from(SECRET)));
check(`the secret is in none of ${files.length} files of the data folder (logs, catalog, settings)`, leaks.length === 0, leaks.join(', '));
check('logs were written', files.some((f) => f.includes('logs')));

// A new, empty catalog: the first-run screen, then a supplier's price list imported through the
// Suppliers section (the first-run button opens the OS file dialog, which WebDriver cannot drive).
const suppliersDb = join(home, 'suppliers.db');
await withApp({ VITRINA_HOME: home, VITRINA_DB: suppliersDb }, async (browser) => {
  await browser.$('[data-testid="first-run"]').waitForExist({ timeout: 20000 });
  check('an empty catalog shows the first-run screen with the import button', await browser.$('[data-testid="first-import"]').isEnabled());
  await screenshot('08-first-run');
  await suppliers(browser, suppliersDb);
});

// A long first import is cancelled from the jobs panel while it holds the catalog's write lock,
// and leaves the catalog as it was.
const bigDb = join(home, 'big.db');
const bigFeed = join(out, 'big.yml');
writeFileSync(bigFeed, bigYml(100000));
cliJsonOn(bigDb, 'suppliers', 'add', 'Большой', '--source', bigFeed);
await withApp({ VITRINA_HOME: home, VITRINA_DB: bigDb }, async (browser) => {
  await browser.$('[data-testid="first-run"]').waitForExist({ timeout: 20000 });
  await browser.$('[data-nav="jobs"]').click();
  cliJsonOn(bigDb, 'import', 'Большой', '--detach'); // queued here, run by the window's worker
  const running = await browser.$('[data-testid="job"].running');
  await running.waitForExist({ timeout: 30000 });
  const counted = async () => Number((await running.$('.meta span').getText()).replace(/\D/g, ''));
  await browser.waitUntil(async () => (await counted()) >= 10000, { timeout: 60000 });
  await screenshot('15-import-running');
  await running.$('button=Отменить').click();
  const cancelled = await browser.$('[data-testid="job"].cancelled');
  await cancelled.waitForExist({ timeout: 30000 });
  await screenshot('16-import-cancelled');
  check('a running import is cancelled from the jobs panel', true);
  const products = cliJsonOn(bigDb, 'stats').products;
  const run = cliJsonOn(bigDb, 'import', 'runs', 'Большой')[0];
  check('the cancelled import changed nothing and its run says so', products === 0 && run.state === 'cancelled', `${products} / ${run.state}`);
});

// A file that is not a catalog: the recovery screen, not a crash.
const bad = join(out, 'not-a-catalog.db');
writeFileSync(bad, 'this is a price list, not a database '.repeat(200));
await withApp({ VITRINA_HOME: home, VITRINA_DB: bad }, async (browser) => {
  const screen = await browser.$('[data-testid="recovery"]');
  await screen.waitForExist({ timeout: 20000 });
  check('a damaged catalog shows the recovery screen', (await screen.getText()).includes('не является каталогом Vitrina'));
  await screenshot('07-recovery');
});

console.log(`e2e: ${passed} passed, ${failed} failed`);
if (!existsSync(join(out, '04-price-changed.png'))) failed++;
process.exit(failed ? 1 : 0);
