// What to show when a call to the back end fails: our own wording where the error's code has
// one, else the back end's sentence.
import type { IpcError, IpcErrorCode, Language } from './ipc';
import { i18n, t } from './i18n.svelte';

// The store of secrets' codes, worded here in both languages (`secrets.rs` in vitrina-app
// says what each means). `keyring_unavailable`: no store can be reached (on Linux, no Secret
// Service answers) — what is missing and the two ways around it. `keyring`: the store refused;
// its sentence (which file, which command fixes it) follows.
const secretsWords: Record<Language, Partial<Record<IpcErrorCode, string>>> = {
  ru: {
    keyring_unavailable:
      'Системное хранилище паролей недоступно: в Linux это служба Secret Service (GNOME Keyring или KWallet), ' +
      'а она не запущена или заблокирована. Запустите или разблокируйте её — или храните ключи иначе, задав ' +
      'переменную окружения перед запуском Vitrina: VITRINA_KEYRING=keyutils — в связке ключей ядра Linux на ' +
      'время сеанса входа (до перезагрузки); VITRINA_CREDENTIALS_FILE=/полный/путь — в файле, который может ' +
      'читать только его владелец (для работы без присмотра, например `vitrina worker` на сервере). ' +
      'Подробнее — в README, раздел «Secrets on a machine without a desktop keyring».',
    keyring: 'Хранилище паролей отказало: {message}',
  },
  en: {
    keyring_unavailable:
      'The system password store is unavailable: on Linux it is the Secret Service (GNOME Keyring or KWallet), ' +
      'and it is not running or is locked. Start or unlock it, or keep keys elsewhere by setting an environment ' +
      'variable before starting Vitrina: VITRINA_KEYRING=keyutils keeps them in the Linux kernel keyring for ' +
      'the login session (until reboot); VITRINA_CREDENTIALS_FILE=/full/path keeps them in a file only its ' +
      'owner can read (for unattended work, such as `vitrina worker` on a server). ' +
      'See “Secrets on a machine without a desktop keyring” in the README.',
    keyring: 'The password store refused: {message}',
  },
};

export function errorText(e: unknown): string {
  const err = e as Partial<IpcError> | null;
  if (err?.code === 'busy') return t('error.busy');
  const secrets = err?.code ? secretsWords[i18n.lang][err.code] : undefined;
  if (secrets) return secrets.replace('{message}', () => err?.message ?? '');
  return err?.message ?? String(e);
}

/** The back end's own sentence when `errorText` replaced it with ours (for "details"). */
export function errorDetails(e: unknown): string | null {
  const err = e as Partial<IpcError> | null;
  const message = err?.message;
  if (!message) return null;
  return errorText(e).includes(message) ? null : message;
}
