// Checks a field's text before it is sent, with a reason in the interface language. The
// catalog checks again when saving; its reason is shown when it refuses something we let by.
import type { FieldName } from '$lib/ipc';
import { t } from '$lib/i18n.svelte';

const MONEY = /^[+]?\d[\d\s\u00a0\u202f.,]*\s*(₽|руб\.?|rub)?$/i;

function gtinValid(code: string): boolean {
  if (!/^\d+$/.test(code) || ![8, 12, 13, 14].includes(code.length)) return false;
  const digits = code.split('').map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/** Null when the text looks acceptable, else the reason. */
export function validateField(field: FieldName, text: string): string | null {
  const v = text.trim();
  switch (field) {
    case 'sku':
      if (!v) return t('invalid.required');
      return [...v].length > 80 ? t('invalid.sku') : null;
    case 'name':
      return v ? null : t('invalid.required');
    case 'price':
      if (!v) return t('invalid.required');
    // falls through
    case 'old_price':
    case 'cost':
      if (!v) return null;
      if (v.startsWith('-') || v.startsWith('−')) return t('invalid.negative');
      return MONEY.test(v) ? null : t('invalid.money');
    case 'stock':
    case 'weight':
      if (!v) return null;
      if (/^-\s*\d/.test(v)) return t('invalid.negative');
      return /^\d[\d\s]*$/.test(v) ? null : t('invalid.integer');
    case 'dimensions':
      if (!v) return null;
      return /^\d+\s*[x×х*/]\s*\d+\s*[x×х*/]\s*\d+$/i.test(v) ? null : t('invalid.dimensions');
    case 'barcodes': {
      const bad = v.split(/[,;\n]/).map((c) => c.trim()).filter(Boolean).find((c) => !gtinValid(c));
      return bad ? t('invalid.barcode', { code: bad }) : null;
    }
    default:
      return null;
  }
}
