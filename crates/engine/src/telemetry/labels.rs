//! Bounded label values: status classes and capped origins.

use super::host::register_zero as register_origin;
use std::collections::HashMap;

/// The labels of a response (or transport error): `(status_class,
/// status)`, where `status` is exact for the statuses that are retried (the
/// retry status table, `harvest_policy::Disposition::RETRY_STATUSES`: 408,
/// 425, 429, 500, 502, 503, 504) and the class otherwise; transport errors
/// are `error`.
pub fn status_labels(status: Option<u16>) -> (&'static str, &'static str) {
    let Some(status) = status else {
        return ("error", "error");
    };
    let class = harvest_policy::StatusClass::of(status).as_str();
    let exact = harvest_policy::Disposition::retry_reason(status)
        .and_then(|reason| reason.strip_prefix("http_"))
        .unwrap_or(class);
    (class, exact)
}

/// Bounded `origin` label values: the first `cap` origins seen keep their
/// name, later ones share `other`. A label's per-origin counters are
/// exported at 0 when it is first handed out.
pub struct OriginLabels {
    cap: usize,
    named: HashMap<String, &'static str>,
    /// `other` was handed out (its counters are registered).
    other_used: bool,
}

impl OriginLabels {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            named: HashMap::new(),
            other_used: false,
        }
    }

    /// The label for `origin`. Names are leaked once per labelled origin
    /// (at most `cap`), so metric keys can borrow them for the whole run.
    pub fn label(&mut self, origin: &str) -> &'static str {
        if let Some(label) = self.named.get(origin) {
            return label;
        }
        if self.named.len() >= self.cap {
            if !self.other_used {
                self.other_used = true;
                register_origin("other");
            }
            return "other";
        }
        let label: &'static str = Box::leak(origin.to_owned().into_boxed_str());
        self.named.insert(origin.to_owned(), label);
        register_origin(label);
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_bounded_labels() {
        assert_eq!(status_labels(Some(200)), ("2xx", "2xx"));
        assert_eq!(status_labels(Some(404)), ("4xx", "4xx"));
        assert_eq!(status_labels(Some(408)), ("4xx", "408"));
        assert_eq!(status_labels(Some(429)), ("4xx", "429"));
        assert_eq!(status_labels(Some(503)), ("5xx", "503"));
        assert_eq!(status_labels(Some(501)), ("5xx", "5xx"));
        assert_eq!(status_labels(Some(599)), ("5xx", "5xx"));
        assert_eq!(status_labels(None), ("error", "error"));
    }

    #[test]
    fn origins_beyond_the_cap_share_a_label() {
        let mut labels = OriginLabels::new(2);
        assert_eq!(labels.label("http://a"), "http://a");
        assert_eq!(labels.label("http://b"), "http://b");
        assert_eq!(labels.label("http://c"), "other");
        assert_eq!(labels.label("http://a"), "http://a");
    }
}
