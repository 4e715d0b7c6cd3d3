import { describe, expect, it, afterEach } from 'vitest';
import { i18n } from '$lib/i18n.svelte';
import { endText, jobActivity, jobProblem, JOB_ERROR_CODES, JOB_KINDS, kindText, reasonText, stageText, stateText } from '$lib/jobs';
import type { JobEndDto, JobStage, JobStateDto, Language } from '$lib/ipc';

const stages: JobStage[] = ['downloading', 'importing', 'downloading_images', 'repricing', 'analyzing', 'exporting'];
const ends: JobEndDto[] = ['cancelled_on_request', 'cancelled_by_handler', 'cancelled_before_start'];
const states: JobStateDto[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

afterEach(() => {
  i18n.lang = 'ru';
});

describe('job words', () => {
  it('has words for every kind, state, stage and end: Russian in Cyrillic, English without', () => {
    for (const lang of ['ru', 'en'] as Language[]) {
      i18n.lang = lang;
      const words = [
        ...JOB_KINDS.map(kindText), ...states.map(stateText), ...stages.map(stageText), ...ends.map(endText),
      ];
      for (const w of words) expect(w).toMatch(lang === 'ru' ? /[а-яё]/i : /^[^а-яё]+$/i);
      expect(JOB_KINDS.map(kindText)).not.toContain(undefined);
    }
    i18n.lang = 'ru';
    expect(stageText('downloading_images')).toBe('загрузка фото товаров');
    expect(endText('cancelled_by_handler')).toBe('остановлена самой задачей');
    expect(kindText('catalog.analyze')).toBe('Проверка каталога');
    i18n.lang = 'en';
    expect(stageText('analyzing')).toBe('refreshing statistics');
    expect(kindText('import.supplier')).toBe('Supplier import');
  });

  it('shows a kind it does not know as its code', () => {
    expect(kindText('marketplace.publish')).toBe('marketplace.publish');
  });

  it('puts the stage in words before the details, which are shown as sent', () => {
    expect(jobActivity({ stage: 'importing', message: 'Поставщик' })).toBe('импорт — Поставщик');
    expect(jobActivity({ stage: null, message: 'batch 1' })).toBe('batch 1');
    expect(jobActivity({ stage: 'analyzing', message: null })).toBe('обновление статистики');
    expect(jobActivity({ stage: null, message: '' })).toBeNull();
  });

  it('words how a cancelled job ended instead of its English sentence, and keeps a failure without a code as sent', () => {
    const p = (over: Partial<Parameters<typeof jobProblem>[0]>) =>
      jobProblem({ state: 'failed', end: null, error: null, error_code: null, ...over });
    expect(p({ state: 'cancelled', end: 'cancelled_on_request', error: 'cancelled on request' })).toEqual({ text: 'отменена по запросу', details: null });
    expect(p({ state: 'cancelled', error: 'cancelled on request' })).toBeNull();
    expect(p({ error: 'the file is gone' })).toEqual({ text: 'the file is gone', details: null });
    expect(p({ state: 'succeeded' })).toBeNull();
  });

  it('words a failure from its code, with the back end sentence as details', () => {
    const sentence = "The file /x/lost.yml does not exist. Check the path in the supplier's settings, or whether the folder is connected.";
    const failed = { state: 'failed', end: null, error: sentence, error_code: 'file_missing' } as const;
    expect(jobProblem(failed)).toEqual({
      text: 'Файл не найден: проверьте путь в настройках поставщика или подключена ли папка',
      details: sentence,
    });
    // A transient failure waiting for its retry says why, too.
    expect(jobProblem({ ...failed, state: 'queued', error_code: 'timeout' })?.text).toMatch(/^Сервер не ответил вовремя/);
    i18n.lang = 'en';
    expect(jobProblem(failed)?.text).toBe("The file was not found: check the path in the supplier's settings, or whether the folder is connected");
    expect(jobProblem({ ...failed, error: null })).toEqual({ text: reasonText('file_missing'), details: null });
  });

  it('has words for every failure code: Russian in Cyrillic, English without, each its own', () => {
    expect(JOB_ERROR_CODES.length).toBeGreaterThanOrEqual(31);
    for (const lang of ['ru', 'en'] as Language[]) {
      i18n.lang = lang;
      const words = JOB_ERROR_CODES.map(reasonText);
      for (const w of words) expect(w).toMatch(lang === 'ru' ? /[а-яё]/i : /^[^а-яё]+$/i);
      expect(new Set(words).size).toBe(words.length);
    }
  });
});
