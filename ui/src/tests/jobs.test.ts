import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import type { JobsPulse } from '$lib/ipc';
import { job } from './fixtures';
import { i18n } from '$lib/i18n.svelte';

let pulse: ((p: JobsPulse) => void) | null = null;
const ipc = vi.hoisted(() => ({ jobs: vi.fn(), jobLogs: vi.fn(), cancelJob: vi.fn(), retryJob: vi.fn(), startJob: vi.fn() }));
vi.mock('$lib/ipc', () => ({
  ipc,
  onJobsPulse: vi.fn(async (h: (p: JobsPulse) => void) => {
    pulse = h;
    return () => {};
  }),
}));

import JobsView from '../components/jobs/JobsView.svelte';

beforeEach(() => {
  ipc.jobs.mockReset().mockResolvedValue([job(), job({ id: 'job-2', state: 'failed', error: 'the file is gone', finished_at: 1_005_000 })]);
  ipc.jobLogs.mockReset().mockResolvedValue([{ seq: 1, at: 1_000_500, level: 'info', message: 'started 1000 products' }]);
  ipc.cancelJob.mockReset().mockResolvedValue(job({ cancel_requested: true }));
  ipc.retryJob.mockReset().mockResolvedValue(job({ id: 'job-2', state: 'queued' }));
  ipc.startJob.mockReset().mockResolvedValue(job({ id: 'job-3', state: 'queued', done: 0 }));
});

describe('jobs panel', () => {
  it('shows progress, rate and time left, and follows live updates', async () => {
    // 10 s after start, 250 of 1000 done: 25/s, 30 s left.
    render(JobsView, { now: () => 1_010_000 });
    expect(await screen.findByText('25/с')).toBeInTheDocument();
    expect(screen.getAllByText('250 / 1 000').length).toBeGreaterThan(0);
    expect(screen.getByTestId('eta')).toHaveTextContent('осталось 30 с');
    expect(screen.getAllByRole('progressbar')[0]).toHaveAttribute('aria-valuenow', '25');
    expect(screen.getByText('the file is gone')).toBeInTheDocument();
    pulse!({ jobs: [job({ done: 500 })], logs: [], catalog_changed: false });
    await waitFor(() => expect(screen.getAllByRole('progressbar')[0]).toHaveAttribute('aria-valuenow', '50'));
  });

  it('cancels, retries, starts jobs and shows a log', async () => {
    render(JobsView, { now: () => 1_010_000 });
    await screen.findByText('25/с');
    await fireEvent.click(screen.getByRole('button', { name: 'Отменить' }));
    expect(ipc.cancelJob).toHaveBeenCalledWith('job-1');
    await fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
    expect(ipc.retryJob).toHaveBeenCalledWith('job-2');
    await fireEvent.click(screen.getByRole('button', { name: 'Изменить все цены на %' }));
    expect(ipc.startJob).toHaveBeenCalledWith({ kind: 'reprice', percent: 10, brand: null });
    await fireEvent.click(screen.getAllByRole('button', { name: 'Журнал' })[0]);
    expect(await screen.findByTestId('log')).toHaveTextContent('started 1000 products');
  });

  it('says in Russian when the catalog is busy with an import, and words other errors with the back end’s sentence as details', async () => {
    ipc.retryJob.mockRejectedValueOnce({ code: 'busy', message: 'the catalog is busy with a long change' });
    render(JobsView, { now: () => 1_010_000 });
    await screen.findByText('25/с');
    await fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
    expect(await screen.findByText(/Каталог занят долгим изменением/)).toBeInTheDocument();
    ipc.retryJob.mockRejectedValueOnce({ code: 'conflict', message: 'job x is running; only failed or cancelled jobs can be retried' });
    await fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
    expect(await screen.findByText(/only failed or cancelled jobs can be retried/)).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/^Сейчас это сделать нельзя/);
  });

  it('words stages, ends and kinds from their codes and shows details as sent', async () => {
    ipc.jobs.mockResolvedValue([
      job({ kind: 'import.supplier', stage: 'importing', message: 'ООО Поставщик' }),
      job({
        id: 'job-2', kind: 'import.supplier', state: 'cancelled', stage: 'downloading', message: null,
        error: 'cancelled on request', end: 'cancelled_on_request', finished_at: 1_005_000,
      }),
      job({ id: 'job-3', kind: 'marketplace.publish', state: 'failed', stage: null, message: null, error: 'the server said no', finished_at: 1_005_000 }),
    ]);
    render(JobsView, { now: () => 1_010_000 });
    expect(await screen.findByText('импорт — ООО Поставщик')).toBeInTheDocument();
    expect(screen.getByText('загрузка файла')).toBeInTheDocument();
    expect(screen.getByText('отменена по запросу')).toBeInTheDocument();
    expect(screen.queryByText('cancelled on request')).not.toBeInTheDocument();
    expect(screen.getAllByText('Импорт поставщика')).toHaveLength(2);
    expect(screen.getByText('marketplace.publish')).toBeInTheDocument();
    expect(screen.getByText('the server said no')).toBeInTheDocument();
    expect(screen.getByText('Отменена')).toBeInTheDocument();
  });

  it('words a failure from its code and shows the back end sentence as details', async () => {
    const sentence = "The file /x/lost.yml does not exist. Check the path in the supplier's settings, or whether the folder is connected.";
    ipc.jobs.mockResolvedValue([
      job({ kind: 'import.supplier', state: 'failed', error: sentence, error_code: 'file_missing', finished_at: 1_005_000 }),
    ]);
    render(JobsView, { now: () => 1_010_000 });
    const problem = await screen.findByTestId('problem');
    expect(problem).toHaveTextContent(/^Файл не найден: проверьте путь в настройках поставщика/);
    expect(screen.getByTestId('problem-details')).toHaveTextContent(sentence);
    expect(problem).toHaveAttribute('title', sentence);
  });

  it('words them in English when English is chosen', async () => {
    i18n.lang = 'en';
    try {
      ipc.jobs.mockResolvedValue([
        job({ stage: 'repricing', message: '+10%' }),
        job({ id: 'job-2', kind: 'images.download', state: 'cancelled', stage: 'downloading_images', end: 'cancelled_before_start', error: 'x', finished_at: 1_005_000 }),
        job({ id: 'job-3', kind: 'catalog.reprice', state: 'failed', error: 'percent must be above -100 and at most 1000, not -150', error_code: 'percent_out_of_range', finished_at: 1_005_000 }),
      ]);
      render(JobsView, { now: () => 1_010_000 });
      expect(await screen.findByText('repricing — +10%')).toBeInTheDocument();
      expect(screen.getAllByText('Price change')).toHaveLength(2);
      expect(screen.getByText('Product image download')).toBeInTheDocument();
      expect(screen.getByText('cancelled before it started')).toBeInTheDocument();
      expect(screen.getByText('Cancelled')).toBeInTheDocument();
      expect(screen.getByText('A price change must be above −100 % and at most 1000 %')).toBeInTheDocument();
      expect(screen.getByText('percent must be above -100 and at most 1000, not -150')).toBeInTheDocument();
    } finally {
      i18n.lang = 'ru';
    }
  });
});
