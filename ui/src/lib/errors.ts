// What to show when a call to the back end fails. Every error code is worded here in Russian
// and English; the back end's own sentence (English: which file, which value, which job) is
// kept as details — `ErrorNote.svelte` shows it under "Details" or on a second line. Something
// that is not an `IpcError` (a message the window wrote itself) is shown as it is.
import type { IpcError, IpcErrorCode, Language } from './ipc';
import { i18n } from './i18n.svelte';

// `keyring_unavailable`: no store of secrets can be reached (on Linux, no Secret Service
// answers) — what is missing and the two ways around it (`secrets.rs` in vitrina-app).
// `keyring`: the store refused; its sentence (which file, which command fixes it) follows ours,
// so it has no details of its own.
const words: Record<Language, Record<IpcErrorCode, string>> = {
  ru: {
    not_found: 'Не найдено: возможно, это уже удалено или перемещено. Проверьте и попробуйте снова.',
    invalid: 'Значение не принято — исправьте его и попробуйте снова.',
    conflict: 'Сейчас это сделать нельзя: данные изменились или действие уже выполнено.',
    not_a_catalog: 'Этот файл не является каталогом Vitrina. Файл не изменён.',
    catalog_too_new: 'Каталог создан более новой версией Vitrina. Обновите программу, чтобы открыть его.',
    catalog_damaged:
      'Файл каталога повреждён и не читается. Файл не изменён — восстановите его из резервной копии или создайте новый каталог.',
    io: 'Не удалось прочитать или записать файл: проверьте, что он существует, диск подключён и есть права доступа.',
    busy: 'Каталог занят долгим изменением (обычно импортом поставщика). Повторите, когда оно закончится.',
    held:
      'Каталог сейчас занят импортом поставщика: новое значение уже отправлено на маркетплейсы и будет записано в каталог сразу после импорта.',
    keyring_unavailable:
      'Системное хранилище паролей недоступно: в Linux это служба Secret Service (GNOME Keyring или KWallet), ' +
      'а она не запущена или заблокирована. Запустите или разблокируйте её — или храните ключи иначе, задав ' +
      'переменную окружения перед запуском Vitrina: VITRINA_KEYRING=keyutils — в связке ключей ядра Linux на ' +
      'время сеанса входа (до перезагрузки); VITRINA_CREDENTIALS_FILE=/полный/путь — в файле, который может ' +
      'читать только его владелец (для работы без присмотра, например `vitrina worker` на сервере). ' +
      'Подробнее — в README, раздел «Secrets on a machine without a desktop keyring».',
    keyring: 'Хранилище паролей отказало: {message}',
    no_catalog: 'Каталог не открыт: выберите существующий каталог или создайте новый.',
    team_unreachable:
      'Сервер команды недоступен или не ответил. Работайте дальше: изменения сохраняются на этом компьютере и уйдут при следующей синхронизации.',
    team_sign_in:
      'Сервер команды не принял имя или пароль. Попросите у администратора новый код приглашения и подключитесь заново.',
    team_version:
      'Версия базы команды и этой программы не совпадают: синхронизация остановлена, каталог работает без неё. Обновите Vitrina или попросите администратора обновить базу (vitrina team upgrade).',
    team_not_allowed: 'Ваша роль в команде не позволяет это сделать.',
    team_refused:
      'Сервер команды отказал (нет команды в этой базе, сервер только для чтения, нет места или часы этого компьютера сильно спешат). Изменения ждут на этом компьютере.',
    internal: 'Внутренняя ошибка Vitrina. Повторите действие; если ошибка не уходит, приложите подробности и журнал к сообщению о ней.',
  },
  en: {
    not_found: 'Not found: it may have been removed or moved. Check and try again.',
    invalid: 'The value was not accepted — correct it and try again.',
    conflict: 'This cannot be done now: the data has changed or it has already been done.',
    not_a_catalog: 'This file is not a Vitrina catalog. It was left untouched.',
    catalog_too_new: 'The catalog was written by a newer Vitrina. Update Vitrina to open it.',
    catalog_damaged:
      'The catalog file is damaged and cannot be read. It was left untouched — restore it from a backup or create a new catalog.',
    io: 'A file could not be read or written: check that it exists, the drive is connected and you have access.',
    busy: 'The catalog is busy with a long change (usually a supplier import). Try again when it has finished.',
    held: 'The catalog is busy with a supplier import: the new value has gone to the marketplaces and is written to the catalog as soon as the import ends.',
    keyring_unavailable:
      'The system password store is unavailable: on Linux it is the Secret Service (GNOME Keyring or KWallet), ' +
      'and it is not running or is locked. Start or unlock it, or keep keys elsewhere by setting an environment ' +
      'variable before starting Vitrina: VITRINA_KEYRING=keyutils keeps them in the Linux kernel keyring for ' +
      'the login session (until reboot); VITRINA_CREDENTIALS_FILE=/full/path keeps them in a file only its ' +
      'owner can read (for unattended work, such as `vitrina worker` on a server). ' +
      'See “Secrets on a machine without a desktop keyring” in the README.',
    keyring: 'The password store refused: {message}',
    no_catalog: 'No catalog is open: choose an existing catalog or create a new one.',
    team_unreachable:
      'The team’s server cannot be reached or did not answer. Keep working: changes are kept on this computer and go at the next sync.',
    team_sign_in: 'The team’s server refused the name or password. Ask an admin for a new invitation code and join again.',
    team_version:
      'The team’s database and this app are at different versions: sync has stopped and the catalog works without it. Update Vitrina, or ask an admin to upgrade the database (vitrina team upgrade).',
    team_not_allowed: 'Your role in the team does not allow this.',
    team_refused:
      'The team’s server refused (no team in this database, a read-only server, no space left, or this computer’s clock is far ahead). Changes wait on this computer.',
    internal: 'Vitrina hit an internal error. Try again; if it persists, include the details and the log when reporting it.',
  },
};

/** An error as the window shows it: our words, and the back end's sentence when not in them. */
export interface ShownError {
  text: string;
  details: string | null;
}

function asIpc(e: unknown): Partial<IpcError> | null {
  return e && typeof e === 'object' ? (e as Partial<IpcError>) : null;
}

function isCode(code: unknown): code is IpcErrorCode {
  return typeof code === 'string' && Object.hasOwn(words.ru, code);
}

export function describeError(e: unknown): ShownError {
  const err = asIpc(e);
  const message = typeof err?.message === 'string' ? err.message : null;
  if (!isCode(err?.code)) return { text: message ?? String(e), details: null };
  const template = words[i18n.lang][err.code];
  const text = template.replace('{message}', () => message ?? '');
  const details = message && !template.includes('{message}') && !text.includes(message) ? message : null;
  return { text, details };
}

/** Our words for an error (every code has them), or what the window itself wrote. */
export function errorText(e: unknown): string {
  return describeError(e).text;
}

/** The back end's own sentence when `errorText` replaced it with ours (for "details"). */
export function errorDetails(e: unknown): string | null {
  return describeError(e).details;
}
