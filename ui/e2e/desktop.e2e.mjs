// Real-window end-to-end test: the built Vitrina binary under Xvfb, driven through WebDriver
// (tauri-driver + WebKitWebDriver). Run by scripts/e2e, which prepares the catalog and env:
//   VITRINA_APP   the desktop binary        VITRINA_CLI  the `vitrina` binary
//   VITRINA_HOME  a fresh data folder with catalog.db (a demo)   E2E_OUT  where screenshots go
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';

const app = process.env.VITRINA_APP;
const cli = process.env.VITRINA_CLI;
const home = process.env.VITRINA_HOME;
const out = process.env.E2E_OUT;
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
  return JSON.parse(execFileSync(cli, ['--db', join(home, 'catalog.db'), '--json', ...args], { encoding: 'utf8' }));
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
