// The Feeds section in the person's language, and its small pure helpers. The back end sends
// codes — a profile's format, why a product was left out of a file (`skipped_by_reason`), why an
// export failed (`error_code`) — with its own English sentence as details; the words are here.
// The section's labels live here too (`ft`), so the section is worded in one place.
import type { ExportResultDto, FeedProfileDto, FeedSelectionDto, Language, SkippedItemDto } from './ipc';
import { i18n } from './i18n.svelte';
import { formatCount } from './format';

// ---------------------------------------------------------------------------------------------
// Formats

export const FEED_FORMATS = ['yml', 'avito', 'google', 'csv', 'xlsx', 'pdf'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

const formatNames: Record<Language, Record<FeedFormat, string>> = {
  ru: { yml: 'YML (Яндекс Маркет, Ozon, VK)', avito: 'Avito', google: 'Google Merchant', csv: 'CSV', xlsx: 'Excel', pdf: 'PDF' },
  en: { yml: 'YML (Yandex Market, Ozon, VK)', avito: 'Avito', google: 'Google Merchant', csv: 'CSV', xlsx: 'Excel', pdf: 'PDF' },
};

function isFormat(code: string): code is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(code);
}

/** A format's name for people; a code this version does not know, as it is. */
export function formatName(code: string): string {
  return isFormat(code) ? formatNames[i18n.lang][code] : code;
}

/** XML feeds marketplaces fetch (gzip applies), as opposed to price lists people read. */
export function isFeed(code: string): boolean {
  return code === 'yml' || code === 'avito' || code === 'google';
}

/** The file name extension a format writes, without the dot. */
export function extensionOf(code: string): string {
  return isFeed(code) ? 'xml' : code;
}

/** `path` with the extension of `format` instead of another format's (a `.gz` kept); as it is otherwise. */
export function withExtension(path: string, format: string): string {
  const m = /^(.*)\.(xml|csv|xlsx|pdf)(\.gz)?$/i.exec(path);
  return m ? `${m[1]}.${extensionOf(format)}${m[3] && isFeed(format) ? m[3] : ''}` : path;
}

/** Price lists: their columns and language can be chosen. */
export function isPriceList(code: string): boolean {
  return code === 'csv' || code === 'xlsx' || code === 'pdf';
}

// ---------------------------------------------------------------------------------------------
// Why products were skipped, why an export failed

export const SKIP_CODES = ['no_price', 'no_picture', 'title_too_long', 'missing_field', 'bad_id'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

const skips: Record<Language, Record<SkipCode, string>> = {
  ru: {
    no_price: 'нет цены',
    no_picture: 'нет фото, а площадка его требует',
    title_too_long: 'название длиннее, чем разрешает площадка',
    missing_field: 'не заполнено обязательное для площадки поле',
    bad_id: 'артикул не годится площадке как код товара',
  },
  en: {
    no_price: 'no price',
    no_picture: 'no picture, which the marketplace requires',
    title_too_long: 'the title is longer than the marketplace allows',
    missing_field: 'a field the marketplace requires is empty',
    bad_id: 'the SKU cannot serve as the marketplace’s product id',
  },
};

/** Why products were left out, in words; a code this version does not know, as it is. */
export function skipText(code: string): string {
  return Object.hasOwn(skips.ru, code) ? skips[i18n.lang][code as SkipCode] : code;
}

export const EXPORT_ERROR_CODES = [
  'output_unwritable', 'target_unreachable', 'target_sign_in', 'target_denied', 'target_not_found', 'target_tls',
  'target_io', 'target_protocol', 'target_settings', 'write_failed', 'catalog', 'cancelled',
] as const;
export type ExportErrorCode = (typeof EXPORT_ERROR_CODES)[number];

const exportErrors: Record<Language, Record<ExportErrorCode, string>> = {
  ru: {
    output_unwritable: 'Файл не удаётся записать: проверьте, что папка существует, диск подключён и есть права на запись',
    target_unreachable: 'Сервер для загрузки не отвечает: проверьте адрес, порт и подключение к интернету',
    target_sign_in: 'Сервер не принял вход: проверьте ключи или логин и пароль этого профиля',
    target_denied: 'Сервер не разрешает записывать туда файл: проверьте права ключа или пользователя',
    target_not_found: 'Бакет или папка для загрузки не найдены: проверьте их название в настройках загрузки',
    target_tls: 'Не удалось установить защищённое соединение с сервером',
    target_io: 'Не удалось прочитать файл фида или записать его в папку загрузки',
    target_protocol: 'Сервер для загрузки ответил непонятно; попробуйте позже',
    target_settings: 'Настройки загрузки не годятся: например, не сохранены ключи',
    write_failed: 'Не удалось записать файл: проверьте свободное место на диске',
    catalog: 'Не удалось прочитать каталог',
    cancelled: 'Выгрузка отменена; прежний файл остался на месте',
  },
  en: {
    output_unwritable: 'The file cannot be written: check that the folder exists, the drive is connected and you may write there',
    target_unreachable: 'The upload server does not answer: check the address, the port and the internet connection',
    target_sign_in: 'The server refused the sign-in: check the keys or the user and password of this profile',
    target_denied: 'The server does not allow writing the file there: check what the key or user may do',
    target_not_found: 'The upload bucket or folder was not found: check its name in the upload settings',
    target_tls: 'The secure connection to the server could not be set up',
    target_io: 'The feed file could not be read, or written into the upload folder',
    target_protocol: 'The upload server gave an answer Vitrina does not understand; try again later',
    target_settings: 'The upload settings cannot work: for example, no keys are saved',
    write_failed: 'The file could not be written: check the free disk space',
    catalog: 'The catalog could not be read',
    cancelled: 'The export was cancelled; the previous file was left in place',
  },
};

/** Why an export failed, in words; null for a code this version does not know. */
export function exportErrorText(code: string): string | null {
  return Object.hasOwn(exportErrors.ru, code) ? exportErrors[i18n.lang][code as ExportErrorCode] : null;
}

/** A failed result: our words, and the back end's sentence as details (as sent when unworded). */
export function resultProblem(r: Pick<ExportResultDto, 'ok' | 'error_code' | 'error'>): { text: string; details: string | null } | null {
  if (r.ok) return null;
  const worded = r.error_code ? exportErrorText(r.error_code) : null;
  if (worded) return { text: worded, details: r.error || null };
  return { text: r.error || ft('result.failed'), details: null };
}

/** Skipped products grouped by reason, most first, with the first SKUs of each. */
export function skipGroups(r: Pick<ExportResultDto, 'skipped_by_reason' | 'skipped_items'>, firstSkus = 5) {
  return [...r.skipped_by_reason]
    .sort((a, b) => b.count - a.count)
    .map((s) => {
      const items: SkippedItemDto[] = r.skipped_items.filter((i) => i.code === s.code);
      return { code: s.code, text: skipText(s.code), count: s.count, skus: items.slice(0, firstSkus).map((i) => i.sku), reasons: items.map((i) => i.reason) };
    });
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** "512 Б", "1,4 КБ", "12,3 МБ" / "512 B", "1.4 KB". */
export function formatBytes(n: number, lang: Language): string {
  const units = lang === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(Math.round(value)) : value.toFixed(value < 10 ? 1 : 0);
  return `${lang === 'ru' ? text.replace('.', ',') : text} ${units[unit]}`;
}

/** "только что", "5 мин назад", "3 ч назад", "2 дн. назад"; older, the date. */
export function timeAgo(ms: number, now: number, lang: Language): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  const w = words[lang];
  if (s < 60) return w['ago.now'];
  if (s < 3600) return fill(w['ago.min'], { n: Math.floor(s / 60) });
  if (s < 86_400) return fill(w['ago.h'], { n: Math.floor(s / 3600) });
  if (s < 7 * 86_400) return fill(w['ago.d'], { n: Math.floor(s / 86_400) });
  return new Date(ms).toLocaleDateString(lang === 'ru' ? 'ru-RU' : 'en-GB');
}

/** A typed amount of roubles ("1 299,50", "1299.5") in kopecks; null when empty; NaN when not an amount. */
export function roublesToMinor(text: string): number | null {
  const clean = text.replace(/[\s\u00a0\u202f₽]/g, '').replace(',', '.');
  if (clean === '') return null;
  if (!/^\d+(\.\d{0,2})?$/.test(clean)) return Number.NaN;
  const [whole, frac = ''] = clean.split('.');
  return Number(whole) * 100 + Number((frac + '00').slice(0, 2));
}

/** Kopecks as a rouble amount to edit: "1299", "1299,50"; empty for none. */
export function minorToRoubles(minor: number | null, lang: Language): string {
  if (minor === null) return '';
  const whole = Math.trunc(minor / 100);
  const frac = Math.abs(minor % 100);
  if (frac === 0) return String(whole);
  return `${whole}${lang === 'ru' ? ',' : '.'}${String(frac).padStart(2, '0')}`;
}

/** A typed percentage ("10", "-5", "2,5") in basis points; 0 when empty; NaN when not a number. */
export function percentToBp(text: string): number {
  const clean = text.replace(/[\s%]/g, '').replace(',', '.').replace('−', '-');
  if (clean === '') return 0;
  if (!/^[-+]?\d+(\.\d{0,2})?$/.test(clean)) return Number.NaN;
  return Math.round(Number(clean) * 100);
}

/** Basis points as a percentage to edit: "10", "2,5"; empty for 0. */
export function bpToPercent(bp: number, lang: Language): string {
  if (bp === 0) return '';
  const text = String(bp / 100);
  return lang === 'ru' ? text.replace('.', ',') : text;
}

/** One name per line, trimmed, without empty lines. */
export function splitList(text: string): string[] {
  return text.split(/\n/).map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Profiles

export function emptySelection(): FeedSelectionDto {
  return { categories: [], brands: [], suppliers: [], statuses: [], in_stock_only: false, price_min: null, price_max: null, products: [] };
}

/** A new profile: YML, enabled, the catalog's description, prices as in the catalog. */
export function newProfile(lang: Language): FeedProfileDto {
  return {
    id: '', name: '', format: 'yml', enabled: true, output_path: '', gzip: false,
    selection: emptySelection(),
    prices: { markup_bp: 0, rounding: 'none', old_price: 'keep', old_price_above_bp: 0 },
    name_template: '', description_source: 'catalog_or_characteristics', url_template: '', target: null,
    shop: { name: '', company: '', url: '', email: '', currency: 'RUB' },
    yml: { windows_1251: false, vendor_model: false, delivery: [] },
    // Avito refuses an ad without a condition; these are its own values for new goods.
    avito: { address: '', contact_phone: '', manager_name: '', category: '', goods_type: '', condition: 'Новое', ad_type: 'Товар приобретен на продажу' },
    google: { condition: 'new', google_product_category: '' },
    columns: [], lang, schedule: null, file: '', last_result: null, public_url: null,
  };
}

export const ROUNDINGS = ['none', 'whole', 'tens', 'hundreds', 'ends_in9', 'ends_in99'] as const;
export const OLD_PRICES = ['keep', 'drop', 'above'] as const;
export const DESCRIPTION_SOURCES = ['catalog_or_characteristics', 'catalog', 'characteristics', 'none'] as const;
export const STATUSES = ['draft', 'active', 'archived'] as const;
export const TARGET_KINDS = ['none', 'folder', 's3', 'ftp'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** Price list columns in the order a full list shows them (`PriceColumn::ALL`). */
export const PRICE_COLUMNS = [
  'sku', 'name', 'brand', 'model', 'category', 'price', 'old_price', 'stock', 'barcode', 'weight', 'dimensions',
  'picture', 'url', 'description',
] as const;
/** The columns a price list has unless the seller chooses others (`PriceColumn::DEFAULT`). */
export const DEFAULT_COLUMNS = ['sku', 'name', 'brand', 'category', 'price', 'stock', 'barcode'];
export const AVITO_CONDITIONS = ['Новое', 'Б/у', 'Новое с биркой'];
export const AVITO_AD_TYPES = ['Товар приобретен на продажу', 'Товар от производителя'];
export const GOOGLE_CONDITIONS = ['new', 'refurbished', 'used'] as const;
/** The name template's placeholders (`vitrina_export::item::fill_template`). */
export const NAME_PLACEHOLDERS = ['{name}', '{brand}', '{model}', '{sku}', '{category}', '{param:Цвет}'] as const;

/** A few schedules people ask for; the cron field takes any other. */
export const CRON_PRESETS = [
  { cron: '0 6 * * *', key: 'preset.daily6' },
  { cron: '0 6,18 * * *', key: 'preset.twice' },
  { cron: '0 */4 * * *', key: 'preset.every4h' },
  { cron: '0 * * * *', key: 'preset.hourly' },
  { cron: '0 6 * * 1', key: 'preset.monday' },
] as const;

/** A schedule for people: a preset's name ("Каждый день в 6:00"), or the cron expression as typed. */
export function cronText(cron: string): string {
  const preset = CRON_PRESETS.find((p) => p.cron === cron.trim());
  return preset ? ft(preset.key) : cron.trim();
}

// ---------------------------------------------------------------------------------------------
// The section's words

const ru = {
  'title': 'Фиды', 'exportAll': 'Выгрузить все', 'newProfile': 'Новый профиль',
  'empty.title': 'Фидов пока нет',
  'empty.text': 'Фид — это файл со списком ваших товаров, ценами и остатками. Яндекс Маркет, Ozon, VK, Avito и Google забирают его по ссылке и сами обновляют витрину. Витрина собирает фид из каталога по вашим правилам: какие товары, с какой наценкой, куда загрузить — и обновляет его по расписанию. Так же делается прайс-лист для покупателей в Excel, CSV или PDF.',
  'empty.create': 'Создать первый фид',
  'row.enabled': 'Включён', 'row.export': 'Выгрузить', 'row.openFolder': 'Открыть папку', 'row.edit': 'Изменить',
  'row.delete': 'Удалить', 'row.never': 'Ещё не выгружался', 'row.publicUrl': 'Ссылка для площадки',
  'row.copy': 'Копировать', 'row.copied': 'Скопировано', 'row.details': 'Подробнее', 'row.hide': 'Скрыть',
  'row.disabled': 'Выключен: не выгружается кнопкой «Выгрузить все» и по расписанию',
  'row.deleteConfirm': 'Удалить профиль «{name}»? Уже записанные файлы останутся на месте.',
  'row.deleteYes': 'Удалить', 'row.cancel': 'Отмена', 'row.schedule': 'по расписанию: {cron}',
  'result.line': 'выгружено {w}, пропущено {s}', 'result.failed': 'Выгрузка не удалась',
  'result.written': 'Выгружено товаров: {w} из {m}', 'result.skipped': 'Пропущено: {n}',
  'result.skus': 'например: {skus}', 'result.cleaned': 'Удалено недопустимых символов: {n}',
  'result.replaced': 'Символов нет в кодировке windows-1251, заменены на «?»: {n}',
  'result.file': 'Файл: {file}', 'result.size': 'Размер: {size}', 'result.took': 'Заняло: {t}',
  'result.uploaded': 'Загружен: {to}', 'result.when': 'Выгружен {ago}',
  'result.empty': 'Фильтрам не подошёл ни один товар: записан пустой файл, на сервер он не загружался.',
  'job.queued': 'Выгрузка в очереди…', 'job.running': 'Выгрузка: {n} из {t}', 'job.starting': 'Выгрузка…',
  'job.done': 'Выгрузка завершена', 'job.failed': 'Выгрузка не удалась: {e}',
  'job.cancelled': 'Выгрузка отменена; прежние файлы на месте', 'job.cancel': 'Отменить',
  'results.title': 'Итоги выгрузки', 'results.close': 'Скрыть итоги',
  'ago.now': 'только что', 'ago.min': '{n} мин назад', 'ago.h': '{n} ч назад', 'ago.d': '{n} дн. назад',
  'cycle.title': 'Цикл каталога', 'cycle.text': 'Импортировать всех поставщиков, затем выгрузить все фиды.',
  'cycle.run': 'Запустить сейчас', 'cycle.schedule': 'Расписание цикла', 'cycle.save': 'Сохранить расписание',
  'cycle.saved': 'Расписание сохранено', 'cycle.removed': 'Расписание снято: цикл запускается только вручную',
  'cycle.queued': 'Цикл в очереди…', 'cycle.running': 'Цикл идёт', 'cycle.done': 'Цикл завершён: поставщики импортированы, фиды выгружены',
  'cycle.failed': 'Цикл остановлен: {e}', 'cycle.cancelled': 'Цикл отменён',
  'cron.hint': 'Выражение cron: минута, час, день, месяц, день недели. «0 6 * * *» — каждый день в 6:00. Пусто — только вручную.',
  'cron.preset': 'Готовые варианты', 'cron.custom': 'Своё выражение', 'cron.none': 'Без расписания',
  'preset.daily6': 'Каждый день в 6:00', 'preset.twice': 'Дважды в день, в 6:00 и 18:00', 'preset.every4h': 'Каждые 4 часа',
  'preset.hourly': 'Каждый час', 'preset.monday': 'По понедельникам в 6:00',
  'docs.title': 'Документы', 'docs.text': 'Прайс-лист всего каталога для покупателей и партнёров.',
  'docs.pdf': 'Прайс-лист PDF', 'docs.xlsx': 'Прайс-лист Excel', 'docs.csv': 'Прайс-лист CSV',
  'docs.lang': 'Язык документа', 'docs.written': 'Сохранено: {file} — товаров {n}, {size}',
  'docs.skipped': 'пропущено товаров: {n}', 'docs.working': 'Готовим документ…',
  'lang.ru': 'Русский', 'lang.en': 'Английский',
  'spec.button': 'Спецификация (PDF)', 'spec.written': 'Сохранено: {file}',
  'ed.newTitle': 'Новый профиль фида', 'ed.editTitle': 'Профиль «{name}»', 'ed.back': 'Все фиды',
  'ed.main': 'Основное', 'ed.name': 'Название профиля', 'ed.namePlaceholder': 'Например: Яндекс Маркет',
  'ed.format': 'Формат', 'ed.output': 'Файл', 'ed.outputPlaceholder': 'Куда записывать файл', 'ed.choose': 'Выбрать…',
  'ed.gzip': 'Сжимать (gzip, к имени добавится .gz)', 'ed.enabled': 'Включён: выгружается кнопкой «Выгрузить все» и по расписанию',
  'ed.products': 'Товары', 'ed.productsHint': 'Пустое поле — без ограничения.',
  'ed.categories': 'Категории — по одной в строке, например «Обувь / Кроссовки»', 'ed.brands': 'Бренды — по одному в строке',
  'ed.suppliers': 'Поставщики — по одному в строке', 'ed.statuses': 'Статусы товаров', 'ed.inStock': 'Только товары в наличии',
  'ed.priceMin': 'Цена от, ₽', 'ed.priceMax': 'Цена до, ₽',
  'ed.prices': 'Цены', 'ed.markup': 'Наценка, %', 'ed.markupHint': 'К цене из каталога; со знаком минус — скидка.',
  'ed.rounding': 'Округление', 'ed.oldPrice': 'Старая (зачёркнутая) цена', 'ed.oldAbove': 'Выше цены на, %',
  'round.none': 'Без округления', 'round.whole': 'До рубля', 'round.tens': 'До 10 ₽', 'round.hundreds': 'До 100 ₽',
  'round.ends_in9': 'Вверх, на …9 ₽', 'round.ends_in99': 'Вверх, на …99 ₽',
  'old.keep': 'Как в каталоге', 'old.drop': 'Не указывать', 'old.above': 'На N % выше цены',
  'ed.fields': 'Поля', 'ed.nameTemplate': 'Шаблон названия',
  'ed.nameTemplateHint': 'Пусто — название из каталога. Вместо подстановок в фиде будут значения товара:',
  'ph.name': 'название', 'ph.brand': 'бренд', 'ph.model': 'модель', 'ph.sku': 'артикул', 'ph.category': 'категория',
  'ph.param': 'характеристика «Цвет» (любая по её названию)',
  'ed.description': 'Описание', 'desc.catalog_or_characteristics': 'Из каталога, а если его нет — список характеристик',
  'desc.catalog': 'Только из каталога', 'desc.characteristics': 'Список характеристик', 'desc.none': 'Без описания',
  'ed.urlTemplate': 'Ссылка на страницу товара', 'ed.urlTemplateHint': 'Например https://magazin.ru/p/{sku}. Пусто — без ссылки.',
  'ed.shop': 'Магазин', 'ed.shopName': 'Название магазина', 'ed.company': 'Компания', 'ed.site': 'Сайт', 'ed.email': 'Эл. почта',
  'ed.yml': 'Настройки YML', 'ed.win1251': 'Кодировка windows-1251 (для старых площадок)',
  'ed.vendorModel': 'Тип vendor.model: бренд и модель отдельными полями', 'ed.delivery': 'Доставка (до 5 вариантов)',
  'ed.deliveryCost': 'Стоимость, ₽ (0 — бесплатно)', 'ed.deliveryDays': 'Срок, дней (например 1-3)',
  'ed.orderBefore': 'Заказ до, час', 'ed.addDelivery': 'Добавить вариант доставки', 'ed.remove': 'Удалить',
  'ed.avito': 'Настройки Avito', 'ed.address': 'Адрес (Avito требует его в каждом объявлении)', 'ed.phone': 'Телефон',
  'ed.manager': 'Контактное лицо', 'ed.avitoCategory': 'Категория Avito, например «Одежда, обувь, аксессуары»',
  'ed.goodsType': 'Вид товара, например «Мужская обувь»', 'ed.condition': 'Состояние', 'ed.adType': 'Тип объявления',
  'ed.google': 'Настройки Google Merchant', 'ed.googleCategory': 'Категория Google (номер или путь)',
  'gcond.new': 'Новый', 'gcond.refurbished': 'Восстановленный', 'gcond.used': 'Б/у',
  'ed.columns': 'Колонки прайс-листа', 'ed.columnsHint': 'Отметьте нужные и расставьте по порядку.',
  'ed.up': 'Выше', 'ed.down': 'Ниже', 'ed.docLang': 'Язык прайс-листа',
  'col.sku': 'Артикул', 'col.name': 'Наименование', 'col.brand': 'Бренд', 'col.model': 'Модель', 'col.category': 'Категория',
  'col.price': 'Цена', 'col.old_price': 'Старая цена', 'col.stock': 'Остаток', 'col.barcode': 'Штрихкод', 'col.weight': 'Вес',
  'col.dimensions': 'Габариты', 'col.picture': 'Фото', 'col.url': 'Ссылка', 'col.description': 'Описание',
  'ed.upload': 'Загрузка', 'up.none': 'Не загружать: файл остаётся на этом компьютере', 'up.folder': 'Скопировать в папку (например, сетевую)',
  'up.s3': 'Облачное хранилище S3 (Yandex Object Storage и другие)', 'up.ftp': 'FTP-сервер',
  'up.path': 'Папка', 'up.endpoint': 'Адрес хранилища', 'up.region': 'Регион', 'up.bucket': 'Бакет',
  'up.prefix': 'Папка в бакете, например feeds/', 'up.pathStyle': 'Адреса вида адрес/бакет (для MinIO и похожих)',
  'up.publicRead': 'Сделать файл доступным всем по ссылке', 'up.keyId': 'Идентификатор ключа', 'up.secretKey': 'Секретный ключ',
  'up.host': 'Сервер', 'up.port': 'Порт', 'up.secure': 'Защищённое соединение (FTPS)', 'up.user': 'Логин',
  'up.password': 'Пароль', 'up.dir': 'Папка на сервере', 'up.publicBase': 'Публичный адрес папки (если файл отдаётся по другому адресу)',
  'up.secretSet': 'Сохранён в системном хранилище паролей — оставьте пустым, чтобы не менять', 'up.secretUnset': 'Не задан',
  'ed.schedule': 'Расписание выгрузки этого профиля',
  'ed.preview': 'Предпросмотр', 'ed.matched': 'Фильтрам подходит товаров: {n}', 'ed.previewHint': 'Начало файла: первые 3 товара.',
  'ed.previewWorking': 'Обновляем…', 'ed.previewSkipped': 'Эти товары в файл не попадут:',
  'ed.save': 'Сохранить', 'ed.cancel': 'Отмена', 'ed.saved': 'Сохранено',
  'ed.needName': 'Введите название профиля', 'ed.needOutput': 'Выберите файл, в который записывать',
  'ed.badMoney': 'Введите сумму, например 1 299,50', 'ed.badPercent': 'Введите число процентов, например 10 или -5',
  'ed.badHour': 'Час — целое число от 0 до 23', 'ed.badPort': 'Порт — целое число от 1 до 65535',
  'ed.fix': 'Исправьте отмеченные поля',
};

type WordKey = keyof typeof ru;

const en: Record<WordKey, string> = {
  'title': 'Feeds', 'exportAll': 'Export all', 'newProfile': 'New profile',
  'empty.title': 'No feeds yet',
  'empty.text': 'A feed is a file listing your products with their prices and stock. Yandex Market, Ozon, VK, Avito and Google fetch it by its link and keep your listings up to date. Vitrina builds the feed from the catalog by your rules — which products, what markup, where to upload — and refreshes it on a schedule. Price lists for buyers in Excel, CSV or PDF are made the same way.',
  'empty.create': 'Create the first feed',
  'row.enabled': 'Enabled', 'row.export': 'Export', 'row.openFolder': 'Open folder', 'row.edit': 'Edit',
  'row.delete': 'Delete', 'row.never': 'Not exported yet', 'row.publicUrl': 'Link for the marketplace',
  'row.copy': 'Copy', 'row.copied': 'Copied', 'row.details': 'Details', 'row.hide': 'Hide',
  'row.disabled': 'Disabled: not exported by “Export all” or on a schedule',
  'row.deleteConfirm': 'Delete the profile “{name}”? Files already written stay where they are.',
  'row.deleteYes': 'Delete', 'row.cancel': 'Cancel', 'row.schedule': 'scheduled: {cron}',
  'result.line': '{w} written, {s} skipped', 'result.failed': 'The export failed',
  'result.written': '{w} of {m} products written', 'result.skipped': '{n} skipped',
  'result.skus': 'e.g. {skus}', 'result.cleaned': 'Invalid characters removed: {n}',
  'result.replaced': 'Characters not in windows-1251, written as “?”: {n}',
  'result.file': 'File: {file}', 'result.size': 'Size: {size}', 'result.took': 'Took: {t}',
  'result.uploaded': 'Uploaded to {to}', 'result.when': 'Exported {ago}',
  'result.empty': 'No product matched the filters: an empty file was written and not uploaded.',
  'job.queued': 'Export queued…', 'job.running': 'Exporting: {n} of {t}', 'job.starting': 'Exporting…',
  'job.done': 'Export finished', 'job.failed': 'The export failed: {e}',
  'job.cancelled': 'Export cancelled; the previous files are in place', 'job.cancel': 'Cancel',
  'results.title': 'Export results', 'results.close': 'Hide results',
  'ago.now': 'just now', 'ago.min': '{n} min ago', 'ago.h': '{n} h ago', 'ago.d': '{n} d ago',
  'cycle.title': 'Catalog cycle', 'cycle.text': 'Import every supplier, then export all feeds.',
  'cycle.run': 'Run now', 'cycle.schedule': 'Cycle schedule', 'cycle.save': 'Save schedule',
  'cycle.saved': 'Schedule saved', 'cycle.removed': 'Schedule removed: the cycle runs by hand only',
  'cycle.queued': 'Cycle queued…', 'cycle.running': 'Cycle running', 'cycle.done': 'Cycle finished: suppliers imported, feeds exported',
  'cycle.failed': 'The cycle stopped: {e}', 'cycle.cancelled': 'Cycle cancelled',
  'cron.hint': 'A cron expression: minute, hour, day, month, weekday. “0 6 * * *” is every day at 6:00. Empty: by hand only.',
  'cron.preset': 'Presets', 'cron.custom': 'Custom expression', 'cron.none': 'No schedule',
  'preset.daily6': 'Every day at 6:00', 'preset.twice': 'Twice a day, at 6:00 and 18:00', 'preset.every4h': 'Every 4 hours',
  'preset.hourly': 'Every hour', 'preset.monday': 'Mondays at 6:00',
  'docs.title': 'Documents', 'docs.text': 'A price list of the whole catalog for buyers and partners.',
  'docs.pdf': 'PDF price list', 'docs.xlsx': 'Excel price list', 'docs.csv': 'CSV price list',
  'docs.lang': 'Document language', 'docs.written': 'Saved: {file} — {n} products, {size}',
  'docs.skipped': '{n} products skipped', 'docs.working': 'Preparing the document…',
  'lang.ru': 'Russian', 'lang.en': 'English',
  'spec.button': 'Spec sheet (PDF)', 'spec.written': 'Saved: {file}',
  'ed.newTitle': 'New feed profile', 'ed.editTitle': 'Profile “{name}”', 'ed.back': 'All feeds',
  'ed.main': 'Main', 'ed.name': 'Profile name', 'ed.namePlaceholder': 'For example: Yandex Market',
  'ed.format': 'Format', 'ed.output': 'File', 'ed.outputPlaceholder': 'Where the file is written', 'ed.choose': 'Choose…',
  'ed.gzip': 'Compress (gzip, .gz is added to the name)', 'ed.enabled': 'Enabled: exported by “Export all” and on a schedule',
  'ed.products': 'Products', 'ed.productsHint': 'An empty field puts no limit.',
  'ed.categories': 'Categories — one per line, e.g. “Shoes / Sneakers”', 'ed.brands': 'Brands — one per line',
  'ed.suppliers': 'Suppliers — one per line', 'ed.statuses': 'Product statuses', 'ed.inStock': 'Only products in stock',
  'ed.priceMin': 'Price from, ₽', 'ed.priceMax': 'Price up to, ₽',
  'ed.prices': 'Prices', 'ed.markup': 'Markup, %', 'ed.markupHint': 'Over the catalog price; with a minus sign, a discount.',
  'ed.rounding': 'Rounding', 'ed.oldPrice': 'Old (struck-through) price', 'ed.oldAbove': 'Above the price by, %',
  'round.none': 'None', 'round.whole': 'To a rouble', 'round.tens': 'To 10 ₽', 'round.hundreds': 'To 100 ₽',
  'round.ends_in9': 'Up, ending in …9 ₽', 'round.ends_in99': 'Up, ending in …99 ₽',
  'old.keep': 'As in the catalog', 'old.drop': 'Leave out', 'old.above': 'N % above the price',
  'ed.fields': 'Fields', 'ed.nameTemplate': 'Title template',
  'ed.nameTemplateHint': 'Empty: the catalog’s name. In the feed, the placeholders become the product’s values:',
  'ph.name': 'name', 'ph.brand': 'brand', 'ph.model': 'model', 'ph.sku': 'SKU', 'ph.category': 'category',
  'ph.param': 'the characteristic named after the colon (any, by its name)',
  'ed.description': 'Description', 'desc.catalog_or_characteristics': 'From the catalog, or the list of characteristics when it has none',
  'desc.catalog': 'From the catalog only', 'desc.characteristics': 'The list of characteristics', 'desc.none': 'No description',
  'ed.urlTemplate': 'Product page link', 'ed.urlTemplateHint': 'E.g. https://shop.example/p/{sku}. Empty: no link.',
  'ed.shop': 'Shop', 'ed.shopName': 'Shop name', 'ed.company': 'Company', 'ed.site': 'Website', 'ed.email': 'Email',
  'ed.yml': 'YML settings', 'ed.win1251': 'windows-1251 encoding (for older marketplaces)',
  'ed.vendorModel': 'vendor.model offers: brand and model as separate fields', 'ed.delivery': 'Delivery (up to 5 options)',
  'ed.deliveryCost': 'Cost, ₽ (0 is free)', 'ed.deliveryDays': 'Days (e.g. 1-3)',
  'ed.orderBefore': 'Order before, hour', 'ed.addDelivery': 'Add a delivery option', 'ed.remove': 'Remove',
  'ed.avito': 'Avito settings', 'ed.address': 'Address (Avito needs it in every ad)', 'ed.phone': 'Phone',
  'ed.manager': 'Contact person', 'ed.avitoCategory': 'Avito category, as Avito names it',
  'ed.goodsType': 'Goods type, as Avito names it', 'ed.condition': 'Condition', 'ed.adType': 'Ad type',
  'ed.google': 'Google Merchant settings', 'ed.googleCategory': 'Google product category (number or path)',
  'gcond.new': 'New', 'gcond.refurbished': 'Refurbished', 'gcond.used': 'Used',
  'ed.columns': 'Price list columns', 'ed.columnsHint': 'Tick the ones you need and put them in order.',
  'ed.up': 'Up', 'ed.down': 'Down', 'ed.docLang': 'Price list language',
  'col.sku': 'SKU', 'col.name': 'Name', 'col.brand': 'Brand', 'col.model': 'Model', 'col.category': 'Category',
  'col.price': 'Price', 'col.old_price': 'Old price', 'col.stock': 'Stock', 'col.barcode': 'Barcode', 'col.weight': 'Weight',
  'col.dimensions': 'Dimensions', 'col.picture': 'Picture', 'col.url': 'Link', 'col.description': 'Description',
  'ed.upload': 'Upload', 'up.none': 'No upload: the file stays on this computer', 'up.folder': 'Copy into a folder (e.g. a network one)',
  'up.s3': 'S3 cloud storage (Yandex Object Storage and others)', 'up.ftp': 'FTP server',
  'up.path': 'Folder', 'up.endpoint': 'Storage address', 'up.region': 'Region', 'up.bucket': 'Bucket',
  'up.prefix': 'Folder in the bucket, e.g. feeds/', 'up.pathStyle': 'Path-style addresses (for MinIO and the like)',
  'up.publicRead': 'Let anyone with the link read the file', 'up.keyId': 'Access key id', 'up.secretKey': 'Secret key',
  'up.host': 'Server', 'up.port': 'Port', 'up.secure': 'Secure connection (FTPS)', 'up.user': 'User',
  'up.password': 'Password', 'up.dir': 'Folder on the server', 'up.publicBase': 'Public address of the folder (when the file is served elsewhere)',
  'up.secretSet': 'Kept in the OS keyring — leave empty to keep it', 'up.secretUnset': 'Not set',
  'ed.schedule': 'Export schedule of this profile',
  'ed.preview': 'Preview', 'ed.matched': '{n} products match the filters', 'ed.previewHint': 'The start of the file: the first 3 products.',
  'ed.previewWorking': 'Updating…', 'ed.previewSkipped': 'These products will be left out:',
  'ed.save': 'Save', 'ed.cancel': 'Cancel', 'ed.saved': 'Saved',
  'ed.needName': 'Enter the profile’s name', 'ed.needOutput': 'Choose the file to write',
  'ed.badMoney': 'Enter an amount, e.g. 1 299.50', 'ed.badPercent': 'Enter a percentage, e.g. 10 or -5',
  'ed.badHour': 'The hour is a whole number from 0 to 23', 'ed.badPort': 'The port is a whole number from 1 to 65535',
  'ed.fix': 'Correct the marked fields',
};

const words: Record<Language, Record<WordKey, string>> = { ru, en };

/** Every key of the section's words (for tests). */
export const WORD_KEYS = Object.keys(ru) as WordKey[];

/** `{n}`-style parameters filled in; braces with no parameter of that name stay as written. */
function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : whole));
}

/** The Feeds section's words in the person's language. */
export function ft(key: WordKey, params: Record<string, string | number> = {}): string {
  return fill(words[i18n.lang][key], params);
}

/** "выгружено 1 234, пропущено 5" for a result's compact line. */
export function resultLine(r: Pick<ExportResultDto, 'written' | 'skipped'>): string {
  return ft('result.line', { w: formatCount(r.written, i18n.lang), s: formatCount(r.skipped, i18n.lang) });
}
