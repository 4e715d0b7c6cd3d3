// The Marketplaces section in the person's language, and its small pure helpers. The back end
// sends codes — a marketplace (`wb`, `ozon`, `ym`), what each API group answered to "check
// connection" (`outcome`), what the card pre-check found (`problem`) — with the marketplace's or
// the check's own sentence as details; the words are here.
// The section's labels live here too (`mt`), so the section is worded in one place.
import type { GroupCheckDto, Language, NewMarketAccountDto } from './ipc';
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
  'pre.later': 'Обязательные характеристики категорий проверим, когда загрузятся категории маркетплейса (следующий шаг).',
  'pre.checked.one': '{n} товар проверен', 'pre.checked.few': '{n} товара проверено', 'pre.checked.many': '{n} товаров проверено',
  'pre.withProblems': '{m} с проблемами', 'pre.clean': 'проблем не найдено',
  'pre.counts': 'Что исправить', 'pre.products': 'Товары с проблемами', 'pre.more': 'Показать ещё {n}',
  'pre.capped': 'Показаны первые {shown} товаров с проблемами из {m}: исправьте их и проверьте снова.',
  'pre.sku': 'Артикул', 'pre.noName': 'без названия',
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
  'pre.later': 'Category attributes are checked once the marketplace’s categories are loaded (coming next).',
  'pre.checked.one': '{n} product checked', 'pre.checked.few': '{n} products checked', 'pre.checked.many': '{n} products checked',
  'pre.withProblems': '{m} with problems', 'pre.clean': 'no problems found',
  'pre.counts': 'What to fix', 'pre.products': 'Products with problems', 'pre.more': 'Show {n} more',
  'pre.capped': 'The first {shown} of {m} products with problems are listed: fix them and check again.',
  'pre.sku': 'SKU', 'pre.noName': 'no name',
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
