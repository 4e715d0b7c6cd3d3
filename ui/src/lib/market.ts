// The Marketplaces section in the person's language, and its small pure helpers. The back end
// sends codes — a marketplace (`wb`, `ozon`, `ym`), what each API group answered to "check
// connection" (`outcome`), what the card pre-check found (`problem`) — with the marketplace's or
// the check's own sentence as details; the words are here.
// The section's labels live here too (`mt`), so the section is worded in one place.
import type {
  GroupCheckDto, JobDto, Language, MarketErrorDto, MarketLinkDto, MarketRunDto, NewMarketAccountDto, OutboxCountDto, ProblemDto,
} from './ipc';
import { i18n } from './i18n.svelte';
import { formatCount } from './format';

// ---------------------------------------------------------------------------------------------
// Marketplaces

export const MARKETS = ['wb', 'ozon', 'ym'] as const;
export type MarketCode = (typeof MARKETS)[number];

const marketNames: Record<Language, Record<MarketCode, string>> = {
  ru: { wb: 'Wildberries', ozon: 'Ozon', ym: 'Яндекс Маркет' },
  en: { wb: 'Wildberries', ozon: 'Ozon', ym: 'Yandex Market' },
};

function isMarket(code: string): code is MarketCode {
  return (MARKETS as readonly string[]).includes(code);
}

/** A marketplace's name for people; a code this version does not know, as it is. */
export function marketName(code: string): string {
  return isMarket(code) ? marketNames[i18n.lang][code] : code;
}

// ---------------------------------------------------------------------------------------------
// What "check connection" found

export const OUTCOMES = [
  'ok', 'bad_token', 'expired_token', 'wrong_token_category', 'no_access', 'missing_scope', 'ip_restricted',
  'payment_required', 'wrong_campaign', 'rate_limited', 'unreachable', 'server_error', 'credentials_missing',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const outcomes: Record<Language, Record<Outcome, string>> = {
  ru: {
    ok: 'Работает',
    bad_token: 'Маркетплейс не принял ключ: проверьте, что он скопирован целиком, или создайте новый в личном кабинете',
    expired_token: 'Срок действия ключа истёк или его отключили: создайте новый в личном кабинете',
    wrong_token_category: 'У токена нет нужного раздела: создайте токен, где отмечен этот раздел',
    no_access: 'Ключу не хватает прав на это действие: выдайте их в личном кабинете',
    missing_scope: 'Ключу не хватает прав на этот раздел: добавьте их в настройках ключа в личном кабинете',
    ip_restricted: 'Ключ разрешён только с других IP-адресов: снимите ограничение или добавьте адрес этого компьютера',
    payment_required: 'Раздел доступен только по платной подписке маркетплейса',
    wrong_campaign: 'Номер магазина или кабинета не совпадает с тем, что видит ключ: выберите магазин из списка ниже',
    rate_limited: 'Маркетплейс просит подождать: слишком много запросов. Попробуйте через минуту',
    unreachable: 'Сервер маркетплейса не отвечает: проверьте подключение к интернету и адрес API',
    server_error: 'У маркетплейса сбой на его стороне; попробуйте позже',
    credentials_missing: 'Ключ не сохранён на этом компьютере: удалите аккаунт и добавьте его заново с ключом',
  },
  en: {
    ok: 'Works',
    bad_token: 'The marketplace did not accept the key: check that it was copied whole, or create a new one in the seller portal',
    expired_token: 'The key has expired or was switched off: create a new one in the seller portal',
    wrong_token_category: 'The token lacks this section: create a token with this section ticked',
    no_access: 'The key may not do this: grant the rights in the seller portal',
    missing_scope: 'The key lacks the rights for this section: add them in the key’s settings in the seller portal',
    ip_restricted: 'The key works only from other IP addresses: lift the restriction or add this computer’s address',
    payment_required: 'This section needs a paid subscription with the marketplace',
    wrong_campaign: 'The shop or business id does not match what the key sees: pick the shop from the list below',
    rate_limited: 'The marketplace asks to slow down: too many requests. Try again in a minute',
    unreachable: 'The marketplace’s server does not answer: check the internet connection and the API address',
    server_error: 'The marketplace has a failure on its side; try again later',
    credentials_missing: 'No key is saved on this computer: remove the account and add it again with its key',
  },
};

/** What a group's answer means, in words; a code this version does not know, as it is. */
export function outcomeText(code: string): string {
  return Object.hasOwn(outcomes.ru, code) ? outcomes[i18n.lang][code as Outcome] : code;
}

const groupNames: Record<Language, Record<string, string>> = {
  ru: {
    content: 'Карточки товаров', prices: 'Цены и скидки', marketplace: 'Заказы и остатки', seller_api: 'Seller API',
    auth: 'Ключ API', offers: 'Товары и остатки', pricing: 'Цены', campaign: 'Магазин',
  },
  en: {
    content: 'Product cards', prices: 'Prices and discounts', marketplace: 'Orders and stocks', seller_api: 'Seller API',
    auth: 'API key', offers: 'Offers and stocks', pricing: 'Prices', campaign: 'Shop',
  },
};

/** An API group's name for people; a method path (Ozon) or an unknown group, as it is. */
export function groupName(group: string): string {
  return Object.hasOwn(groupNames.ru, group) ? groupNames[i18n.lang][group] : group;
}

/** A group's answer: our words, and the marketplace's own sentence (with the HTTP status) as details. */
export function groupLine(g: GroupCheckDto): { ok: boolean; text: string; details: string | null } {
  const details = g.outcome === 'ok' ? null : [g.status ? `HTTP ${g.status}` : '', g.message].filter(Boolean).join(': ') || null;
  return { ok: g.outcome === 'ok', text: outcomeText(g.outcome), details };
}

// ---------------------------------------------------------------------------------------------
// The card pre-check

/** Every problem code the pre-check sends (crates/vitrina-market/src/precheck.rs). */
export const PROBLEMS = [
  'no_sku', 'sku_too_long', 'no_name', 'name_too_long', 'no_description', 'description_too_long', 'no_images',
  'too_many_images', 'bad_image', 'no_brand', 'bad_barcode', 'no_dimensions', 'no_weight', 'too_heavy', 'no_price',
  'no_category_mapping', 'category_not_loaded', 'category_not_leaf', 'missing_required', 'not_in_dictionary', 'value_too_long',
  'too_many_values', 'not_a_number', 'out_of_range', 'bad_discount', 'not_published', 'no_warehouse', 'no_size',
] as const;
export type Problem = (typeof PROBLEMS)[number];

const problems: Record<Language, Record<Problem, string>> = {
  ru: {
    no_sku: 'Нет артикула',
    sku_too_long: 'Артикул длиннее, чем разрешает маркетплейс',
    no_name: 'Нет названия',
    name_too_long: 'Название длиннее, чем разрешает маркетплейс',
    no_description: 'Нет описания — маркетплейс требует его для новой карточки',
    description_too_long: 'Описание длиннее, чем разрешает маркетплейс',
    no_images: 'Нет фотографий — нужна хотя бы одна',
    too_many_images: 'Фотографий больше, чем принимает маркетплейс',
    bad_image: 'Фото не загрузится: не подходит адрес или формат',
    no_brand: 'Не указан бренд',
    bad_barcode: 'Штрихкод с ошибкой',
    no_dimensions: 'Нет размеров упаковки (длина, ширина, высота)',
    no_weight: 'Нет веса с упаковкой',
    too_heavy: 'Тяжелее, чем принимает маркетплейс',
    no_price: 'Нет цены',
    no_category_mapping: 'Категория товара не сопоставлена с категорией маркетплейса — выберите её на вкладке «Категории»',
    category_not_loaded: 'Характеристики категории ещё не загружены — нажмите «Обновить справочники»',
    category_not_leaf: 'Выбрана слишком общая категория — выберите конечную, без подкатегорий',
    missing_required: 'Не заполнена обязательная характеристика',
    not_in_dictionary: 'Такого значения нет в списке маркетплейса — выберите значение из списка',
    value_too_long: 'Значение характеристики длиннее, чем разрешает маркетплейс',
    too_many_values: 'У характеристики больше значений, чем разрешает маркетплейс',
    not_a_number: 'Здесь нужно число',
    out_of_range: 'Число вне допустимых пределов',
    bad_discount: 'Старая цена слишком близка к новой — маркетплейс не покажет скидку',
    not_published: 'Карточки ещё нет на маркетплейсе — сначала опубликуйте товар',
    no_warehouse: 'Не указан склад маркетплейса для остатков — задайте его в настройках аккаунта',
    no_size: 'У варианта товара не указан размер',
  },
  en: {
    no_sku: 'No SKU',
    sku_too_long: 'The SKU is longer than the marketplace allows',
    no_name: 'No name',
    name_too_long: 'The name is longer than the marketplace allows',
    no_description: 'No description — the marketplace needs one for a new card',
    description_too_long: 'The description is longer than the marketplace allows',
    no_images: 'No pictures — at least one is needed',
    too_many_images: 'More pictures than the marketplace takes',
    bad_image: 'A picture will not load: its address or format does not fit',
    no_brand: 'No brand',
    bad_barcode: 'A barcode with a mistake',
    no_dimensions: 'No package dimensions (length, width, height)',
    no_weight: 'No weight with the package',
    too_heavy: 'Heavier than the marketplace accepts',
    no_price: 'No price',
    no_category_mapping: 'The product’s category is not matched to a marketplace category — choose it on the Categories tab',
    category_not_loaded: 'The category’s attributes are not loaded yet — press “Refresh dictionaries”',
    category_not_leaf: 'The chosen category is too general — choose a final one, without subcategories',
    missing_required: 'A required attribute is empty',
    not_in_dictionary: 'The marketplace’s list has no such value — pick a value from the list',
    value_too_long: 'An attribute value is longer than the marketplace allows',
    too_many_values: 'An attribute has more values than the marketplace allows',
    not_a_number: 'A number is needed here',
    out_of_range: 'The number is outside the allowed range',
    bad_discount: 'The old price is too close to the price — the marketplace will not show a discount',
    not_published: 'The card is not on the marketplace yet — publish the product first',
    no_warehouse: 'No marketplace warehouse for the stock — set it in the account’s settings',
    no_size: 'A variant has no size',
  },
};

/** What a pre-check problem means for a seller; a code this version does not know, as it is. */
export function problemText(code: string): string {
  return Object.hasOwn(problems.ru, code) ? problems[i18n.lang][code as Problem] : code;
}

/** Russian's three forms after a number: 1 товар, 2 товара, 5 товаров. */
export function pluralForm(n: number): 'one' | 'few' | 'many' {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return 'one';
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return 'few';
  return 'many';
}

/** "5 товаров проверено, 2 с проблемами" / "5 products checked, 2 with problems". */
export function precheckSummary(checked: number, withProblems: number, lang: Language = i18n.lang): string {
  const w = words[lang];
  const form = lang === 'ru' ? pluralForm(checked) : checked === 1 ? 'one' : 'many';
  const n = (v: number) => formatCount(v, lang);
  const first = fill(w[`pre.checked.${form}`], { n: n(checked) });
  return `${first}, ${withProblems ? fill(w['pre.withProblems'], { m: n(withProblems) }) : w['pre.clean']}`;
}

// ---------------------------------------------------------------------------------------------
// Publishing, the error inbox, the mapping

/** A card's statuses on an account, in the order a card goes through them. */
export const LINK_STATUSES = ['queued', 'sent', 'processing', 'live', 'rejected', 'precheck_failed'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** A card's status in words; an unknown one as it is. */
export function statusText(status: string): string {
  return (LINK_STATUSES as readonly string[]).includes(status) ? mt(`status.${status as LinkStatus}`) : status;
}

/** Whether a status means something to fix. */
export function isProblemStatus(status: string): boolean {
  return status === 'rejected' || status === 'precheck_failed';
}

const OUT_OPS = ['card', 'price', 'stock'] as const;
const OUT_STATES = ['pending', 'sending', 'awaiting', 'done', 'failed'] as const;

export function outOpText(op: string): string {
  return (OUT_OPS as readonly string[]).includes(op) ? mt(`out.op.${op as (typeof OUT_OPS)[number]}`) : op;
}

export function outStateText(state: string): string {
  return (OUT_STATES as readonly string[]).includes(state) ? mt(`out.state.${state as (typeof OUT_STATES)[number]}`) : state;
}

/** The outbox counts grouped by operation: `[op, [[state, count]…]]`, operations in a fixed order. */
export function outboxGroups(counts: OutboxCountDto[]): [string, [string, number][]][] {
  const ops = [...OUT_OPS.filter((o) => counts.some((c) => c.op === o)), ...new Set(counts.map((c) => c.op).filter((o) => !(OUT_OPS as readonly string[]).includes(o)))];
  const rank = (s: string) => { const i = (OUT_STATES as readonly string[]).indexOf(s); return i < 0 ? 99 : i; };
  return ops.map((op) => [op, counts.filter((c) => c.op === op).sort((a, b) => rank(a.state) - rank(b.state)).map((c) => [c.state, c.count] as [string, number])]);
}

/** A run's numbers worth showing, in order, with their words (zeros left out, except what was read). */
export function runLines(run: MarketRunDto): { key: string; label: string; value: number; tone: 'ok' | 'bad' | 'wait' | '' }[] {
  const rows: [keyof MarketRunDto, WordKey, 'ok' | 'bad' | 'wait' | ''][] = [
    ['read', 'run.read', ''], ['queued', 'run.queued', ''], ['unchanged', 'run.unchanged', ''],
    ['done', 'run.done', 'ok'], ['awaiting', 'run.awaiting', 'wait'], ['rejected', 'run.rejected', 'bad'],
    ['precheck_failed', 'run.precheck', 'bad'], ['not_published', 'run.notPublished', 'wait'], ['retried', 'run.retried', ''],
    ['requests', 'run.requests', ''],
  ];
  return rows
    .filter(([k]) => k === 'read' || Number(run[k]) > 0)
    .map(([k, w, tone]) => ({ key: k, label: mt(w), value: Number(run[k]), tone }));
}

/** Problems about one of the marketplace's attributes: their detail starts with its name. */
const ATTR_PROBLEMS = new Set(['missing_required', 'not_in_dictionary', 'value_too_long', 'too_many_values', 'not_a_number', 'out_of_range']);

/**
 * A Vitrina problem as one line: the words, the attribute it is about (for attribute problems),
 * and the check's own detail (in English, for a tooltip).
 */
export function problemLine(p: ProblemDto): { text: string; about: string | null; details: string | null } {
  const details = p.detail?.trim() || null;
  const colon = details?.indexOf(':') ?? -1;
  const about = ATTR_PROBLEMS.has(p.code) && details && colon > 0 ? details.slice(0, colon).trim() : null;
  return { text: problemText(p.code), about, details };
}

/** A marketplace error as one line: what it is about (attribute or field), and its words verbatim. */
export function errorLine(e: MarketErrorDto): { about: string | null; message: string } {
  return { about: e.attr_name || e.field || null, message: e.message };
}

/** The reasons (problem and error codes) on a page of links, most frequent first. */
export function reasonsOf(items: MarketLinkDto[]): { code: string; count: number }[] {
  const seen = new Map<string, number>();
  for (const l of items) {
    const codes = new Set([...l.problems.map((p) => p.code), ...l.errors.map((e) => e.code).filter((c): c is string => !!c)]);
    for (const c of codes) seen.set(c, (seen.get(c) ?? 0) + 1);
  }
  return [...seen].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** A reason code in words: Vitrina's own problem, or the marketplace's code as it is. */
export function reasonText(code: string): string {
  return problemText(code);
}

/** How a followed marketplace job ended: the job, what it did (when it succeeded), our words. */
export interface RunOutcome {
  job: JobDto;
  run: MarketRunDto | null;
  ok: boolean;
  text: string;
  details: string | null;
}

/** A finished job's outcome in words (its problem worded as the Jobs section words it). */
export function runOutcome(job: JobDto, run: MarketRunDto | null, problem: { text: string; details: string | null } | null): RunOutcome {
  if (job.state === 'succeeded') return { job, run, ok: true, text: mt('pub.done'), details: null };
  if (job.state === 'cancelled') return { job, run, ok: false, text: problem?.text ?? mt('pub.cancelled'), details: null };
  return { job, run, ok: false, text: mt('pub.failed', { e: problem?.text ?? '' }), details: problem?.details ?? null };
}

/** The product fields an attribute can be filled from (`field:…`). */
export const SOURCE_FIELDS = [
  'name', 'brand', 'model', 'description', 'sku', 'barcode', 'weight_g', 'length_mm', 'width_mm', 'height_mm', 'country',
] as const;
export type SourceField = (typeof SOURCE_FIELDS)[number];

export type SourceKind = 'field' | 'attr' | 'const';

/** `field:brand` → `{kind: 'field', value: 'brand'}`; null for none or a source this version does not know. */
export function parseSource(source: string | null | undefined): { kind: SourceKind; value: string } | null {
  const m = source?.match(/^(field|attr|const):(.*)$/s);
  return m ? { kind: m[1] as SourceKind, value: m[2] } : null;
}

/** A source in words: «Поле товара: Бренд», «Характеристика товара: Цвет», «Одно значение для всех: Россия». */
export function sourceText(source: string | null | undefined): string {
  if (!source) return mt('attr.none');
  const s = parseSource(source);
  if (!s) return source;
  const value = s.kind === 'field' && (SOURCE_FIELDS as readonly string[]).includes(s.value) ? mt(`field.${s.value as SourceField}`) : s.value;
  return `${mt(`attr.kind.${s.kind}`)}: ${value}`;
}

/** The source an editor's choice makes; null when the value is empty. */
export function makeSource(kind: SourceKind, value: string): string | null {
  const v = kind === 'const' ? value : value.trim();
  return v.trim() ? `${kind}:${v}` : null;
}

/** The warehouse rows of the settings form: the account's map, sorted by name. */
export function warehouseRows(warehouses: [string, string][]): { mine: string; theirs: string }[] {
  return [...warehouses].sort((a, b) => a[0].localeCompare(b[0])).map(([mine, theirs]) => ({ mine, theirs }));
}

/** What to send to save the warehouse form: every row, and an empty id for each one removed. */
export function warehouseChanges(before: [string, string][], rows: { mine: string; theirs: string }[]): [string, string][] {
  const kept = rows.map((r) => [r.mine.trim(), r.theirs.trim()] as [string, string]).filter(([m]) => m);
  const names = new Set(kept.map(([m]) => m));
  const removed = before.filter(([m]) => !names.has(m)).map(([m]) => [m, ''] as [string, string]);
  return [...kept, ...removed];
}

// ---------------------------------------------------------------------------------------------
// The form

/** What the add-account form holds, as typed. */
export interface AccountForm {
  market: MarketCode;
  name: string;
  token: string;
  clientId: string;
  businessId: string;
  campaignId: string;
  baseUrl: string;
}

export function emptyForm(market: MarketCode = 'wb'): AccountForm {
  return { market, name: '', token: '', clientId: '', businessId: '', campaignId: '', baseUrl: '' };
}

/** A typed id as a number: null when empty, NaN when not a positive whole number. */
export function parseId(text: string): number | null {
  const clean = text.replace(/[\s\u00a0]/g, '');
  if (clean === '') return null;
  return /^\d{1,15}$/.test(clean) && Number(clean) > 0 ? Number(clean) : Number.NaN;
}

export type FormProblem = 'name' | 'token' | 'clientId' | 'businessId' | 'campaignId' | 'baseUrl';

/** What the form lacks, field by field (empty when it can be sent). */
export function formProblems(f: AccountForm): Partial<Record<FormProblem, WordKey>> {
  const p: Partial<Record<FormProblem, WordKey>> = {};
  if (!f.name.trim()) p.name = 'form.needName';
  if (!f.token.trim()) p.token = 'form.needToken';
  if (f.market === 'ozon' && !f.clientId.trim()) p.clientId = 'form.needClientId';
  if (f.market === 'ym') {
    if (Number.isNaN(parseId(f.businessId))) p.businessId = 'form.badId';
    if (Number.isNaN(parseId(f.campaignId))) p.campaignId = 'form.badId';
  }
  if (f.baseUrl.trim() && !/^https?:\/\/\S+$/i.test(f.baseUrl.trim())) p.baseUrl = 'form.badUrl';
  return p;
}

/** The DTO the form sends: only what the chosen marketplace uses. */
export function toNewAccount(f: AccountForm): NewMarketAccountDto {
  const ym = f.market === 'ym';
  const id = (text: string) => {
    const n = parseId(text);
    return ym && n !== null && !Number.isNaN(n) ? n : null;
  };
  return {
    name: f.name.trim(),
    market: f.market,
    base_url: f.baseUrl.trim() || null,
    business_id: id(f.businessId),
    campaign_id: id(f.campaignId),
    token: f.token.trim(),
    client_id: f.market === 'ozon' ? f.clientId.trim() : '',
  };
}

/** The label of the token field: what the marketplace calls it. */
export function tokenLabel(market: MarketCode): string {
  return market === 'wb' ? mt('form.wbToken') : mt('form.apiKey');
}

// ---------------------------------------------------------------------------------------------
// Words

const ru = {
  'title': 'Маркетплейсы',
  'lead': 'Аккаунты Wildberries, Ozon и Яндекс Маркета, с которыми работает Vitrina. Ключи хранятся в системном хранилище паролей и никуда не показываются.',
  'add': 'Добавить аккаунт',
  'empty.title': 'Аккаунтов пока нет',
  'empty.text': 'Добавьте аккаунт маркетплейса: понадобится ключ API из личного кабинета продавца. Затем проверьте подключение.',
  'row.secretSet': 'Ключ сохранён', 'row.secretMissing': 'Ключ не сохранён',
  'row.neverChecked': 'Подключение ещё не проверялось',
  'row.checkedOk': 'Подключение работает', 'row.checkedBad': 'Есть проблемы с подключением',
  'row.checking': 'Проверяем…', 'row.checkingHint': 'Если маркетплейс не отвечает, проверка займёт до минуты.', 'row.check': 'Проверить подключение',
  'row.details': 'Подробнее', 'row.hide': 'Скрыть',
  'row.api': 'Адрес API: {url}', 'row.shop': 'Кабинет {b}, магазин {c}',
  'row.delete': 'Удалить', 'row.deleteConfirm': 'Удалить аккаунт «{name}» и его ключ с этого компьютера?',
  'row.deleteYes': 'Да, удалить', 'row.cancel': 'Отмена',
  'check.campaigns': 'Магазины, которые видит ключ', 'check.business': 'кабинет {id}',
  'check.warehouses': 'Склады продавца', 'check.scopes': 'Права ключа',
  'form.title': 'Новый аккаунт', 'form.market': 'Маркетплейс', 'form.name': 'Название',
  'form.namePlaceholder': 'Например, {m} — основной магазин',
  'form.wbToken': 'API-токен', 'form.apiKey': 'Api-Key', 'form.clientId': 'Client-Id',
  'form.businessId': 'Номер кабинета (business id)', 'form.campaignId': 'Номер магазина (campaign id)',
  'form.hint.wb': 'Личный кабинет → Настройки → Доступ к API. Отметьте разделы «Контент», «Цены и скидки» и «Маркетплейс».',
  'form.hint.ozon': 'Личный кабинет → Настройки → Seller API. Client-Id и Api-Key показаны там же.',
  'form.hint.ym': 'Кабинет продавца → Настройки → API и модули. Номера кабинета и магазина можно не указывать: проверка подключения покажет магазины, которые видит ключ.',
  'form.advanced': 'Дополнительно', 'form.baseUrl': 'Адрес API вместо обычного',
  'form.baseUrlHint': 'Только для тестового сервера или песочницы; обычно оставьте пустым.',
  'form.save': 'Добавить', 'form.cancel': 'Отмена',
  'form.needName': 'Введите название аккаунта', 'form.needToken': 'Вставьте ключ',
  'form.needClientId': 'Вставьте Client-Id', 'form.badId': 'Номер — целое положительное число',
  'form.badUrl': 'Адрес начинается с http:// или https://', 'form.fix': 'Исправьте отмеченные поля',
  'ago.now': 'только что', 'ago.min': '{n} мин назад', 'ago.h': '{n} ч назад', 'ago.d': '{n} дн. назад',
  'pre.title': 'Проверка карточек', 'pre.market': 'Маркетплейс', 'pre.run': 'Проверить каталог', 'pre.running': 'Проверяем…',
  'pre.lead': 'Проверяет товары каталога по правилам маркетплейса — артикул, название, описание, фото, бренд, штрихкоды, размеры, вес и цену — до отправки, ничего не отправляя.',
  'pre.later': 'Характеристики категорий маркетплейса проверяются при публикации — что не так, покажет вкладка «Ошибки».',
  'pre.checked.one': '{n} товар проверен', 'pre.checked.few': '{n} товара проверено', 'pre.checked.many': '{n} товаров проверено',
  'pre.withProblems': '{m} с проблемами', 'pre.clean': 'проблем не найдено',
  'pre.counts': 'Что исправить', 'pre.products': 'Товары с проблемами', 'pre.more': 'Показать ещё {n}',
  'pre.capped': 'Показаны первые {shown} товаров с проблемами из {m}: исправьте их и проверьте снова.',
  'pre.sku': 'Артикул', 'pre.noName': 'без названия',
  'tab.accounts': 'Аккаунты', 'tab.mapping': 'Категории', 'tab.publish': 'Публикация', 'tab.inbox': 'Ошибки', 'tab.account': 'Аккаунт',
  'demo.button': 'Попробовать на демо-маркетплейсе', 'demo.title': 'Попробовать без настоящего кабинета',
  'demo.text': 'Vitrina запустит на этом компьютере учебный маркетплейс. На нём можно сопоставить категории, опубликовать товары и разобрать ошибки — в настоящий кабинет ничего не уйдёт.',
  'demo.choose': 'Какой маркетплейс попробовать?', 'demo.adding': 'Запускаем демо…', 'demo.badge': 'Демо', 'demo.cancel': 'Отмена',
  'set.button': 'Настройки', 'set.title': 'Настройки аккаунта',
  'set.autoPush': 'Отправлять цены и остатки автоматически',
  'set.autoPushHint': 'После правок, массовых изменений и загрузки прайсов поставщиков новые цены и остатки сами уйдут на маркетплейс.',
  'set.warehouses': 'Склады для остатков',
  'set.warehousesHint': 'Слева — ваш склад, справа — склад маркетплейса, куда отправлять его остатки.',
  'set.mine': 'Ваш склад', 'set.theirs': 'Склад маркетплейса', 'set.choose': 'Выберите склад…', 'set.idPlaceholder': 'номер склада',
  'set.addWarehouse': '+ Добавить склад', 'set.remove': 'Убрать',
  'set.noWarehouses': 'Склады маркетплейса появятся в списке после проверки подключения; номер склада можно ввести и вручную.',
  'set.save': 'Сохранить', 'set.saving': 'Сохраняем…', 'set.saved': 'Сохранено', 'set.needName': 'У склада должно быть название',
  'pick.account': 'Аккаунт',
  'map.title': 'Категории', 'map.lead': 'Куда ставить товары каждой вашей категории на маркетплейсе. Vitrina предлагает категорию сама; уверенные предложения отмечены зелёным.',
  'map.auto': 'Сопоставить автоматически', 'map.autoRunning': 'Сопоставляем…',
  'map.refresh': 'Обновить справочники', 'map.refreshing': 'Загружаем справочники…',
  'map.mine': 'Ваша категория', 'map.count': 'Товаров', 'map.theirs': 'Категория маркетплейса',
  'map.none': 'Не сопоставлена', 'map.suggest': 'Предложение', 'map.confident': 'уверенно', 'map.unsure': 'проверьте',
  'map.accept': 'Принять', 'map.choose': 'Выбрать…', 'map.change': 'Изменить', 'map.unmap': 'Убрать',
  'map.attrs': 'Характеристики', 'map.search': 'Найти категорию маркетплейса', 'map.searchHint': 'Начните вводить название: «кроссовки», «чехол»…',
  'map.nothingFound': 'Ничего не нашлось', 'map.cancel': 'Отмена',
  'map.empty': 'В каталоге нет товаров с категориями — сопоставлять пока нечего.',
  'map.noDicts': 'Справочник категорий маркетплейса ещё не загружен: нажмите «Сопоставить автоматически» или «Обновить справочники».',
  'map.autoDone': 'Сопоставлено категорий: {m}, оставлено как было: {k}, без уверенного предложения: {u}. Характеристик заполнено: {a}.',
  'map.requiredLeft': 'Обязательных характеристик без правила: {n} — проверьте их в категориях.',
  'map.autoLeft': 'Для остальных категорий примите предложение ниже или выберите категорию сами.',
  'attr.acceptAll': 'Принять уверенные предложения ({n})',
  'map.refreshDone': 'Загружено категорий: {c}, из них конечных: {l}. Характеристики загружены для {d}.',
  'map.more': 'Показать ещё {n}', 'map.shown': 'Показано {shown} из {total}',
  'val.title': 'Значения: {a}', 'val.summary': 'Разных значений: {v}, в товарах категории: {p}', 'val.refused': 'не проходят проверку: {n}',
  'val.onlyRefused': 'Только непрошедшие', 'val.noSource': 'Сначала выберите, чем заполнять характеристику.',
  'val.none': 'Товары этой категории не дают характеристике ни одного значения.',
  'val.mine': 'Ваше значение', 'val.products': 'Товаров', 'val.becomes': 'На маркетплейсе', 'val.yours': 'ваш выбор',
  'val.asIs': 'как есть (свободный ввод)', 'val.search': 'Найти в справочнике', 'val.nothing': 'Ничего не найдено',
  'val.choose': 'Выбрать', 'val.unmap': 'Сбросить', 'val.open': 'Значения',
  'attr.title': 'Характеристики категории', 'attr.close': 'Закрыть', 'attr.required': 'обязательная',
  'attr.name': 'Характеристика', 'attr.fill': 'Чем заполнять', 'attr.none': 'Не заполняется', 'attr.suggest': 'Предложение',
  'attr.accept': 'Принять', 'attr.edit': 'Изменить', 'attr.save': 'Сохранить', 'attr.cancel': 'Отмена', 'attr.clear': 'Не заполнять',
  'attr.kind.field': 'Поле товара', 'attr.kind.attr': 'Характеристика товара', 'attr.kind.const': 'Одно значение для всех',
  'attr.attrPlaceholder': 'название характеристики в каталоге, например «Цвет»', 'attr.constPlaceholder': 'значение, например «Россия»',
  'attr.values': 'Значения из списка маркетплейса: {n}', 'attr.closed': 'только из списка', 'attr.examples': 'Например: {v}',
  'attr.unit': 'ед.: {u}', 'attr.factor': 'множитель', 'attr.requiredLeft': 'Обязательных без правила: {n}',
  'attr.summary': '{n} характеристик, обязательных {r}',
  'pub.title': 'Публикация', 'pub.lead': 'Отправляет карточки товаров на маркетплейс. Товары с проблемами не отправляются — они появятся на вкладке «Ошибки».',
  'pub.all': 'Опубликовать всё', 'pub.prices': 'Отправить цены', 'pub.stocks': 'Отправить остатки',
  'pub.pull': 'Загрузить карточки с маркетплейса', 'pub.pulling': 'Загружаем карточки…',
  'pub.pullDone': 'Карточек на маркетплейсе: {c}; связано с товарами по артикулу: {s}, по штрихкоду: {b}; без пары: {u}.',
  'pub.pullHeld': 'Карточек ждут окончания импорта поставщика: {n} — они станут товарами сразу после него.',
  'pub.queued': 'В очереди…', 'pub.starting': 'Начинаем…', 'pub.running': '{n} из {t}', 'pub.cancel': 'Остановить',
  'pub.done': 'Готово', 'pub.failed': 'Не получилось: {e}', 'pub.cancelled': 'Остановлено',
  'sel.account': 'Аккаунт маркетплейса', 'sel.publish': 'Опубликовать ({n})',
  'sel.result': 'принято {done}, ждут проверки {awaiting}, с ошибками {bad}',
  'run.title': 'Результат', 'run.read': 'Товаров просмотрено', 'run.queued': 'Поставлено в отправку', 'run.unchanged': 'Без изменений',
  'run.precheck': 'С проблемами, не отправлены', 'run.notPublished': 'Ещё не опубликованы', 'run.requests': 'Запросов к маркетплейсу',
  'run.done': 'Принято маркетплейсом', 'run.rejected': 'Отклонено', 'run.retried': 'Повторено', 'run.awaiting': 'Ждут проверки маркетплейса',
  'run.toInbox': 'Посмотреть ошибки',
  'out.title': 'Очередь отправки', 'out.empty': 'Очередь пуста: пока ничего не отправлялось.', 'out.refresh': 'Обновить',
  'out.op.card': 'Карточки', 'out.op.price': 'Цены', 'out.op.stock': 'Остатки',
  'out.state.pending': 'ждут отправки', 'out.state.sending': 'отправляются', 'out.state.awaiting': 'ждут ответа',
  'out.state.done': 'приняты', 'out.state.failed': 'с ошибкой',
  'inbox.title': 'Ошибки', 'inbox.lead': 'Товары, которые не попали на маркетплейс, и почему. Исправьте товар или сопоставление и нажмите «Повторить».',
  'inbox.reason': 'Причина', 'inbox.allReasons': 'Все причины', 'inbox.retryAll': 'Повторить все отклонённые', 'inbox.retry': 'Повторить',
  'inbox.retried': 'Поставлено на повторную отправку: {n}', 'inbox.nothingToRetry': 'Отклонённых карточек нет — повторять нечего.',
  'inbox.open': 'Открыть товар', 'inbox.empty': 'Ошибок нет — все отправленные карточки в порядке.',
  'inbox.emptyFiltered': 'С этой причиной товаров нет.', 'inbox.ours': 'Проверка Vitrina', 'inbox.theirs': 'Ответ маркетплейса',
  'inbox.prev': '← Назад', 'inbox.next': 'Дальше →', 'inbox.page': 'с {from} по {to}', 'inbox.reload': 'Обновить',
  'status.queued': 'В очереди', 'status.sent': 'Отправлен', 'status.processing': 'На проверке', 'status.live': 'На витрине',
  'status.rejected': 'Отклонён', 'status.precheck_failed': 'Не прошёл проверку',
  'pm.title': 'Маркетплейсы', 'pm.none': 'Аккаунтов маркетплейсов нет.', 'pm.never': 'Не публиковался',
  'pm.ids': 'Номер на маркетплейсе: {id}', 'pm.group': 'группа {g}', 'pm.sku': 'sku на Ozon: {s}',
  'field.name': 'Название', 'field.brand': 'Бренд', 'field.model': 'Модель', 'field.description': 'Описание', 'field.sku': 'Артикул',
  'field.barcode': 'Штрихкод', 'field.weight_g': 'Вес, г', 'field.length_mm': 'Длина, мм', 'field.width_mm': 'Ширина, мм',
  'field.height_mm': 'Высота, мм', 'field.country': 'Страна производства',
};
type WordKey = keyof typeof ru;

const en: Record<WordKey, string> = {
  'title': 'Marketplaces',
  'lead': 'The Wildberries, Ozon and Yandex Market accounts Vitrina works with. Keys are kept in the system’s password store and never shown.',
  'add': 'Add account',
  'empty.title': 'No accounts yet',
  'empty.text': 'Add a marketplace account: you will need an API key from the seller portal. Then check the connection.',
  'row.secretSet': 'Key saved', 'row.secretMissing': 'No key saved',
  'row.neverChecked': 'The connection has not been checked yet',
  'row.checkedOk': 'The connection works', 'row.checkedBad': 'The connection has problems',
  'row.checking': 'Checking…', 'row.checkingHint': 'When the marketplace does not answer, the check takes up to a minute.', 'row.check': 'Check connection',
  'row.details': 'Details', 'row.hide': 'Hide',
  'row.api': 'API address: {url}', 'row.shop': 'Business {b}, shop {c}',
  'row.delete': 'Remove', 'row.deleteConfirm': 'Remove the account “{name}” and its key from this computer?',
  'row.deleteYes': 'Yes, remove', 'row.cancel': 'Cancel',
  'check.campaigns': 'Shops the key sees', 'check.business': 'business {id}',
  'check.warehouses': 'Seller warehouses', 'check.scopes': 'Key rights',
  'form.title': 'New account', 'form.market': 'Marketplace', 'form.name': 'Name',
  'form.namePlaceholder': 'For example, {m} — main shop',
  'form.wbToken': 'API token', 'form.apiKey': 'Api-Key', 'form.clientId': 'Client-Id',
  'form.businessId': 'Business id', 'form.campaignId': 'Shop (campaign) id',
  'form.hint.wb': 'Seller portal → Settings → API access. Tick the Content, Prices and discounts and Marketplace sections.',
  'form.hint.ozon': 'Seller portal → Settings → Seller API. The Client-Id and Api-Key are shown there.',
  'form.hint.ym': 'Seller portal → Settings → API and modules. The business and shop ids may be left empty: the connection check lists the shops the key sees.',
  'form.advanced': 'Advanced', 'form.baseUrl': 'API address instead of the usual one',
  'form.baseUrlHint': 'Only for a test server or a sandbox; normally leave it empty.',
  'form.save': 'Add', 'form.cancel': 'Cancel',
  'form.needName': 'Enter the account’s name', 'form.needToken': 'Paste the key',
  'form.needClientId': 'Paste the Client-Id', 'form.badId': 'The id is a positive whole number',
  'form.badUrl': 'The address starts with http:// or https://', 'form.fix': 'Correct the marked fields',
  'ago.now': 'just now', 'ago.min': '{n} min ago', 'ago.h': '{n} h ago', 'ago.d': '{n} d ago',
  'pre.title': 'Card check', 'pre.market': 'Marketplace', 'pre.run': 'Check the catalog', 'pre.running': 'Checking…',
  'pre.lead': 'Checks the catalog’s products against the marketplace’s rules — SKU, name, description, pictures, brand, barcodes, dimensions, weight and price — before anything is sent, sending nothing.',
  'pre.later': 'The marketplace’s category attributes are checked when publishing — the Errors tab shows what is wrong.',
  'pre.checked.one': '{n} product checked', 'pre.checked.few': '{n} products checked', 'pre.checked.many': '{n} products checked',
  'pre.withProblems': '{m} with problems', 'pre.clean': 'no problems found',
  'pre.counts': 'What to fix', 'pre.products': 'Products with problems', 'pre.more': 'Show {n} more',
  'pre.capped': 'The first {shown} of {m} products with problems are listed: fix them and check again.',
  'pre.sku': 'SKU', 'pre.noName': 'no name',
  'tab.accounts': 'Accounts', 'tab.mapping': 'Categories', 'tab.publish': 'Publishing', 'tab.inbox': 'Errors', 'tab.account': 'Account',
  'demo.button': 'Try a demo marketplace', 'demo.title': 'Try it without a real seller account',
  'demo.text': 'Vitrina starts a practice marketplace on this computer. Map categories, publish products and sort out errors there — nothing goes to a real seller account.',
  'demo.choose': 'Which marketplace to try?', 'demo.adding': 'Starting the demo…', 'demo.badge': 'Demo', 'demo.cancel': 'Cancel',
  'set.button': 'Settings', 'set.title': 'Account settings',
  'set.autoPush': 'Send prices and stocks automatically',
  'set.autoPushHint': 'After edits, bulk changes and supplier price-list imports, the new prices and stocks go to the marketplace by themselves.',
  'set.warehouses': 'Warehouses for stocks',
  'set.warehousesHint': 'On the left, your warehouse; on the right, the marketplace warehouse its stocks go to.',
  'set.mine': 'Your warehouse', 'set.theirs': 'Marketplace warehouse', 'set.choose': 'Choose a warehouse…', 'set.idPlaceholder': 'warehouse id',
  'set.addWarehouse': '+ Add a warehouse', 'set.remove': 'Remove',
  'set.noWarehouses': 'The marketplace’s warehouses are listed here after a connection check; an id can be typed in by hand too.',
  'set.save': 'Save', 'set.saving': 'Saving…', 'set.saved': 'Saved', 'set.needName': 'A warehouse needs a name',
  'pick.account': 'Account',
  'map.title': 'Categories', 'map.lead': 'Where the products of each of your categories go on the marketplace. Vitrina suggests a category itself; confident suggestions are marked green.',
  'map.auto': 'Map automatically', 'map.autoRunning': 'Mapping…',
  'map.refresh': 'Refresh dictionaries', 'map.refreshing': 'Loading dictionaries…',
  'map.mine': 'Your category', 'map.count': 'Products', 'map.theirs': 'Marketplace category',
  'map.none': 'Not mapped', 'map.suggest': 'Suggestion', 'map.confident': 'confident', 'map.unsure': 'check it',
  'map.accept': 'Accept', 'map.choose': 'Choose…', 'map.change': 'Change', 'map.unmap': 'Remove',
  'map.attrs': 'Attributes', 'map.search': 'Find a marketplace category', 'map.searchHint': 'Start typing a name: “sneakers”, “phone case”…',
  'map.nothingFound': 'Nothing found', 'map.cancel': 'Cancel',
  'map.empty': 'No products with categories in the catalog — nothing to map yet.',
  'map.noDicts': 'The marketplace’s category list is not loaded yet: press “Map automatically” or “Refresh dictionaries”.',
  'map.autoDone': 'Categories mapped: {m}, kept as they were: {k}, without a confident suggestion: {u}. Attributes filled: {a}.',
  'map.requiredLeft': 'Required attributes without a rule: {n} — check them in the categories.',
  'map.autoLeft': 'For the other categories, accept the suggestion below or choose the category yourself.',
  'attr.acceptAll': 'Accept the confident suggestions ({n})',
  'map.refreshDone': 'Categories loaded: {c}, final ones: {l}. Attributes loaded for {d}.',
  'map.more': 'Show {n} more', 'map.shown': '{shown} of {total} shown',
  'val.title': 'Values: {a}', 'val.summary': '{v} distinct values in {p} products of the category', 'val.refused': '{n} fail the check',
  'val.onlyRefused': 'Only failing', 'val.noSource': 'First choose what fills the attribute.',
  'val.none': 'The products of this category give the attribute no value.',
  'val.mine': 'Your value', 'val.products': 'Products', 'val.becomes': 'On the marketplace', 'val.yours': 'your choice',
  'val.asIs': 'as it is (free text)', 'val.search': 'Find in the dictionary', 'val.nothing': 'Nothing found',
  'val.choose': 'Choose', 'val.unmap': 'Reset', 'val.open': 'Values',
  'attr.title': 'Category attributes', 'attr.close': 'Close', 'attr.required': 'required',
  'attr.name': 'Attribute', 'attr.fill': 'Filled from', 'attr.none': 'Not filled', 'attr.suggest': 'Suggestion',
  'attr.accept': 'Accept', 'attr.edit': 'Change', 'attr.save': 'Save', 'attr.cancel': 'Cancel', 'attr.clear': 'Do not fill',
  'attr.kind.field': 'Product field', 'attr.kind.attr': 'Product attribute', 'attr.kind.const': 'One value for all',
  'attr.attrPlaceholder': 'the attribute’s name in the catalog, e.g. “Colour”', 'attr.constPlaceholder': 'a value, e.g. “Russia”',
  'attr.values': 'Values in the marketplace’s list: {n}', 'attr.closed': 'list only', 'attr.examples': 'For example: {v}',
  'attr.unit': 'unit: {u}', 'attr.factor': 'factor', 'attr.requiredLeft': 'Required without a rule: {n}',
  'attr.summary': '{n} attributes, {r} required',
  'pub.title': 'Publishing', 'pub.lead': 'Sends product cards to the marketplace. Products with problems are not sent — they appear on the Errors tab.',
  'pub.all': 'Publish all', 'pub.prices': 'Send prices', 'pub.stocks': 'Send stocks',
  'pub.pull': 'Load cards from the marketplace', 'pub.pulling': 'Loading cards…',
  'pub.pullDone': 'Cards on the marketplace: {c}; linked to products by SKU: {s}, by barcode: {b}; unmatched: {u}.',
  'pub.pullHeld': '{n} cards wait for the supplier import to end; they become products right after it.',
  'pub.queued': 'Queued…', 'pub.starting': 'Starting…', 'pub.running': '{n} of {t}', 'pub.cancel': 'Stop',
  'pub.done': 'Done', 'pub.failed': 'It did not work: {e}', 'pub.cancelled': 'Stopped',
  'sel.account': 'Marketplace account', 'sel.publish': 'Publish ({n})',
  'sel.result': '{done} accepted, {awaiting} awaiting review, {bad} with errors',
  'run.title': 'Result', 'run.read': 'Products looked at', 'run.queued': 'Queued for sending', 'run.unchanged': 'Unchanged',
  'run.precheck': 'With problems, not sent', 'run.notPublished': 'Not published yet', 'run.requests': 'Requests to the marketplace',
  'run.done': 'Accepted by the marketplace', 'run.rejected': 'Rejected', 'run.retried': 'Retried', 'run.awaiting': 'Awaiting the marketplace’s check',
  'run.toInbox': 'See the errors',
  'out.title': 'Sending queue', 'out.empty': 'The queue is empty: nothing has been sent yet.', 'out.refresh': 'Refresh',
  'out.op.card': 'Cards', 'out.op.price': 'Prices', 'out.op.stock': 'Stocks',
  'out.state.pending': 'waiting', 'out.state.sending': 'sending', 'out.state.awaiting': 'awaiting an answer',
  'out.state.done': 'accepted', 'out.state.failed': 'failed',
  'inbox.title': 'Errors', 'inbox.lead': 'Products that did not get onto the marketplace, and why. Fix the product or the mapping and press “Retry”.',
  'inbox.reason': 'Reason', 'inbox.allReasons': 'All reasons', 'inbox.retryAll': 'Retry all rejected', 'inbox.retry': 'Retry',
  'inbox.retried': 'Queued to be sent again: {n}', 'inbox.nothingToRetry': 'No rejected cards — nothing to retry.',
  'inbox.open': 'Open product', 'inbox.empty': 'No errors — every card sent is fine.',
  'inbox.emptyFiltered': 'No products with this reason.', 'inbox.ours': 'Vitrina’s check', 'inbox.theirs': 'The marketplace says',
  'inbox.prev': '← Back', 'inbox.next': 'Next →', 'inbox.page': '{from}–{to}', 'inbox.reload': 'Refresh',
  'status.queued': 'Queued', 'status.sent': 'Sent', 'status.processing': 'Being checked', 'status.live': 'Live',
  'status.rejected': 'Rejected', 'status.precheck_failed': 'Failed the check',
  'pm.title': 'Marketplaces', 'pm.none': 'No marketplace accounts.', 'pm.never': 'Not published',
  'pm.ids': 'Marketplace id: {id}', 'pm.group': 'group {g}', 'pm.sku': 'Ozon SKU {s}',
  'field.name': 'Name', 'field.brand': 'Brand', 'field.model': 'Model', 'field.description': 'Description', 'field.sku': 'SKU',
  'field.barcode': 'Barcode', 'field.weight_g': 'Weight, g', 'field.length_mm': 'Length, mm', 'field.width_mm': 'Width, mm',
  'field.height_mm': 'Height, mm', 'field.country': 'Country of origin',
};

const words: Record<Language, Record<WordKey, string>> = { ru, en };

/** Every key of the section's words (for tests). */
export const WORD_KEYS = Object.keys(ru) as WordKey[];
export type { WordKey };

/** `{n}`-style parameters filled in; braces with no parameter of that name stay as written. */
function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : whole));
}

/** The Marketplaces section's words in the person's language. */
export function mt(key: WordKey, params: Record<string, string | number> = {}): string {
  return fill(words[i18n.lang][key], params);
}

/** "только что", "5 мин назад", "3 ч назад", "2 дн. назад"; older, the date and time. */
export function checkedAgo(ms: number, now: number, lang: Language): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  const w = words[lang];
  if (s < 60) return w['ago.now'];
  if (s < 3600) return fill(w['ago.min'], { n: Math.floor(s / 60) });
  if (s < 86_400) return fill(w['ago.h'], { n: Math.floor(s / 3600) });
  if (s < 7 * 86_400) return fill(w['ago.d'], { n: Math.floor(s / 86_400) });
  return new Date(ms).toLocaleDateString(lang === 'ru' ? 'ru-RU' : 'en-GB');
}

/** The exact time of a check, for a tooltip: "06.12.2026, 04:35". */
export function checkedAt(ms: number, lang: Language): string {
  return new Date(ms).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}
