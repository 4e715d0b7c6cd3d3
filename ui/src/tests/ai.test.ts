// The AI section: the review queue (diffs, accept and reject, all at once, paging, decision
// codes in words), providers (the add form, the key never kept, check connection, remove),
// prompts (a refused save shown), runs, and the product editor's AI block. The IPC is mocked.
import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import type { AiProviderDto, AiRunDto, AiSuggestionDto, JobsPulse } from '$lib/ipc';
import { i18n } from '$lib/i18n.svelte';
import { job } from './fixtures';

let pulses: ((p: JobsPulse) => void)[] = [];
const ipc = vi.hoisted(() => ({
  aiProviders: vi.fn(),
  addAiProvider: vi.fn(),
  setAiProvider: vi.fn(),
  removeAiProvider: vi.fn(),
  checkAiProvider: vi.fn(),
  aiRuleCheck: vi.fn(),
  aiRun: vi.fn(),
  aiJobResult: vi.fn(),
  aiRuns: vi.fn(),
  aiProductResults: vi.fn(),
  aiSuggestions: vi.fn(),
  aiPendingCount: vi.fn(),
  acceptAiSuggestions: vi.fn(),
  rejectAiSuggestions: vi.fn(),
  aiPrompt: vi.fn(),
  saveAiPrompt: vi.fn(),
  jobs: vi.fn(),
  cancelJob: vi.fn(),
  facets: vi.fn(),
  marketAccounts: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({
  ipc,
  onJobsPulse: vi.fn(async (h: (p: JobsPulse) => void) => {
    pulses.push(h);
    return () => {};
  }),
}));

import {
  DECISIONS, ERRORS, RULES, WORD_KEYS, aiErrorText, decisionSummary, decisionText, diffRuns, providerProblems, ruleText, toNewProvider,
  emptyProviderForm, at, mostlyRewritten, plainText, ruleAbout,
} from '$lib/ai';
import ReviewTab from '../components/ai/ReviewTab.svelte';
import ProvidersTab from '../components/ai/ProvidersTab.svelte';
import PromptsTab from '../components/ai/PromptsTab.svelte';
import RunsTab from '../components/ai/RunsTab.svelte';
import ProductAi from '../components/ai/ProductAi.svelte';

const NOW = 1_760_000_000_000;

function suggestion(over: Partial<AiSuggestionDto> = {}): AiSuggestionDto {
  return {
    id: 's-1', product_id: 'p-1', sku: 'SKU-1', field: 'description', old_value: 'Старое описание кроссовок',
    new_value: 'Новое описание кроссовок', task: 'generate', reason: null, model: 'fake-1', status: 'pending',
    diff: [{ op: 'removed', text: 'Старое' }, { op: 'added', text: 'Новое' }, { op: 'same', text: ' описание кроссовок' }],
    created_at: NOW, decided_at: null, ...over,
  };
}

function provider(over: Partial<AiProviderDto> = {}): AiProviderDto {
  return {
    id: 'pr-1', name: 'OpenAI', kind: 'openai', base_url: 'https://api.openai.com/v1', model: 'gpt-4o-mini', local: false, key_set: true,
    concurrency: 4, rpm: 0, timeout_secs: 60, max_attempts: 3, json_mode: 'schema', price: null, last_check: null, created_at: NOW, ...over,
  };
}

function run(over: Partial<AiRunDto> = {}): AiRunDto {
  return {
    id: 'r-1', task: 'generate', provider: 'OpenAI', model: 'gpt-4o-mini', target: 'wb', products: 12, requests: 10, cached: 2,
    failed: 1, suggestions: 9, input_tokens: 12345, output_tokens: 6789, cost: { minor: 4, currency: 'USD', text: '0,04' },
    started_at: NOW, finished_at: NOW + 5000, failures: [], flagged: [], ...over,
  };
}

const none = { accepted: [], rejected: [], failed: [] };

beforeEach(() => {
  vi.clearAllMocks();
  pulses = [];
  i18n.lang = 'ru';
  ipc.aiPendingCount.mockResolvedValue(1);
  ipc.aiSuggestions.mockResolvedValue([suggestion()]);
  ipc.aiProviders.mockResolvedValue([provider()]);
  ipc.aiProductResults.mockResolvedValue([]);
  ipc.jobs.mockResolvedValue([]);
  ipc.facets.mockResolvedValue({ categories: [
    { id: 'c1', parent: null, name: 'Обувь', depth: 0, path: 'Обувь', products: 120 },
    { id: 'c2', parent: 'c1', name: 'Кроссовки', depth: 1, path: 'Обувь / Кроссовки', products: 40 },
  ], brands: [], suppliers: [] });
  ipc.marketAccounts.mockResolvedValue([{ id: 'a1', name: 'Мой Озон', market: 'ozon' }]);
});

describe('words', () => {
  it('words every rule, error and decision code in both languages, and leaves an unknown one as it is', () => {
    for (const lang of ['ru', 'en'] as const) {
      i18n.lang = lang;
      for (const c of RULES) expect(ruleText(c)).not.toBe(c);
      for (const c of ERRORS) expect(aiErrorText(c)).not.toBe(c);
      for (const c of DECISIONS) expect(decisionText(c)).not.toBe(c);
      for (const k of WORD_KEYS) expect(at(k)).toBeTruthy();
    }
    expect(ruleText('brand_new_rule')).toBe('brand_new_rule');
    i18n.lang = 'ru';
    expect(aiErrorText('too_large')).toMatch(/слишком большая/);
  });

  it('shortens long unchanged stretches of a diff, and sums up a decision', () => {
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const [same] = diffRuns([{ op: 'same', text: long }]);
    expect(same.text).toContain('…');
    expect(same.text.length).toBeLessThan(long.length);
    expect(decisionSummary({ accepted: ['a', 'b'], rejected: [], failed: [{ id: 'c', sku: 'X', code: 'busy', message: '' }] }))
      .toBe('Принято: 2 · Не удалось: 1');
  });

  it('shows a rewritten text as before and after, and keeps only the quoted part of a rule\'s detail', () => {
    expect(mostlyRewritten([{ op: 'removed', text: 'Старый текст целиком' }, { op: 'added', text: 'Совсем новый текст' }, { op: 'same', text: 'и' }])).toBe(true);
    expect(mostlyRewritten(suggestion().diff)).toBe(false);
    expect(plainText('<p>Упаковка &quot;DeWalt&quot;</p><ul><li>12 В</li></ul>')).toBe('Упаковка "DeWalt"\n• 12 В');
    expect(ruleAbout('«лучший» appears 2 times')).toBe('«лучший»');
    expect(ruleAbout('0 pictures; cards with at least 1 sell better')).toBeNull();
  });

  it('checks the add form before sending, and sends no key for a local server', () => {
    const f = emptyProviderForm();
    expect(Object.keys(providerProblems(f)).sort()).toEqual(['key', 'model', 'name']);
    f.name = 'Ollama'; f.model = 'qwen2.5'; f.local = true; f.key = 'leftover';
    expect(providerProblems(f)).toEqual({ baseUrl: 'form.needUrl' });
    f.baseUrl = 'http://localhost:11434/v1';
    expect(providerProblems(f)).toEqual({});
    expect(toNewProvider(f)).toMatchObject({ name: 'Ollama', kind: 'openai', key: '', base_url: 'http://localhost:11434/v1', currency: null });
  });
});

describe('the review queue', () => {
  it('shows a suggestion with its diff and accepts it', async () => {
    ipc.acceptAiSuggestions.mockResolvedValue({ ...none, accepted: ['s-1'] });
    render(ReviewTab);
    const card = await screen.findByTestId('ai-suggestion');
    expect(card.querySelector('b')?.textContent).toBe('Описание');
    const diff = within(card).getByTestId('ai-diff');
    expect(diff.querySelector('del')?.textContent).toBe('Старое');
    expect(diff.querySelector('ins')?.textContent).toBe('Новое');
    ipc.aiSuggestions.mockResolvedValue([]);
    ipc.aiPendingCount.mockResolvedValue(0);
    await fireEvent.click(within(card).getByTestId('ai-accept'));
    expect(ipc.acceptAiSuggestions).toHaveBeenCalledWith(['s-1']);
    expect(await screen.findByTestId('ai-decision')).toHaveTextContent('Принято: 1');
    expect(await screen.findByTestId('ai-review-empty')).toBeInTheDocument();
  });

  it('says in words why a suggestion was not accepted', async () => {
    ipc.acceptAiSuggestions.mockResolvedValue({ ...none, failed: [{ id: 's-1', sku: 'SKU-1', code: 'changed_since', message: 'description of SKU-1 changed' }] });
    render(ReviewTab);
    await fireEvent.click(await screen.findByTestId('ai-accept'));
    expect(await screen.findByTestId('ai-decision-failed')).toHaveTextContent('Поле изменили после предложения');
  });

  it('rejects one, and accepts every waiting one after a confirmation', async () => {
    ipc.rejectAiSuggestions.mockResolvedValue({ ...none, rejected: ['s-1'] });
    ipc.acceptAiSuggestions.mockResolvedValue({ ...none, accepted: ['s-1', 's-2'] });
    ipc.aiPendingCount.mockResolvedValue(2);
    render(ReviewTab);
    await fireEvent.click(await screen.findByTestId('ai-reject'));
    expect(ipc.rejectAiSuggestions).toHaveBeenCalledWith(['s-1']);
    await fireEvent.click(await screen.findByTestId('ai-accept-all'));
    expect(ipc.acceptAiSuggestions).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('ai-confirm'));
    expect(ipc.acceptAiSuggestions).toHaveBeenCalledWith([], true);
  });

  it('pages a long queue and filters by status', async () => {
    ipc.aiSuggestions.mockImplementation(async (_s: string[], _k: string[], limit: number, offset: number) =>
      Array.from({ length: Math.min(limit, 45 - offset) }, (_, i) => suggestion({ id: `s-${offset + i}`, sku: `SKU-${offset + i}` })));
    ipc.aiPendingCount.mockResolvedValue(45);
    render(ReviewTab);
    await waitFor(() => expect(screen.getAllByTestId('ai-suggestion')).toHaveLength(20));
    expect(ipc.aiSuggestions).toHaveBeenLastCalledWith(['pending'], [], 21, 0);
    await fireEvent.click(screen.getByTestId('ai-next'));
    await waitFor(() => expect(ipc.aiSuggestions).toHaveBeenLastCalledWith(['pending'], [], 21, 20));
    await fireEvent.change(screen.getByTestId('ai-status'), { target: { value: 'accepted' } });
    await waitFor(() => expect(ipc.aiSuggestions).toHaveBeenLastCalledWith(['accepted'], [], 21, 0));
  });
});

describe('providers', () => {
  it('adds a provider: the key goes out once and the form forgets it', async () => {
    ipc.aiProviders.mockResolvedValueOnce([]);
    ipc.addAiProvider.mockResolvedValue(provider());
    render(ProvidersTab);
    await screen.findByTestId('ai-providers-empty');
    await fireEvent.click(screen.getByTestId('ai-provider-add'));
    await fireEvent.click(screen.getByTestId('ai-form-save'));
    expect(ipc.addAiProvider).not.toHaveBeenCalled();
    expect(screen.getByText('Вставьте ключ API')).toBeInTheDocument();
    await fireEvent.input(screen.getByTestId('ai-form-name'), { target: { value: 'OpenAI' } });
    await fireEvent.input(screen.getByTestId('ai-form-model'), { target: { value: 'gpt-4o-mini' } });
    await fireEvent.input(screen.getByTestId('ai-form-key'), { target: { value: 'sk-secret' } });
    await fireEvent.click(screen.getByTestId('ai-form-save'));
    await waitFor(() => expect(ipc.addAiProvider).toHaveBeenCalledWith(expect.objectContaining({ name: 'OpenAI', key: 'sk-secret', kind: 'openai' })));
    const card = await screen.findByTestId('ai-provider');
    expect(card).toHaveTextContent('Ключ сохранён');
    expect(document.body.textContent).not.toContain('sk-secret');
  });

  it('changes a provider: its fields come into the form, a blank key keeps the stored one', async () => {
    ipc.setAiProvider.mockResolvedValue(provider({ model: 'gpt-4.1-mini' }));
    render(ProvidersTab);
    await fireEvent.click(await screen.findByTestId('ai-provider-edit'));
    expect(screen.getByText('Изменить провайдера')).toBeInTheDocument();
    expect(screen.getByTestId('ai-form-name')).toHaveValue('OpenAI');
    expect(screen.getByTestId('ai-form-kind')).toBeDisabled();
    await fireEvent.input(screen.getByTestId('ai-form-model'), { target: { value: 'gpt-4.1-mini' } });
    await fireEvent.click(screen.getByTestId('ai-form-save'));
    await waitFor(() => expect(ipc.setAiProvider).toHaveBeenCalledWith('pr-1', expect.objectContaining({ model: 'gpt-4.1-mini', key: '' })));
    expect(ipc.addAiProvider).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId('ai-provider-form')).not.toBeInTheDocument());
  });

  it('checks the connection and words a failure, the provider\'s sentence as details', async () => {
    ipc.checkAiProvider.mockResolvedValue({ ok: false, outcome: 'unauthorized', detail: 'Incorrect API key provided', checked_at: NOW, millis: 120 });
    render(ProvidersTab);
    await fireEvent.click(await screen.findByTestId('ai-provider-check-now'));
    const line = await screen.findByTestId('ai-provider-check');
    await waitFor(() => expect(line).toHaveAttribute('data-ok', 'false'));
    expect(line).toHaveTextContent('Провайдер не принял ключ');
    expect(line).toHaveTextContent('Incorrect API key provided');
  });

  it('removes a provider only after a confirmation', async () => {
    ipc.removeAiProvider.mockResolvedValue(provider());
    render(ProvidersTab);
    await fireEvent.click(await screen.findByTestId('ai-provider-remove'));
    expect(ipc.removeAiProvider).not.toHaveBeenCalled();
    ipc.aiProviders.mockResolvedValue([]);
    await fireEvent.click(screen.getByTestId('ai-provider-remove-yes'));
    expect(ipc.removeAiProvider).toHaveBeenCalledWith('pr-1');
    expect(await screen.findByTestId('ai-providers-empty')).toBeInTheDocument();
  });
});

describe('prompts and runs', () => {
  it('shows a refused save', async () => {
    ipc.aiPrompt.mockResolvedValue({ task: 'moderate', target: 'any', version: 0, body: 'Проверь {{name}}', placeholders: ['{{name}}', '{{description}}'] });
    ipc.saveAiPrompt.mockRejectedValue({ code: 'invalid', message: 'unknown placeholder {{nme}}; known: {{name}}, {{description}}' });
    render(PromptsTab);
    const body = await screen.findByTestId('ai-prompt-body');
    expect(screen.getByText('{{description}}')).toBeInTheDocument();
    await fireEvent.input(body, { target: { value: 'Проверь {{nme}}' } });
    await fireEvent.click(screen.getByTestId('ai-prompt-save'));
    expect(ipc.saveAiPrompt).toHaveBeenCalledWith('moderate', 'any', 'Проверь {{nme}}');
    expect(await screen.findByTestId('ai-prompt-error')).toHaveTextContent('{{nme}}');
  });

  it('starts a check of a category or of an account\'s error inbox from the Runs tab', async () => {
    ipc.aiRuns.mockResolvedValue([]);
    ipc.aiRun.mockResolvedValue(job({ kind: 'ai.moderate' }));
    render(RunsTab);
    const scope = await screen.findByTestId('ai-run-scope');
    await fireEvent.change(await screen.findByTestId('ai-run-category'), { target: { value: 'Обувь / Кроссовки' } });
    await fireEvent.click(screen.getByTestId('ai-run-start'));
    await waitFor(() => expect(ipc.aiRun).toHaveBeenCalledTimes(1));
    expect(ipc.aiRun.mock.calls[0][0]).toMatchObject({ task: 'moderate', provider: provider().id, category: 'Обувь / Кроссовки', inbox: null, skus: [] });
    expect(await screen.findByTestId('ai-run-queued')).toBeInTheDocument();

    await fireEvent.change(scope, { target: { value: 'inbox' } });
    await fireEvent.click(screen.getByTestId('ai-run-start'));
    await waitFor(() => expect(ipc.aiRun).toHaveBeenCalledTimes(2));
    expect(ipc.aiRun.mock.calls[1][0]).toMatchObject({ category: null, inbox: 'Мой Озон' });
  });

  it('lists runs with tokens and the estimated cost', async () => {
    ipc.aiRuns.mockResolvedValue([run(), run({ id: 'r-2', cost: null, task: 'moderate', target: 'any' })]);
    render(RunsTab);
    const rows = await screen.findAllByTestId('ai-run');
    expect(rows[0]).toHaveTextContent('Написание описаний');
    expect(rows[0]).toHaveTextContent('Wildberries');
    expect(rows[0].textContent?.replace(/\s/g, '')).toContain('12345/6789');
    expect(rows[0]).toHaveTextContent('≈ 0,04 USD');
    expect(rows[1]).toHaveTextContent('цена не задана');
  });
});

describe('the product editor\'s AI block', () => {
  it('checks the rules at once, then queues the model and follows it', async () => {
    ipc.aiRuleCheck.mockResolvedValue({
      target: 'any', checked: 1, with_issues: 1, required_from_account: null, counts: [], millis: 3,
      products: [{ sku: 'SKU-1', name: 'Кроссовки', issues: [{ code: 'description_too_short', field: 'description', severity: 'warning', detail: '12 < 100' }] }],
    });
    ipc.aiRun.mockResolvedValue(job({ id: 'j-ai', kind: 'ai.moderate', state: 'queued' }));
    ipc.aiSuggestions.mockResolvedValue([]);
    render(ProductAi, { sku: 'SKU-1' });
    await waitFor(() => expect(screen.getByTestId('pa-write')).toBeInTheDocument());
    await fireEvent.click(screen.getByTestId('pa-check'));
    expect(await screen.findByTestId('pa-rules')).toHaveTextContent('Описание слишком короткое');
    expect(ipc.aiRuleCheck).toHaveBeenCalledWith('any', ['SKU-1']);
    await waitFor(() => expect(ipc.aiRun).toHaveBeenCalledWith(expect.objectContaining({ task: 'moderate', skus: ['SKU-1'], provider: 'pr-1' })));
    expect(await screen.findByTestId('pa-job')).toBeInTheDocument();
    ipc.aiProductResults.mockResolvedValue([{ sku: 'SKU-1', state: 'issues', cached: false, issues: [{ field: 'name', severity: 'warning', message: 'Нет цвета в названии' }], error_code: null, error: null, raw: null }]);
    pulses.forEach((h) => h({ jobs: [job({ id: 'j-ai', kind: 'ai.moderate', state: 'succeeded', finished_at: NOW })], catalog_changed: false } as JobsPulse));
    expect(await screen.findByTestId('pa-latest')).toHaveTextContent('Нет цвета в названии');
    expect(screen.queryByTestId('pa-job')).toBeNull();
  });

  it('writes a description and accepts it right there', async () => {
    ipc.aiSuggestions.mockResolvedValue([]);
    ipc.aiRun.mockResolvedValue(job({ id: 'j-gen', kind: 'ai.generate', state: 'queued' }));
    ipc.acceptAiSuggestions.mockResolvedValue({ ...none, accepted: ['s-1'] });
    const onChanged = vi.fn();
    render(ProductAi, { sku: 'SKU-1', onChanged });
    await fireEvent.click(await screen.findByTestId('pa-write'));
    expect(ipc.aiRun).toHaveBeenCalledWith(expect.objectContaining({ task: 'generate', skus: ['SKU-1'], language: 'русский' }));
    ipc.aiSuggestions.mockResolvedValue([suggestion({ old_value: '' })]);
    pulses.forEach((h) => h({ jobs: [job({ id: 'j-gen', kind: 'ai.generate', state: 'succeeded', finished_at: NOW })], catalog_changed: false } as JobsPulse));
    const card = await screen.findByTestId('ai-suggestion');
    expect(card).toHaveTextContent('Новое описание кроссовок');
    ipc.aiSuggestions.mockResolvedValue([]);
    await fireEvent.click(within(card).getByTestId('ai-accept'));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    await waitFor(() => expect(screen.queryByTestId('ai-suggestion')).toBeNull());
  });

  it('words a product\'s failure from its code, and hides the model buttons without a provider', async () => {
    ipc.aiProviders.mockResolvedValue([]);
    ipc.aiSuggestions.mockResolvedValue([]);
    ipc.aiProductResults.mockResolvedValue([{ sku: 'SKU-1', state: 'failed', cached: false, issues: [], error_code: 'key_missing', error: 'no key', raw: null }]);
    render(ProductAi, { sku: 'SKU-1' });
    expect(await screen.findByTestId('pa-latest')).toHaveTextContent('Ключ не сохранён');
    expect(screen.queryByTestId('pa-write')).toBeNull();
    expect(screen.getByText(/добавьте провайдера/)).toBeInTheDocument();
  });
});
