// The AI section in the person's language, and its small pure helpers. The back end sends codes —
// what a rule check found (`rule`), why a product's request failed or what "check connection"
// found (`error`), why a suggestion could not be decided (`decision`), a provider's kind — with its
// own sentence as details; the words are here. The section's labels live here too (`at`).
import type { AiDecisionDto, AiProviderDto, AiRunDto, DiffPartDto, Language, NewAiProviderDto } from './ipc';
import { i18n } from './i18n.svelte';
import { formatCount } from './format';
import { marketName } from './market';

type Words<K extends string> = Record<Language, Record<K, string>>;

function pick<K extends string>(words: Words<K>, code: string): string {
  return Object.hasOwn(words.ru, code) ? words[i18n.lang][code as K] : code;
}

// ---------------------------------------------------------------------------------------------
// Rule checks (no model)

export const RULES = [
  'name_empty', 'name_too_short', 'name_too_long', 'description_empty', 'description_too_short', 'description_too_long',
  'too_few_images', 'too_many_images', 'forbidden_word', 'missing_attribute', 'shouting', 'repeated_word', 'contact_in_text',
  'link_in_text',
] as const;
export type RuleCode = (typeof RULES)[number];

const rules: Words<RuleCode> = {
  ru: {
    name_empty: 'Нет названия',
    name_too_short: 'Название слишком короткое: покупатель не поймёт, что это',
    name_too_long: 'Название длиннее, чем разрешает маркетплейс',
    description_empty: 'Нет описания',
    description_too_short: 'Описание слишком короткое',
    description_too_long: 'Описание длиннее, чем разрешает маркетплейс',
    too_few_images: 'Мало фотографий',
    too_many_images: 'Фотографий больше, чем принимает маркетплейс',
    forbidden_word: 'Запрещённое слово',
    missing_attribute: 'Не заполнена обязательная характеристика',
    shouting: 'Слишком много заглавных букв',
    repeated_word: 'Слово повторяется подряд',
    contact_in_text: 'Телефон или почта в тексте: маркетплейсы это запрещают',
    link_in_text: 'Ссылка в тексте: маркетплейсы это запрещают',
  },
  en: {
    name_empty: 'No title',
    name_too_short: 'The title is too short to tell what the product is',
    name_too_long: 'The title is longer than the marketplace allows',
    description_empty: 'No description',
    description_too_short: 'The description is too short',
    description_too_long: 'The description is longer than the marketplace allows',
    too_few_images: 'Too few photos',
    too_many_images: 'More photos than the marketplace takes',
    forbidden_word: 'A forbidden word',
    missing_attribute: 'A required characteristic is empty',
    shouting: 'Too many capital letters',
    repeated_word: 'A word is repeated',
    contact_in_text: 'A phone number or email in the text: marketplaces forbid it',
    link_in_text: 'A link in the text: marketplaces forbid it',
  },
};

/** What a rule found, in words; a code this version does not know, as it is. */
export function ruleText(code: string): string {
  return pick(rules, code);
}

// ---------------------------------------------------------------------------------------------
// Why a request failed, and what "check connection" found

export const ERRORS = [
  'ok', 'key_missing', 'unauthorized', 'forbidden', 'model_not_found', 'unreachable', 'timeout', 'rate_limited', 'server_error',
  'rejected', 'bad_response', 'malformed', 'too_large', 'invalid', 'not_found', 'conflict', 'cancelled', 'storage',
] as const;
export type AiErrorCode = (typeof ERRORS)[number];

const errors: Words<AiErrorCode> = {
  ru: {
    ok: 'Работает',
    key_missing: 'Ключ не сохранён на этом компьютере: удалите провайдера и добавьте его заново с ключом',
    unauthorized: 'Провайдер не принял ключ: проверьте, что он скопирован целиком, или создайте новый',
    forbidden: 'Ключу не хватает прав на эту модель или на оплату: проверьте аккаунт у провайдера',
    model_not_found: 'Такой модели у провайдера нет: проверьте её название',
    unreachable: 'Сервер не отвечает: проверьте интернет и адрес сервера',
    timeout: 'Модель не успела ответить: попробуйте ещё раз или увеличьте время ожидания',
    rate_limited: 'Провайдер просит подождать: слишком много запросов. Попробуйте через минуту',
    server_error: 'У провайдера сбой на его стороне; попробуйте позже',
    rejected: 'Провайдер отказался отвечать на этот запрос',
    bad_response: 'Провайдер ответил непонятно: проверьте адрес сервера',
    malformed: 'Модель ответила не по форме даже со второй попытки; ответ модели — в подробностях',
    too_large: 'Карточка слишком большая для этой модели: сократите описание или выберите модель побольше',
    invalid: 'Неверные настройки',
    not_found: 'Не найдено',
    conflict: 'Такое имя уже занято',
    cancelled: 'Остановлено',
    storage: 'Не удалось записать результат на диск',
  },
  en: {
    ok: 'Works',
    key_missing: 'No key is saved on this computer: remove the provider and add it again with its key',
    unauthorized: 'The provider did not accept the key: check that it was copied whole, or create a new one',
    forbidden: 'The key may not use this model or lacks billing: check the account with the provider',
    model_not_found: 'The provider has no such model: check its name',
    unreachable: 'The server does not answer: check the internet connection and the server address',
    timeout: 'The model did not answer in time: try again or allow more time',
    rate_limited: 'The provider asks to slow down: too many requests. Try again in a minute',
    server_error: 'The provider has a failure on its side; try again later',
    rejected: 'The provider refused to answer this request',
    bad_response: 'The provider’s answer makes no sense: check the server address',
    malformed: 'The model did not answer in the expected form, even on a second try; its answer is in the details',
    too_large: 'The card is too large for this model: shorten the description or pick a larger model',
    invalid: 'Invalid settings',
    not_found: 'Not found',
    conflict: 'The name is taken',
    cancelled: 'Stopped',
    storage: 'The result could not be written to disk',
  },
};

export function aiErrorText(code: string): string {
  return pick(errors, code);
}

// ---------------------------------------------------------------------------------------------
// Why a suggestion could not be accepted or rejected

export const DECISIONS = ['changed_since', 'not_pending', 'not_found', 'refused', 'busy'] as const;
export type DecisionCode = (typeof DECISIONS)[number];

const decisions: Words<DecisionCode> = {
  ru: {
    changed_since: 'Поле изменили после предложения — ваш текст сохранён. Запустите проверку заново',
    not_pending: 'Предложение уже рассмотрено',
    not_found: 'Предложение или товар не найден',
    refused: 'Каталог не принял это значение',
    busy: 'Каталог занят импортом: попробуйте через минуту',
  },
  en: {
    changed_since: 'The field changed after the suggestion — your text is kept. Run the check again',
    not_pending: 'The suggestion was already decided',
    not_found: 'The suggestion or the product is gone',
    refused: 'The catalog refused the value',
    busy: 'The catalog is busy with an import: try again in a minute',
  },
};

export function decisionText(code: string): string {
  return pick(decisions, code);
}

// ---------------------------------------------------------------------------------------------
// Providers, statuses, targets, tasks

export const KINDS = ['openai', 'gemini'] as const;
export type ProviderKind = (typeof KINDS)[number];

const kinds: Words<ProviderKind> = {
  ru: { openai: 'OpenAI или совместимый (Ollama, LM Studio, llama.cpp)', gemini: 'Google Gemini' },
  en: { openai: 'OpenAI or compatible (Ollama, LM Studio, llama.cpp)', gemini: 'Google Gemini' },
};

export function kindName(kind: string): string {
  return pick(kinds, kind);
}

/** Where each kind's server usually is (the form's placeholder). */
export const DEFAULT_URLS: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

export const STATUSES = ['pending', 'accepted', 'rejected', 'superseded'] as const;
export type SuggestionStatus = (typeof STATUSES)[number];

const statuses: Words<SuggestionStatus> = {
  ru: { pending: 'Ждут решения', accepted: 'Приняты', rejected: 'Отклонены', superseded: 'Устарели' },
  en: { pending: 'Waiting', accepted: 'Accepted', rejected: 'Rejected', superseded: 'Outdated' },
};

export function statusName(status: string): string {
  return pick(statuses, status);
}

export const TARGETS = ['any', 'wb', 'ozon', 'ym'] as const;

export function targetName(target: string): string {
  return target === 'any' ? at('target.any') : marketName(target);
}

export const TASKS = ['moderate', 'generate'] as const;

const tasks: Words<(typeof TASKS)[number]> = {
  ru: { moderate: 'Проверка карточек', generate: 'Написание описаний' },
  en: { moderate: 'Card check', generate: 'Writing descriptions' },
};

export function taskName(task: string): string {
  return pick(tasks, task);
}

const severities: Words<'error' | 'warning' | 'info'> = {
  ru: { error: 'Ошибка', warning: 'Замечание', info: 'Совет' },
  en: { error: 'Error', warning: 'Warning', info: 'Tip' },
};

export function severityName(s: string): string {
  return pick(severities, s);
}

// ---------------------------------------------------------------------------------------------
// The add form

export interface ProviderForm {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  model: string;
  key: string;
  local: boolean;
  priceInput: string;
  priceOutput: string;
  currency: string;
}

export function emptyProviderForm(kind: ProviderKind = 'openai'): ProviderForm {
  return { name: '', kind, baseUrl: '', model: '', key: '', local: false, priceInput: '', priceOutput: '', currency: 'USD' };
}

export type ProviderProblem = 'name' | 'model' | 'key' | 'baseUrl';

/** What the form lacks, before anything is sent. */
export function providerProblems(f: ProviderForm): Partial<Record<ProviderProblem, WordKey>> {
  const out: Partial<Record<ProviderProblem, WordKey>> = {};
  if (!f.name.trim()) out.name = 'form.needName';
  if (!f.model.trim()) out.model = 'form.needModel';
  const url = f.baseUrl.trim();
  if (url && !/^https?:\/\/\S+$/i.test(url)) out.baseUrl = 'form.badUrl';
  if (f.local && !url) out.baseUrl = 'form.needUrl';
  if (!f.local && !f.key.trim()) out.key = 'form.needKey';
  return out;
}

export function toNewProvider(f: ProviderForm): NewAiProviderDto {
  const opt = (s: string) => (s.trim() ? s.trim() : null);
  return {
    name: f.name.trim(), kind: f.kind, base_url: opt(f.baseUrl), model: f.model.trim(), key: f.local ? '' : f.key.trim(),
    concurrency: null, rpm: null, timeout_secs: null, max_attempts: null, json_mode: null,
    price_input: opt(f.priceInput), price_output: opt(f.priceOutput), currency: opt(f.priceInput) || opt(f.priceOutput) ? opt(f.currency) : null,
  };
}

/** "ключ сохранён" / "сервер на этом компьютере" / "ключа нет". */
export function keyState(p: AiProviderDto): WordKey {
  if (p.local) return 'prov.local';
  return p.key_set ? 'prov.keySet' : 'prov.keyMissing';
}

// ---------------------------------------------------------------------------------------------
// Runs, diffs, decisions

/** "1 234 / 567" tokens, and the estimated cost when the model's price is set. */
export function runTokens(r: AiRunDto, lang: Language = i18n.lang): string {
  return `${formatCount(r.input_tokens, lang)} / ${formatCount(r.output_tokens, lang)}`;
}

export function runCost(r: AiRunDto): string {
  return r.cost ? `≈ ${r.cost.text} ${r.cost.currency === 'RUB' ? '₽' : r.cost.currency}` : at('runs.noPrice');
}

/** Only the changed parts and a few words around them, for a long text. */
export function diffRuns(parts: DiffPartDto[], context = 12): DiffPartDto[] {
  return parts.map((p) => {
    if (p.op !== 'same') return p;
    const words = p.text.split(/(\s+)/);
    if (words.length <= context * 4) return p;
    const head = words.slice(0, context * 2).join('');
    const tail = words.slice(-context * 2).join('');
    return { op: 'same', text: `${head} … ${tail}` };
  });
}

/** Whether a change rewrites most of the text (then "now" and "suggested" read better apart). */
export function mostlyRewritten(parts: DiffPartDto[]): boolean {
  const len = (op: string) => parts.filter((p) => p.op === op).reduce((n, p) => n + p.text.trim().length, 0);
  const same = len('same');
  return same < 0.5 * Math.max(len('added') + same, 1);
}

/** A description as a person reads it: paragraphs and list items on their own lines, no tags or entities. */
export function plainText(html: string): string {
  const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", nbsp: ' ', '#39': "'" };
  return html
    .replace(/<\/(p|li|div|h\d)>|<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(quot|amp|lt|gt|apos|nbsp|#39);/g, (_, e: string) => entities[e])
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** The quoted parts of a rule's detail (a word, a link, a characteristic), which need no translation. */
export function ruleAbout(detail: string): string | null {
  const quoted = detail.match(/«[^»]*»/g);
  return quoted ? quoted.join(', ') : null;
}

/** "Принято: 3 · не удалось: 1". */
export function decisionSummary(d: AiDecisionDto): string {
  const parts: string[] = [];
  if (d.accepted.length) parts.push(at('dec.accepted', { n: d.accepted.length }));
  if (d.rejected.length) parts.push(at('dec.rejected', { n: d.rejected.length }));
  if (d.failed.length) parts.push(at('dec.failed', { n: d.failed.length }));
  return parts.join(' · ') || at('dec.nothing');
}

// ---------------------------------------------------------------------------------------------
// Words

const ru = {
  'nav': 'ИИ',
  'title': 'ИИ: проверка и описания',
  'lead': 'Нейросеть проверяет карточки и пишет описания. Ничего не меняется в каталоге без вашего решения: каждое предложение нужно принять.',
  'tab.review': 'Проверка и описания', 'tab.providers': 'Провайдеры', 'tab.prompts': 'Промпты', 'tab.runs': 'Запуски',
  'target.any': 'Любой маркетплейс',
  'review.filter': 'Показать', 'review.empty': 'Предложений нет. Откройте товар и нажмите «Написать описание» — результат появится здесь.',
  'review.emptyOther': 'Здесь пусто.',
  'review.pending': 'Ждут решения: {n}',
  'review.acceptAll': 'Принять все ({n})', 'review.rejectAll': 'Отклонить все',
  'review.confirmAll': 'Принять все {n} предложений? Каждое запишется в историю товара, его можно отменить.',
  'review.confirmReject': 'Отклонить все {n} предложений? Каталог не изменится.',
  'review.yes': 'Да', 'review.cancel': 'Отмена',
  'review.page': '{from}–{to}', 'review.prev': '← Назад', 'review.next': 'Дальше →',
  'sug.accept': 'Принять', 'sug.reject': 'Отклонить', 'sug.open': 'Открыть товар',
  'sug.old': 'Было', 'sug.new': 'Станет', 'sug.empty': '(пусто)', 'sug.reason': 'Почему: {r}', 'sug.model': 'модель {m}',
  'sug.decided': '{s} {when}',
  'dec.accepted': 'Принято: {n}', 'dec.rejected': 'Отклонено: {n}', 'dec.failed': 'Не удалось: {n}', 'dec.nothing': 'Ничего не изменилось',
  'prov.title': 'Провайдеры нейросетей',
  'prov.lead': 'Подключите OpenAI, совместимый сервер (Ollama, LM Studio — можно на этом компьютере) или Google Gemini. Ключ хранится в системном хранилище паролей и больше не показывается.',
  'prov.add': 'Добавить провайдера', 'prov.empty': 'Провайдеров пока нет. Добавьте первого — понадобится адрес сервера, название модели и ключ API.',
  'prov.keySet': 'Ключ сохранён', 'prov.keyMissing': 'Ключ не сохранён', 'prov.local': 'Сервер на этом компьютере',
  'prov.check': 'Проверить подключение', 'prov.checking': 'Проверяем…', 'prov.never': 'Подключение ещё не проверялось',
  'prov.checkedOk': 'Работает · {ms} мс', 'prov.checkedBad': 'Не работает',
  'prov.remove': 'Удалить', 'prov.removeConfirm': 'Удалить провайдера «{name}» и его ключ с этого компьютера?', 'prov.removeYes': 'Да, удалить',
  'prov.price': 'Цена: {i} / {o} {c} за 1 млн токенов (вход / выход)', 'prov.model': 'Модель: {m}',
  'form.title': 'Новый провайдер', 'form.kind': 'Тип', 'form.name': 'Название', 'form.namePlaceholder': 'Например, «OpenAI» или «Ollama дома»',
  'form.baseUrl': 'Адрес сервера', 'form.baseUrlHint': 'До версии API включительно. Пусто — адрес по умолчанию.',
  'form.model': 'Модель', 'form.modelPlaceholder': 'Например, gpt-4o-mini, qwen2.5:7b, gemini-2.0-flash',
  'form.key': 'Ключ API', 'form.keyHint': 'Сохранится в системном хранилище паролей; показать его снова будет нельзя.',
  'form.local': 'Сервер на этом компьютере — ключ не нужен',
  'form.price': 'Цена за 1 млн токенов (необязательно, для оценки стоимости)', 'form.priceIn': 'вход', 'form.priceOut': 'выход', 'form.currency': 'валюта',
  'form.save': 'Добавить', 'form.saving': 'Добавляем…', 'form.cancel': 'Отмена',
  'form.needName': 'Дайте провайдеру название', 'form.needModel': 'Укажите модель', 'form.needKey': 'Вставьте ключ API',
  'form.badUrl': 'Адрес должен начинаться с http:// или https://', 'form.needUrl': 'Укажите адрес сервера на этом компьютере',
  'prompt.title': 'Промпты', 'prompt.lead': 'Текст, который Vitrina отправляет нейросети. Подстановки в двойных фигурных скобках заменяются данными товара.',
  'prompt.task': 'Задача', 'prompt.target': 'Маркетплейс', 'prompt.version': 'Версия {v}', 'prompt.default': 'Стандартный текст Vitrina',
  'prompt.placeholders': 'Можно использовать:', 'prompt.save': 'Сохранить', 'prompt.saved': 'Сохранено: версия {v}', 'prompt.revert': 'Вернуть как было',
  'runs.title': 'Запуски', 'runs.empty': 'Запусков пока не было.', 'runs.when': 'Когда', 'runs.task': 'Задача', 'runs.provider': 'Провайдер',
  'runs.target': 'Маркетплейс', 'runs.products': 'Товаров', 'runs.requests': 'Запросов', 'runs.cached': 'Из кэша', 'runs.failed': 'Ошибок',
  'runs.suggestions': 'Предложений', 'runs.tokens': 'Токены (вход / выход)', 'runs.cost': 'Стоимость', 'runs.noPrice': 'цена не задана',
  'runs.running': 'идёт',
  'form.editTitle': 'Изменить провайдера', 'form.keyKeep': 'Оставьте пустым, чтобы сохранить прежний ключ.', 'prov.edit': 'Изменить',
  'run.title': 'Запустить для многих товаров', 'run.scope': 'Какие товары', 'run.selection': 'Выбранные в каталоге ({n})',
  'run.category': 'Категория', 'run.inbox': 'Товары с ошибками маркетплейса', 'run.all': 'Весь каталог (только проверка)',
  'run.start': 'Запустить', 'run.startSelection': 'ИИ ({n})',
  'run.queued': 'Запущено — ход и итог в разделе «ИИ», предложения на вкладке «Проверка и описания».',
  'pa.title': 'ИИ', 'pa.check': 'Проверить сейчас', 'pa.withAi': 'и нейросетью', 'pa.write': 'Написать описание', 'pa.target': 'Для',
  'pa.rulesOk': 'Правила: замечаний нет', 'pa.rules': 'Правила: {n}', 'pa.noProvider': 'Чтобы проверять нейросетью и писать описания, добавьте провайдера в разделе «ИИ».',
  'pa.provider': 'Провайдер', 'pa.queued': 'Нейросеть работает…', 'pa.latest': 'Последняя проверка нейросетью',
  'pa.ok': 'Замечаний нет', 'pa.cached': 'из кэша', 'pa.failed': 'Не удалось: {e}', 'pa.suggestions': 'Предложения',
  'pa.noSuggestion': 'Нейросеть не предложила изменений.', 'pa.jobFailed': 'Запуск не удался',
};
type WordKey = keyof typeof ru;

const en: Record<WordKey, string> = {
  'nav': 'AI',
  'title': 'AI: checks and descriptions',
  'lead': 'A model checks cards and writes descriptions. Nothing in the catalog changes until you decide: every suggestion has to be accepted.',
  'tab.review': 'Review', 'tab.providers': 'Providers', 'tab.prompts': 'Prompts', 'tab.runs': 'Runs',
  'target.any': 'Any marketplace',
  'review.filter': 'Show', 'review.empty': 'No suggestions. Open a product and press “Write a description” — the result appears here.',
  'review.emptyOther': 'Nothing here.',
  'review.pending': 'Waiting: {n}',
  'review.acceptAll': 'Accept all ({n})', 'review.rejectAll': 'Reject all',
  'review.confirmAll': 'Accept all {n} suggestions? Each goes to the product’s history and can be undone.',
  'review.confirmReject': 'Reject all {n} suggestions? The catalog stays as it is.',
  'review.yes': 'Yes', 'review.cancel': 'Cancel',
  'review.page': '{from}–{to}', 'review.prev': '← Back', 'review.next': 'Next →',
  'sug.accept': 'Accept', 'sug.reject': 'Reject', 'sug.open': 'Open the product',
  'sug.old': 'Now', 'sug.new': 'Suggested', 'sug.empty': '(empty)', 'sug.reason': 'Why: {r}', 'sug.model': 'model {m}',
  'sug.decided': '{s} {when}',
  'dec.accepted': 'Accepted: {n}', 'dec.rejected': 'Rejected: {n}', 'dec.failed': 'Failed: {n}', 'dec.nothing': 'Nothing changed',
  'prov.title': 'AI providers',
  'prov.lead': 'Connect OpenAI, a compatible server (Ollama, LM Studio — even on this computer) or Google Gemini. The key is kept in the system’s password store and never shown again.',
  'prov.add': 'Add a provider', 'prov.empty': 'No providers yet. Add one: you need the server address, the model’s name and an API key.',
  'prov.keySet': 'Key saved', 'prov.keyMissing': 'No key saved', 'prov.local': 'A server on this computer',
  'prov.check': 'Check connection', 'prov.checking': 'Checking…', 'prov.never': 'Never checked',
  'prov.checkedOk': 'Works · {ms} ms', 'prov.checkedBad': 'Does not work',
  'prov.remove': 'Remove', 'prov.removeConfirm': 'Remove the provider “{name}” and its key from this computer?', 'prov.removeYes': 'Yes, remove',
  'prov.price': 'Price: {i} / {o} {c} per 1M tokens (input / output)', 'prov.model': 'Model: {m}',
  'form.title': 'New provider', 'form.kind': 'Kind', 'form.name': 'Name', 'form.namePlaceholder': 'E.g. “OpenAI” or “Ollama at home”',
  'form.baseUrl': 'Server address', 'form.baseUrlHint': 'Up to the API version. Empty: the default address.',
  'form.model': 'Model', 'form.modelPlaceholder': 'E.g. gpt-4o-mini, qwen2.5:7b, gemini-2.0-flash',
  'form.key': 'API key', 'form.keyHint': 'Goes to the system’s password store; it cannot be shown again.',
  'form.local': 'A server on this computer — no key needed',
  'form.price': 'Price per 1M tokens (optional, to estimate costs)', 'form.priceIn': 'input', 'form.priceOut': 'output', 'form.currency': 'currency',
  'form.save': 'Add', 'form.saving': 'Adding…', 'form.cancel': 'Cancel',
  'form.needName': 'Give the provider a name', 'form.needModel': 'Name the model', 'form.needKey': 'Paste the API key',
  'form.badUrl': 'The address starts with http:// or https://', 'form.needUrl': 'Give the address of the server on this computer',
  'prompt.title': 'Prompts', 'prompt.lead': 'The text Vitrina sends to the model. Placeholders in double braces are replaced with the product’s data.',
  'prompt.task': 'Task', 'prompt.target': 'Marketplace', 'prompt.version': 'Version {v}', 'prompt.default': 'Vitrina’s default text',
  'prompt.placeholders': 'You can use:', 'prompt.save': 'Save', 'prompt.saved': 'Saved: version {v}', 'prompt.revert': 'Undo my edits',
  'runs.title': 'Runs', 'runs.empty': 'No runs yet.', 'runs.when': 'When', 'runs.task': 'Task', 'runs.provider': 'Provider',
  'runs.target': 'Marketplace', 'runs.products': 'Products', 'runs.requests': 'Requests', 'runs.cached': 'Cached', 'runs.failed': 'Failed',
  'runs.suggestions': 'Suggestions', 'runs.tokens': 'Tokens (in / out)', 'runs.cost': 'Cost', 'runs.noPrice': 'no price set',
  'runs.running': 'running',
  'form.editTitle': 'Change the provider', 'form.keyKeep': 'Leave it empty to keep the stored key.', 'prov.edit': 'Change',
  'run.title': 'Run for many products', 'run.scope': 'Which products', 'run.selection': 'Selected in the catalog ({n})',
  'run.category': 'Category', 'run.inbox': 'Products with marketplace errors', 'run.all': 'The whole catalog (checks only)',
  'run.start': 'Run', 'run.startSelection': 'AI ({n})',
  'run.queued': 'Started — progress and results in the AI section, suggestions on the Review tab.',
  'pa.title': 'AI', 'pa.check': 'Check now', 'pa.withAi': 'with AI too', 'pa.write': 'Write a description', 'pa.target': 'For',
  'pa.rulesOk': 'Rules: no issues', 'pa.rules': 'Rules: {n}', 'pa.noProvider': 'To check with AI and write descriptions, add a provider in the AI section.',
  'pa.provider': 'Provider', 'pa.queued': 'The model is working…', 'pa.latest': 'Latest AI check',
  'pa.ok': 'No issues', 'pa.cached': 'cached', 'pa.failed': 'Failed: {e}', 'pa.suggestions': 'Suggestions',
  'pa.noSuggestion': 'The model suggested no changes.', 'pa.jobFailed': 'The run failed',
};

const words: Record<Language, Record<WordKey, string>> = { ru, en };

/** Every key of the section's words (for tests). */
export const WORD_KEYS = Object.keys(ru) as WordKey[];
export type { WordKey };

function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : whole));
}

/** The AI section's words in the person's language. */
export function at(key: WordKey, params: Record<string, string | number> = {}): string {
  return fill(words[i18n.lang][key], params);
}
