// Jobs in the person's language. The back end sends codes — a job's kind, its state, the stage
// it is at (`JobStage`), how a cancelled job ended (`JobEndDto`) and why a failed one failed
// (`JobErrorCode`) — and details for people (`message`: a supplier's name, a percentage;
// `error`: the back end's sentence naming the file or link), which are shown as sent. Nothing here reads the
// back end's English sentences. Every record is over a union of codes, so a code added in Rust
// (and so in the generated types) fails the type check until it is worded here.
import type { JobDto, JobEndDto, JobErrorCode, JobStage, JobStateDto, Language } from './ipc';
import { i18n } from './i18n.svelte';

/** The kinds this version runs (`vitrina_app::kinds`); another kind shows as its code. */
export const JOB_KINDS = [
  'import.supplier', 'images.download', 'catalog.reprice', 'catalog.analyze', 'feeds.export', 'catalog.cycle',
  'market.publish', 'market.push', 'catalog.edit', 'market.import_cards', 'ai.moderate', 'ai.generate',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const kinds: Record<Language, Record<JobKind, string>> = {
  ru: {
    'import.supplier': 'Импорт поставщика',
    'images.download': 'Загрузка фото товаров',
    'catalog.reprice': 'Изменение цен',
    'catalog.analyze': 'Проверка каталога',
    'feeds.export': 'Выгрузка фидов',
    'catalog.cycle': 'Цикл каталога: импорт и выгрузка',
    'market.publish': 'Публикация на маркетплейс',
    'market.push': 'Цены и остатки на маркетплейс',
    'catalog.edit': 'Правка после импорта',
    'market.import_cards': 'Товары из карточек маркетплейса',
    'ai.moderate': 'Проверка карточек нейросетью',
    'ai.generate': 'Описания от нейросети',
  },
  en: {
    'import.supplier': 'Supplier import',
    'images.download': 'Product image download',
    'catalog.reprice': 'Price change',
    'catalog.analyze': 'Catalog check',
    'feeds.export': 'Feed export',
    'catalog.cycle': 'Catalog cycle: import and export',
    'market.publish': 'Marketplace publishing',
    'market.push': 'Marketplace prices and stocks',
    'catalog.edit': 'Edit after an import',
    'market.import_cards': 'Products from marketplace cards',
    'ai.moderate': 'AI card check',
    'ai.generate': 'AI descriptions',
  },
};

const states: Record<Language, Record<JobStateDto, string>> = {
  ru: { queued: 'В очереди', running: 'Выполняется', succeeded: 'Готово', failed: 'Ошибка', cancelled: 'Отменена' },
  en: { queued: 'Queued', running: 'Running', succeeded: 'Done', failed: 'Failed', cancelled: 'Cancelled' },
};

const stages: Record<Language, Record<JobStage, string>> = {
  ru: {
    downloading: 'загрузка файла',
    importing: 'импорт',
    downloading_images: 'загрузка фото товаров',
    repricing: 'пересчёт цен',
    analyzing: 'обновление статистики',
    exporting: 'выгрузка фидов',
    publishing: 'проверка и отправка карточек',
    following_up: 'ожидание ответа маркетплейса',
    pushing: 'отправка цен и остатков',
    moderating: 'проверка карточек нейросетью',
    generating: 'нейросеть пишет описания',
  },
  en: {
    downloading: 'downloading the file',
    importing: 'importing',
    downloading_images: 'downloading product images',
    repricing: 'repricing',
    analyzing: 'refreshing statistics',
    exporting: 'exporting feeds',
    publishing: 'checking and sending cards',
    following_up: "waiting for the marketplace's verdict",
    pushing: 'sending prices and stocks',
    moderating: 'checking cards with AI',
    generating: 'writing descriptions with AI',
  },
};

const ends: Record<Language, Record<JobEndDto, string>> = {
  ru: {
    cancelled_on_request: 'отменена по запросу',
    cancelled_by_handler: 'остановлена самой задачей',
    cancelled_before_start: 'отменена до начала',
  },
  en: {
    cancelled_on_request: 'cancelled on request',
    cancelled_by_handler: 'stopped by the job itself',
    cancelled_before_start: 'cancelled before it started',
  },
};

const reasons: Record<Language, Record<JobErrorCode, string>> = {
  ru: {
    not_found: 'По ссылке ничего нет: возможно, поставщик перенёс файл',
    access_denied: 'Сервер отказал в доступе: проверьте логин или токен поставщика',
    server_error: 'Сервер поставщика дал сбой; обычно это временно — попробуйте позже',
    unexpected_status: 'Сервер поставщика ответил ошибкой',
    timeout: 'Сервер не ответил вовремя; попробуйте позже или увеличьте время ожидания',
    connection_failed: 'Не удалось подключиться к серверу поставщика',
    download_interrupted: 'Загрузка файла прервалась; попробуйте ещё раз',
    bad_redirect: 'Ссылка перенаправляет слишком много раз или на другой сайт',
    source_settings_invalid: 'Ссылка или настройки источника не годятся',
    secret_missing: 'Для входа нужен пароль или токен, но он не сохранён или не подходит',
    secret_unreadable: 'Не удалось прочитать сохранённый пароль или токен источника',
    too_large: 'Файл больше ограничения, заданного для поставщика',
    file_empty: 'Файл пустой: возможно, поставщик ещё не выложил прайс-лист',
    archive_damaged: 'Архив повреждён или загружен не полностью',
    archive_without_feed: 'В архиве нет прайс-листа',
    archive_unsupported: 'Такой архив Витрина распаковать не может',
    file_missing: 'Файл не найден: проверьте путь в настройках поставщика или подключена ли папка',
    file_unreadable: 'Файл не удаётся прочитать',
    cache_write_failed: 'Не удалось сохранить загруженный файл на диск: проверьте свободное место',
    no_feed: 'У поставщика ещё нет файла или ссылки: добавьте их в настройках',
    import_settings_invalid: 'Настройки импорта поставщика повреждены или не заполнены',
    not_a_feed: 'Это не прайс-лист и не фид',
    feed_empty: 'В файле нет товаров',
    feed_layout_mismatch: 'Товары не найдены там, где указано в настройках источника',
    feed_encoding: 'Текст файла не в той кодировке: выберите её вручную',
    feed_unreadable: 'Файл повреждён или загружен не полностью',
    catalog_error: 'Не удалось прочитать или записать каталог',
    cancelled: 'Работа отменена',
    percent_out_of_range: 'Изменение цены должно быть больше −100 % и не больше 1000 %',
    export_failed: 'Не все фиды выгружены: причина указана у каждого профиля в разделе «Фиды»',
    nothing_to_export: 'Нечего выгружать: нет включённых профилей фидов или профиль был удалён',
    cycle_step_failed: 'Цикл каталога остановлен: один из шагов не удался — подробности ниже и в задачах этого шага',
    market_credentials_missing: 'Для аккаунта маркетплейса не сохранён ключ API: добавьте его в разделе «Маркетплейсы»',
    market_unauthorized: 'Маркетплейс не принимает ключ API: он неверный, просрочен или отозван — создайте новый в кабинете продавца',
    market_forbidden: 'Ключ API принят, но у него нет доступа к этому методу: выдайте ключу нужную категорию или роль',
    market_owned_elsewhere: 'Цены и остатки команды отправляет другое устройство — то, что сейчас отвечает за маркетплейсы. Изменения этого устройства дойдут туда через синхронизацию',
    market_rate_limited: 'Маркетплейс просит подождать: слишком много запросов. Задача повторится позже сама',
    market_rejected: 'Маркетплейс отклонил запрос: причина указана у каждого товара в разделе «Маркетплейсы»',
    market_unreachable: 'Не удалось связаться с маркетплейсом: проверьте интернет. Задача повторится позже сама',
    market_settings_invalid: 'Не хватает настроек аккаунта маркетплейса (например, склада для остатков)',
    ai_key_missing: 'Для нейросети не сохранён ключ API: добавьте его в настройках ИИ',
    ai_unauthorized: 'Нейросеть не принимает ключ API или не даёт доступа к модели: проверьте ключ и модель',
    ai_unreachable: 'Не удалось связаться с нейросетью: проверьте интернет или запущен ли локальный сервер',
    ai_rate_limited: 'Нейросеть просит подождать: слишком много запросов. Уменьшите лимит запросов в минуту',
    ai_failed: 'Ни один товар не обработан: причина указана у каждого товара',
    ai_settings_invalid: 'Настройки нейросети не подходят: проверьте адрес, модель и шаблон запроса',
    handler_crashed: 'Внутренняя ошибка Витрины; при повторении приложите подробности к сообщению о ней',
    unknown_kind: 'Эта версия Витрины не умеет выполнять такие задачи',
  },
  en: {
    not_found: 'Nothing was found at the link: the supplier may have moved the file',
    access_denied: 'The server refused access: check the login or token saved for this supplier',
    server_error: "The supplier's server failed; this is usually temporary, try again later",
    unexpected_status: "The supplier's server answered with an error",
    timeout: 'The server did not answer in time; try again later or raise the timeout',
    connection_failed: "Could not connect to the supplier's server",
    download_interrupted: 'The download broke off; try again',
    bad_redirect: 'The link redirects too many times or to another site',
    source_settings_invalid: "The feed's link or settings are not valid",
    secret_missing: 'Signing in needs a password or token, but none is saved or it cannot be sent',
    secret_unreadable: "The feed's saved password or token could not be read",
    too_large: 'The file is bigger than the limit set for this supplier',
    file_empty: 'The file is empty: the supplier may not have published the price list yet',
    archive_damaged: 'The archive is damaged or cut off',
    archive_without_feed: 'The archive has no price list inside',
    archive_unsupported: 'Vitrina cannot unpack this archive',
    file_missing: "The file was not found: check the path in the supplier's settings, or whether the folder is connected",
    file_unreadable: 'The file cannot be read',
    cache_write_failed: 'The downloaded file could not be saved: check the free disk space',
    no_feed: "The supplier has no file or link yet: add one in the supplier's settings",
    import_settings_invalid: "The supplier's import settings are damaged or incomplete",
    not_a_feed: 'This is not a price list or feed',
    feed_empty: 'The file has no products',
    feed_layout_mismatch: "The items are not where the feed's settings say",
    feed_encoding: 'The text is not in the expected encoding: choose it manually',
    feed_unreadable: 'The file is damaged or cut off',
    catalog_error: 'The catalog could not be read or written',
    cancelled: 'The work was cancelled',
    percent_out_of_range: 'A price change must be above −100 % and at most 1000 %',
    export_failed: 'Not every feed was exported: each profile in the Feeds section says why',
    nothing_to_export: 'Nothing to export: no feed profile is enabled, or the profile was removed',
    cycle_step_failed: "The catalog cycle stopped: one of its steps failed — see the details below and that step's job",
    market_credentials_missing: 'No API key is saved for the marketplace account: add it in the Marketplaces section',
    market_unauthorized: "The marketplace does not accept the API key: it is wrong, expired or revoked — create a new one in the seller's cabinet",
    market_forbidden: 'The API key works, but not for this method: give the key the category or role it needs',
    market_owned_elsewhere: 'Another device of the team owns the marketplaces and sends prices and stocks; this device’s changes reach it through sync',
    market_rate_limited: 'The marketplace asks to slow down: too many requests. The job will retry by itself',
    market_rejected: "The marketplace refused the request: each product's reason is in the Marketplaces section",
    market_unreachable: 'The marketplace could not be reached: check the internet connection. The job will retry by itself',
    market_settings_invalid: "The marketplace account's settings are incomplete (a warehouse for stocks, say)",
    ai_key_missing: 'No API key is saved for the AI provider: add it in the AI settings',
    ai_unauthorized: 'The AI provider does not accept the API key or refuses the model: check the key and the model',
    ai_unreachable: 'The AI provider could not be reached: check the internet connection, or whether the local server runs',
    ai_rate_limited: 'The AI provider asks to slow down: too many requests. Lower the requests per minute',
    ai_failed: "No product was processed: each product's reason is in its result",
    ai_settings_invalid: "The AI provider's settings are not usable: check the address, the model and the prompt",
    handler_crashed: 'Vitrina hit an internal error; if it happens again, include the details when reporting it',
    unknown_kind: 'This version of Vitrina cannot run jobs of this kind',
  },
};

function isKind(kind: string): kind is JobKind {
  return (JOB_KINDS as readonly string[]).includes(kind);
}

/** A job's kind in words ('Изменение цен'); a kind this version does not know, as its code. */
export function kindText(kind: string): string {
  return isKind(kind) ? kinds[i18n.lang][kind] : kind;
}

export function stateText(state: JobStateDto): string {
  return states[i18n.lang][state];
}

export function stageText(stage: JobStage): string {
  return stages[i18n.lang][stage];
}

export function endText(end: JobEndDto): string {
  return ends[i18n.lang][end];
}

/** Every failure code this version words (the keys of a record over the generated union). */
export const JOB_ERROR_CODES = Object.keys(reasons.en) as JobErrorCode[];

export function reasonText(code: JobErrorCode): string {
  return reasons[i18n.lang][code];
}

/** What a job is doing: its stage in words, then the back end's details as sent. */
export function jobActivity(j: Pick<JobDto, 'stage' | 'message'>): string | null {
  const parts = [j.stage ? stageText(j.stage) : null, j.message || null].filter((p) => p !== null);
  return parts.length ? parts.join(' — ') : null;
}

/** A job's problem: our words, and the back end's sentence (naming the file or link) as details. */
export interface JobProblem {
  text: string;
  details: string | null;
}

/**
 * Why a job did not succeed: how a cancelled job ended, in words; a failure's reason in words
 * with the back end's sentence as details; a failure without a code (or one this version does
 * not know) as sent.
 */
export function jobProblem(j: Pick<JobDto, 'state' | 'end' | 'error' | 'error_code'>): JobProblem | null {
  if (j.end) return { text: endText(j.end), details: null };
  if (j.state === 'cancelled') return null;
  if (j.error_code) return { text: reasonText(j.error_code), details: j.error || null };
  return j.error ? { text: j.error, details: null } : null;
}
