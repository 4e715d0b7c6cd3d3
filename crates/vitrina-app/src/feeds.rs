//! Feeds and documents: feed profiles (stored in the catalog, edited as one DTO by both front
//! ends), their exports (jobs, see [`job`]), their schedules, the keys of their upload targets
//! (OS keyring), the live preview, and documents for buyers (price lists, spec sheets).

mod convert;
pub mod cycle;
pub mod job;
pub mod spec;
#[cfg(test)]
mod tests;

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::{Arc, Mutex};

use vitrina_domain::FeedProfileId;
use vitrina_export::deliver::Secret;
use vitrina_export::documents::{DocLang, spec_sheet_pdf};
use vitrina_export::{ExportJob, ExportSummary, FeedFormat, FeedProfile, RunOptions};
use vitrina_formats::write::FeedCategory;
use vitrina_store::Catalog;
use vitrina_store::export::{ExportOrder, Selection};

use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{
    DeliverySecretInput, DocumentDto, ExportResultDto, FeedPreviewDto, FeedProfileDto, FeedSelectionDto,
    SkipCountDto, SkippedItemDto,
};
use crate::jobs::{Jobs, ScheduleInput};
use crate::secrets::Secrets;

pub(crate) use convert::{dto_from_profile, profile_from_dto, selection_from_dto};

/// The name in the store of secrets of a profile's upload keys or password.
pub fn target_secret_name(id: FeedProfileId) -> String {
    format!("feed.{id}.target")
}

/// The schedule name of a profile's own exports.
pub fn schedule_name(profile: &str) -> String {
    format!("feed: {profile}")
}

impl App {
    /// Every feed profile with its last result (secrets: whether each target's keys are set).
    pub fn feed_profiles(
        &self,
        secrets: Option<&Secrets>,
        jobs: Option<&Jobs>,
    ) -> AppResult<Vec<FeedProfileDto>> {
        let c = self.catalog()?;
        let records = c.feed_profiles()?;
        records.iter().map(|r| full_dto(&c, r, secrets, jobs)).collect()
    }

    /// One profile by name or id.
    pub fn feed_profile(
        &self,
        key: &str,
        secrets: Option<&Secrets>,
        jobs: Option<&Jobs>,
    ) -> AppResult<FeedProfileDto> {
        let c = self.catalog()?;
        let r = c.feed_profile(key)?;
        full_dto(&c, &r, secrets, jobs)
    }

    /// Adds the profile (no id) or replaces it (its id), and makes its schedule follow
    /// `dto.schedule`.
    pub fn save_feed_profile(&self, dto: &FeedProfileDto, jobs: Option<&Jobs>) -> AppResult<FeedProfileDto> {
        let saved = {
            let mut c = self.catalog()?;
            let profile = profile_from_dto(&c, dto)?;
            let now = c.now_ms() as i64;
            if dto.id.trim().is_empty() {
                c.add_feed_profile(&profile.to_record(now, now))?;
            } else {
                let old = c.feed_profile(&dto.id)?;
                c.update_feed_profile(&profile.to_record(old.created_at, now))?;
                if old.name != profile.name
                    && let Some(jobs) = jobs
                {
                    sync_schedule(jobs, &old.name, None, None)?;
                }
            }
            profile
        };
        if let Some(jobs) = jobs {
            sync_schedule(
                jobs,
                &saved.name,
                Some(saved.id),
                dto.schedule.as_deref().filter(|_| saved.enabled),
            )?;
        }
        self.feed_profile(&saved.id.to_string(), None, jobs)
    }

    /// Removes a profile, its schedule and the keys of its target; returns it as it was.
    pub fn remove_feed_profile(
        &self,
        key: &str,
        secrets: Option<&Secrets>,
        jobs: Option<&Jobs>,
    ) -> AppResult<FeedProfileDto> {
        let (record, removed) = {
            let mut c = self.catalog()?;
            let record = c.feed_profile(key)?;
            let removed = full_dto(&c, &record, secrets, jobs)?;
            c.remove_feed_profile(record.id)?;
            (record, removed)
        };
        if let Some(jobs) = jobs {
            sync_schedule(jobs, &record.name, None, None)?;
        }
        if let Some(secrets) = secrets {
            secrets.set_feed_secret(&target_secret_name(record.id), "")?;
        }
        Ok(removed)
    }

    /// The first `limit` items `dto` would write, as text, and how many products it takes —
    /// for the editor's live preview, before anything is saved.
    pub fn feed_preview(&self, dto: &FeedProfileDto, limit: usize) -> AppResult<FeedPreviewDto> {
        let c = self.catalog()?;
        let mut profile = profile_from_dto(&c, dto)?;
        // Workbooks and PDFs are not text: their rows are previewed as CSV.
        if matches!(profile.format, FeedFormat::Xlsx | FeedFormat::Pdf) {
            profile.format = FeedFormat::Csv;
        }
        let matched = c.export_count(&profile.settings.selection)?;
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let summary = vitrina_export::run::write_to(
            &c,
            &profile,
            Box::new(SharedBuf(buffer.clone())),
            limit,
            &run_options(),
        )
        .map_err(export_error)?;
        let bytes = buffer.lock().map(|b| b.clone()).unwrap_or_default();
        Ok(FeedPreviewDto {
            matched,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            skipped_items: summary.skipped_items.iter().map(skipped_dto).collect(),
        })
    }

    /// A price list of the products `selection` keeps, as `format` (`pdf`, `xlsx`, `csv`), in
    /// the file `out` (written atomically).
    pub fn write_price_list(
        &self,
        format: &str,
        selection: &FeedSelectionDto,
        out: &Path,
        lang: &str,
        title: Option<&str>,
    ) -> AppResult<DocumentDto> {
        let format = match FeedFormat::from_code(format) {
            Some(f @ (FeedFormat::Pdf | FeedFormat::Xlsx | FeedFormat::Csv)) => f,
            _ => {
                return Err(AppError::invalid(format!("a price list is pdf, xlsx or csv, not \"{format}\"")));
            }
        };
        let c = self.catalog()?;
        let fallback = if lang.eq_ignore_ascii_case("en") { "Price list" } else { "Прайс-лист" };
        let mut profile = FeedProfile::new(title.unwrap_or(fallback), format, out.to_path_buf());
        profile.settings.selection = selection_from_dto(&c, selection)?;
        profile.settings.lang = lang.into();
        let results =
            vitrina_export::export(&c, &[ExportJob { profile, secret: Secret::None }], &run_options());
        let (_, result) = results.into_iter().next().expect("one profile in, one result out");
        let summary = result.map_err(export_error)?;
        Ok(DocumentDto {
            file: summary.file.display().to_string(),
            bytes: summary.bytes,
            products: summary.written,
            skipped: summary.skipped,
        })
    }

    /// A product's spec sheet (PDF) with its pictures from the local image cache.
    pub fn write_spec_sheet(&self, sku: &str, out: &Path, lang: &str) -> AppResult<DocumentDto> {
        vitrina_export::output::check_writable(out)
            .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        let (item, header) = {
            let c = self.catalog()?;
            let profile = FeedProfile::new("spec", FeedFormat::Pdf, out.to_path_buf());
            let selection = Selection { skus: vec![sku.trim().to_string()], ..Default::default() };
            let categories: Vec<FeedCategory> = c
                .export_categories()?
                .into_iter()
                .map(|k| FeedCategory { id: k.id, parent: k.parent, name: k.name })
                .collect();
            let mut found = None;
            c.export_each::<vitrina_store::StoreError>(&selection, ExportOrder::Storage, |row| {
                found = Some(row.clone());
                Ok(ControlFlow::Break(()))
            })?;
            let row = found.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, format!("product \"{sku}\" does not exist"))
            })?;
            vitrina_export::run::item_for(&profile, &row, categories, &run_options())
        };
        let images: Vec<_> = item.pictures.iter().filter_map(|url| self.cached_image(url)).collect();
        let (file, mut output) = vitrina_export::output::AtomicFile::create(out, false)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", out.display())))?;
        let lang = if lang.eq_ignore_ascii_case("en") { DocLang::En } else { DocLang::Ru };
        spec_sheet_pdf(&item, &header, &images, lang, &mut output)
            .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        let bytes = file
            .commit()
            .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", out.display())))?;
        Ok(DocumentDto { file: out.display().to_string(), bytes, products: 1, skipped: 0 })
    }
}

/// Saves (or with empty values removes) the keys or password of a profile's upload target.
pub fn set_target_secret(secrets: &Secrets, id: FeedProfileId, input: &DeliverySecretInput) -> AppResult<()> {
    let value = if !input.password.trim().is_empty() {
        serde_json::json!({ "password": input.password.trim() }).to_string()
    } else if !input.access_key_id.trim().is_empty() || !input.secret_access_key.trim().is_empty() {
        if input.access_key_id.trim().is_empty() || input.secret_access_key.trim().is_empty() {
            return Err(AppError::invalid("S3 storage needs both the access key id and the secret key"));
        }
        serde_json::json!({ "access_key_id": input.access_key_id.trim(), "secret_access_key": input.secret_access_key.trim() })
            .to_string()
    } else {
        String::new()
    };
    secrets.set_feed_secret(&target_secret_name(id), &value)
}

/// The secret of a profile's target, read from `store` (none when the profile has no target
/// or nothing was saved).
pub(crate) fn target_secret(
    store: &dyn crate::secrets::SecretStore,
    profile: &FeedProfile,
) -> AppResult<Secret> {
    // A folder needs no sign-in: nothing to read (and no keyring to need).
    if matches!(profile.settings.target, None | Some(vitrina_export::deliver::Target::Folder { .. })) {
        return Ok(Secret::None);
    }
    let value = store.get(&target_secret_name(profile.id)).map_err(|e| {
        AppError::new(
            ErrorCode::KeyringUnavailable,
            format!("the keys of \"{}\" cannot be read: {}", profile.name, e.message),
        )
    })?;
    let Some(value) = value else { return Ok(Secret::None) };
    let v: serde_json::Value = serde_json::from_str(&value).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    Ok(if !text("password").is_empty() {
        Secret::Password(text("password"))
    } else {
        Secret::S3 { access_key_id: text("access_key_id"), secret_access_key: text("secret_access_key") }
    })
}

/// Makes the schedule `feed: NAME` export the profile `id` on `cron`, or removes it.
fn sync_schedule(jobs: &Jobs, name: &str, id: Option<FeedProfileId>, cron: Option<&str>) -> AppResult<()> {
    let schedule = schedule_name(name);
    if jobs.schedules()?.iter().any(|s| s.schedule.name == schedule) {
        jobs.remove_schedule(&schedule)?;
    }
    if let (Some(id), Some(cron)) = (id, cron.map(str::trim).filter(|c| !c.is_empty())) {
        let payload = job::ExportPayload::profiles(vec![id]);
        jobs.add_schedule(&ScheduleInput::of(schedule, &payload, cron, Some(job::CONCURRENCY_KEY.into()))?)?;
    }
    Ok(())
}

fn full_dto(
    c: &Catalog,
    r: &vitrina_store::FeedProfileRecord,
    secrets: Option<&Secrets>,
    jobs: Option<&Jobs>,
) -> AppResult<FeedProfileDto> {
    let profile =
        FeedProfile::from_record(r).map_err(|e| AppError::new(ErrorCode::Invalid, e.to_string()))?;
    let mut dto = dto_from_profile(c, &profile)?;
    dto.last_result = r.last_result.as_deref().and_then(|s| serde_json::from_str::<ExportResultDto>(s).ok());
    dto.public_url = dto.last_result.as_ref().and_then(|l| l.public_url.clone()).or_else(|| {
        let name = profile.output_path().file_name()?.to_string_lossy().into_owned();
        profile.settings.target.as_ref()?.public_url(&name)
    });
    if let (Some(secrets), Some(target)) = (secrets, dto.target.as_mut()) {
        target.secret_set = secrets.feed_secret_set(&target_secret_name(profile.id)).unwrap_or(false);
    }
    if let Some(jobs) = jobs {
        let name = schedule_name(&profile.name);
        dto.schedule = jobs.schedules()?.into_iter().find(|s| s.schedule.name == name).and_then(|s| match s
            .schedule
            .cadence
        {
            vitrina_jobs::Cadence::Cron(c) => Some(c),
            vitrina_jobs::Cadence::Every(_) => None,
        });
    }
    Ok(dto)
}

pub(crate) fn run_options() -> RunOptions {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let mut options = RunOptions::new(now);
    options.utc_offset_minutes = local_offset_minutes();
    options.version = env!("CARGO_PKG_VERSION").into();
    options
}

/// The computer's offset from UTC now, in minutes (YML wants local time with its offset).
fn local_offset_minutes() -> i32 {
    use chrono::{Local, Offset};
    Local::now().offset().fix().local_minus_utc() / 60
}

pub(crate) fn export_error(e: vitrina_export::ExportError) -> AppError {
    let code = match &e {
        vitrina_export::ExportError::Unwritable(_) | vitrina_export::ExportError::Write(_) => ErrorCode::Io,
        vitrina_export::ExportError::Target(_) => ErrorCode::Io,
        vitrina_export::ExportError::Catalog(_) => ErrorCode::Internal,
        vitrina_export::ExportError::Cancelled => ErrorCode::Conflict,
    };
    AppError::new(code, e.to_string())
}

/// A run's result for the front ends.
pub fn result_dto(
    profile: &str,
    format: &str,
    result: &Result<ExportSummary, vitrina_export::ExportError>,
) -> ExportResultDto {
    match result {
        Ok(s) => ExportResultDto {
            profile: s.profile.clone(),
            format: s.format.clone(),
            ok: true,
            error_code: None,
            error: None,
            matched: s.matched,
            written: s.written,
            skipped: s.skipped,
            skipped_by_reason: s
                .skipped_by_reason
                .iter()
                .map(|(code, count)| SkipCountDto { code: code.clone(), count: *count })
                .collect(),
            skipped_items: s.skipped_items.iter().map(skipped_dto).collect(),
            cleaned_chars: s.cleaned_chars,
            replaced_chars: s.replaced_chars,
            file: s.file.display().to_string(),
            bytes: s.bytes,
            millis: s.millis,
            uploaded_to: s.upload.as_ref().filter(|u| !u.skipped_empty).map(|u| u.location.clone()),
            public_url: s.upload.as_ref().and_then(|u| u.public_url.clone()),
            empty: s.empty,
            finished_at: s.finished_at,
        },
        Err(e) => ExportResultDto {
            profile: profile.into(),
            format: format.into(),
            ok: false,
            error_code: Some(e.code()),
            error: Some(e.to_string()),
            finished_at: run_options().now_ms,
            ..Default::default()
        },
    }
}

fn skipped_dto(s: &vitrina_export::summary::SkippedItem) -> SkippedItemDto {
    SkippedItemDto { sku: s.sku.clone(), code: s.code.clone(), reason: s.reason.clone() }
}

/// A `Write` into shared memory (the preview's output).
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The file extension of a format's files (`xml` for feeds).
pub fn extension_of(format: &str) -> &'static str {
    FeedFormat::from_code(format).map_or("xml", FeedFormat::extension)
}
