// Where the secrets are kept, as Settings → Keys and passwords says it. The store is chosen by
// environment variables when Vitrina starts (`secrets.rs` in vitrina-app; the README's
// "Secrets on a machine without a desktop keyring").
import type { Language, SecretStoreDto } from '$lib/ipc';
import { i18n, t } from '$lib/i18n.svelte';

const words: Record<Language, Record<Exclude<SecretStoreDto['kind'], 'os_keyring'>, string>> = {
  ru: {
    kernel_keyring:
      'Хранятся в связке ключей ядра Linux (VITRINA_KEYRING=keyutils) до перезагрузки. Vitrina показывает только, задан ли ключ.',
    credentials_file:
      'Хранятся в файле {path} (VITRINA_CREDENTIALS_FILE), который может читать только его владелец. Vitrina показывает только, задан ли ключ.',
    memory: 'Хранятся в памяти до выхода из программы. Vitrina показывает только, задан ли ключ.',
  },
  en: {
    kernel_keyring:
      'Kept in the Linux kernel keyring (VITRINA_KEYRING=keyutils) until reboot. Vitrina only shows whether a key is set.',
    credentials_file:
      'Kept in the file {path} (VITRINA_CREDENTIALS_FILE), which only its owner can read. Vitrina only shows whether a key is set.',
    memory: 'Kept in memory until the app quits. Vitrina only shows whether a key is set.',
  },
};

/** Where the secrets are kept; the OS keyring (or not known yet) is the usual hint. */
export function secretStoreText(store: SecretStoreDto | undefined): string {
  if (!store || store.kind === 'os_keyring') return t('settings.secretsHint');
  const text = words[i18n.lang][store.kind];
  return store.kind === 'credentials_file' ? text.replace('{path}', () => store.path) : text;
}
