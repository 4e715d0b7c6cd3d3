//! Image commands: download the products' images into the local cache (as the
//! `images.download` job, with a progress bar) and show the cache's state.

use std::path::Path;

use vitrina_app::App;
use vitrina_app::images::DownloadPayload;
use vitrina_app::ipc::{ImageDownloadDto, ImageStatusDto, JobDto};
use vitrina_app::jobs::Jobs;

use crate::args::{Cli, ImagesCmd};
use crate::output::{Outcome, json, print, table, utc};

pub fn run(cmd: &ImagesCmd, db: &Path, cli: &Cli) -> Outcome {
    match cmd {
        ImagesCmd::Fetch { parallel, limit, retry_failed, detach } => {
            let jobs = Jobs::open(db)?;
            let payload = DownloadPayload {
                limit: *limit,
                parallel: Some(usize::from(*parallel)),
                retry_failed: *retry_failed,
            };
            let job = JobDto::from(&vitrina_app::images::queue_download(&jobs, &payload, Some(1))?);
            if *detach {
                return crate::jobs::queued(&job, cli.json);
            }
            let done = crate::jobs::follow(&jobs, &job.id, cli.json)?;
            crate::jobs::ended(&done)?;
            let summary = ImageDownloadDto::from_job_result(done.result.as_ref());
            if cli.json {
                return json(&summary);
            }
            print(format!(
                "{} images downloaded ({}), {} failed; {} still to download; the cache holds {} files.",
                summary.downloaded,
                size(summary.bytes),
                summary.failed,
                summary.remaining,
                summary.files
            ));
            if summary.failed > 0 {
                print("Why they failed: vitrina images status");
            }
            Ok(())
        }
        ImagesCmd::Status { failures } => {
            let app = App::open(db)?;
            let c = ImageStatusDto::from(&app.image_status(*failures)?);
            if cli.json {
                return json(&c);
            }
            let mut t = table(&[
                "Image links",
                "Cached",
                "Not tried yet",
                "Failed",
                "Due for retry",
                "Files",
                "Size",
            ]);
            t.add_row(vec![
                c.urls.to_string(),
                c.cached.to_string(),
                c.pending.to_string(),
                c.failed.to_string(),
                c.retry_due.to_string(),
                c.files.to_string(),
                size(c.bytes),
            ]);
            print(t);
            print(format!("Cache folder: {}", c.dir));
            if !c.failures.is_empty() {
                let mut t = table(&["Failed link", "Tries", "Last try", "Next try"]);
                for f in &c.failures {
                    t.add_row(vec![
                        f.reason.clone(),
                        f.attempts.to_string(),
                        utc(f.last_try_at),
                        f.retry_at.map_or_else(|| "given up".into(), utc),
                    ]);
                }
                print(t);
            }
            if c.to_download > 0 {
                print(format!("{} to download: vitrina images fetch", c.to_download));
            }
            Ok(())
        }
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}
