// Jobs in the person's language. The back end sends codes — a job's kind, its state, the stage
// it is at (`JobStage`) and how a cancelled job ended (`JobEndDto`) — and details for people
// (`message`: a supplier's name, a percentage), which are shown as sent. Nothing here reads the
// back end's English sentences. Every record is over a union of codes, so a code added in Rust
// (and so in the generated types) fails the type check until it is worded here.
import type { JobDto, JobEndDto, JobStage, JobStateDto, Language } from './ipc';
import { i18n } from './i18n.svelte';

/** The kinds this version runs (`vitrina_app::kinds`); another kind shows as its code. */
export const JOB_KINDS = ['import.supplier', 'images.download', 'catalog.reprice', 'catalog.analyze'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const kinds: Record<Language, Record<JobKind, string>> = {
  ru: {
    'import.supplier': 'Импорт поставщика',
    'images.download': 'Загрузка фото товаров',
    'catalog.reprice': 'Изменение цен',
    'catalog.analyze': 'Проверка каталога',
  },
  en: {
    'import.supplier': 'Supplier import',
    'images.download': 'Product image download',
    'catalog.reprice': 'Price change',
    'catalog.analyze': 'Catalog check',
  },
};

const states: Record<Language, Record<JobStateDto, string>> = {
  ru: { queued: 'В очереди', running: 'Выполняется', succeeded: 'Готово', failed: 'Ошибка', cancelled: 'Отменена' },
  en: { queued: 'Queued', running: 'Running', succeeded: 'Done', failed: 'Failed', cancelled: 'Cancelled' },
};

const stages: Record<Language, Record<JobStage, string>> = {
  ru: {
    downloading: 'загрузка файла',
    importing: 'импорт',
    downloading_images: 'загрузка фото товаров',
    repricing: 'пересчёт цен',
    analyzing: 'обновление статистики',
  },
  en: {
    downloading: 'downloading the file',
    importing: 'importing',
    downloading_images: 'downloading product images',
    repricing: 'repricing',
    analyzing: 'refreshing statistics',
  },
};

const ends: Record<Language, Record<JobEndDto, string>> = {
  ru: {
    cancelled_on_request: 'отменена по запросу',
    cancelled_by_handler: 'остановлена самой задачей',
    cancelled_before_start: 'отменена до начала',
  },
  en: {
    cancelled_on_request: 'cancelled on request',
    cancelled_by_handler: 'stopped by the job itself',
    cancelled_before_start: 'cancelled before it started',
  },
};

function isKind(kind: string): kind is JobKind {
  return (JOB_KINDS as readonly string[]).includes(kind);
}

/** A job's kind in words ('Изменение цен'); a kind this version does not know, as its code. */
export function kindText(kind: string): string {
  return isKind(kind) ? kinds[i18n.lang][kind] : kind;
}

export function stateText(state: JobStateDto): string {
  return states[i18n.lang][state];
}

export function stageText(stage: JobStage): string {
  return stages[i18n.lang][stage];
}

export function endText(end: JobEndDto): string {
  return ends[i18n.lang][end];
}

/** What a job is doing: its stage in words, then the back end's details as sent. */
export function jobActivity(j: Pick<JobDto, 'stage' | 'message'>): string | null {
  const parts = [j.stage ? stageText(j.stage) : null, j.message || null].filter((p) => p !== null);
  return parts.length ? parts.join(' — ') : null;
}

/** Why a job did not succeed: how a cancelled job ended, in words, or the failure as sent. */
export function jobProblem(j: Pick<JobDto, 'state' | 'end' | 'error'>): string | null {
  if (j.end) return endText(j.end);
  if (j.state === 'cancelled') return null;
  return j.error;
}
