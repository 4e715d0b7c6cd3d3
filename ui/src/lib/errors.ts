// What to show when a call to the back end fails: our own wording where the error's code has
// one, else the back end's sentence.
import type { IpcError } from './ipc';
import { t } from './i18n.svelte';

export function errorText(e: unknown): string {
  const err = e as Partial<IpcError> | null;
  if (err?.code === 'busy') return t('error.busy');
  return err?.message ?? String(e);
}
