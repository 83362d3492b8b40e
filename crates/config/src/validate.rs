//! Raw file → validated [`Config`]. Collects every problem before reporting,
//! after those `reading` found.

use crate::checker::Checker;
use crate::error::ConfigError;
use crate::model::*;
use crate::raw::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

pub(crate) fn validate(
    raw: RawFile,
    text: &str,
    path: &Path,
    env: crate::secret::EnvLookup<'_>,
    vars: crate::secret::EnvLookup<'_>,
    earlier: Vec<crate::error::Problem>,
) -> Result<Config, ConfigError> {
    let mut c = Checker::new(text, env, vars);
    c.extend(earlier);
    let base_dir = path.parent().unwrap_or(Path::new("."));

    let crawl = &raw.crawl;
    let state_dir = crate::paths::expand(
        &mut c,
        &crawl.state_dir,
        "crawl.state_dir",
        crawl.state_dir.get_ref(),
    );
    let output_dir = crate::paths::expand(
        &mut c,
        &crawl.output_dir,
        "crawl.output_dir",
        crawl.output_dir.get_ref(),
    );
    if *raw.crawl.max_in_flight.get_ref() == 0 {
        c.at(
            &raw.crawl.max_in_flight,
            "crawl.max_in_flight",
            "must be at least 1",
        );
    }
    let client = &raw.client;
    check_politeness(
        &mut c,
        "client",
        client.rate_per_sec,
        client.burst,
        client.max_in_flight_per_origin,
    );
    if client.max_body_bytes == 0 {
        c.bare("client.max_body_bytes", "must be at least 1");
    }
    for (key, d) in [
        ("client.connect_timeout", client.connect_timeout),
        ("client.read_timeout", client.read_timeout),
        ("client.request_timeout", client.request_timeout),
    ] {
        if d.is_zero() {
            c.bare(key, "must be longer than 0s");
        }
    }
    if client.min_bytes_per_sec > 0 && client.min_speed_window.is_zero() {
        c.bare(
            "client.min_speed_window",
            "must be longer than 0s (set min_bytes_per_sec = 0 to turn the guard off)",
        );
    }
    crate::request::check_headers(&mut c, "client.headers", &client.headers);
    if !client.request_id_header.is_empty()
        && !crate::checker::is_header_name(&client.request_id_header)
    {
        c.bare("client.request_id_header", "not a valid header name");
    }
    let proxy = client.proxy.as_ref().and_then(|p| check_proxy(&mut c, p));
    let ca_file = client
        .ca_file
        .as_ref()
        .and_then(|f| check_ca_file(&mut c, f, base_dir));
    let client_auth = client
        .auth
        .as_ref()
        .and_then(|a| crate::auth::check(&mut c, "client.auth", a));
    let defaults = OriginSettings {
        rate_per_sec: client.rate_per_sec,
        burst: client.burst,
        max_in_flight: client.max_in_flight_per_origin,
        min_rate_per_sec: client
            .min_rate_per_sec
            .unwrap_or(client.rate_per_sec / 32.0),
    };
    if client
        .min_rate_per_sec
        .is_some_and(|m| !(m > 0.0 && m <= client.rate_per_sec))
    {
        c.bare(
            "client.min_rate_per_sec",
            "must be positive and at most rate_per_sec",
        );
    }
    let breaker = harvest_policy::BreakerSettings {
        // A probe outlives any request it could be: only a lost one is older.
        probe_timeout: client.request_timeout + Duration::from_secs(30),
        ..check_breaker(&mut c, &raw.breaker)
    };
    let give_up_after = raw.breaker.give_up_after.unwrap_or(DEFAULT_GIVE_UP_AFTER);
    if give_up_after.is_zero() {
        c.bare("breaker.give_up_after", "must be longer than 0s");
    }
    let mut origins = HashMap::new();
    for (i, o) in client.origins.iter().enumerate() {
        let key = format!("client.origins[{i}]");
        let o = o.get_ref();
        let rate_per_sec = o.rate_per_sec.unwrap_or(defaults.rate_per_sec);
        let settings = OriginSettings {
            min_rate_per_sec: client
                .min_rate_per_sec
                .unwrap_or(rate_per_sec / 32.0)
                .min(rate_per_sec),
            rate_per_sec: o.rate_per_sec.unwrap_or(defaults.rate_per_sec),
            burst: o.burst.unwrap_or(defaults.burst),
            max_in_flight: o.max_in_flight_per_origin.unwrap_or(defaults.max_in_flight),
        };
        check_politeness(
            &mut c,
            &key,
            settings.rate_per_sec,
            settings.burst,
            settings.max_in_flight,
        );
        match parse_http_url(o.origin.get_ref()) {
            Ok(url) if url.path() == "/" && url.query().is_none() => {
                if origins.insert(origin_of(&url), settings).is_some() {
                    c.at(&o.origin, format!("{key}.origin"), "origin listed twice");
                }
            }
            Ok(_) => c.at(
                &o.origin,
                format!("{key}.origin"),
                "an origin is scheme://host[:port], without a path",
            ),
            Err(e) => c.at(&o.origin, format!("{key}.origin"), e),
        }
    }

    let retry = &raw.retry;
    if retry.max_attempts == 0 {
        c.bare("retry.max_attempts", "must be at least 1");
    }
    if retry.base_delay > retry.max_delay {
        c.bare("retry.base_delay", "is longer than retry.max_delay");
    }

    let listen = raw
        .metrics
        .listen
        .as_ref()
        .and_then(|l| match l.get_ref().parse() {
            Ok(addr) => Some(addr),
            Err(_) => {
                c.at(
                    l,
                    "metrics.listen",
                    format!("`{}` is not an address like 127.0.0.1:9898", l.get_ref()),
                );
                None
            }
        });

    if raw.resources.is_empty() {
        c.bare("resources", "no [[resources]] defined: nothing to harvest");
    }
    let mut names = HashSet::new();
    let mut resources = Vec::new();
    for (i, r) in raw.resources.iter().enumerate() {
        if let Some(resource) = check_resource(&mut c, i, r, base_dir, &mut names, &client_auth) {
            resources.push(resource);
        }
    }

    crate::seeding::check_parent_graph(&mut c, &raw.resources);

    if c.problems_len() > 0 {
        return Err(ConfigError::Invalid {
            file: path.to_path_buf(),
            problems: c.into_problems(),
        });
    }
    Ok(Config {
        file: path.to_path_buf(),
        crawl: CrawlSettings {
            state_dir: state_dir.expect("an unexpanded path is a problem above"),
            output_dir: output_dir.expect("an unexpanded path is a problem above"),
            max_in_flight: raw.crawl.max_in_flight.into_inner(),
            io_threads: match raw.crawl.io_threads {
                0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            },
        },
        client: ClientSettings {
            defaults,
            connect_timeout: client.connect_timeout,
            read_timeout: client.read_timeout,
            request_timeout: client.request_timeout,
            min_bytes_per_sec: client.min_bytes_per_sec,
            min_speed_window: client.min_speed_window,
            idle_after: client.idle_after,
            max_body_bytes: client.max_body_bytes,
            max_retry_after: client.max_retry_after,
            user_agent: client
                .user_agent
                .clone()
                .unwrap_or_else(|| concat!("harvest/", env!("CARGO_PKG_VERSION")).to_string()),
            headers: client.headers.clone().into_iter().collect(),
            proxy,
            ca_file,
            request_id_header: Some(client.request_id_header.clone()).filter(|h| !h.is_empty()),
        },
        origins,
        retry: RetrySettings {
            max_attempts: retry.max_attempts,
            base_delay: retry.base_delay,
            max_delay: retry.max_delay,
        },
        breaker,
        give_up_after,
        metrics: MetricsSettings {
            listen,
            max_origin_labels: raw.metrics.max_origin_labels,
            linger: raw.metrics.linger.unwrap_or_default(),
        },
        resources,
    })
}

fn check_politeness(
    c: &mut Checker<'_>,
    key: &str,
    rate_per_sec: f64,
    burst: u32,
    max_in_flight: usize,
) {
    if !(rate_per_sec.is_finite() && rate_per_sec > 0.0) {
        c.bare(format!("{key}.rate_per_sec"), "must be a positive number");
    }
    if burst == 0 {
        c.bare(format!("{key}.burst"), "must be at least 1");
    }
    if max_in_flight == 0 {
        c.bare(
            format!("{key}.max_in_flight_per_origin"),
            "must be at least 1",
        );
    }
}

fn check_resource(
    c: &mut Checker<'_>,
    i: usize,
    spanned: &Spanned<RawResource>,
    base_dir: &Path,
    names: &mut HashSet<String>,
    client_auth: &Option<crate::auth::Parsed>,
) -> Option<Resource> {
    let r = spanned.get_ref();
    let before = c.problems_len();
    let name = r.name.get_ref();
    let key = format!("resources[{i}]");
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        c.at(
            &r.name,
            format!("{key}.name"),
            format!("`{name}`: use letters, digits, `_` and `-` (it names the output file)"),
        );
    } else if !names.insert(name.clone()) {
        c.at(
            &r.name,
            format!("{key}.name"),
            format!("resource `{name}` is defined twice"),
        );
    }
    let key = format!("resources[{i}] ({name})");

    let mut seeds = Seeds::default();
    for (j, s) in r.seeds.iter().enumerate() {
        match parse_http_url(s.get_ref()) {
            Ok(url) => seeds.urls.push(url),
            Err(e) => c.at(s, format!("{key}.seeds[{j}]"), e),
        }
    }
    if let Some(file) = &r.seeds_file {
        let path = crate::paths::expand(c, file, &format!("{key}.seeds_file"), file.get_ref())
            .map(|p| base_dir.join(p));
        if let Some(path) = path.as_ref().filter(|p| !p.is_file()) {
            c.at(
                file,
                format!("{key}.seeds_file"),
                format!("no such file: {}", path.display()),
            );
        } else if let Some(path) = path {
            let only_file = Seeds {
                file: Some(path.clone()),
                ..Seeds::default()
            };
            let mut count = 0usize;
            match only_file.for_each(|_| count += 1) {
                Err(e) => c.at(file, format!("{key}.seeds_file"), e),
                Ok(())
                    if count == 0
                        && r.seeds.is_empty()
                        && r.seed_template.is_none()
                        && r.parent.is_none() =>
                {
                    c.at(
                        file,
                        format!("{key}.seeds_file"),
                        format!("{} holds no URL", path.display()),
                    )
                }
                Ok(()) => {}
            }
            seeds.file = Some(path);
        }
    } else if r.seeds.is_empty() && r.seed_template.is_none() && r.parent.is_none() {
        c.at(
            spanned,
            format!("{key}.seeds"),
            "no seeds: give `seeds = [...]`, `seeds_file`, `seed_template` or `parent`",
        );
    }
    if let Some(t) = &r.seed_template {
        seeds.template = crate::seeding::check_seed_template(c, &key, t, base_dir);
    }
    let parent = r
        .parent
        .as_ref()
        .and_then(|p| crate::seeding::check_parent(c, &key, p));

    let data_selector = DataSelector::parse(r.data_selector.get_ref())
        .map_err(|e| c.at(&r.data_selector, format!("{key}.data_selector"), e))
        .ok();
    let paginator = crate::paginator::check(c, &key, &r.paginator);
    let mut allowed_origins = Vec::new();
    for (j, o) in r.allowed_origins.iter().enumerate() {
        match parse_http_url(o.get_ref()) {
            Ok(url) if url.path() == "/" && url.query().is_none() => {
                allowed_origins.push(origin_of(&url))
            }
            Ok(_) => c.at(
                o,
                format!("{key}.allowed_origins[{j}]"),
                "an origin is scheme://host[:port], without a path",
            ),
            Err(e) => c.at(o, format!("{key}.allowed_origins[{j}]"), e),
        }
    }
    let request = crate::request::check(c, &key, r);
    let response_actions = crate::response::check(c, &key, &r.response_actions);
    let max_depth = crate::response::check_max_depth(c, &key, r.max_depth.as_ref());
    let incremental = r.incremental.as_ref().and_then(|inc| {
        let around = crate::incremental::Around {
            key: &key,
            paginator: paginator.as_ref(),
            params: r.params.keys().map(String::as_str).collect(),
            parent: r.parent.as_ref().map(|p| p.get_ref().resource.as_str()),
        };
        crate::incremental::check(c, &around, inc)
    });
    let own_auth = r
        .auth
        .as_ref()
        .map(|a| crate::auth::check(c, &format!("{key}.auth"), a));
    if c.problems_len() > before {
        return None;
    }
    let auth = match own_auth.as_ref().unwrap_or(client_auth) {
        None | Some(crate::auth::Parsed::Off) => None,
        Some(crate::auth::Parsed::On(kind, origins)) => {
            let origins = match origins {
                Some(origins) => origins.clone(),
                None => match crate::seeding::seed_origins(&seeds, parent.as_ref()) {
                    Ok(origins) => origins,
                    Err(e) => {
                        let at = r.auth.as_ref().map(|a| a.span()).unwrap_or(0..0);
                        c.at(&Spanned::new(at, ()), format!("{key}.auth.origins"), e);
                        return None;
                    }
                },
            };
            Some(crate::auth::ResourceAuth {
                kind: (**kind).clone(),
                origins,
            })
        }
    };
    Some(Resource {
        name: name.clone(),
        seeds,
        parent,
        data_selector: data_selector?,
        paginator: paginator?,
        allowed_origins,
        request,
        auth,
        response_actions,
        max_depth,
        incremental,
    })
}

fn check_breaker(c: &mut Checker<'_>, raw: &RawBreaker) -> harvest_policy::BreakerSettings {
    let d = harvest_policy::BreakerSettings::default();
    let s = harvest_policy::BreakerSettings {
        failure_ratio: raw.failure_ratio.unwrap_or(d.failure_ratio),
        min_calls: raw.min_calls.unwrap_or(d.min_calls),
        window: raw.window.unwrap_or(d.window),
        consecutive_failures: raw.consecutive_failures.unwrap_or(d.consecutive_failures),
        open_for: raw.open_for.unwrap_or(d.open_for),
        max_open_for: raw.max_open_for.unwrap_or(d.max_open_for),
        half_open_probes: raw.half_open_probes.unwrap_or(d.half_open_probes),
        ..d
    };
    if !(s.failure_ratio > 0.0 && s.failure_ratio <= 1.0) {
        c.bare("breaker.failure_ratio", "must be in (0, 1]");
    }
    if s.window == 0 {
        c.bare("breaker.window", "must be at least 1");
    }
    if s.half_open_probes == 0 {
        c.bare("breaker.half_open_probes", "must be at least 1");
    }
    if s.open_for.is_zero() || s.open_for > s.max_open_for {
        c.bare(
            "breaker.open_for",
            "must be longer than 0s and at most breaker.max_open_for",
        );
    }
    s
}

/// `[client] ca_file`: a readable PEM file (relative to the config file)
/// holding at least one certificate.
fn check_ca_file(
    c: &mut Checker<'_>,
    f: &Spanned<String>,
    base_dir: &Path,
) -> Option<std::path::PathBuf> {
    let path = base_dir.join(crate::paths::expand(c, f, "client.ca_file", f.get_ref())?);
    match std::fs::read(&path) {
        Ok(pem) if pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") => Some(path),
        Ok(_) => {
            let why = format!("{} holds no PEM certificate", path.display());
            c.at(f, "client.ca_file", why);
            None
        }
        Err(e) => {
            c.at(
                f,
                "client.ca_file",
                format!("cannot read {}: {e}", path.display()),
            );
            None
        }
    }
}

/// `[client] proxy`: an http(s) proxy URL without credentials (those belong
/// in the environment: `HTTPS_PROXY=http://user:pass@host:port`).
fn check_proxy(c: &mut Checker<'_>, p: &Spanned<String>) -> Option<url::Url> {
    match parse_http_url(p.get_ref()) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            c.at(
                p,
                "client.proxy",
                "no credentials in the config file: set HTTP_PROXY / HTTPS_PROXY in the environment instead",
            );
            None
        }
        Ok(url) => Some(url),
        Err(e) => {
            c.at(p, "client.proxy", e);
            None
        }
    }
}
