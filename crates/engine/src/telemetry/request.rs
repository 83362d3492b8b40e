//! The event of one HTTP request: a response (or a transport error) came
//! back. Counted per request, whatever becomes of the page.

use super::labels::status_labels;
use super::names::{REQUESTS, REQUEST_DURATION, RESPONSE_BYTES};
use super::InternalEvent;
use metrics::{counter, histogram};
use std::time::Duration;

/// A request ended: with a response of `status`, or without one (`None`).
pub(crate) struct RequestFinished {
    /// The origin's bounded label (`OriginLabels`).
    pub origin: &'static str,
    pub status: Option<u16>,
    /// Headers and body.
    pub elapsed: Duration,
    /// Body bytes as received (compressed, if they were).
    pub bytes_wire: u64,
    /// Body bytes after Content-Encoding.
    pub bytes_decoded: u64,
}

impl InternalEvent for RequestFinished {
    fn emit(self) {
        let origin = self.origin;
        let (class, exact) = status_labels(self.status);
        counter!(REQUESTS, "origin" => origin, "status_class" => class, "status" => exact)
            .increment(1);
        histogram!(REQUEST_DURATION, "origin" => origin).record(self.elapsed.as_secs_f64());
        counter!(RESPONSE_BYTES, "origin" => origin, "stage" => "wire").increment(self.bytes_wire);
        counter!(RESPONSE_BYTES, "origin" => origin, "stage" => "decoded")
            .increment(self.bytes_decoded);
    }
}
