// Small helpers of the Suppliers section.
import type { MappingDto, TargetDto } from '$lib/ipc';

/** The file name of a path, or host + last part of a link: what fits in a table cell. */
export function shortLocation(location: string): string {
  const url = /^[a-z]+:\/\/([^/?#]+)(.*)$/i.exec(location);
  if (url) {
    const last = url[2].split(/[?#]/)[0].split('/').filter(Boolean).pop();
    return last ? `${url[1]}/…/${last}` : url[1];
  }
  return location.split(/[\\/]/).pop() || location;
}

/** Targets that take one column only (a second column mapped to them is unmapped). */
const MULTI: TargetDto[] = ['barcode', 'images', 'attribute', 'ignore'];

/**
 * The mapping with `column` feeding `target` alone (`null`: the column is left unmapped). A
 * single-valued target is fed by that column only, as `vitrina suppliers map` does.
 */
export function setColumn(mapping: MappingDto, column: string, target: TargetDto | null): MappingDto {
  let fields = mapping.fields.filter((f) => f.source !== column);
  if (target === null) return { ...mapping, fields };
  if (!MULTI.includes(target)) fields = fields.filter((f) => f.target !== target);
  fields = [...fields, { source: column, target, unit: null, name: null }];
  return { ...mapping, fields };
}

/** Milliseconds as "1,2 с" / "850 мс". */
export function formatMs(ms: number | null, lang: 'ru' | 'en'): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ${lang === 'ru' ? 'мс' : 'ms'}`;
  const s = (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
  return `${lang === 'ru' ? s.replace('.', ',') : s} ${lang === 'ru' ? 'с' : 's'}`;
}
