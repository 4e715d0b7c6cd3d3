//! The Feeds section of the session: profiles (edited as one DTO), the live preview, exports
//! (the `feeds.export` job), the catalog cycle, and documents. Upload keys go to the session's
//! store of secrets and never come back.

use std::path::Path;

use super::{Session, keyring_error};
use crate::error::{AppError, AppResult};
use crate::feeds::{cycle, job, set_target_secret};
use crate::ipc::*;

/// Offers the editor's preview shows at most.
const PREVIEW_MAX: usize = 20;

impl Session {
    pub fn feed_profiles(&self) -> AppResult<Vec<FeedProfileDto>> {
        self.app()?.feed_profiles(Some(&self.secrets), Some(self.jobs()?))
    }

    /// Saves a profile, and the keys of its target when some were typed.
    pub fn save_feed_profile(
        &self,
        profile: &FeedProfileDto,
        secret: Option<&DeliverySecretInput>,
    ) -> AppResult<FeedProfileDto> {
        let saved = self.app()?.save_feed_profile(profile, Some(self.jobs()?))?;
        if let Some(secret) = secret.filter(|s| **s != DeliverySecretInput::default()) {
            let id = saved.id.parse().map_err(|_| AppError::invalid("the saved profile has no id"))?;
            set_target_secret(&self.secrets, id, secret).map_err(keyring_error)?;
        }
        self.app()?.feed_profile(&saved.id, Some(&self.secrets), Some(self.jobs()?))
    }

    pub fn remove_feed_profile(&self, id: &str) -> AppResult<()> {
        self.app()?.remove_feed_profile(id, Some(&self.secrets), Some(self.jobs()?)).map(drop)
    }

    pub fn feed_preview(&self, profile: &FeedProfileDto, limit: usize) -> AppResult<FeedPreviewDto> {
        self.app()?.feed_preview(profile, limit.clamp(1, PREVIEW_MAX))
    }

    pub fn export_feeds(&self, profiles: &[String], all: bool) -> AppResult<JobDto> {
        Ok(JobDto::from(&job::queue_export(self.app()?, self.jobs()?, profiles, all)?))
    }

    pub fn write_price_list(
        &self,
        format: &str,
        selection: &FeedSelectionDto,
        out: &Path,
        lang: &str,
    ) -> AppResult<DocumentDto> {
        self.app()?.write_price_list(format, selection, out, lang, None)
    }

    /// The spec sheet of the product with this id.
    pub fn write_spec_sheet(&self, id: &str, out: &Path, lang: &str) -> AppResult<DocumentDto> {
        let sku = self.app()?.product(id)?.product.sku;
        self.app()?.write_spec_sheet(&sku, out, lang)
    }

    pub fn run_cycle(&self) -> AppResult<JobDto> {
        Ok(JobDto::from(&cycle::queue_cycle(self.jobs()?)?))
    }

    /// The catalog cycle's cron expression, if it is scheduled.
    pub fn cycle_schedule(&self) -> AppResult<Option<String>> {
        Ok(cycle::cycle_schedule(self.jobs()?)?.cron)
    }

    pub fn set_cycle_schedule(&self, cron: &str) -> AppResult<Option<String>> {
        Ok(cycle::schedule_cycle(self.jobs()?, Some(cron))?.cron)
    }
}
