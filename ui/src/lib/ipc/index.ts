// The only module that talks to Tauri. Components import commands and types from here.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type {
  AiCheckDto, AiDecisionDto, AiItemDto, AiPromptDto, AiProviderDto, AiRunDto, AiRunRequest, AiSuggestionDto, NewAiProviderDto, RuleCheckDto,
  BulkEditRequest, BulkReport, ConnectionCheckDto, DeliverySecretInput, DocumentDto, FacetsDto, FeedInput, FeedPreviewDto,
  FeedProfileDto, FeedSelectionDto, FieldName, HistoryEntryDto, ImportReportDto, IpcError,
  JobDto, JobLogDto, JobRequest, JobsPulse, Language, MappingDto, MarketAccountDto, DictRefreshDto, MpCategoryDto, CategoryMapDto, AutoMapDto, AttrMapDto, AttrValuesDto, MpValueDto, MarketRunDto, MarketLinksDto, OutboxDto, PullCardsDto, ProductMarketDto, NewMarketAccountDto, NewSupplierRequest, PrecheckDto, PreviewDto,
  PreviewRequest, ProductDto, RunDto, SecretStatus, SettingsDto, StartupState, SupplierDetail,
  SupplierListItem, SupplierSettingsDto, TableInfo, TableQuery, TableRows, TargetInfo, UpdateStatus,
  ConflictDto, InvitationDto, MemberDto, TeamStatusDto, TeamSyncDto,
} from './types';

export type * from './types';

/** Whatever a command throws, as `{code, message}`. */
export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as IpcError;
  return { code: 'internal', message: String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const ipc = {
  startup: () => call<StartupState>('startup'),
  tableInfo: (query: TableQuery) => call<TableInfo>('table_info', { query }),
  tableRows: (query: TableQuery, position: number, count: number) =>
    call<TableRows>('table_rows', { query, position, count }),
  facets: () => call<FacetsDto>('facets'),
  bulkEdit: (request: BulkEditRequest) => call<BulkReport>('bulk_edit', { request }),
  product: (id: string) => call<ProductDto>('product', { id }),
  editField: (id: string, field: FieldName, text: string) => call<ProductDto>('edit_field', { id, field, text }),
  history: (id: string) => call<HistoryEntryDto[]>('history', { id }),
  undo: (id: string) => call<ProductDto>('undo', { id }),
  jobs: () => call<JobDto[]>('job_list'),
  jobLogs: (id: string) => call<JobLogDto[]>('job_logs', { id }),
  cancelJob: (id: string) => call<JobDto>('job_cancel', { id }),
  retryJob: (id: string) => call<JobDto>('job_retry', { id }),
  startJob: (request: JobRequest) => call<JobDto>('job_start', { request }),
  settings: () => call<SettingsDto>('settings'),
  setLanguage: (language: Language) => call<SettingsDto>('set_language', { language }),
  /** Asks for a file with the OS dialog and switches to it (the app restarts). False when cancelled. */
  chooseCatalog: (create: boolean) => call<boolean>('choose_catalog', { create }),
  openDemo: () => call<void>('open_demo'),
  teamStatus: () => call<TeamStatusDto>('team_status'),
  /** Creates a team on the server at `url` with this catalog and this person as its admin. */
  teamInit: (url: string, name: string) => call<TeamStatusDto>('team_init', { url, name }),
  /** Joins with a new catalog built from the team's; the app restarts into it. */
  teamJoin: (code: string) => call<void>('team_join', { code }),
  teamSync: () => call<TeamSyncDto>('team_sync'),
  teamInvite: (name: string, role: string) => call<InvitationDto>('team_invite', { name, role }),
  teamMembers: () => call<MemberDto[]>('team_members'),
  teamSetRole: (member: string, role: string) => call<MemberDto[]>('team_set_role', { member, role }),
  teamLeave: () => call<TeamStatusDto>('team_leave'),
  /** A product's values that lost a conflict with another device of its team. */
  conflicts: (id: string) => call<ConflictDto[]>('conflicts', { id }),
  secrets: () => call<SecretStatus[]>('secrets'),
  setSecret: (name: string, value: string) => call<SecretStatus[]>('set_secret', { name, value }),
  checkUpdate: () => call<UpdateStatus>('check_update'),
  suppliers: () => call<SupplierListItem[]>('suppliers'),
  supplier: (id: string) => call<SupplierDetail>('supplier', { id }),
  /** An empty name is taken from the file's name. */
  addSupplier: (request: NewSupplierRequest) => call<SupplierDetail>('add_supplier', { request }),
  /** Asks for a price-list file with the OS dialog; null when cancelled. */
  pickSupplierFile: () => call<string | null>('pick_supplier_file'),
  setFeed: (id: string, feed: FeedInput) => call<SupplierDetail>('set_feed', { id, feed }),
  removeFeed: (id: string, position: number) => call<SupplierDetail>('remove_feed', { id, position }),
  mappingTargets: () => call<TargetInfo[]>('mapping_targets'),
  previewFeed: (id: string, request: PreviewRequest) => call<PreviewDto>('preview_feed', { id, request }),
  saveMapping: (id: string, position: number, mapping: MappingDto) =>
    call<SupplierDetail>('save_mapping', { id, position, mapping }),
  saveSupplierSettings: (id: string, settings: SupplierSettingsDto) =>
    call<SupplierDetail>('save_supplier_settings', { id, settings }),
  /** Queues the `import.supplier` job; its progress arrives with the jobs pulse. */
  importNow: (id: string, file: string | null = null) => call<JobDto>('import_now', { id, file }),
  importRuns: (id: string | null) => call<RunDto[]>('import_runs', { id }),
  importReport: (run: string) => call<ImportReportDto>('import_report', { run }),
  /** Asks where to save the CSV and writes it; the path, or null when cancelled. */
  exportImportReport: (run: string) => call<string | null>('export_import_report', { run }),
  feedProfiles: () => call<FeedProfileDto[]>('feed_profiles'),
  /** Adds (empty `id`) or replaces a profile; `secret` only when keys or a password were typed. */
  saveFeedProfile: (profile: FeedProfileDto, secret: DeliverySecretInput | null) =>
    call<FeedProfileDto>('feed_profile_save', { profile, secret }),
  removeFeedProfile: (id: string) => call<void>('feed_profile_remove', { id }),
  /** What the profile (saved or not) would write: the first `limit` items as text. */
  feedPreview: (profile: FeedProfileDto, limit: number) => call<FeedPreviewDto>('feed_preview', { profile, limit }),
  /** Queues the `feeds.export` job for these profiles, or every enabled one with `all`. */
  exportFeeds: (profiles: string[], all: boolean) => call<JobDto>('feeds_export', { profiles, all }),
  /** Asks where a profile's file goes with the OS save dialog; null when cancelled. */
  pickFeedOutput: (format: string, current: string | null) => call<string | null>('pick_feed_output', { format, current }),
  /** Opens the folder holding `path` in the file manager. */
  openFolder: (path: string) => call<void>('open_folder', { path }),
  /** Asks where to save a price list and writes it; null when cancelled. */
  writePriceList: (format: 'pdf' | 'xlsx' | 'csv', selection: FeedSelectionDto, lang: string) =>
    call<DocumentDto | null>('price_list_write', { format, selection, lang }),
  /** Asks where to save a product's spec sheet (PDF) and writes it; null when cancelled. */
  writeSpecSheet: (id: string, lang: string) => call<DocumentDto | null>('spec_sheet_write', { id, lang }),
  /** Queues the catalog cycle: every supplier's import, then every feed. */
  runCycle: () => call<JobDto>('cycle_run'),
  cycleSchedule: () => call<string | null>('cycle_schedule'),
  /** Sets the cycle's cron expression (empty removes it); the schedule now in force. */
  setCycleSchedule: (cron: string) => call<string | null>('cycle_set_schedule', { cron }),
  marketAccounts: () => call<MarketAccountDto[]>('market_accounts'),
  /** Adds an account; its credentials go to the store of secrets and never come back. */
  addMarketAccount: (account: NewMarketAccountDto) => call<MarketAccountDto>('market_account_add', { account }),
  /** Removes the account and its stored credentials; the account as it was. */
  removeMarketAccount: (id: string) => call<MarketAccountDto>('market_account_remove', { id }),
  /** Asks the marketplace whether the credentials work, group by group; kept with the account. */
  checkMarketAccount: (id: string) => call<ConnectionCheckDto>('market_account_check', { id }),
  /** The local card pre-check for `key` (`wb`, `ozon`, `ym` or an account's name); no SKUs = the whole catalog. */
  marketPrecheck: (key: string, skus: string[] = []) => call<PrecheckDto>('market_precheck', { key, skus }),
  /** Starts a demo marketplace (`wb`, `ozon`, `ym`) on this computer and adds its account. */
  addDemoMarketAccount: (market: string) => call<MarketAccountDto>('market_account_demo', { market }),
  /** Auto-push on or off (unchanged when null) and warehouses `[name, id]` (an empty id removes one). */
  setMarketAccountSettings: (key: string, autoPush: boolean | null, warehouses: [string, string][]) =>
    call<MarketAccountDto>('market_account_settings', { key, autoPush, warehouses }),
  /** Fetches the marketplace's category tree and the attributes of the mapped categories. */
  refreshMarketDictionaries: (key: string) => call<DictRefreshDto>('market_dicts_refresh', { key }),
  marketCategories: (key: string, search: string, leavesOnly: boolean, limit: number) =>
    call<MpCategoryDto[]>('market_categories', { key, search, leavesOnly, limit }),
  marketCategoryMap: (key: string) => call<CategoryMapDto[]>('market_category_map', { key }),
  /** Maps the seller's category (id or path) to a marketplace category; null unmaps it. */
  setMarketCategory: (key: string, category: string, extId: string | null) =>
    call<CategoryMapDto>('market_category_set', { key, category, extId }),
  /** Accepts every confident suggestion: categories, then their attributes. */
  autoMapMarket: (key: string) => call<AutoMapDto>('market_auto_map', { key }),
  marketAttributes: (key: string, extId: string) => call<AttrMapDto[]>('market_attributes', { key, extId }),
  /** `source`: `field:…`, `attr:…` or `const:…`; null removes the rule. */
  setMarketAttribute: (key: string, extId: string, attrId: string, source: string | null, unitFactor: number | null = null, values: Record<string, string> = {}) =>
    call<AttrMapDto[]>('market_attribute_set', { key, extId, attrId, source, unitFactor, values }),
  /** The seller's values of a dictionary attribute and what each becomes on the card. */
  marketAttributeValues: (key: string, extId: string, attrId: string) =>
    call<AttrValuesDto>('market_attribute_values', { key, extId, attrId }),
  /** Maps one of the seller's values to a dictionary value (its id); null removes the pair. */
  setMarketValue: (key: string, extId: string, attrId: string, mine: string, theirs: string | null) =>
    call<AttrValuesDto>('market_value_set', { key, extId, attrId, mine, theirs }),
  /** Dictionary values of an attribute containing `query`. */
  marketDictionaryValues: (key: string, extId: string, attrId: string, query: string, limit: number) =>
    call<MpValueDto[]>('market_dictionary_values', { key, extId, attrId, query, limit }),
  /** Queues `market.publish` of these SKUs or product ids (every product when empty). */
  publishMarket: (key: string, skus: string[] = []) => call<JobDto>('market_publish', { key, skus }),
  /** Queues `market.push` of prices and stocks (`only`: `prices` or `stocks`). */
  pushMarket: (key: string, only: 'prices' | 'stocks' | null = null, skus: string[] = []) =>
    call<JobDto>('market_push', { key, skus, only }),
  /** What a finished marketplace job did; null while it runs or when it failed. */
  marketJobResult: (id: string) => call<MarketRunDto | null>('market_job_result', { id }),
  marketLinks: (key: string, statuses: string[], problemsOnly: boolean, reason: string | null, limit: number, offset: number) =>
    call<MarketLinksDto>('market_links', { key, statuses, problemsOnly, reason, limit, offset }),
  marketOutbox: (key: string, limit: number) => call<OutboxDto>('market_outbox', { key, limit }),
  /** Sends the rejected cards of these SKUs (all when empty) again; the queued publish, or null. */
  retryMarket: (key: string, skus: string[] = []) => call<JobDto | null>('market_retry', { key, skus }),
  /** Reads the account's existing cards and links them to products (new drafts with `importNew`). */
  pullMarketCards: (key: string, importNew: boolean) => call<PullCardsDto>('market_pull_cards', { key, importNew }),
  /** The product on every marketplace account. */
  productMarket: (sku: string) => call<ProductMarketDto[]>('product_market', { sku }),
  aiProviders: () => call<AiProviderDto[]>('ai_providers'),
  /** Adds a provider; its key goes to the system's store of secrets and never comes back. */
  addAiProvider: (provider: NewAiProviderDto) => call<AiProviderDto>('ai_provider_add', { provider }),
  /** Changes a provider (empty values keep the current ones; a key only when one is typed). */
  setAiProvider: (key: string, provider: NewAiProviderDto) => call<AiProviderDto>('ai_provider_set', { key, provider }),
  removeAiProvider: (key: string) => call<AiProviderDto>('ai_provider_remove', { key }),
  /** "Check connection": the provider's cheapest read, no tokens spent; kept with the provider. */
  checkAiProvider: (key: string) => call<AiCheckDto>('ai_provider_check', { key }),
  /** The rule checks (no model, instant) over SKUs, a category, or the whole catalog. */
  aiRuleCheck: (target: string, skus: string[] = [], category: string | null = null, extraForbidden: string[] = []) =>
    call<RuleCheckDto>('ai_rule_check', { target, skus, category, extraForbidden }),
  /** Queues `ai.moderate` or `ai.generate`; its progress arrives with the jobs pulse. */
  aiRun: (request: AiRunRequest) => call<JobDto>('ai_run', { request }),
  /** What a finished AI job did; null while it runs or when it failed. */
  aiJobResult: (id: string) => call<AiRunDto | null>('ai_job_result', { id }),
  aiRuns: (limit: number) => call<AiRunDto[]>('ai_runs', { limit }),
  aiProductResults: (sku: string, limit: number) => call<AiItemDto[]>('ai_product_results', { sku, limit }),
  /** A page of suggestions (no statuses: the pending ones), each with its per-field diff. */
  aiSuggestions: (statuses: string[], skus: string[], limit: number, offset: number) =>
    call<AiSuggestionDto[]>('ai_suggestions', { statuses, skus, limit, offset }),
  aiPendingCount: (skus: string[] = []) => call<number>('ai_pending_count', { skus }),
  /** Accepts suggestions (with `all`, every pending one of `skus`): normal catalog edits with undo. */
  acceptAiSuggestions: (ids: string[], all = false, skus: string[] = []) => call<AiDecisionDto>('ai_accept', { ids, all, skus }),
  rejectAiSuggestions: (ids: string[], all = false, skus: string[] = []) => call<AiDecisionDto>('ai_reject', { ids, all, skus }),
  aiPrompt: (task: string, target: string) => call<AiPromptDto>('ai_prompt', { task, target }),
  /** Saves a new version of a template; one with an unknown placeholder is refused. */
  saveAiPrompt: (task: string, target: string, body: string) => call<AiPromptDto>('ai_prompt_save', { task, target, body }),
  /** Tells the shell the first rows are on screen (it logs the cold-start time). */
  uiReady: () => call<void>('ui_ready'),
  /** Logs how long something took on screen (keystroke to search rows), for the benchmarks. */
  uiTiming: (what: string, ms: number) => call<void>('ui_timing', { what, ms }),
};

/** Coalesced job updates from the shell; returns a function that stops listening. */
export async function onJobsPulse(handler: (pulse: JobsPulse) => void): Promise<() => void> {
  return listen<JobsPulse>('jobs-pulse', (e) => handler(e.payload));
}
