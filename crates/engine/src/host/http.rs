//! The HTTP side of the hosts: a client (each host gets its own pool, see
//! `Fetcher::for_origin`) and each resource's request settings (method,
//! body, headers, credentials), by config index.

use harvest_fetch::{Fetcher, RequestSpec};
use std::sync::Arc;

/// The client and the per-resource request specs; cloning is cheap.
#[derive(Clone)]
pub(crate) struct Http {
    pub fetcher: Fetcher,
    /// One per resource, in config order.
    pub requests: Arc<[RequestSpec]>,
}

impl Http {
    /// The client, with the request specs of `config`'s resources.
    pub fn new(
        fetcher: Fetcher,
        config: &harvest_config::Config,
    ) -> Result<Self, harvest_fetch::FetchError> {
        let requests = fetcher.request_specs(config)?.into();
        Ok(Self { fetcher, requests })
    }
}
