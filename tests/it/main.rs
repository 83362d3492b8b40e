//! Integration tests of the `harvest` binary against the testkit upstream:
//! one test binary (ripgrep's layout), shared helpers in `util.rs`.

mod auth;
mod big_pages;
mod chaos;
mod cli;
mod compression;
mod config_errors;
mod cut_streams;
mod dead_letters;
mod depth;
mod end_of_stream;
mod exactly_once;
mod faults;
mod gate;
mod incremental;
mod init;
mod kill;
mod liveness;
mod metrics;
mod paginators;
mod parent_child;
mod politeness;
mod rate;
mod readme;
mod response_actions;
mod resume;
mod sample;
mod scheduling;
mod schema;
mod secrets;
mod single_object;
mod slow_body;
mod state;
mod status;
mod tls;
mod util;
