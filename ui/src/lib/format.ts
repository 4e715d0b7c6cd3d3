import type { Language } from '$lib/ipc';

const nf = new Map<Language, Intl.NumberFormat>();

export function formatCount(n: number, lang: Language): string {
  let f = nf.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US');
    nf.set(lang, f);
  }
  return f.format(n).replace(/\u00a0|\u202f/g, ' ');
}

export function formatDate(ms: number, lang: Language): string {
  return new Date(ms).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    day: '2-digit', month: '2-digit', year: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

export function formatDuration(seconds: number, lang: Language): string {
  if (!isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const [hh, mm, ss] = lang === 'ru' ? ['ч', 'мин', 'с'] : ['h', 'min', 's'];
  if (h > 0) return `${h} ${hh} ${m % 60} ${mm}`;
  if (m > 0) return `${m} ${mm} ${s % 60} ${ss}`;
  return `${s} ${ss}`;
}
