// Real-window end-to-end test: the built Vitrina binary under Xvfb, driven through WebDriver
// (tauri-driver + WebKitWebDriver). Run by scripts/e2e, which prepares the catalog and env:
//   VITRINA_APP   the desktop binary        VITRINA_CLI  the `vitrina` binary
//   VITRINA_HOME  a fresh data folder with catalog.db (a demo)   E2E_OUT  where screenshots go
//   E2E_PRICE_FILE  a supplier price list (cp1251 CSV, 30 rows, one with a negative price)
//   E2E_TIMEOUT_S  the whole run's limit (default 900 s)
//
// Every step goes through the real UI → IPC → back end path and is checked against what the
// window shows (element text, and the X window's own pixels) and against the catalog file (read
// with the CLI). Every wait polls a condition with a limit and fails with what it last saw.
//
// The IPC commands (src-tauri/src/commands.rs) this drives: startup, table_info, table_rows,
// facets (brand filter), bulk_edit, product, edit_field, history, undo (after an edit and after
// a bulk edit), job_list, job_logs, job_cancel, job_retry, job_start (reprice, analyze),
// settings, set_language, secrets, set_secret, check_update (a local endpoint), ui_ready and
// ui_timing (their log lines), suppliers, supplier, add_supplier, set_feed, remove_feed,
// mapping_targets, preview_feed, save_mapping, save_supplier_settings, import_now, import_runs,
// import_report, feed_profiles, feeds_export, feed_preview, market_accounts, market_account_add,
// market_account_remove, market_account_check, market_account_demo, market_auto_map, market_category_map,
// market_categories, market_attributes, market_publish, market_job_result, market_outbox, market_links,
// product_market, team_status, team_init, team_invite (with the team's background sync and the
// status bar's indicator). Not driven: choose_catalog, pick_supplier_file and export_import_report open
// the OS file dialog, which WebDriver cannot reach; open_demo restarts the app, which ends the
// WebDriver session.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const begun = Date.now();
const app = process.env.VITRINA_APP;
const cli = process.env.VITRINA_CLI;
const home = process.env.VITRINA_HOME;
const out = process.env.E2E_OUT;
const priceFile = process.env.E2E_PRICE_FILE;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'src-tauri', 'tauri.conf.json'), 'utf8')).version;
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

/** Checks that `actual` equals `expected` (compared as JSON), and says both when not. */
function same(name, actual, expected) {
  const a = stable(actual);
  const e = stable(expected);
  check(name, a === e, `\n         got      ${a}\n         expected ${e}`);
}

/** JSON with object keys sorted (WebDriver hands objects back with their keys in any order). */
function stable(v) {
  return JSON.stringify(v, (_, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x);
}

// ---- waiting, with a limit on everything ----

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An error that `until` does not retry past. */
class Fatal extends Error {}

const show = (v) => (v instanceof Error ? v.message : JSON.stringify(v))?.slice(0, 400);

/**
 * Reads `read()` until `accept(value)` holds and returns that value; after `timeout` ms it
 * throws, naming what it waited for and the last value (or error) it saw.
 */
async function until(what, read, accept = Boolean, { timeout = 10000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      // One read that hangs (a WebDriver request) must not outlast the wait either.
      last = await withTimeout(Promise.resolve().then(read), Math.max(1000, end - Date.now()), `one reading for ${what}`);
      if (accept(last)) return last;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() >= end) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}; last seen: ${show(last)}`);
    await sleep(interval);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
    }),
  ]);
}

/** Waits until the element's text (trimmed) satisfies `accept`, and returns it. */
async function textOf(browser, selector, accept = (t) => t.length > 0, timeout = 10000) {
  return until(`the text of ${selector}`, async () => (await browser.$(selector).getText()).trim(), accept, { timeout });
}

/**
 * The text the page renders in an element that clips it with an ellipsis (table cells, the
 * supplier's file): WebKitWebDriver's element text comes back empty for those, so this reads
 * `innerText`, which is also only what is rendered.
 */
async function clippedText(browser, selector, accept = (t) => t.length > 0, timeout = 10000) {
  return until(`the text of ${selector}`, () => browser.execute((sel) => document.querySelector(sel)?.innerText.trim() ?? null, selector), (t) => t !== null && accept(t), { timeout });
}

// The whole run has a limit too: a hang anywhere fails the run instead of stalling CI.
const children = new Set();
const watchdog = setTimeout(() => {
  console.log(`  FAIL the e2e run did not finish within ${process.env.E2E_TIMEOUT_S ?? 900} s`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
}, Number(process.env.E2E_TIMEOUT_S ?? 900) * 1000);
watchdog.unref();

// ---- processes and ports ----

/** A TCP port free right now on 127.0.0.1, chosen by the OS. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The processes below `pid` (WebKitWebDriver, the app, WebKit's helpers), from /proc. */
function descendants(pid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const todo = [pid];
  while (todo.length) {
    for (const k of kids.get(todo.pop()) ?? []) {
      found.push(k);
      todo.push(k);
    }
  }
  return found;
}

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// ---- the X window as a person sees it ----

/** The app's top-level X window (under Xvfb there is no window manager: one visible "Vitrina"). */
function appWindow() {
  const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^Vitrina$'], { encoding: 'utf8', timeout: 5000 });
  const ids = (r.stdout ?? '').split('\n').filter(Boolean);
  if (ids.length !== 1) throw new Error(`expected one visible Vitrina window, found ${ids.length}`);
  return ids[0];
}

const magick = (args) => {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 20000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
};

/** How many pixels of two same-sized images differ by more than 10 %. */
function differing(a, b) {
  const n = Number(magick(['compare', '-metric', 'AE', '-fuzz', '10%', a, b, 'null:']).split(/\s/)[0]);
  return Number.isFinite(n) ? n : Infinity;
}

/** Colours and standard deviation of a rectangle of an image. */
function ink(file, r) {
  const [colours, sd] = magick(['convert', file, '-crop', `${r.width}x${r.height}+${r.x}+${r.y}`, '+repage', '-format', '%k %[fx:standard_deviation]', 'info:'])
    .split(' ')
    .map(Number);
  return { colours, sd };
}

let current = null;

/**
 * Screenshots of the real X window (`NAME.png`) and of the web view's own rendering through
 * WebDriver (`NAME.webview.png`). The window is what a person sees: WebDriver renders the page
 * on request, so its copy has rows even when the window has not painted them (the old test took
 * the window 800 ms after the rows reached the DOM and got the loading screen). This waits
 * until the window shows the same picture as the page (≤ `tolerance` of the pixels differ: a
 * caret, a live counter), then checks that `region` (a selector) has ink in the window's
 * pixels: text and lines, not one flat colour.
 */
async function screenshot(name, region, { tolerance = 0.01, timeout = 20000 } = {}) {
  const browser = current;
  const win = join(out, `${name}.png`);
  const page = join(out, `${name}.webview.png`);
  const t0 = Date.now();
  // Rows still loading show placeholder bars; the picture is taken once they have arrived.
  await until(`${name}: the page to finish loading rows`, () => browser.execute(() => document.querySelectorAll('.skeleton').length), (n) => n === 0)
    .catch((e) => check(`${name}: no placeholder rows left on screen`, false, e.message));
  const rect = await until(`${region} to be on screen`, () =>
    browser.execute((sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const b = el.getBoundingClientRect();
      const k = window.devicePixelRatio || 1;
      return { x: Math.round(b.x * k), y: Math.round(b.y * k), width: Math.round(b.width * k), height: Math.round(b.height * k) };
    }, region), (r) => r && r.width > 4 && r.height > 4);
  let diff = Infinity;
  let total = 1;
  let inked = { colours: 0, sd: 0 };
  await until(
    `the X window to show what the page has, with ink in ${region} (${name})`,
    async () => {
      await browser.saveScreenshot(page);
      execFileSync('import', ['-window', appWindow(), win], { timeout: 20000 });
      const size = magick(['identify', '-format', '%w %h', win]).split(' ').map(Number);
      total = size[0] * size[1];
      diff = differing(win, page);
      inked = ink(win, rect);
      return diff / total <= tolerance && inked.colours >= 64 && inked.sd >= 0.015;
    },
    Boolean,
    { timeout, interval: 250 },
  ).catch((e) => console.log(`  note ${e.message}`));
  check(
    `${name}: the window is drawn and shows what the page has (${region} has ${inked.colours} colours)`,
    diff / total <= tolerance && inked.colours >= 64 && inked.sd >= 0.015,
    `(differing pixels ${(100 * diff / total).toFixed(2)} %, region sd ${inked.sd}, after ${Date.now() - t0} ms)`,
  );
  if (Date.now() - t0 > 3000) console.log(`  note ${name}: the window took ${Date.now() - t0} ms to show the page`);
}

// ---- the app under WebDriver ----

async function withApp(label, env, body) {
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(driver);
  let exited = null;
  driver.on('exit', (code, signal) => {
    exited = code ?? signal;
    children.delete(driver);
  });
  let browser;
  try {
    await until(`tauri-driver to answer on port ${port}`, async () => {
      if (exited !== null) throw new Fatal(`tauri-driver exited (${exited}) before it answered`);
      const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    }, Boolean, { timeout: 20000, interval: 100 });
    browser = await withTimeout(
      remote({
        hostname: '127.0.0.1',
        port,
        logLevel: 'error',
        waitforTimeout: 10000,
        // A WebDriver request that gets no answer in 30 s fails (and is not sent twice).
        connectionRetryTimeout: 30000,
        connectionRetryCount: 0,
        capabilities: {
          browserName: 'wry',
          'wdio:enforceWebDriverClassic': true,
          'tauri:options': { application: app },
        },
      }),
      90000,
      'a WebDriver session with the app',
    );
    current = browser;
    await body(browser);
  } catch (e) {
    // The window's remaining steps cannot run; the next window (its own catalog) still does.
    check(`${label}: ${e.message}`, false);
  } finally {
    const family = descendants(driver.pid);
    if (browser) await withTimeout(browser.deleteSession(), 20000, 'the WebDriver session to close').catch((e) => console.log(`  note ${e.message}`));
    current = null;
    driver.kill('SIGTERM');
    const gone = () => exited !== null && family.every((p) => !alive(p));
    await until('tauri-driver and the app to exit', gone, Boolean, { timeout: 15000 }).catch(async (e) => {
      console.log(`  note ${e.message}; ending them`);
      for (const p of family.filter(alive)) process.kill(p, 'SIGKILL');
      driver.kill('SIGKILL');
      await until('tauri-driver and the app to exit after SIGKILL', gone, Boolean, { timeout: 10000 });
    });
  }
}

const CLI_TIMEOUT = 120000;

function cliJson(...args) {
  return cliJsonOn(join(home, 'catalog.db'), ...args);
}

function cliJsonOn(db, ...args) {
  return JSON.parse(execFileSync(cli, ['--db', db, '--json', ...args], { encoding: 'utf8', timeout: CLI_TIMEOUT }));
}

/** The product's price in the catalog file, as the CLI reads it (its --json is the window's ProductDto). */
const priceOf = (db, sku) => cliJsonOn(db, 'products', 'show', sku).price.minor;

/** Minor units as the window writes them: `12 345,67`. */
function rub(minor) {
  const units = String(Math.floor(Math.abs(minor) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${minor < 0 ? '-' : ''}${units},${String(Math.abs(minor) % 100).padStart(2, '0')}`;
}

/** A count as the window writes it in Russian: `5 000`. */
const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

const STATUS = { active: 'Активен', draft: 'Черновик', archived: 'В архиве' };

/**
 * The table's rows as the page renders their text, cell by cell (`innerText`: WebDriver's
 * element text comes back empty for the cells, which clip their text with an ellipsis).
 */
async function visibleRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('.scroller .row[data-sku]')].map((r) => ({
      sku: r.querySelector('.cell.sku')?.innerText.trim(),
      name: r.querySelector('.cell.name')?.innerText.trim(),
      brand: r.querySelector('.cell.brand')?.innerText.trim(),
      price: r.querySelectorAll('.cell.num')[0]?.innerText.trim(),
      stock: r.querySelectorAll('.cell.num')[1]?.innerText.trim(),
      status: r.querySelector('.cell.status')?.innerText.trim(),
      selected: r.getAttribute('aria-selected') === 'true',
    })),
  );
}

/** The visible text of the element (what WebDriver says a person reads), `\n` between blocks. */
const read = async (browser, selector) => (await browser.$(selector).getText()).trim();

/** A YML feed of `n` plain offers: big enough that importing it takes a few seconds. */
function bigYml(n, prefix = 'K') {
  const offers = [];
  for (let i = 0; i < n; i++) {
    offers.push(
      `<offer id="${prefix}-${i}" available="true"><price>${1000 + (i % 5000)}</price><currencyId>RUB</currencyId>` +
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

/** Clicks a sidebar section and waits for its heading (or `ready` selector). */
async function go(browser, section, ready) {
  await browser.$(`[data-nav="${section}"]`).click();
  await browser.$(ready).waitForExist({ timeout: 10000 });
}

// ---- the demo catalog: table, search, filters, editor, undo, bulk edit, settings, jobs ----

const mainDb = join(home, 'catalog.db');
const first = cliJson('products', 'list', '--sort', 'price', '--limit', '1').rows[0];
const byName = cliJson('products', 'list', '--limit', '30').rows;
const stats = cliJson('stats');
const topBrand = stats.top_brands[0];
console.log(`e2e: product ${first.sku} (${first.name}), price ${first.price.minor}; ${stats.products} products`);

// A local update endpoint that offers version 9.9.9: the check from Settings goes through the
// updater plugin to it and back (a debug build may use plain http).
let updateRequests = 0;
const updates = createHttpServer((req, res) => {
  updateRequests++;
  const platform = { signature: 'e2e', url: 'https://example.invalid/vitrina.tar.gz' };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    version: '9.9.9', notes: 'e2e', pub_date: '2026-01-01T00:00:00Z',
    platforms: { 'linux-x86_64': platform, 'linux-x86_64-appimage': platform, 'linux-x86_64-deb': platform },
  }));
});
await new Promise((r) => updates.listen(0, '127.0.0.1', r));
const updateUrl = `http://127.0.0.1:${updates.address().port}/update/{{target}}/{{arch}}/{{current_version}}`;

await withApp('the demo catalog', { VITRINA_HOME: home, VITRINA_UPDATE_ENDPOINT: updateUrl }, async (browser) => {
  const search = await browser.$('[data-testid="search"]');
  await search.waitForExist({ timeout: 30000 });
  await browser.$('.scroller .row[data-sku]').waitForExist({ timeout: 30000 });

  // The catalog as a person reads it: the sidebar, the column heads, the count and the first rows
  // in name order, exactly as the catalog file has them.
  same('the sidebar names the sections in Russian',
    (await browser.$$('nav [data-nav]').map((b) => b.getText())).map((s) => s.trim()),
    ['Каталог', 'Поставщики', 'Маркетплейсы', 'ИИ', 'Фиды', 'Заказы', 'Задачи', 'Отчёты', 'Настройки']);
  const heads = await browser.execute(() => [...document.querySelectorAll('.row.head [role="columnheader"]')].map((h) => h.innerText.trim()));
  same('the table has the Russian column heads, sorted by name',
    heads,
    ['', 'Артикул', 'Название↑', 'Бренд', 'Категория', 'Цена, ₽', 'Остаток', 'Статус', 'Изменён']);
  same('the count says how many products there are', await read(browser, '[data-testid="total"]'), `Товаров: ${count(stats.products)}`);
  const rows = await until('15 rows with their text', () => visibleRows(browser), (r) => r.length >= 15 && r.every((x) => x.name));
  same('the first rows are the catalog\'s first products by name, with price, stock and status',
    rows.slice(0, 15).map((r) => ({ sku: r.sku, name: r.name, brand: r.brand, price: r.price, stock: r.stock, status: r.status })),
    byName.slice(0, 15).map((p) => ({ sku: p.sku, name: p.name, brand: p.brand, price: rub(p.price.minor), stock: count(p.stock), status: STATUS[p.status] })));
  await screenshot('01-catalog', '[data-testid="table-body"]');

  // The brand filter (from the facets) narrows the table to that brand.
  await choose(browser, 'aside.filters label:nth-of-type(2) select', topBrand.key);
  await textOf(browser, '[data-testid="total"]', (t) => t === `Товаров: ${count(topBrand.products)}`);
  const branded = await until('rows of the filtered brand', () => visibleRows(browser), (r) => r.length > 0 && r.every((x) => x.brand === topBrand.key));
  check(`the brand filter keeps the ${topBrand.products} products of ${topBrand.key}`, branded.length >= 15, JSON.stringify(branded.slice(0, 2)));
  await browser.$('button=Сбросить').click();
  await textOf(browser, '[data-testid="total"]', (t) => t === `Товаров: ${count(stats.products)}`);

  // A search typed with the English layout on ("rhjccjdrb nike" is "кроссовки nike" on the
  // Russian keys): the window reads it as meant, says so, shows those rows, and searches exactly
  // as typed on request.
  const meant = cliJson('products', 'search', 'кроссовки', 'nike', '--limit', '1000');
  await search.click();
  await search.setValue('rhjccjdrb nike');
  // (Waiting for the whole query's answer: a keystroke before it may show its own correction,
  // «кроссов» for "rhjccj", which one CI run read.)
  same('a wrong-layout search says what was searched instead',
    await textOf(browser, '[data-testid="correction"] span', (t) => t.includes('nike')).catch((e) => e.message),
    'Показаны результаты по запросу «кроссовки nike»');
  const sneakers = await until('rows of Nike sneakers', () => visibleRows(browser),
    (r) => r.length > 0 && r.every((x) => x.name.startsWith('Кроссовки') && x.brand === 'Nike'));
  same('the wrong-layout search shows the rows of «кроссовки nike»', sneakers[0].sku, meant.rows[0].sku);
  same('and counts them', await read(browser, '[data-testid="total"]'),
    meant.total_is_exact ? `Товаров: ${count(meant.total)}` : `Показаны ${count(meant.total)} лучших совпадений — уточните запрос`);
  await screenshot('02a-wrong-layout', '[data-testid="table-body"]');
  await browser.$('[data-testid="search-as-typed"]').click();
  same('searching exactly as typed finds nothing', await textOf(browser, '.empty h3'), 'Ничего не найдено');
  same('and says so', await textOf(browser, '[data-testid="as-typed"] span'), 'Поиск как написано: «rhjccjdrb nike»');
  await search.click();
  await browser.keys('Escape');
  await textOf(browser, '[data-testid="total"]', (t) => t === `Товаров: ${count(stats.products)}`);

  // Search as you type: the SKU is unique.
  await search.click();
  await search.setValue(first.sku);
  const row = await browser.$(`.scroller .row[data-sku="${first.sku}"]`);
  await row.waitForExist({ timeout: 10000 });
  const found = await until('the search to leave one row', () => visibleRows(browser), (r) => r.length === 1);
  same('search finds the product by SKU and shows its row', found[0].sku + ' | ' + found[0].price, `${first.sku} | ${rub(first.price.minor)}`);
  same('the count says one product', await read(browser, '[data-testid="total"]'), 'Товаров: 1');
  await screenshot('02-search', '[data-testid="table-body"]');

  // Open it: the editor shows the product.
  await row.doubleClick();
  const price = await browser.$('[data-field="price"]');
  await price.waitForExist({ timeout: 10000 });
  const oldText = rub(first.price.minor);
  await until('the editor to load the product', () => price.getValue(), (v) => v === oldText);
  same('the editor opens with the product\'s name and SKU',
    [await read(browser, '[data-testid="editor"] h2'), await read(browser, '[data-testid="editor"] header .sku')], [first.name, first.sku]);
  same('the editor has its sections',
    (await browser.$$('[data-testid="editor"] h3').map((h) => h.getText())).map((s) => s.trim().toLowerCase()),
    ['Основное', 'Цены и остатки', 'Штрихкоды и габариты', 'Описание', 'Характеристики', 'Изображения', 'Комплекты и упаковки', 'Маркетплейсы', 'ИИ', 'История изменений'].map((s) => s.toLowerCase()));

  // A refused value stays at the field with the reason, and nothing is saved.
  await price.setValue('-5');
  await browser.keys('Tab');
  const invalid = await browser.$('[data-error="price"]');
  await invalid.waitForExist({ timeout: 5000 });
  same('an invalid price is refused at the field, in Russian', await invalid.getText(), 'Не может быть отрицательным');
  same('the refused price is not saved', priceOf(mainDb, first.sku), first.price.minor);
  await screenshot('03-invalid-price', '[data-testid="editor"]');

  // Change the price.
  await price.setValue('12 345,67');
  await browser.keys('Enter');
  await until('the new price to be saved', async () => (await price.getValue()) === '12 345,67' && !(await browser.$('[data-error="price"]').isExisting()));
  same('the new price is in the database (read through the CLI)', priceOf(mainDb, first.sku), 1234567);
  // The history writes values in the catalog's canonical form (`19900 RUB`), not as the field
  // shows them (`199,00`); either form of the old and new price is accepted here.
  const change = await textOf(browser, '[data-testid="editor"] ul.history li', (t) => t.includes('→'));
  const forms = (minor) => [rub(minor), `${minor} RUB`];
  check('the history\'s newest entry is the price change from the old price to the new one',
    change.includes('Цена, ₽') && forms(first.price.minor).some((o) => forms(1234567).some((n) => change.includes(`${o} → ${n}`))), change);
  // (The table of a plain search serves its rows from the back end's cache of the ranked
  // matches, vitrina-app table.rs; an edit must not leave that cache showing the old price.)
  same('the table row of the search shows the new price',
    await clippedText(browser, `.scroller .row[data-sku="${first.sku}"] .cell.num`, (t) => t === '12 345,67').catch((e) => e.message), '12 345,67');
  await screenshot('04-price-changed', '[data-testid="editor"]');

  // Undo puts the old price back: in the field, in the table and in the file.
  await browser.$('[data-testid="undo"]').click();
  const undone = await until('undo to restore the old price', () => price.getValue(), (v) => v === oldText).catch((e) => e.message);
  same('undo restores the old price in the editor', undone, oldText);
  same('undo restores the old price in the database', priceOf(mainDb, first.sku), first.price.minor);
  same('undo restores the old price in the table',
    await clippedText(browser, `.scroller .row[data-sku="${first.sku}"] .cell.num`, (t) => t === oldText).catch((e) => e.message), oldText);
  await screenshot('04b-undone', '[data-testid="editor"]');

  // Bulk edit: the first three rows by name, +10 %.
  await browser.$('[data-testid="editor"] button[aria-label="Закрыть"]').click();
  await browser.$('[data-testid="editor"]').waitForExist({ reverse: true, timeout: 10000 });
  await search.click();
  await browser.keys('Escape');
  await textOf(browser, '[data-testid="total"]', (t) => t === `Товаров: ${count(stats.products)}`);
  await until('the rows by name again', () => visibleRows(browser), (r) => r.length >= 15 && r[0].sku === byName[0].sku);
  const picked = byName.slice(0, 3);
  const before = picked.map((p) => priceOf(mainDb, p.sku));
  for (const p of picked) await browser.$(`.scroller .row[data-sku="${p.sku}"] input[type="checkbox"]`).click();
  same('the bulk bar counts the selected rows', await textOf(browser, '[data-testid="bulk"] strong'), 'Выбрано: 3');
  await browser.$('[data-testid="bulk"] input[aria-label="value"]').setValue('10');
  await browser.$('[data-testid="bulk"]').$('button=Применить').click();
  same('bulk edit reports three changed', await textOf(browser, '[data-testid="bulk-message"]'), 'Изменено: 3');
  const raised = before.map((m) => Math.round(m * (1 + 10 / 100)));
  const shown = await until('the table to show the raised prices', () => visibleRows(browser),
    (r) => picked.every((p, i) => r.find((x) => x.sku === p.sku)?.price === rub(raised[i]))).catch(() => null);
  same('bulk +10 % shows the exact new prices in the table',
    picked.map((p) => shown?.find((x) => x.sku === p.sku)?.price ?? null), raised.map(rub));
  same('bulk +10 % wrote the exact new prices to the database', picked.map((p) => priceOf(mainDb, p.sku)), raised);
  const untouched = byName[3];
  same('bulk edit leaves unselected rows alone', priceOf(mainDb, untouched.sku), untouched.price.minor);
  await screenshot('05-bulk-edit', '[data-testid="table-body"]');

  // Undo after a bulk edit: the product's last change is the bulk one.
  await browser.$(`.scroller .row[data-sku="${picked[0].sku}"]`).doubleClick();
  await until('the editor to show the raised price', () => browser.$('[data-field="price"]').getValue(), (v) => v === rub(raised[0]));
  await browser.$('[data-testid="undo"]').waitForEnabled({ timeout: 10000 });
  await browser.$('[data-testid="undo"]').click();
  const bulkUndone = await until('undo', () => browser.$('[data-field="price"]').getValue(), (v) => v === rub(before[0])).catch((e) => e.message);
  if (bulkUndone !== rub(before[0])) {
    // One CI run in seven saw the price stay raised: keep what the editor showed to explain it.
    const said = await browser.execute(() => document.querySelector('[data-testid="editor"]')?.innerText ?? '(no editor)');
    console.log(`  note the editor after the undo click: ${JSON.stringify(said.slice(0, 600))}`);
    await browser.saveScreenshot(join(out, '05c-bulk-undo-missed.webview.png')).catch(() => {});
  }
  same('undo of a bulk edit restores the old price in the editor', bulkUndone, rub(before[0]));
  same('undo of a bulk edit restores the old price in the database', priceOf(mainDb, picked[0].sku), before[0]);
  same('undo of a bulk edit leaves the other bulk-edited rows as they are', picked.slice(1).map((p) => priceOf(mainDb, p.sku)), raised.slice(1));
  await browser.$('[data-testid="editor"] button[aria-label="Закрыть"]').click();
  await browser.$('button=Снять выбор').click();
  await browser.$('[data-testid="bulk"]').waitForExist({ reverse: true, timeout: 10000 });

  // Settings: what the window says about itself.
  await go(browser, 'settings', '[data-secret="wildberries.token"] input');
  same('settings names the open catalog file', await read(browser, 'dl dd code'), mainDb);
  same('settings shows the version', (await read(browser, '.settings')).includes(`Vitrina — Версия ${VERSION}`), true);

  // Plant a secret through Settings; the UI only says it is set.
  await browser.$('[data-secret="wildberries.token"] input').setValue(SECRET);
  await browser.$('[data-secret="wildberries.token"] button').click();
  await textOf(browser, '[data-secret="wildberries.token"] .badge', (t) => t === 'Задан');
  check('the secret shows as set', true);
  const html = await browser.getPageSource();
  check('the secret does not appear in the UI', !html.includes(SECRET));

  // The update check goes to the endpoint and says what it offers.
  await browser.$('button=Проверить обновления').scrollIntoView();
  await browser.$('button=Проверить обновления').click();
  same('the update check reports the offered version', await textOf(browser, '[data-testid="update"]', (t) => t !== 'Загрузка…', 30000), 'Доступна версия 9.9.9');
  check('the update check asked the endpoint', updateRequests > 0, String(updateRequests));
  await screenshot('05-settings', '.settings');

  // The language switch: English, then back.
  await browser.$('button=English').click();
  same('English: the settings and the sidebar speak English',
    [await textOf(browser, '.settings h1', (t) => t === 'Settings'), await read(browser, '[data-nav="catalog"]')], ['Settings', 'Catalog']);
  await screenshot('05b-settings-english', '.settings');
  await browser.$('button=Русский').click();
  await textOf(browser, '.settings h1', (t) => t === 'Настройки');
  check('the language switches back to Russian', true);

  // Jobs: change every price by 10 % from the jobs panel; the job runs and the prices change.
  await go(browser, 'jobs', '.jobs h1');
  same('the jobs panel is titled and empty', [await read(browser, '.jobs h1'), (await browser.$$('[data-testid="job"]')).length], ['Задачи', 0]);
  const sample = byName[5];
  const samplePrice = priceOf(mainDb, sample.sku);
  await browser.$('.jobs .new input').setValue('10');
  await browser.$('.jobs .new button').click(); // "Изменить все цены на %"
  const reprice = await browser.$('[data-testid="job"].succeeded');
  await reprice.waitForExist({ timeout: 60000 });
  const jobs = cliJson('jobs', 'list');
  same('the reprice job from the panel is the catalog\'s one succeeded job', jobs.map((j) => [j.kind, j.state]), [['catalog.reprice', 'succeeded']]);
  same('the reprice job changed a price by exactly 10 %', priceOf(mainDb, sample.sku), Math.floor((samplePrice * 11000 + 5000) / 10000));
  // (The panel writes "5 000/ 5 000": Svelte trims the space that opens the {#if} block.)
  same('the job line counts every product', (await read(browser, '[data-testid="job"] .meta span')).replace(/\s*\/\s*/, ' / '), `${count(stats.products)} / ${count(stats.products)}`);
  // Its log, as the CLI reads it.
  await reprice.$('button=Журнал').click();
  const lines = cliJson('jobs', 'logs', jobs[0].id).map((l) => l.message);
  const logText = await textOf(browser, '[data-testid="log"]', (t) => lines.length > 0 && lines.every((l) => t.includes(l)));
  check('the job\'s log in the panel has the lines the CLI reads', lines.length > 0, `${JSON.stringify(lines)} / ${logText}`);
  // A second kind of job.
  await browser.$$('.jobs .new button')[1].click(); // "Проверить каталог"
  await until('two finished jobs', async () => (await browser.$$('[data-testid="job"].succeeded')).length, (n) => n === 2, { timeout: 60000 });
  same('the catalog check ran too', cliJson('jobs', 'list').map((j) => [j.kind, j.state]), [['catalog.analyze', 'succeeded'], ['catalog.reprice', 'succeeded']]);
  await screenshot('06-jobs', '.jobs');
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
const logs = files.filter((f) => f.includes('logs')).map((f) => readFileSync(f, 'utf8')).join('\n');
check('logs were written, with the cold start and the search timing the window reports', logs.includes('first catalog rows on screen') && logs.includes('ui timing'));

/** Suppliers: add one by typing the price list's path, map it, price it, import, read the report. */
async function suppliers(browser, db) {
  await go(browser, 'suppliers', '[data-testid="add-supplier"]');
  same('the suppliers section is titled and empty', [await read(browser, '[data-testid="suppliers"] h1'), await read(browser, '[data-testid="suppliers"] .empty')],
    ['Поставщики', 'Поставщиков пока нет. Добавьте первого: укажите файл прайс-листа или ссылку на фид.']);
  await browser.$('[data-testid="add-supplier"]').click();
  await browser.$('[data-testid="new-source"]').setValue(priceFile);
  await browser.$('[data-testid="new-name"]').setValue('Опт');
  await browser.$('[data-testid="create-supplier"]').click();

  // The mapping screen opens with the suggested mapping and the first rows as they will import.
  const rejected = await browser.$('[data-testid="preview-table"] tr.rejected[data-line="8"]');
  await rejected.waitForExist({ timeout: 15000 });
  check('the mapping preview marks the broken row (line 8) as rejected', (await rejected.getText()).includes('-500'), await rejected.getText());
  same('the preview\'s first row is the price list\'s first row',
    await read(browser, '[data-testid="preview-table"] tr[data-line="2"] td.name'), 'Сковорода гриль Rondell Mocco & Latte, 20 см');
  same('the preview counts the rows that will import', await read(browser, '[data-testid="ok-rows"]'), 'Импортируются 19 из 20 строк');
  const price = '[data-testid="mapping"] select[aria-label="Цена, руб."]';
  check('the price column is suggested as the retail price', (await browser.$(price).getValue()) === 'price');
  // The supplier's price is what we pay: make it the cost, and sell at +30 % ending in 9.
  await choose(browser, price, 'cost');
  const save = await browser.$('[data-testid="save-mapping"]');
  await browser.waitUntil(async () => save.isEnabled(), { timeout: 10000, timeoutMsg: 'the mapping cannot be saved' });
  // The live preview catches up: the first row's price moves to the cost column.
  const costCell = '[data-testid="preview-table"] tr[data-line="2"] td:nth-child(4)';
  same('the preview shows the supplier\'s price as the cost', await textOf(browser, costCell, (t) => t === '1 270,18'), '1 270,18');
  await browser.$('[data-testid="preview-table"]').waitForExist();
  await until('the preview to finish loading', async () => !(await browser.$('section.preview.loading').isExisting()));
  await screenshot('09-supplier-mapping', '[data-testid="preview-table"]');
  await save.click();
  await browser.$('.state.ok').waitForExist({ timeout: 10000 });
  same('the mapping is saved', await read(browser, '.state.ok'), 'Сопоставление сохранено');

  await browser.$('[data-tab="rules"]').click();
  const markup = await browser.$('[data-testid="markup"]');
  await markup.waitForExist({ timeout: 10000 });
  await markup.setValue('30');
  await choose(browser, '[data-testid="rounding"]', 'end_in9');
  await browser.$('[data-testid="save-rules"]').click();
  await browser.$('[data-testid="rules"] .ok').waitForExist({ timeout: 10000 });
  await screenshot('10-supplier-rules', '[data-testid="rules"]');

  // Import now: the history shows the run with its counts once the job is done.
  await browser.$('[data-testid="import-now"]').click();
  const done = await browser.$('[data-testid="runs"] tr[data-state="succeeded"]');
  await done.waitForExist({ timeout: 60000 });
  const created = await done.$('td.created').getText();
  const rejectedCount = await done.$('td.rejected').getText();
  check('the run shows 29 created and 1 rejected', created === '29' && rejectedCount === '1', `${created} / ${rejectedCount}`);
  same('the outcome says the import is done', await textOf(browser, '[data-testid="import-outcome"]'), 'Импорт завершён');
  await screenshot('11-supplier-history', '[data-testid="runs"]');

  await done.$('[data-testid="open-report"]').click();
  const issue = await browser.$('[data-testid="issues"] tr.rejected[data-line="8"]');
  await issue.waitForExist({ timeout: 10000 });
  const text = await issue.getText();
  const value = await issue.$('td.value').getAttribute('title');
  check('the report lists the rejected row with its line and value', text.includes('8') && value === '-500', `${text} / ${value}`);
  await screenshot('12-import-report', '[data-testid="issues"]');

  await browser.$('[data-testid="supplier-page"] .back').click();
  const summary = await browser.$('[data-supplier="Опт"] [data-testid="last-run"]');
  await summary.waitForExist({ timeout: 10000 });
  same('the suppliers list shows the last import in words', await summary.getText(), 'создано 29, обновлено 0, без изменений 0, отклонено 1');
  same('the suppliers list shows the supplier, its file and its offers',
    [await read(browser, '[data-supplier="Опт"] .name'), await clippedText(browser, '[data-supplier="Опт"] .feed'), await read(browser, '[data-supplier="Опт"] .num')],
    ['Опт', 'price-1251.csv', '29']);
  await screenshot('13-suppliers', '[data-testid="suppliers"]');

  // The markup and rounding give exact prices: cost × 1.3, then up to the next whole price ending in 9.
  const expected = {
    'RO-1234567-01': 165900, // 1 270,18 × 1.3 = 1 651,23 → 1 659
    'RO-1234567-02': 174900, // 1 339,00 × 1.3 = 1 740,70 → 1 749
    'DE-1305838-01': 599900, // 4 610,00 × 1.3 = 5 993,00 → 5 999
    'AD-1266243-04': 1910900, // 14 699,00 × 1.3 = 19 108,70 → 19 109 (ends in 9 already)
    'BO-1250405-02': 4031900, // 31 009,00 × 1.3 = 40 311,70 → 40 319
  };
  const products = cliJsonOn(db, 'stats').products;
  check('the CLI sees the 29 imported products', products === 29, String(products));
  const list = cliJsonOn(db, 'products', 'list', '--supplier', 'Опт', '--limit', '100').rows;
  same('the imported products are priced exactly by the rules (+30 %, ending in 9)',
    Object.keys(expected).map((sku) => [sku, list.find((r) => r.sku === sku)?.price.minor]), Object.entries(expected));
  same('every imported price is whole roubles ending in 9', list.filter((r) => r.price.minor % 1000 !== 900).map((r) => r.sku), []);

  await browser.$('[data-nav="catalog"]').click();
  const shown = await until('the imported rows in the table', () => visibleRows(browser),
    (r) => Object.keys(expected).every((sku) => r.some((x) => x.sku === sku)), { timeout: 20000 }).catch(() => []);
  same('the table shows the imported products at those prices',
    Object.keys(expected).map((sku) => [sku, shown.find((r) => r.sku === sku)?.price]), Object.entries(expected).map(([sku, m]) => [sku, rub(m)]));
  same('the count says 29 products', await read(browser, '[data-testid="total"]'), 'Товаров: 29');
  await screenshot('14-catalog-imported', '[data-testid="table-body"]');
  await feeds(browser, db);
}

// The Feeds section: a profile made with the CLI is listed, "Export all" writes its file through
// the window's worker and the row shows the result; the editor previews the first offers.
async function feeds(browser, db) {
  const file = join(out, 'e2e-feed.xml');
  cliJsonOn(db, 'feeds', 'add', 'Яндекс', '--format', 'yml', '--out', file, '--shop-name', 'Демо', '--shop-url', 'https://demo.example.ru');
  await go(browser, 'feeds', '[data-testid="feed-row"]');
  same('the feeds list shows the profile', await read(browser, '[data-testid="feed-row"]').then((t) => t.includes('Яндекс')), true);
  await browser.$('[data-testid="feeds-export-all"]').click();
  await until('the feed file to be written', () => existsSync(file), Boolean, { timeout: 60000, interval: 250 });
  const last = await until('the row to show the export', () => read(browser, '[data-testid="feed-last"]'), (t) => /\d/.test(t) && !t.includes('ещё не'), { timeout: 30000 });
  check('the row shows what the export wrote', last.length > 0, last);
  const offers = (readFileSync(file, 'utf8').match(/<offer /g) || []).length;
  same('the feed holds as many offers as the export says it wrote', offers, cliJsonOn(db, 'feeds', 'list')[0].last_result.written);
  await screenshot('20-feeds', '[data-testid="feeds-view"]');
  await browser.$('[data-testid="feed-edit"]').click();
  await browser.$('[data-testid="profile-editor"]').waitForExist({ timeout: 10000 });
  const preview = await until('the preview to show offers', () => read(browser, '[data-testid="feed-preview"]'), (t) => t.includes('<offer'), { timeout: 30000 });
  check('the editor previews the first offers as XML', preview.includes('<offer'), preview.slice(0, 80));
  await screenshot('21-feed-editor', '[data-testid="profile-editor"]');
  await marketplaces(browser, db);
}

// The Marketplaces section: an account added with the CLI (its token from VITRINA_MP_TOKEN, into
// this run's session keyring) pointing at an address nobody listens on is listed with its key
// stored; "Check connection" words each API group's answer ("unreachable"). An account added
// through the window's form is listed by the CLI, then removed after the confirmation.
async function marketplaces(browser, db) {
  execFileSync(cli, ['--db', db, '--json', 'mp', 'accounts', 'add', 'Мой WB', '--market', 'wb', '--base-url', 'http://127.0.0.1:9'],
    { encoding: 'utf8', timeout: CLI_TIMEOUT, env: { ...process.env, VITRINA_MP_TOKEN: SECRET } });
  await go(browser, 'marketplaces', '[data-testid="market-account"]');
  const wb = '[data-testid="market-account"][data-account="Мой WB"]';
  same('the marketplaces list shows the CLI\'s account, its marketplace and its stored key',
    [await read(browser, `${wb} .name`), await read(browser, `${wb} .badge`), await read(browser, `${wb} [data-testid="secret-state"]`)],
    ['Мой WB', 'Wildberries', 'Ключ сохранён']);
  same('the account was never checked', await read(browser, `${wb} [data-testid="last-check"]`), 'Подключение ещё не проверялось');

  // Add an Ozon account through the form (market_account_add), then remove it (market_account_remove).
  await browser.$('[data-testid="account-add"]').click();
  await browser.$('[data-testid="account-form"]').waitForExist({ timeout: 10000 });
  await choose(browser, '[data-testid="account-market"]', 'ozon');
  await browser.$('[data-testid="account-client-id"]').waitForExist({ timeout: 10000 });
  await browser.$('[data-testid="account-name"]').setValue('Ozon e2e');
  await browser.$('[data-testid="account-client-id"]').setValue('123456');
  await browser.$('[data-testid="account-token"]').setValue(SECRET);
  await browser.$('[data-testid="account-save"]').click();
  const ozon = '[data-testid="market-account"][data-account="Ozon e2e"]';
  await browser.$(ozon).waitForExist({ timeout: 10000 });
  same('the CLI lists the account added in the window, with its key stored',
    cliJsonOn(db, 'mp', 'accounts', 'list').map((a) => [a.name, a.market, a.secret_set]).sort(), [['Ozon e2e', 'ozon', true], ['Мой WB', 'wb', true]]);
  same('the window lists the accounts in the CLI\'s order', await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="market-account"]')].map((a) => a.dataset.account)), ['Ozon e2e', 'Мой WB']);
  await browser.$(`${ozon} [data-testid="account-delete"]`).click();
  await browser.$(`${ozon} [data-testid="account-delete-yes"]`).click();
  await browser.$(ozon).waitForExist({ reverse: true, timeout: 10000 });
  same('the account removed in the window is gone for the CLI too', cliJsonOn(db, 'mp', 'accounts', 'list').map((a) => a.name), ['Мой WB']);

  // Check connection: nobody listens on port 9, so every group is unreachable (after the retries).
  await browser.$(`${wb} [data-testid="account-check"]`).click();
  const outcomes = await until('the check to word each group\'s answer',
    () => browser.execute((sel) => [...document.querySelectorAll(`${sel} [data-testid="outcome"]`)].map((o) =>
      [...o.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim()), wb),
    (o) => o.length === 3, { timeout: 90000, interval: 500 });
  const unreachable = '✗ Сервер маркетплейса не отвечает: проверьте подключение к интернету и адрес API';
  same('each API group is worded as unreachable', outcomes, [unreachable, unreachable, unreachable]);
  same('the last check says there are problems, and when', await read(browser, `${wb} [data-testid="last-check"] .bad`),
    '✗ Есть проблемы с подключением');
  const details = await clippedText(browser, `${wb} [data-testid="outcome-details"]`);
  check('the marketplace\'s own message is kept as details', details.includes('Connection refused'), details);
  same('the check is kept with the account', cliJsonOn(db, 'mp', 'accounts', 'show', 'Мой WB').last_check?.groups.map((g) => g.outcome),
    ['unreachable', 'unreachable', 'unreachable']);
  await screenshot('22-marketplaces', '[data-testid="market-view"]');

  // The form for Yandex Market: the Api-Key, the business and shop ids, the API address under "Advanced".
  await browser.$('[data-testid="account-add"]').click();
  await browser.$('[data-testid="account-form"]').waitForExist({ timeout: 10000 });
  await choose(browser, '[data-testid="account-market"]', 'ym');
  await browser.$('[data-testid="account-campaign-id"]').waitForExist({ timeout: 10000 });
  same('the form asks Yandex Market for its Api-Key and ids', await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="account-form"] .grid label > span')].map((l) => l.textContent)),
  ['Маркетплейс', 'Название', 'Api-Key', 'Номер кабинета (business id)', 'Номер магазина (campaign id)']);
  await browser.$('[data-testid="account-form"] summary').click();
  await browser.$('[data-testid="account-base-url"]').waitForDisplayed({ timeout: 10000 });
  await screenshot('23-marketplace-form', '[data-testid="account-form"]');
  await browser.$('[data-testid="account-cancel"]').click();
  await browser.$('[data-testid="account-form"]').waitForExist({ reverse: true, timeout: 10000 });

  // The card check (market_precheck) for Ozon over the whole catalog: as many products checked
  // and with problems as the CLI's `mp check ozon` finds, each count and product worded. The
  // imported catalog passes Ozon's limits, so two products lose what a card needs first.
  const [a, b] = cliJsonOn(db, 'products', 'list', '--limit', '2').rows.map((r) => r.sku);
  cliJsonOn(db, 'products', 'set', a, 'images=', 'weight=');
  cliJsonOn(db, 'products', 'set', b, 'images=ftp://example.ru/photo.tif', 'dimensions=');
  const expected = cliJsonOn(db, 'mp', 'check', 'ozon');
  await browser.execute(() => document.querySelector('[data-testid="precheck"]').scrollIntoView({ block: 'start' }));
  same('the card check says category attributes are checked when publishing', await read(browser, '[data-testid="precheck-later"]'),
    'Характеристики категорий маркетплейса проверяются при публикации — что не так, покажет вкладка «Ошибки».');
  await choose(browser, '[data-testid="precheck-market"]', 'ozon');
  await browser.$('[data-testid="precheck-run"]').click();
  await browser.$('[data-testid="precheck-report"][data-market="ozon"]').waitForExist({ timeout: 60000 });
  await browser.execute(() => document.querySelector('[data-testid="precheck"]').scrollIntoView({ block: 'start' }));
  const summary = await read(browser, '[data-testid="precheck-summary"]');
  check('the card check says how many products it checked, as many as the CLI\'s mp check ozon',
    summary.startsWith(`${count(expected.checked)} товар`) && summary.includes(expected.with_problems ? `${count(expected.with_problems)} с проблемами` : 'проблем не найдено'),
    `${summary} (CLI: ${expected.checked} checked, ${expected.with_problems} with problems)`);
  same('the CLI finds the two products with problems', expected.products.map((p) => p.sku).sort(), [a, b].sort());
  same('each problem is counted as the CLI counts it, worded in Russian', await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="precheck-counts"] li')].map((li) => [li.dataset.code, li.querySelector('b').textContent.replace(/\s/g, '')])),
  expected.counts.map((c) => [c.code, String(c.count)]));
  const words = await browser.execute(() => [...document.querySelectorAll('[data-testid="precheck-counts"] .what')].map((w) => w.textContent));
  check('no problem is shown as its bare code', words.every((w, i) => w && w !== expected.counts[i].code), words.join('; '));
  same('the first products with problems are the CLI\'s', await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="precheck-product"]')].slice(0, 5).map((p) => p.dataset.sku)),
  expected.products.slice(0, 5).map((p) => p.sku));
  await screenshot('24-card-check', '[data-testid="precheck"]');
  await marketWork(browser, db);
}

// A demo Wildberries account added through "Try a demo marketplace" (a fake of the seller API
// started inside the app), its categories mapped automatically, everything published through the
// `market.publish` job followed live, and the error inbox: the same statuses and problem
// products as the CLI's `mp errors` finds, each problem worded in Russian.
async function marketWork(browser, db) {
  const demo = 'Демо Wildberries';
  await browser.execute(() => document.querySelector('[data-testid="market-view"]').scrollTo(0, 0));
  await browser.$('[data-testid="demo-open"]').click();
  await browser.$('[data-testid="demo-wb"]').click();
  await browser.$('[data-testid="market-mapping"]').waitForExist({ timeout: 30000 });
  same('the demo account is added and chosen', await browser.execute(() => {
    const s = document.querySelector('[data-testid="market-account-pick"]');
    return s.options[s.selectedIndex].textContent.trim();
  }), `${demo} · Wildberries`);
  // The CLI is asked only once the window is done with the demo marketplace: opening the
  // marketplace file in another process restarts the demo marketplace there and points the
  // account at it, and that copy ends with the CLI.

  // Map automatically: the marketplace's tree is fetched, every confident suggestion accepted.
  await browser.$('[data-testid="map-auto"]').click();
  const auto = await textOf(browser, '[data-testid="auto-result"]', (t) => t.includes('Сопоставлено категорий'), 60000);
  check('"Map automatically" says what it mapped', /Сопоставлено категорий: \d+/.test(auto), auto);
  const mappedRows = () => browser.execute(() =>
    [...document.querySelectorAll('[data-testid="category-row"]')].map((r) => [r.dataset.category, r.dataset.mapped]));
  const before = await until('the category rows', mappedRows, (r) => r.length > 0);
  // A suggestion the back end was not sure of is accepted by hand, as a seller would: the grill
  // pans (their products have every required attribute), or else the first suggestion.
  const unsure = await browser.execute(() => {
    const rows = [...document.querySelectorAll('[data-testid="category-row"]')];
    const pans = rows.findIndex((r) => r.dataset.category === 'Дом и сад / Посуда / Сковороды гриль' && r.querySelector('[data-testid="category-accept"]'));
    return pans >= 0 ? pans : rows.findIndex((r) => r.querySelector('[data-testid="category-accept"]'));
  });
  if (unsure >= 0) await browser.$$('[data-testid="category-row"]')[unsure].$('[data-testid="category-accept"]').click();
  const rows = await until('the accepted suggestion to be mapped', mappedRows,
    (r) => r.filter(([, m]) => m === 'yes').length > before.filter(([, m]) => m === 'yes').length || unsure < 0, { timeout: 30000 });
  const mapped = rows.filter(([, m]) => m === 'yes').length;
  check('some of the seller\'s categories are mapped', mapped > 0, `${mapped} of ${rows.length}`);
  // A mapped category opens its attributes: required ones marked, what fills each in words.
  await browser.$('[data-testid="category-row"][data-mapped="yes"] [data-testid="category-mapped"]').click();
  await browser.$('[data-testid="attribute"]').waitForExist({ timeout: 30000 });
  // Its confident suggestions accepted at once: the category's products can now be sent.
  if (await browser.$('[data-testid="attributes-accept-all"]').isExisting()) {
    await browser.$('[data-testid="attributes-accept-all"]').click();
    await browser.$('[data-testid="attributes-accept-all"]').waitForExist({ reverse: true, timeout: 30000 });
  }
  const sources = await browser.execute(() => [...document.querySelectorAll('[data-testid="attribute-source"]')].map((s) => s.textContent.trim()));
  check('each attribute says in words what fills it', sources.length > 0 && sources.every((t) => t && !/^(field|attr|const):/.test(t)), sources.slice(0, 6).join('; '));
  // The value map of a dictionary attribute: the seller's values, how many products say each,
  // and what the card carries.
  const withValues = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="attribute"]')].find((a) => a.querySelector('[data-testid="attribute-values"]'))?.dataset.attr ?? null);
  if (withValues) {
    await browser.$(`[data-testid="attribute"][data-attr="${withValues}"] [data-testid="attribute-values"]`).click();
    await browser.$('[data-testid="values"]').waitForExist({ timeout: 20000 });
    const valueRows = await until('the value map to list the seller\'s values', () => browser.execute(() =>
      [...document.querySelectorAll('[data-testid="value-row"]')].map((r) => [r.dataset.state, r.querySelector('.num').textContent.trim()])),
    (r) => r.length > 0, { timeout: 20000 }).catch(() => []);
    const note = await read(browser, '[data-testid="values"]');
    check('the value map lists the values with what each becomes, or says why there are none',
      valueRows.length > 0 ? valueRows.every(([state, n]) => ['mapped', 'found', 'as_is', 'refused'].includes(state) && /^\d/.test(n)) : /значени/i.test(note),
      JSON.stringify(valueRows.slice(0, 5)));
    await browser.execute(() => document.querySelector('[data-testid="values"]').scrollIntoView({ block: 'center' }));
    await screenshot('25b-market-values', '[data-testid="values"]');
    await browser.$('[data-testid="values-close"]').click();
  }
  await browser.execute(() => document.querySelector('[data-testid="market-view"]').scrollTo(0, 0));
  await screenshot('25-market-mapping', '[data-testid="market-view"]');

  // Publish all: the job is followed live, then the run's result is shown.
  await browser.$('[data-tab="publish"]').click();
  await browser.$('[data-testid="publish-all"]').click();
  await browser.$('[data-testid="run-result"]').waitForExist({ timeout: 180000 });
  const result = await read(browser, '[data-testid="run-result"]');
  check('the run says it is done and how many products it looked at', result.includes('✓ Готово') && result.includes('Товаров просмотрено'), result.replace(/\n/g, ' | '));
  const run = await browser.execute(() => Object.fromEntries([...document.querySelectorAll('[data-testid="run-result"] [data-key]')]
    .map((l) => [l.dataset.key, Number(l.querySelector('dd').textContent.replace(/\s/g, ''))])));
  same('the run looked at every product of the catalog', run.read, 29);
  check('the products of the mapped category went to the marketplace', (run.done ?? 0) + (run.awaiting ?? 0) > 0, JSON.stringify(run));
  await until('the sending queue to list the cards', () => read(browser, '[data-testid="outbox"]'), (t) => t.includes('Карточки'), { timeout: 20000 });
  await screenshot('26-market-publish', '[data-testid="market-view"]');

  // The error inbox: the statuses and the products with problems, as the CLI's `mp errors` has them.
  await browser.$('[data-tab="inbox"]').click();
  await browser.$('[data-testid="market-inbox"] [data-testid="status-counts"]').waitForExist({ timeout: 20000 });
  same('the CLI lists the demo account, its key stored', cliJsonOn(db, 'mp', 'accounts', 'list').filter((a) => a.name === demo).map((a) => [a.market, a.demo, a.secret_set]),
    [['wb', true, true]]);
  same('the CLI sees the same categories mapped', cliJsonOn(db, 'mp', 'map', demo).filter((c) => c.ext_id).length, mapped);
  const inbox = cliJsonOn(db, 'mp', 'errors', demo);
  const expectedSkus = (inbox.items ?? inbox).map((l) => l.sku).slice(0, 50).sort();
  const shownSkus = await until('the inbox to list the products with problems', () => browser.execute(() =>
    [...document.querySelectorAll('[data-testid="inbox-item"]')].map((i) => i.dataset.sku).sort()), (s) => s.length === expectedSkus.length, { timeout: 20000 })
    .catch(() => browser.execute(() => [...document.querySelectorAll('[data-testid="inbox-item"]')].map((i) => i.dataset.sku).sort()));
  same('the inbox lists the products the CLI\'s mp errors lists', shownSkus, expectedSkus);
  if (shownSkus.length) {
    const words = await browser.execute(() => [...document.querySelectorAll('[data-testid="inbox-item"] [data-code] .what')].map((w) => w.textContent));
    check('no problem in the inbox is shown as its bare code', words.every((w) => w && !/^[a-z_]+$/.test(w)), words.slice(0, 5).join('; '));
  }
  await screenshot('27-market-inbox', '[data-testid="market-view"]');
  if (shownSkus.length) {
    // The product opens in the editor beside the inbox, with its card on every account.
    await browser.$('[data-testid="inbox-item"] [data-testid="inbox-open"]').click();
    await browser.$('[data-testid="editor"] [data-testid="product-market-row"]').waitForExist({ timeout: 20000 });
    const row = await read(browser, `[data-testid="editor"] [data-testid="product-market-row"][data-account="${demo}"]`);
    check('the editor\'s marketplaces block shows the product on the demo account', row.includes(demo), row.replace(/\n/g, ' | '));
    await browser.execute(() => document.querySelector('[data-testid="product-market"]').scrollIntoView({ block: 'center' }));
    await screenshot('28-market-product', '[data-testid="editor"]');
    await browser.$('[data-testid="editor"] button[aria-label="Закрыть"]').click();
    await browser.$('[data-testid="editor"]').waitForExist({ reverse: true, timeout: 10000 });
  }

  // The demo account's settings: auto-push, and its warehouse mapped to the demo marketplace's.
  await browser.$('[data-tab="accounts"]').click();
  const card = `[data-testid="market-account"][data-account="${demo}"]`;
  await browser.$(`${card} [data-testid="account-settings-open"]`).click();
  await browser.$(`${card} [data-testid="account-settings"]`).waitForExist({ timeout: 10000 });
  same('the demo account\'s warehouse is mapped', await browser.execute((sel) =>
    [...document.querySelectorAll(`${sel} [data-testid="warehouse-row"]`)].map((r) => [r.querySelector('[data-testid="warehouse-mine"]').value, r.querySelector('[data-testid="warehouse-theirs"]').value.length > 0]), card),
  [['Основной склад', true]]);
  await browser.execute((sel) => document.querySelector(sel).scrollIntoView({ block: 'start' }), card);
  await screenshot('29-market-settings', card);
  await aiWork(browser, db);
}

// The AI section against the fake LLM server (`vitrina ai fake-server`, OpenAI-compatible): a
// provider added through the form (its key into this run's session keyring) and its connection
// checked; in the product editor, "Check now" (the rules at once, then the model as a job) and
// "Write a description", whose result waits as a suggestion; accepted in the review queue, it is
// the product's description as the CLI reads it.
async function aiWork(browser, db) {
  const fake = spawn(cli, ['ai', 'fake-server', '--json', '--port', String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let said = '';
    fake.stdout.on('data', (d) => (said += d));
    const info = await until('the fake LLM server to say where it listens', () => {
      try { return JSON.parse(said); } catch { return null; }
    }, Boolean, { timeout: 30000 });
    await go(browser, 'ai', '[data-testid="ai-view"]');
    await browser.$('[data-tab="providers"]').click();
    await browser.$('[data-testid="ai-provider-add"]').click();
    await browser.$('[data-testid="ai-provider-form"]').waitForExist({ timeout: 10000 });
    await browser.$('[data-testid="ai-form-name"]').setValue('Тестовая модель');
    await browser.$('[data-testid="ai-form-url"]').setValue(info.openai_url);
    await browser.$('[data-testid="ai-form-model"]').setValue(info.model);
    await browser.$('[data-testid="ai-form-key"]').setValue(SECRET);
    await browser.$('[data-testid="ai-form-save"]').click();
    const prov = '[data-testid="ai-provider"][data-provider="Тестовая модель"]';
    await browser.$(prov).waitForExist({ timeout: 10000 });
    same('the CLI lists the provider added in the window, its key stored',
      cliJsonOn(db, 'ai', 'providers', 'list').map((p) => [p.name, p.kind, p.model, p.key_set]), [['Тестовая модель', 'openai', info.model, true]]);
    check('the key is nowhere on the page', !(await browser.execute(() => document.body.innerText)).includes(SECRET));
    await browser.$(`${prov} [data-testid="ai-provider-check-now"]`).click();
    const checked = await until('the connection check', () => browser.$(`${prov} [data-testid="ai-provider-check"]`).getAttribute('data-ok'), (v) => v !== null, { timeout: 30000 });
    same('"Check connection" says the provider works', [checked, (await read(browser, `${prov} [data-testid="ai-provider-check"]`)).startsWith('✓ Работает')], ['true', true]);
    await screenshot('31-ai-providers', '[data-testid="ai-view"]');

    // The product editor: the rules at once, the model as a job, then a description written.
    await go(browser, 'catalog', '.scroller .row[data-sku]');
    const row = await browser.$('.scroller .row[data-sku]');
    const sku = await row.getAttribute('data-sku');
    const before = cliJsonOn(db, 'products', 'show', sku).fields.find((f) => f.field === 'description').text;
    await row.doubleClick();
    const block = '[data-testid="editor"] [data-testid="product-ai"]';
    await browser.$(`${block} [data-testid="pa-write"]`).waitForExist({ timeout: 20000 });
    await browser.$(`${block} [data-testid="pa-check"]`).click();
    await browser.$(`${block} [data-testid="pa-rules"]`).waitForExist({ timeout: 20000 });
    check('"Check now" shows the rule checks in words', !/^[a-z_]+$/m.test(await read(browser, `${block} [data-testid="pa-rules"]`)));
    await browser.$(`${block} [data-testid="pa-latest"]`).waitForExist({ timeout: 60000 });
    await browser.$(`${block} [data-testid="pa-job"]`).waitForExist({ reverse: true, timeout: 60000 });
    await browser.$(`${block} [data-testid="pa-write"]`).click();
    const sug = `${block} [data-testid="ai-suggestion"]`;
    await browser.$(sug).waitForExist({ timeout: 60000 });
    check('the description comes back as a suggestion, nothing applied yet',
      cliJsonOn(db, 'products', 'show', sku).fields.find((f) => f.field === 'description').text === before);
    await browser.execute((sel) => document.querySelector(sel).scrollIntoView({ block: 'start' }), '[data-testid="editor-ai"]');
    await screenshot('32-ai-editor', '[data-testid="editor"]');
    await browser.$('[data-testid="editor"] button[aria-label="Закрыть"]').click();
    await browser.$('[data-testid="editor"]').waitForExist({ reverse: true, timeout: 10000 });

    // The review queue: the suggestion with its diff, accepted.
    await go(browser, 'ai', '[data-testid="ai-review"]');
    const card = `[data-testid="ai-suggestion"][data-sku="${sku}"]`;
    await browser.$(card).waitForExist({ timeout: 20000 });
    await screenshot('30-ai-review', '[data-testid="ai-view"]');
    await browser.$(`${card} [data-testid="ai-accept"]`).click();
    const decision = await textOf(browser, '[data-testid="ai-decision"]', (t) => t.includes('Принято'), 20000);
    same('accepting says what it did', decision, 'Принято: 1');
    const after = cliJsonOn(db, 'products', 'show', sku).fields.find((f) => f.field === 'description').text;
    check('the accepted description is the product\'s description in the catalog', after.trim().length > 0 && after !== before, after.slice(0, 80));

    // The catalog's bulk bar: the selected products go to a marketplace account or an AI check.
    await go(browser, 'catalog', '.scroller .row[data-sku]');
    // The auto-push the accepted suggestion queued may redraw the rows under the clicks: tick
    // the first two until the bulk bar shows, never unticking one.
    await until('the bulk bar for two ticked rows', async () => {
      const boxes = await browser.$$('.scroller .row[data-sku] input[type="checkbox"]');
      for (const b of boxes.slice(0, 2)) if (!(await b.isSelected())) await b.click();
      return browser.$('[data-testid="publish-selected"]').isExisting();
    }, Boolean, { timeout: 20000, interval: 500 });
    same('the bulk bar offers to publish the selection and to check it with AI',
      [await read(browser, '[data-testid="publish-selected"]'), await read(browser, '[data-testid="ai-run-start"]')], ['Опубликовать (2)', 'ИИ (2)']);
    await screenshot('33-bulk-actions', '[data-testid="bulk"]');
    await browser.$('[data-testid="ai-run-start"]').click();
    await browser.$('[data-testid="ai-run-queued"]').waitForExist({ timeout: 20000 });
    await browser.$('[data-testid="publish-selected"]').click();
    const published = await textOf(browser, '[data-testid="publish-selected-result"]', (t) => t.length > 0, 120000).catch((e) => e.message);
    check('publishing the selection says how it went', /Готово|Не получилось/.test(published), published);
    await browser.$('button=Снять выбор').click();
  } finally {
    fake.kill();
  }
}

// A new, empty catalog: the first-run screen, then a supplier's price list imported through the
// Suppliers section (the first-run button opens the OS file dialog, which WebDriver cannot drive).
const suppliersDb = join(home, 'suppliers.db');
await withApp('suppliers', { VITRINA_HOME: home, VITRINA_DB: suppliersDb }, async (browser) => {
  await browser.$('[data-testid="first-run"]').waitForExist({ timeout: 30000 });
  check('an empty catalog shows the first-run screen with the import button', await browser.$('[data-testid="first-import"]').isEnabled());
  same('the first-run screen says what to do',
    [await read(browser, '[data-testid="first-run"] h1'), await read(browser, '[data-testid="first-import"]')],
    ['Каталог пуст', 'Импортировать файл поставщика']);
  await screenshot('08-first-run', '[data-testid="first-run"]');
  await suppliers(browser, suppliersDb);
});

// A long first import is cancelled from the jobs panel while it holds the catalog's write lock,
// and leaves the catalog as it was. Then an import that failed (its file was gone) is pointed
// at another file in the supplier's feeds and retried from the jobs panel.
const bigDb = join(home, 'big.db');
const bigFeed = join(out, 'big.yml');
writeFileSync(bigFeed, bigYml(100000));
cliJsonOn(bigDb, 'suppliers', 'add', 'Большой', '--source', bigFeed);
const lostFeed = join(out, 'lost.yml');
const smallFeed = join(out, 'small.yml');
writeFileSync(lostFeed, bigYml(20, 'S'));
writeFileSync(smallFeed, bigYml(20, 'S'));
cliJsonOn(bigDb, 'suppliers', 'add', 'Малый', '--source', lostFeed);
unlinkSync(lostFeed);
await withApp('cancel and retry', { VITRINA_HOME: home, VITRINA_DB: bigDb }, async (browser) => {
  await browser.$('[data-testid="first-run"]').waitForExist({ timeout: 30000 });
  await go(browser, 'jobs', '.jobs h1');
  cliJsonOn(bigDb, 'import', 'Большой', '--detach'); // queued here, run by the window's worker
  const running = await browser.$('[data-testid="job"].running');
  await running.waitForExist({ timeout: 30000 });
  const counted = async () => Number((await running.$('.meta span').getText()).replace(/\D/g, ''));
  await until('the running import to count 10 000 rows', counted, (n) => n >= 10000, { timeout: 60000 });
  await screenshot('15-import-running', '.jobs', { tolerance: 0.03 });
  await running.$('button=Отменить').click();
  const cancelled = await browser.$('[data-testid="job"].cancelled');
  await cancelled.waitForExist({ timeout: 30000 });
  same('the cancelled job is marked so', await read(browser, '[data-testid="job"].cancelled .state'), 'Отменена');
  await screenshot('16-import-cancelled', '.jobs');
  check('a running import is cancelled from the jobs panel', true);
  const products = cliJsonOn(bigDb, 'stats').products;
  const run = cliJsonOn(bigDb, 'import', 'runs', 'Большой')[0];
  check('the cancelled import changed nothing and its run says so', products === 0 && run.state === 'cancelled', `${products} / ${run.state}`);

  // An import whose file is gone fails, and says why.
  cliJsonOn(bigDb, 'import', 'Малый', '--detach');
  const failedJob = await browser.$('[data-testid="job"].failed');
  await failedJob.waitForExist({ timeout: 30000 });
  same('the failed job is marked so', await read(browser, '[data-testid="job"].failed .state'), 'Ошибка');
  const why = await textOf(browser, '[data-testid="job"].failed [data-testid="problem"]');
  check('the failed job says what went wrong', why.includes(lostFeed), why);
  const failedId = cliJsonOn(bigDb, 'jobs', 'list', '--state', 'failed')[0]?.id;
  await screenshot('17-import-failed', '.jobs');

  // Point the supplier at a file that exists, in its feeds (the window's set_feed).
  await go(browser, 'suppliers', '[data-supplier="Малый"]');
  await browser.$('[data-supplier="Малый"]').click();
  await browser.$('[data-tab="feeds"]').click();
  const location = await browser.$('[data-testid="feeds"] form[data-feed="0"] input.grow');
  await location.waitForExist({ timeout: 10000 });
  same('the feed shows the file that is gone', await location.getValue(), lostFeed);
  await location.setValue(smallFeed);
  await browser.$('[data-testid="feeds"] form[data-feed="0"] button[type="submit"]').click();
  same('the feed is saved', await textOf(browser, '[data-testid="feeds"] form[data-feed="0"] .ok'), 'Сохранено');
  same('the CLI reads the new location', cliJsonOn(bigDb, 'suppliers', 'show', 'Малый').feeds.map((f) => f.location), [smallFeed]);
  // A second file is added and removed again (remove_feed).
  await browser.$('[data-testid="feeds"] > button.add').click();
  const extra = await browser.$('[data-testid="feeds"] form[data-feed="1"] input.grow');
  await extra.waitForExist({ timeout: 10000 });
  await extra.setValue(smallFeed);
  await browser.$('[data-testid="feeds"] form[data-feed="1"] button[type="submit"]').click();
  await textOf(browser, '[data-testid="feeds"] form[data-feed="1"] .ok', (t) => t === 'Сохранено');
  same('a second file is added to the supplier', cliJsonOn(bigDb, 'suppliers', 'show', 'Малый').feeds.map((f) => f.position), [0, 1]);
  await browser.$('[data-testid="feeds"] form[data-feed="1"] button.danger').click();
  await browser.$('[data-testid="feeds"] form[data-feed="1"]').waitForExist({ reverse: true, timeout: 10000 });
  same('the second file is removed again', cliJsonOn(bigDb, 'suppliers', 'show', 'Малый').feeds.map((f) => f.position), [0]);
  await screenshot('18-supplier-feed', '[data-testid="feeds"]');

  // Retry from the jobs panel: the same job runs again and imports the 20 offers.
  await go(browser, 'jobs', '.jobs h1');
  await browser.$('[data-testid="job"].failed').$('button=Повторить').click();
  await until('the retried job to succeed', async () => (await browser.$$('[data-testid="job"].failed')).length === 0 && cliJsonOn(bigDb, 'jobs', 'show', failedId).job.state === 'succeeded',
    Boolean, { timeout: 60000, interval: 500 });
  check('the failed import is retried from the jobs panel and succeeds', true);
  same('the retry imported the 20 offers', cliJsonOn(bigDb, 'stats').products, 20);
  same('the retried run is recorded', cliJsonOn(bigDb, 'import', 'runs', 'Малый').map((r) => r.state).slice(0, 2), ['succeeded', 'failed']);
  await screenshot('19-import-retried', '.jobs');
});

// ---- a team: Settings → Team creates it on a throwaway PostgreSQL (`vitrina team
// test-server`), invites a member whose device joins with the code (the CLI), and edits flow
// both ways: the window's to the other device, the other device's into the window's catalog ----
const teamDb = join(home, 'team.db');
const memberDb = join(home, 'member.db');
execFileSync(cli, ['--db', teamDb, 'demo', '--products', '200'], { timeout: CLI_TIMEOUT });
let pgOut = '';
const pg = spawn(cli, ['--json', 'team', 'test-server'], { stdio: ['ignore', 'pipe', 'inherit'] });
children.add(pg);
pg.stdout.on('data', (d) => { pgOut += d; });
let pgUrl = null;
try {
  pgUrl = (await until('the throwaway PostgreSQL', () => JSON.parse(pgOut), (o) => o?.url, { timeout: 60000, interval: 200 })).url;
} catch (e) {
  check(`a team: ${e.message}`, false);
}
if (pgUrl) await withApp('a team', { VITRINA_HOME: home, VITRINA_DB: teamDb }, async (browser) => {
  const [mine, theirs] = cliJsonOn(teamDb, 'products', 'list', '--sort', 'price', '--limit', '2').rows;
  await go(browser, 'settings', '[data-testid="team"]');
  await browser.$('[data-testid="team-url"]').setValue(`${pgUrl}?sslmode=disable&schema=e2e`);
  await browser.$('[data-testid="team-name"]').setValue('Анна');
  await browser.$('[data-testid="team-create"]').click();
  same('Settings → Team creates the team with this person as its admin',
    await textOf(browser, '[data-testid="team-member"]', (t) => t.startsWith('Анна'), 60000), 'Анна (администратор)');
  await textOf(browser, '[data-testid="sync-indicator"]', (t) => t.startsWith('Синхронизировано'), 30000);
  check('the status bar says the catalog is synced', true);

  await browser.$('[data-testid="invite-name"]').setValue('Борис');
  await choose(browser, '[data-testid="invite-role"]', 'editor');
  await browser.$('[data-testid="invite"]').click();
  const code = await textOf(browser, '[data-testid="invite-code"]', (t) => t.startsWith('vtj1-'), 30000);
  await screenshot('40-team', '[data-testid="team"]');
  const joined = cliJsonOn(memberDb, 'team', 'join', code);
  same('the code from the window lets another device join as an editor', [joined.member, joined.role], ['Борис', 'editor']);
  same('and gives it the team\'s catalog', cliJsonOn(memberDb, 'stats').products, 200);

  // An edit in the window reaches the other device.
  await go(browser, 'catalog', '[data-testid="total"]');
  const search = await browser.$('[data-testid="search"]');
  await search.click();
  await search.setValue(mine.sku);
  const row = await browser.$(`.scroller .row[data-sku="${mine.sku}"]`);
  await row.waitForExist({ timeout: 10000 });
  await row.doubleClick();
  const price = await browser.$('[data-field="price"]');
  await until('the editor to load the product', () => price.getValue(), (v) => v === rub(mine.price.minor));
  await price.setValue('4 321,00');
  await browser.keys('Enter');
  await until('the new price to be saved', () => priceOf(teamDb, mine.sku) === 432100, Boolean, { timeout: 10000, interval: 200 });
  const reached = await until('the window\'s edit to reach the other device', () => {
    cliJsonOn(memberDb, 'team', 'sync');
    return priceOf(memberDb, mine.sku);
  }, (p) => p === 432100, { timeout: 20000, interval: 500 }).catch((e) => e.message);
  same('the price edited in the window reaches the other device through the team', reached, 432100);

  // The other device's edit reaches the window's catalog (its background sync pulls it).
  execFileSync(cli, ['--db', memberDb, 'products', 'set', theirs.sku, 'price=55'], { timeout: CLI_TIMEOUT });
  cliJsonOn(memberDb, 'team', 'sync');
  const pulled = await until('the other device\'s edit in the window\'s catalog', () => priceOf(teamDb, theirs.sku),
    (p) => p === 5500, { timeout: 20000, interval: 250 }).catch((e) => e.message);
  same('the other device\'s price edit reaches the window\'s catalog', pulled, 5500);
  await browser.$('[data-testid="editor"] button[aria-label="Закрыть"]').click();
  await screenshot('41-team-synced', '[data-testid="sync-indicator"]');
});
pg.kill('SIGTERM');

// A file that is not a catalog: the recovery screen, not a crash.
const bad = join(out, 'not-a-catalog.db');
writeFileSync(bad, 'this is a price list, not a database '.repeat(200));
await withApp('recovery', { VITRINA_HOME: home, VITRINA_DB: bad }, async (browser) => {
  const screen = await browser.$('[data-testid="recovery"]');
  await screen.waitForExist({ timeout: 30000 });
  same('a damaged catalog shows the recovery screen, in Russian',
    [await read(browser, '[data-testid="recovery"] h1'), (await screen.getText()).includes('Этот файл не является каталогом Vitrina. Файл не изменён.')],
    ['Не удалось открыть каталог', true]);
  await screenshot('07-recovery', '[data-testid="recovery"]');
});

updates.close();
const seconds = Math.round((Date.now() - begun) / 1000);
console.log(`e2e: ${passed} passed, ${failed} failed in ${seconds} s`);
if (!existsSync(join(out, '04-price-changed.png'))) failed++;
process.exit(failed ? 1 : 0);
