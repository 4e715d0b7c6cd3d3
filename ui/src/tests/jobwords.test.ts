import { describe, expect, it, afterEach } from 'vitest';
import { i18n } from '$lib/i18n.svelte';
import { endText, jobActivity, jobProblem, JOB_KINDS, kindText, stageText, stateText } from '$lib/jobs';
import type { JobEndDto, JobStage, JobStateDto, Language } from '$lib/ipc';

const stages: JobStage[] = ['downloading', 'importing', 'downloading_images', 'repricing', 'analyzing'];
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

  it('words how a cancelled job ended instead of its English sentence, and keeps a failure as sent', () => {
    expect(jobProblem({ state: 'cancelled', end: 'cancelled_on_request', error: 'cancelled on request' })).toBe('отменена по запросу');
    expect(jobProblem({ state: 'cancelled', end: null, error: 'cancelled on request' })).toBeNull();
    expect(jobProblem({ state: 'failed', end: null, error: 'the file is gone' })).toBe('the file is gone');
    expect(jobProblem({ state: 'succeeded', end: null, error: null })).toBeNull();
  });
});
