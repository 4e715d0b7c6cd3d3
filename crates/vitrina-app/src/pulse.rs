//! What the window hears from the job worker: its events recorded as they come and handed over
//! coalesced once a tick ([`TICK`]), as one [`JobsPulse`] (each changed job once, read as it
//! is now; the log lines in order; whether the catalog changed) and the desktop notifications
//! for the jobs that finished, worded in the person's language from codes (the job's kind,
//! state, end and failure reason), never from the back end's English sentences.
//!
//! The shell only forwards: it passes each event to [`Pulse::record`], calls [`Pulse::tick`]
//! every [`TICK`], emits the pulse and shows the notifications.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use crate::ipc::{JobDto, JobEndDto, JobErrorCode, JobLogDto, JobLogEntry, JobStateDto, JobsPulse, Language};
use crate::jobs::{JobEvent, JobState};
use crate::session::Session;

/// How often the window hears about jobs, at most.
pub const TICK: Duration = Duration::from_millis(250);

/// More jobs than this finishing within one tick get one notification between them.
pub const MAX_NOTICES: usize = 3;

/// The job worker's events since the last tick.
#[derive(Debug, Default)]
pub struct Pulse {
    pending: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    /// Jobs whose record changed (ids sort by creation: UUIDv7).
    jobs: BTreeSet<String>,
    logs: Vec<JobLogEntry>,
    catalog_changed: bool,
    finished: Vec<Finished>,
}

/// A job's end as its event told it (its record, read at the tick, also says how it ended).
#[derive(Debug)]
struct Finished {
    id: String,
    kind: String,
    state: JobState,
}

/// What one tick hands to the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Beat {
    pub pulse: JobsPulse,
    pub notices: Vec<Notice>,
}

/// A desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// Whether a job that ended so may have changed what the catalog table shows: every job that
/// succeeded (an import, the images it fetched), and any `catalog.*` job however it ended (a
/// reprice keeps the batches it committed before it failed or was cancelled).
pub fn changes_catalog(kind: &str, state: JobState) -> bool {
    state == JobState::Succeeded || kind.starts_with("catalog.")
}

impl Pulse {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes one event of the worker; cheap, so the worker's task is never held up.
    pub fn record(&self, event: &JobEvent) {
        let Ok(mut p) = self.pending.lock() else { return };
        match event {
            // A log line changes nothing in the job's record: it travels on its own.
            JobEvent::Log { id, line } => {
                p.logs.push(JobLogEntry { job: id.to_string(), line: JobLogDto::from(line) });
            }
            JobEvent::Finished { id, kind, state, .. } => {
                p.jobs.insert(id.to_string());
                p.catalog_changed |= changes_catalog(kind, *state);
                p.finished.push(Finished { id: id.to_string(), kind: kind.clone(), state: *state });
            }
            JobEvent::Queued { id, .. }
            | JobEvent::Started { id, .. }
            | JobEvent::Progress { id, .. }
            | JobEvent::Retrying { id, .. }
            | JobEvent::Requeued { id, .. } => {
                p.jobs.insert(id.to_string());
            }
            JobEvent::ScheduleTick { .. } => {}
        }
    }

    /// What happened since the last tick (`None` if nothing did): each changed job read once
    /// through the session, and notifications in the language of the settings.
    pub fn tick(&self, session: &Session) -> Option<Beat> {
        self.tick_with(|id| session.job(id).ok(), || session.settings().language)
    }

    /// As [`Pulse::tick`], reading jobs with `read` (a job that cannot be read any more is
    /// left out) and asking for the language only when there is something to word.
    pub fn tick_with(
        &self,
        mut read: impl FnMut(&str) -> Option<JobDto>,
        language: impl FnOnce() -> Language,
    ) -> Option<Beat> {
        let batch = std::mem::take(&mut *self.pending.lock().ok()?);
        if batch.jobs.is_empty() && batch.logs.is_empty() {
            return None;
        }
        let jobs: Vec<JobDto> = batch.jobs.iter().filter_map(|id| read(id)).collect();
        let notices = if batch.finished.is_empty() {
            Vec::new()
        } else {
            let ends: Vec<Ending> = batch
                .finished
                .iter()
                .map(|f| match jobs.iter().find(|j| j.id == f.id) {
                    Some(j) => {
                        Ending { kind: j.kind.clone(), state: j.state, end: j.end, reason: j.error_code }
                    }
                    None => Ending { kind: f.kind.clone(), state: f.state.into(), end: None, reason: None },
                })
                .collect();
            notices(&ends, language())
        };
        Some(Beat {
            pulse: JobsPulse { jobs, logs: batch.logs, catalog_changed: batch.catalog_changed },
            notices,
        })
    }
}

/// How one job ended, in codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub kind: String,
    pub state: JobStateDto,
    pub end: Option<JobEndDto>,
    /// Why a failed job failed, when its handler named the reason.
    pub reason: Option<JobErrorCode>,
}

/// The notifications for jobs that finished within one tick: one each, or one between them
/// when more than [`MAX_NOTICES`] did.
pub fn notices(ends: &[Ending], lang: Language) -> Vec<Notice> {
    if ends.len() <= MAX_NOTICES {
        return ends.iter().map(|e| notice(e, lang)).collect();
    }
    let count = |s: JobStateDto| ends.iter().filter(|e| e.state == s).count();
    let (done, failed, cancelled) =
        (count(JobStateDto::Succeeded), count(JobStateDto::Failed), count(JobStateDto::Cancelled));
    let body = match lang {
        Language::Ru => format!(
            "Завершено задач: {} — выполнено {done}, с ошибкой {failed}, отменено {cancelled}",
            ends.len()
        ),
        Language::En => {
            format!("{} jobs finished: {done} done, {failed} failed, {cancelled} cancelled", ends.len())
        }
    };
    vec![Notice { title: TITLE.to_string(), body }]
}

const TITLE: &str = "Vitrina";

/// The notification for one finished job.
pub fn notice(e: &Ending, lang: Language) -> Notice {
    let kind = kind_words(&e.kind, lang);
    let body = match lang {
        Language::Ru => match (e.state, e.end) {
            (JobStateDto::Succeeded, _) => format!("Задача «{kind}» выполнена"),
            (JobStateDto::Failed, _) => match e.reason {
                Some(r) => format!("Задача «{kind}» не выполнена: {}", reason_words(r, lang)),
                None => format!("Задача «{kind}» не выполнена: причина — в разделе «Задачи»"),
            },
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledOnRequest)) => {
                format!("Задача «{kind}» отменена по запросу")
            }
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledByHandler)) => {
                format!("Задача «{kind}» остановлена")
            }
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledBeforeStart)) => {
                format!("Задача «{kind}» отменена до начала")
            }
            (JobStateDto::Cancelled, None) => format!("Задача «{kind}» отменена"),
            (JobStateDto::Queued, _) => format!("Задача «{kind}» в очереди"),
            (JobStateDto::Running, _) => format!("Задача «{kind}» выполняется"),
        },
        Language::En => match (e.state, e.end) {
            (JobStateDto::Succeeded, _) => format!("{kind}: done"),
            (JobStateDto::Failed, _) => match e.reason {
                Some(r) => format!("{kind} failed: {}", reason_words(r, lang)),
                None => format!("{kind} failed: the reason is under Jobs"),
            },
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledOnRequest)) => {
                format!("{kind} was cancelled on request")
            }
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledByHandler)) => format!("{kind} stopped"),
            (JobStateDto::Cancelled, Some(JobEndDto::CancelledBeforeStart)) => {
                format!("{kind} was cancelled before it started")
            }
            (JobStateDto::Cancelled, None) => format!("{kind} was cancelled"),
            (JobStateDto::Queued, _) => format!("{kind}: queued"),
            (JobStateDto::Running, _) => format!("{kind}: running"),
        },
    };
    Notice { title: TITLE.to_string(), body }
}

/// A failure's reason in a few words, for a notification (the jobs panel words it at length,
/// `ui/src/lib/jobs.ts`).
pub fn reason_words(reason: JobErrorCode, lang: Language) -> &'static str {
    use JobErrorCode as C;
    match (reason, lang) {
        (C::NotFound, Language::Ru) => "по ссылке ничего нет",
        (C::NotFound, Language::En) => "nothing was found at the link",
        (C::AccessDenied, Language::Ru) => "сервер отказал в доступе",
        (C::AccessDenied, Language::En) => "the server refused access",
        (C::ServerError, Language::Ru) => "сбой сервера поставщика",
        (C::ServerError, Language::En) => "the supplier's server failed",
        (C::UnexpectedStatus, Language::Ru) => "сервер ответил ошибкой",
        (C::UnexpectedStatus, Language::En) => "the server answered with an error",
        (C::Timeout, Language::Ru) => "сервер не ответил вовремя",
        (C::Timeout, Language::En) => "the server did not answer in time",
        (C::ConnectionFailed, Language::Ru) => "не удалось подключиться к серверу",
        (C::ConnectionFailed, Language::En) => "could not connect to the server",
        (C::DownloadInterrupted, Language::Ru) => "загрузка прервалась",
        (C::DownloadInterrupted, Language::En) => "the download broke off",
        (C::BadRedirect, Language::Ru) => "ссылка перенаправляет неправильно",
        (C::BadRedirect, Language::En) => "the link redirects wrongly",
        (C::SourceSettingsInvalid, Language::Ru) => "настройки источника не годятся",
        (C::SourceSettingsInvalid, Language::En) => "the feed's settings are not valid",
        (C::SecretMissing, Language::Ru) => "нет пароля или токена для входа",
        (C::SecretMissing, Language::En) => "no password or token to sign in",
        (C::SecretUnreadable, Language::Ru) => "не удалось прочитать пароль или токен",
        (C::SecretUnreadable, Language::En) => "the password or token could not be read",
        (C::TooLarge, Language::Ru) => "файл больше ограничения",
        (C::TooLarge, Language::En) => "the file is over the size limit",
        (C::FileEmpty, Language::Ru) => "файл пустой",
        (C::FileEmpty, Language::En) => "the file is empty",
        (C::ArchiveDamaged, Language::Ru) => "архив повреждён",
        (C::ArchiveDamaged, Language::En) => "the archive is damaged",
        (C::ArchiveWithoutFeed, Language::Ru) => "в архиве нет прайс-листа",
        (C::ArchiveWithoutFeed, Language::En) => "there is no price list in the archive",
        (C::ArchiveUnsupported, Language::Ru) => "архив не распаковать",
        (C::ArchiveUnsupported, Language::En) => "the archive cannot be unpacked",
        (C::FileMissing, Language::Ru) => "файл не найден",
        (C::FileMissing, Language::En) => "the file was not found",
        (C::FileUnreadable, Language::Ru) => "файл не читается",
        (C::FileUnreadable, Language::En) => "the file cannot be read",
        (C::CacheWriteFailed, Language::Ru) => "не удалось сохранить файл на диск",
        (C::CacheWriteFailed, Language::En) => "the file could not be saved on disk",
        (C::NoFeed, Language::Ru) => "у поставщика нет файла или ссылки",
        (C::NoFeed, Language::En) => "the supplier has no file or link",
        (C::ImportSettingsInvalid, Language::Ru) => "настройки импорта повреждены",
        (C::ImportSettingsInvalid, Language::En) => "the import settings are damaged",
        (C::NotAFeed, Language::Ru) => "это не прайс-лист",
        (C::NotAFeed, Language::En) => "this is not a price list",
        (C::FeedEmpty, Language::Ru) => "в файле нет товаров",
        (C::FeedEmpty, Language::En) => "there are no products in the file",
        (C::FeedLayoutMismatch, Language::Ru) => "товары не там, где указано в настройках",
        (C::FeedLayoutMismatch, Language::En) => "the items are not where the settings say",
        (C::FeedEncoding, Language::Ru) => "не та кодировка файла",
        (C::FeedEncoding, Language::En) => "the file is in another encoding",
        (C::FeedUnreadable, Language::Ru) => "файл повреждён",
        (C::FeedUnreadable, Language::En) => "the file is damaged",
        (C::CatalogError, Language::Ru) => "ошибка каталога",
        (C::CatalogError, Language::En) => "the catalog could not be read or written",
        (C::Cancelled, Language::Ru) => "работа отменена",
        (C::Cancelled, Language::En) => "the work was cancelled",
        (C::PercentOutOfRange, Language::Ru) => "изменение цены вне допустимых пределов",
        (C::PercentOutOfRange, Language::En) => "the price change is out of range",
        (C::ExportFailed, Language::Ru) => "не все фиды выгрузились",
        (C::ExportFailed, Language::En) => "some feeds failed to export",
        (C::NothingToExport, Language::Ru) => "нет включённых профилей фидов",
        (C::NothingToExport, Language::En) => "no feed profile is enabled",
        (C::CycleStepFailed, Language::Ru) => "шаг цикла не удался, цикл остановлен",
        (C::CycleStepFailed, Language::En) => "a step of the cycle failed; the cycle stopped",
        (C::MarketCredentialsMissing, Language::Ru) => "не сохранён ключ API маркетплейса",
        (C::MarketCredentialsMissing, Language::En) => "no marketplace API key is saved",
        (C::MarketUnauthorized, Language::Ru) => "маркетплейс не принимает ключ API",
        (C::MarketUnauthorized, Language::En) => "the marketplace does not accept the API key",
        (C::MarketForbidden, Language::Ru) => "у ключа API нет доступа к методу",
        (C::MarketForbidden, Language::En) => "the API key has no access to the method",
        (C::MarketOwnedElsewhere, Language::Ru) => "маркетплейсами команды занимается другое устройство",
        (C::MarketOwnedElsewhere, Language::En) => "another device of the team owns the marketplaces",
        (C::MarketRateLimited, Language::Ru) => "маркетплейс просит подождать",
        (C::MarketRateLimited, Language::En) => "the marketplace asks to slow down",
        (C::MarketRejected, Language::Ru) => "маркетплейс отклонил запрос",
        (C::MarketRejected, Language::En) => "the marketplace refused the request",
        (C::MarketUnreachable, Language::Ru) => "маркетплейс недоступен",
        (C::MarketUnreachable, Language::En) => "the marketplace could not be reached",
        (C::MarketSettingsInvalid, Language::Ru) => "не хватает настроек аккаунта маркетплейса",
        (C::MarketSettingsInvalid, Language::En) => "the marketplace account's settings are incomplete",
        (C::AiKeyMissing, Language::Ru) => "не сохранён ключ API нейросети",
        (C::AiKeyMissing, Language::En) => "no API key is saved for the AI provider",
        (C::AiUnauthorized, Language::Ru) => "нейросеть не принимает ключ API",
        (C::AiUnauthorized, Language::En) => "the AI provider does not accept the API key",
        (C::AiUnreachable, Language::Ru) => "нейросеть недоступна",
        (C::AiUnreachable, Language::En) => "the AI provider could not be reached",
        (C::AiRateLimited, Language::Ru) => "нейросеть просит подождать",
        (C::AiRateLimited, Language::En) => "the AI provider asks to slow down",
        (C::AiFailed, Language::Ru) => "ни один товар не обработан нейросетью",
        (C::AiFailed, Language::En) => "no product was processed by the AI",
        (C::AiSettingsInvalid, Language::Ru) => "не подходят настройки нейросети",
        (C::AiSettingsInvalid, Language::En) => "the AI provider's settings are not usable",
        (C::HandlerCrashed, Language::Ru) => "внутренняя ошибка",
        (C::HandlerCrashed, Language::En) => "an internal error",
        (C::UnknownKind, Language::Ru) => "эта версия не умеет выполнять такие задачи",
        (C::UnknownKind, Language::En) => "this version cannot run it",
    }
}

/// A job kind for people (as the window's jobs panel words it, `ui/src/lib/jobs.ts`); a kind
/// this version does not know is shown as its code.
pub fn kind_words(kind: &str, lang: Language) -> String {
    let words = match (kind, lang) {
        ("import.supplier", Language::Ru) => "Импорт поставщика",
        ("import.supplier", Language::En) => "Supplier import",
        ("images.download", Language::Ru) => "Загрузка фото товаров",
        ("images.download", Language::En) => "Product image download",
        ("catalog.reprice", Language::Ru) => "Изменение цен",
        ("catalog.reprice", Language::En) => "Price change",
        ("catalog.analyze", Language::Ru) => "Проверка каталога",
        ("catalog.analyze", Language::En) => "Catalog check",
        ("feeds.export", Language::Ru) => "Выгрузка фидов",
        ("feeds.export", Language::En) => "Feed export",
        ("catalog.cycle", Language::Ru) => "Цикл каталога",
        ("catalog.cycle", Language::En) => "Catalog cycle",
        ("market.publish", Language::Ru) => "Публикация на маркетплейс",
        ("market.publish", Language::En) => "Marketplace publishing",
        ("market.push", Language::Ru) => "Цены и остатки на маркетплейс",
        ("market.push", Language::En) => "Marketplace prices and stocks",
        ("ai.moderate", Language::Ru) => "Проверка карточек нейросетью",
        ("ai.moderate", Language::En) => "AI card check",
        ("ai.generate", Language::Ru) => "Описания от нейросети",
        ("ai.generate", Language::En) => "AI descriptions",
        ("catalog.edit", Language::Ru) => "Правка после импорта",
        ("catalog.edit", Language::En) => "Edit after an import",
        ("market.import_cards", Language::Ru) => "Товары из карточек маркетплейса",
        ("market.import_cards", Language::En) => "Products from marketplace cards",
        _ => kind,
    };
    words.to_string()
}

#[cfg(test)]
mod tests {
    use vitrina_jobs::{JobId, LogLevel, LogLine, Progress};

    use super::*;

    fn id(n: u8) -> JobId {
        let mut bytes = [0u8; 16];
        bytes[15] = n;
        JobId::from_bytes(bytes)
    }

    fn dto(id: &str, kind: &str, state: JobStateDto, end: Option<JobEndDto>) -> JobDto {
        JobDto {
            id: id.to_string(),
            kind: kind.to_string(),
            state,
            done: 0,
            total: None,
            message: None,
            stage: None,
            attempts: 1,
            max_attempts: 3,
            created_at: 0,
            started_at: None,
            finished_at: None,
            error: end.map(|_| "cancelled on request".to_string()),
            end,
            error_code: None,
            cancel_requested: false,
        }
    }

    fn progress(id: JobId, done: u64) -> JobEvent {
        JobEvent::Progress {
            id,
            kind: "catalog.reprice".into(),
            progress: Progress { done, ..Default::default() },
        }
    }

    fn log(id: JobId, seq: u64, message: &str) -> JobEvent {
        JobEvent::Log { id, line: LogLine { seq, at: seq, level: LogLevel::Info, message: message.into() } }
    }

    fn finished(id: JobId, kind: &str, state: JobState) -> JobEvent {
        JobEvent::Finished {
            id,
            kind: kind.into(),
            state,
            progress: Progress::default(),
            result: None,
            error: None,
        }
    }

    fn running(id: &str) -> Option<JobDto> {
        Some(dto(id, "catalog.reprice", JobStateDto::Running, None))
    }

    #[test]
    fn each_changed_job_is_read_once_a_tick_and_log_lines_keep_their_order() {
        let pulse = Pulse::new();
        assert_eq!(pulse.tick_with(running, || unreachable!()), None, "nothing happened");
        let (a, b) = (id(1), id(2));
        for n in 0..50 {
            pulse.record(&progress(a, n));
        }
        pulse.record(&log(b, 1, "first"));
        pulse.record(&progress(b, 1));
        pulse.record(&log(a, 2, "second"));
        pulse.record(&log(b, 3, "third"));
        let mut reads = Vec::new();
        let beat = pulse
            .tick_with(
                |id| {
                    reads.push(id.to_string());
                    running(id)
                },
                || panic!("no notification, so no language needed"),
            )
            .unwrap();
        assert_eq!(reads, [a.to_string(), b.to_string()], "each job read once");
        assert_eq!(beat.pulse.jobs.len(), 2);
        let lines: Vec<_> =
            beat.pulse.logs.iter().map(|l| (l.job.clone(), l.line.message.as_str())).collect();
        assert_eq!(
            lines,
            [(b.to_string(), "first"), (a.to_string(), "second"), (b.to_string(), "third")],
            "log lines in the order they came"
        );
        assert!(!beat.pulse.catalog_changed && beat.notices.is_empty());
        assert_eq!(pulse.tick_with(running, || unreachable!()), None, "the tick took everything");
    }

    #[test]
    fn log_lines_alone_read_no_job_and_a_job_gone_is_left_out() {
        let pulse = Pulse::new();
        pulse.record(&log(id(1), 1, "only a line"));
        let beat = pulse.tick_with(|_| panic!("a log line changes no job"), || unreachable!()).unwrap();
        assert_eq!((beat.pulse.jobs.len(), beat.pulse.logs.len()), (0, 1));
        pulse.record(&progress(id(2), 5));
        let beat = pulse.tick_with(|_| None, || unreachable!()).unwrap();
        assert!(beat.pulse.jobs.is_empty());
    }

    #[test]
    fn a_succeeded_job_or_any_catalog_job_changes_the_catalog() {
        assert!(changes_catalog("import.supplier", JobState::Succeeded));
        assert!(changes_catalog("images.download", JobState::Succeeded));
        assert!(!changes_catalog("import.supplier", JobState::Failed), "an import is one transaction");
        assert!(!changes_catalog("import.supplier", JobState::Cancelled));
        assert!(changes_catalog("catalog.reprice", JobState::Failed), "it keeps the batches it committed");
        assert!(changes_catalog("catalog.reprice", JobState::Cancelled));

        let pulse = Pulse::new();
        pulse.record(&progress(id(1), 1));
        pulse.record(&JobEvent::Started { id: id(1), kind: "catalog.reprice".into(), attempt: 1 });
        let beat = pulse.tick_with(running, || Language::Ru).unwrap();
        assert!(!beat.pulse.catalog_changed, "only a finished job changes the catalog");

        pulse.record(&finished(id(2), "import.supplier", JobState::Failed));
        let beat =
            pulse.tick_with(|i| Some(dto(i, "import.supplier", JobStateDto::Failed, None)), || Language::Ru);
        assert!(!beat.unwrap().pulse.catalog_changed);

        pulse.record(&finished(id(2), "import.supplier", JobState::Failed));
        pulse.record(&finished(id(3), "catalog.reprice", JobState::Cancelled));
        let beat = pulse.tick_with(|_| None, || Language::Ru).unwrap();
        assert!(beat.pulse.catalog_changed);
        assert_eq!(pulse.tick_with(running, || Language::Ru), None, "and each tick starts afresh");
    }

    #[test]
    fn a_finished_job_is_notified_in_the_language_of_the_settings_from_its_codes() {
        let pulse = Pulse::new();
        let (a, b) = (id(1), id(2));
        pulse.record(&finished(a, "catalog.reprice", JobState::Cancelled));
        pulse.record(&finished(b, "import.supplier", JobState::Failed));
        let read = |i: &str| {
            Some(if i == a.to_string() {
                dto(i, "catalog.reprice", JobStateDto::Cancelled, Some(JobEndDto::CancelledOnRequest))
            } else {
                dto(i, "import.supplier", JobStateDto::Failed, None)
            })
        };
        let beat = pulse.tick_with(read, || Language::Ru).unwrap();
        let bodies: Vec<_> = beat.notices.iter().map(|n| n.body.as_str()).collect();
        assert_eq!(
            bodies,
            [
                "Задача «Изменение цен» отменена по запросу",
                "Задача «Импорт поставщика» не выполнена: причина — в разделе «Задачи»",
            ]
        );
        assert!(beat.notices.iter().all(|n| n.title == "Vitrina"));

        pulse.record(&finished(a, "catalog.reprice", JobState::Cancelled));
        let beat = pulse.tick_with(read, || Language::En).unwrap();
        assert_eq!(beat.notices[0].body, "Price change was cancelled on request");

        // A job that cannot be read any more is worded from its event.
        pulse.record(&finished(id(3), "images.download", JobState::Succeeded));
        let beat = pulse.tick_with(|_| None, || Language::En).unwrap();
        assert_eq!(beat.notices[0].body, "Product image download: done");
    }

    #[test]
    fn every_ending_is_worded_in_both_languages() {
        let ending = |state, end| Ending { kind: "catalog.analyze".into(), state, end, reason: None };
        let cases = [
            (
                ending(JobStateDto::Succeeded, None),
                "Задача «Проверка каталога» выполнена",
                "Catalog check: done",
            ),
            (
                ending(JobStateDto::Failed, None),
                "Задача «Проверка каталога» не выполнена: причина — в разделе «Задачи»",
                "Catalog check failed: the reason is under Jobs",
            ),
            (
                ending(JobStateDto::Cancelled, Some(JobEndDto::CancelledOnRequest)),
                "Задача «Проверка каталога» отменена по запросу",
                "Catalog check was cancelled on request",
            ),
            (
                ending(JobStateDto::Cancelled, Some(JobEndDto::CancelledByHandler)),
                "Задача «Проверка каталога» остановлена",
                "Catalog check stopped",
            ),
            (
                ending(JobStateDto::Cancelled, Some(JobEndDto::CancelledBeforeStart)),
                "Задача «Проверка каталога» отменена до начала",
                "Catalog check was cancelled before it started",
            ),
            (
                ending(JobStateDto::Cancelled, None),
                "Задача «Проверка каталога» отменена",
                "Catalog check was cancelled",
            ),
        ];
        for (e, ru, en) in cases {
            assert_eq!(notice(&e, Language::Ru).body, ru);
            assert_eq!(notice(&e, Language::En).body, en);
        }
    }

    #[test]
    fn a_failure_with_a_reason_names_it_in_both_languages() {
        let failed = Ending {
            kind: "import.supplier".into(),
            state: JobStateDto::Failed,
            end: None,
            reason: Some(JobErrorCode::FileMissing),
        };
        assert_eq!(
            notice(&failed, Language::Ru).body,
            "Задача «Импорт поставщика» не выполнена: файл не найден"
        );
        assert_eq!(notice(&failed, Language::En).body, "Supplier import failed: the file was not found");
        for reason in JobErrorCode::ALL {
            let ru = reason_words(reason, Language::Ru);
            let en = reason_words(reason, Language::En);
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{reason:?}: {ru}");
            assert!(en.is_ascii(), "{reason:?}: {en}");
        }
    }

    #[test]
    fn every_kind_this_version_runs_has_words_in_both_languages() {
        let registry = crate::kinds::registry();
        let kinds: Vec<_> = registry.kinds().map(|(k, _)| k.to_string()).collect();
        assert!(kinds.len() >= 4, "{kinds:?}");
        for kind in kinds {
            for lang in [Language::Ru, Language::En] {
                assert_ne!(kind_words(&kind, lang), kind, "{kind} has no words in {lang:?}");
            }
        }
        assert_eq!(kind_words("marketplace.publish", Language::Ru), "marketplace.publish");
    }

    #[test]
    fn many_jobs_ending_at_once_get_one_notification() {
        let ends: Vec<_> =
            [JobStateDto::Succeeded, JobStateDto::Succeeded, JobStateDto::Failed, JobStateDto::Cancelled]
                .into_iter()
                .map(|state| Ending { kind: "images.download".into(), state, end: None, reason: None })
                .collect();
        assert_eq!(notices(&ends[..MAX_NOTICES], Language::En).len(), MAX_NOTICES);
        let one = notices(&ends, Language::Ru);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].body, "Завершено задач: 4 — выполнено 2, с ошибкой 1, отменено 1");
        assert_eq!(notices(&ends, Language::En)[0].body, "4 jobs finished: 2 done, 1 failed, 1 cancelled");
    }

    #[test]
    fn a_tick_reads_jobs_and_the_language_through_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::start(
            dir.path().to_path_buf(),
            Some(dir.path().join("catalog.db")),
            Box::<crate::secrets::MemoryStore>::default(),
        );
        session.set_language(Language::En).unwrap();
        let job = crate::catalog_jobs::queue_analyze(session.jobs().unwrap()).unwrap();
        let pulse = Pulse::new();
        pulse.record(&JobEvent::Queued { id: job.id, kind: job.kind.clone() });
        pulse.record(&finished(job.id, &job.kind, JobState::Cancelled));
        session.job_cancel(&job.id.to_string()).unwrap();
        let beat = pulse.tick(&session).unwrap();
        assert_eq!(beat.pulse.jobs.len(), 1);
        assert_eq!(beat.pulse.jobs[0].end, Some(JobEndDto::CancelledBeforeStart));
        assert_eq!(beat.notices[0].body, "Catalog check was cancelled before it started");
    }
}
