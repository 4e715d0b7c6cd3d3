// The fixed sentences the back end uses for a job's stage and end, in the person's language.
// Anything else (a supplier's name in a message, an error's details) is shown as sent.
import { i18n } from './i18n.svelte';

const ru: Record<string, string> = {
  importing: 'импорт',
  downloading: 'загрузка файла',
  'downloading product images': 'загрузка фото товаров',
  'cancelled on request': 'отменена по запросу',
  'cancelled by its handler': 'остановлена',
  'cancelled before it started': 'отменена до начала',
};

export function jobText(text: string): string {
  return i18n.lang === 'ru' ? (ru[text] ?? text) : text;
}
