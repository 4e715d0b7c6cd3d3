// Import problems in the person's language. The back end gives each rejected row and warning a
// stable code; the English `reason` keeps the details and is shown as it is in English (and
// as a tooltip in Russian). A code without a wording here (an older run's 'other') falls back
// to the English reason.
import { i18n } from './i18n.svelte';

const ru: Record<string, string> = {
  sku_empty: 'нет артикула — у каждой строки должен быть артикул поставщика',
  name_empty: 'нет названия — товару нужно название',
  currency_invalid: 'это не код валюты (нужен, например, RUB, USD, EUR)',
  price_invalid: 'это не сумма денег (нужна, например, 1 299,50)',
  price_negative: 'цена не может быть отрицательной',
  price_too_large: 'слишком большая сумма',
  no_exchange_rate: 'для этой валюты не задан курс — добавьте его в настройках поставщика',
  price_empty: 'нет цены',
  old_price_skipped: 'старая цена не распознана и пропущена',
  barcode_skipped: 'неверный штрихкод пропущен',
  pack_units_invalid: 'это не кратность (нужно целое число штук, например 6) — не учтено',
  category_unknown: 'в фиде нет категории с таким id — товар без категории',
  availability_invalid: 'не «да» и не «нет» — наличие не учтено',
  stock_invalid: 'это не остаток (нужно число, «> 10», «много» или «нет») — не учтено',
  weight_skipped: 'вес не распознан и пропущен',
  size_skipped: 'размеры не распознаны и пропущены',
  sku_repeated: 'этот артикул уже был в строке {n} — строка пропущена',
  value_invalid: 'каталог не принимает это значение',
  changed_meanwhile: 'каталог изменился, пока читался файл — запустите импорт ещё раз',
  row_unreadable: 'строку файла не удалось прочитать',
};

/** What went wrong, in the current language. */
export function issueText(issue: { code: string; reason: string }): string {
  const wording = i18n.lang === 'ru' ? ru[issue.code] : undefined;
  if (!wording) return issue.reason;
  // The only parameter: the earlier line of a repeated SKU ("… on line 12; …").
  const line = /line (\d+)/.exec(issue.reason)?.[1] ?? '?';
  return wording.replace('{n}', line);
}

/** "Field: «value» — what went wrong", for a previewed row. */
export function noteText(note: { code: string; field: string; value: string; reason: string }): string {
  const what = issueText(note);
  return note.value ? `${note.field}: «${note.value}» — ${what}` : `${note.field}: ${what}`;
}
