// The only module that talks to Tauri. Components import commands and types from here.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type {
  BulkEditRequest, BulkReport, FacetsDto, FieldName, HistoryEntryDto, IpcError, JobDto, JobLogDto,
  JobRequest, JobsPulse, Language, ProductDto, SecretStatus, SettingsDto, StartupState, TableInfo,
  TableQuery, TableRows, UpdateStatus,
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
  secrets: () => call<SecretStatus[]>('secrets'),
  setSecret: (name: string, value: string) => call<SecretStatus[]>('set_secret', { name, value }),
  checkUpdate: () => call<UpdateStatus>('check_update'),
  /** Tells the shell the first rows are on screen (it logs the cold-start time). */
  uiReady: () => call<void>('ui_ready'),
};

/** Coalesced job updates from the shell; returns a function that stops listening. */
export async function onJobsPulse(handler: (pulse: JobsPulse) => void): Promise<() => void> {
  return listen<JobsPulse>('jobs-pulse', (e) => handler(e.payload));
}
