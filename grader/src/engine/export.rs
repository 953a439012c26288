//! The image export call: inspect the image and stream `docker save` through the pure reader
//! in [`crate::image`], on a blocking thread fed in batches ([`super::batched`]). The only
//! engine I/O of image measurement.

use std::io;

use anyhow::{Context, Result};
use futures_util::TryStreamExt;

use super::Engine;
use crate::facts::image::{ImageFacts, Original};

/// How long the image export may take (a 1 GB image exports in well under a minute here).
const EXPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

impl Engine {
    /// Inspects and exports an image, streaming the export through a tar reader.
    /// `canary`, when given, is searched for in every file of every layer and in the config, in
    /// every encoding [`crate::canary::Canary`] knows; a file of the size of one of `originals`
    /// is hashed, to find copies of it.
    pub async fn image_facts(&self, image: &str, canary: Option<&str>, originals: &[Original]) -> Result<ImageFacts> {
        let inspect = self.docker.inspect_image(image).await.with_context(|| format!("inspecting {image}"))?;
        let stream = self.docker.export_image(image).map_err(io::Error::other);
        // Dropped on every way out of this function (the timeout too): the export stops.
        let (reader, _pump) = super::batched::read(stream);
        let canary = canary.and_then(|c| crate::canary::Canary::new(c.as_bytes()));
        let searched = canary.clone();
        let originals = originals.to_vec();
        let read =
            tokio::task::spawn_blocking(move || crate::image::scan_export(reader, searched.as_ref(), &originals));
        let Ok(joined) = tokio::time::timeout(EXPORT_TIMEOUT, read).await else {
            return Err(crate::error::advice(format!(
                "could not grade: the Docker engine at {} did not finish exporting the built image within {} s \
                 (once seen stalled for over 4 minutes). This is not your Dockerfile's fault: check the engine \
                 (`docker save {image} | wc -c`), then grade again.",
                self.address,
                EXPORT_TIMEOUT.as_secs()
            )));
        };
        let scan =
            joined.context("the export reader stopped")?.with_context(|| format!("reading the export of {image}"))?;
        let mut facts = scan.compose()?;
        if let Some(canary) = &canary {
            facts.canary_in_config = crate::image::canary_in_config(canary, &facts.config_json);
        }
        facts.id = inspect.id.unwrap_or_default();
        facts.engine_size = inspect.size.unwrap_or(0).max(0) as u64;
        Ok(facts)
    }
}
