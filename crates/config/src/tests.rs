//! Config parsing and validation.

use crate::*;
use std::path::Path;
use std::time::Duration;

const HEAD: &str = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n";

fn resource(body: &str) -> String {
    format!("{HEAD}[[resources]]\nname = \"r\"\n{body}\n")
}

fn problems(text: &str) -> Vec<Problem> {
    parse(text, Path::new("c.toml"))
        .unwrap_err()
        .problems()
        .to_vec()
}

#[test]
fn defaults_fill_everything_left_out() {
    let c = parse(
        &resource(
            "seeds = [\"http://h/a\"]\ndata_selector = \"\"\npaginator = { type = \"json_link\" }",
        ),
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(c.crawl.max_in_flight, 256);
    assert_eq!(
        c.client.defaults,
        OriginSettings {
            rate_per_sec: 50.0,
            burst: 10,
            max_in_flight: 16,
            min_rate_per_sec: 50.0 / 32.0,
        }
    );
    assert_eq!(c.client.read_timeout, Duration::from_secs(30));
    assert_eq!(c.client.min_bytes_per_sec, 1024);
    assert_eq!(c.client.min_speed_window, Duration::from_secs(10));
    assert_eq!(c.retry.max_attempts, 5);
    assert_eq!(c.breaker, harvest_policy::BreakerSettings::default());
    assert_eq!(c.client.max_retry_after, Duration::from_secs(3600));
    assert!(c.client.user_agent.starts_with("harvest/"));
    let r = &c.resources[0];
    assert!(r
        .data_selector
        .items()
        .is_some_and(|p| p.segments().is_empty()));
    assert_eq!(
        r.paginator,
        Paginator::new(PageStyle::JsonLink {
            next_url_path: Selector::parse("next").unwrap()
        })
    );
}

#[test]
fn origin_overrides_apply_by_normalised_origin() {
    let text = format!(
        "{HEAD}[client]\nrate_per_sec = 5.0\n[[client.origins]]\norigin = \"https://API.example.com:443\"\nburst = 3\n\
         [[resources]]\nname = \"r\"\nseeds = [\"http://h/a\"]\ndata_selector = \"d\"\npaginator = {{ type = \"single_page\" }}\n"
    );
    let c = parse(&text, Path::new("c.toml")).unwrap();
    let o = c.origin_settings("https://api.example.com");
    assert_eq!(
        o,
        OriginSettings {
            rate_per_sec: 5.0,
            burst: 3,
            max_in_flight: 16,
            min_rate_per_sec: 5.0 / 32.0,
        }
    );
    assert_eq!(c.origin_settings("http://other").burst, 10);
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let text = format!(
        "{HEAD}[client]\nrate_per_sec = 0.0\n[[resources]]\nname = \"bad name\"\nseeds = [\"x\"]\ndata_selector = \"a..b\"\npaginator = {{ type = \"json_link\", next_url_path = \"\" }}\n"
    );
    let p = problems(&text);
    let keys: Vec<&str> = p.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "client.rate_per_sec",
            "resources[0].name",
            "resources[0] (bad name).seeds[0]",
            "resources[0] (bad name).data_selector",
            "resources[0] (bad name).paginator.next_url_path"
        ]
    );
    assert_eq!(p[1].line, Some(7));
    assert_eq!(p[2].line, Some(8));
    assert_eq!(p[3].line, Some(9));
    assert_eq!(p[4].line, Some(10));
}

#[test]
fn duplicate_resource_names_and_origins_are_refused() {
    let r = "[[resources]]\nname = \"r\"\nseeds = [\"http://h/a\"]\ndata_selector = \"d\"\npaginator = { type = \"single_page\" }\n";
    let p = problems(&format!("{HEAD}{r}{r}"));
    assert!(p[0].message.contains("defined twice"), "{p:?}");
    let o = "[[client.origins]]\norigin = \"http://h\"\n";
    let p = problems(&format!("{HEAD}[client]\n{o}{o}{r}"));
    assert!(p[0].message.contains("listed twice"), "{p:?}");
    let p = problems(&format!(
        "{HEAD}[client]\n[[client.origins]]\norigin = \"http://h/path\"\n{r}"
    ));
    assert!(p[0].message.contains("without a path"), "{p:?}");
}

#[test]
fn a_resource_needs_seeds() {
    let p = problems(&resource(
        "data_selector = \"d\"\npaginator = { type = \"single_page\" }",
    ));
    assert!(p[0].message.contains("no seeds"), "{p:?}");
}

#[test]
fn seeds_files_are_read_lazily_and_relative_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..100_000)
        .map(|i| format!("http://127.0.0.1:1/item/{i}\n"))
        .collect();
    std::fs::write(dir.path().join("seeds.txt"), format!("# header\n\n{lines}")).unwrap();
    let text = resource(
        "seeds_file = \"seeds.txt\"\ndata_selector = \"d\"\npaginator = { type = \"single_page\" }",
    );
    let c = parse(&text, &dir.path().join("c.toml")).unwrap();
    let mut n = 0;
    let mut last = None;
    c.resources[0]
        .seeds
        .for_each(|u| {
            n += 1;
            last = Some(u);
        })
        .unwrap();
    assert_eq!(n, 100_000);
    assert_eq!(last.unwrap().as_str(), "http://127.0.0.1:1/item/99999");
}

#[test]
fn bad_durations_and_types_name_the_line() {
    let p = problems(&format!("{HEAD}[client]\nread_timeout = \"soon\"\n"));
    assert_eq!(p[0].line, Some(5), "{p:?}");
    let p = problems(&format!("{HEAD}[client]\nburst = \"ten\"\n"));
    assert_eq!(p[0].line, Some(5), "{p:?}");
}

#[test]
fn the_low_speed_guard_needs_a_window_unless_it_is_off() {
    let p = problems(&format!("{HEAD}[client]\nmin_speed_window = \"0s\"\n"));
    let window = p.iter().find(|p| p.key == "client.min_speed_window");
    assert!(
        window.is_some_and(|w| w.message.contains("min_bytes_per_sec = 0")),
        "{p:?}"
    );
    let off = resource(
        "seeds = [\"http://h/a\"]\ndata_selector = \"\"\npaginator = { type = \"single_page\" }",
    )
    .replace(
        "[[resources]]",
        "[client]\nmin_bytes_per_sec = 0\nmin_speed_window = \"0s\"\n[[resources]]",
    );
    let c = parse(&off, Path::new("c.toml")).unwrap();
    assert_eq!(c.client.min_bytes_per_sec, 0);
}

#[test]
fn shipped_example_configs_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            // Examples name secret variables that a test does not set.
            load_without_secrets(&path).unwrap_or_else(|e| panic!("{e}"));
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

fn paginator(p: &str) -> Result<Paginator, Vec<Problem>> {
    let text = resource(&format!(
        "seeds = [\"http://h/a\"]\ndata_selector = \"data\"\npaginator = {p}"
    ));
    parse(&text, Path::new("c.toml"))
        .map(|c| c.resources[0].paginator.clone())
        .map_err(|e| e.problems().to_vec())
}

fn keys(p: &str) -> Vec<String> {
    paginator(p)
        .unwrap_err()
        .into_iter()
        .map(|p| {
            assert_eq!(p.line, Some(8), "{p:?}");
            p.key
        })
        .collect()
}

#[test]
fn every_paginator_type_parses_with_its_defaults() {
    let sel = |p: &str| Selector::parse(p).unwrap();
    assert_eq!(
        paginator("{ type = \"header_link\", max_pages = 3 }").unwrap(),
        Paginator {
            style: PageStyle::HeaderLink,
            max_pages: Some(3)
        }
    );
    assert_eq!(
        paginator("{ type = \"cursor\", cursor_path = \"meta.next\" }")
            .unwrap()
            .style,
        PageStyle::Cursor {
            cursor_path: sel("meta.next"),
            cursor_param: "cursor".into(),
            has_more_path: None
        }
    );
    assert_eq!(
        paginator("{ type = \"offset\", limit = 50, total_path = \"total\" }")
            .unwrap()
            .style,
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 50,
            total_path: Some(sel("total")),
            total: None,
            end_on_short_page: false,
        }
    );
    assert_eq!(
        paginator("{ type = \"offset\", limit = 50, total = 2000 }")
            .unwrap()
            .style,
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 50,
            total_path: None,
            total: Some(2000),
            end_on_short_page: false,
        }
    );
    assert_eq!(
        paginator("{ type = \"page_number\" }").unwrap().style,
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 1,
            total: None,
            total_pages: None,
            page_size: None,
            page_size_param: None,
            has_more_path: None,
            end_on_short_page: false,
        }
    );
    assert_eq!(
        paginator(
            "{ type = \"page_number\", base = 0, total_path = \"n\", page_size = 20, has_more_path = \"more\" }"
        )
        .unwrap()
        .style,
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 0,
            total: Some(PageTotal::Records(sel("n"))),
            total_pages: None,
            page_size: Some(20),
            page_size_param: None,
            has_more_path: Some(sel("more")),
            end_on_short_page: false,
        }
    );
}

#[test]
fn bad_paginator_keys_are_named() {
    let k = |p: &str| keys(p);
    assert_eq!(
        k("{ type = \"cursor\", cursor_path = \"\", cursor_param = \"a=b\", has_more_path = \"x..y\" }"),
        [
            "resources[0] (r).paginator.cursor_path",
            "resources[0] (r).paginator.cursor_param",
            "resources[0] (r).paginator.has_more_path"
        ]
    );
    assert_eq!(
        k("{ type = \"offset\", limit = 0, offset_param = \"o\", limit_param = \"o\", max_pages = 0 }"),
        [
            "resources[0] (r).paginator.limit_param",
            "resources[0] (r).paginator.limit",
            "resources[0] (r).paginator.max_pages"
        ]
    );
    assert_eq!(
        k("{ type = \"page_number\", base = 2, total_pages_path = \"a\", total_path = \"b\" }"),
        [
            "resources[0] (r).paginator.base",
            "resources[0] (r).paginator.total_path"
        ]
    );
    assert_eq!(
        k("{ type = \"page_number\", total_path = \"n\", page_size_param = \"per\" }"),
        [
            "resources[0] (r).paginator.page_size",
            "resources[0] (r).paginator.page_size"
        ]
    );
    assert_eq!(
        k("{ type = \"page_number\", page_size = -1 }"),
        ["resources[0] (r).paginator.page_size"]
    );
    assert_eq!(
        k("{ type = \"page_number\", end_on_short_page = true }"),
        ["resources[0] (r).paginator.page_size"]
    );
    assert_eq!(
        k("{ type = \"header_link\", max_pages = 99999999999 }"),
        ["resources[0] (r).paginator.max_pages"]
    );
}

#[test]
fn missing_and_unknown_paginator_keys_are_parse_errors_with_a_line() {
    for (p, says) in [
        ("{ type = \"cursor\" }", "cursor_path"),
        ("{ type = \"offset\" }", "limit"),
        (
            "{ type = \"offset\", limit = 5, totl_path = \"t\" }",
            "totl_path",
        ),
        (
            "{ type = \"header_link\", next_url_path = \"n\" }",
            "next_url_path",
        ),
        ("{ type = \"scroll\" }", "scroll"),
    ] {
        let problems = paginator(p).unwrap_err();
        assert_eq!(problems[0].line, Some(8), "{p}: {problems:?}");
        assert!(problems[0].message.contains(says), "{p}: {problems:?}");
    }
}

fn seeds_of(c: &Config, i: usize) -> Vec<String> {
    let mut urls = Vec::new();
    c.resources[i]
        .seeds
        .for_each(|u| urls.push(u.to_string()))
        .unwrap();
    urls
}

const PAGE: &str = "data_selector = \"d\"\npaginator = { type = \"single_page\" }";

#[test]
fn a_million_seeds_from_a_range_are_generated_one_at_a_time() {
    let c = parse(
        &resource(&format!(
            "seed_template = {{ url = \"https://h/items/{{n}}\", range = {{ from = 1, to = 1000000 }} }}\n{PAGE}"
        )),
        Path::new("c.toml"),
    )
    .unwrap();
    let (mut n, mut first, mut last) = (0u64, None, None);
    c.resources[0]
        .seeds
        .for_each(|u| {
            n += 1;
            first.get_or_insert_with(|| u.to_string());
            last = Some(u);
        })
        .unwrap();
    assert_eq!(n, 1_000_000);
    assert_eq!(first.unwrap(), "https://h/items/1");
    assert_eq!(last.unwrap().as_str(), "https://h/items/1000000");
}

#[test]
fn seed_templates_step_and_read_values_files_percent_encoded() {
    let c = parse(
        &resource(&format!(
            "seeds = [\"http://h/first\"]\nseed_template = {{ url = \"http://h/p?n={{n}}\", range = {{ from = -2, to = 5, step = 3 }} }}\n{PAGE}"
        )),
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(
        seeds_of(&c, 0),
        [
            "http://h/first",
            "http://h/p?n=-2",
            "http://h/p?n=1",
            "http://h/p?n=4"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ids.txt"),
        "alice\n\n# comment\nbob smith\na/b\n",
    )
    .unwrap();
    let c = parse(
        &resource(&format!(
            "seed_template = {{ url = \"http://h/users/{{value}}\", values_file = \"ids.txt\" }}\n{PAGE}"
        )),
        &dir.path().join("c.toml"),
    )
    .unwrap();
    assert_eq!(
        seeds_of(&c, 0),
        [
            "http://h/users/alice",
            "http://h/users/bob%20smith",
            "http://h/users/a%2Fb"
        ]
    );
}

#[test]
fn bad_seed_templates_name_their_key_and_line() {
    let bad = |t: &str| {
        let p = problems(&resource(&format!("seed_template = {t}\n{PAGE}")));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(6), "{p:?}");
        (p[0].key.clone(), p[0].message.clone())
    };
    let range = "range = { from = 1, to = 3 }";
    let (k, m) = bad(&format!("{{ url = \"http://h/{{n}}/{{n}}\", {range} }}"));
    assert_eq!(k, "resources[0] (r).seed_template.url");
    assert!(m.contains("exactly one placeholder"), "{m}");
    let (k, _) = bad(&format!("{{ url = \"http://h/{{value}}\", {range} }}"));
    assert_eq!(k, "resources[0] (r).seed_template.url");
    let (k, m) = bad(&format!("{{ url = \"ftp://h/{{n}}\", {range} }}"));
    assert_eq!(k, "resources[0] (r).seed_template.url");
    assert!(m.contains("scheme"), "{m}");
    let (k, m) = bad("{ url = \"http://h/{n}\", range = { from = 5, to = 3 } }");
    assert_eq!(k, "resources[0] (r).seed_template.range");
    assert!(m.contains("after"), "{m}");
    let (k, _) = bad("{ url = \"http://h/{n}\", range = { from = 1, to = 3, step = 0 } }");
    assert_eq!(k, "resources[0] (r).seed_template.range.step");
    let (k, m) = bad("{ url = \"http://h/{value}\", values_file = \"nope.txt\" }");
    assert_eq!(k, "resources[0] (r).seed_template.values_file");
    assert!(m.contains("no such file"), "{m}");
    let (k, _) = bad(&format!(
        "{{ url = \"http://h/{{n}}\", {range}, values_file = \"x\" }}"
    ));
    assert_eq!(k, "resources[0] (r).seed_template");
    let (k, _) = bad("{ url = \"http://h/{n}\" }");
    assert_eq!(k, "resources[0] (r).seed_template");
}

fn family(child: &str) -> String {
    format!(
        "{HEAD}[[resources]]\nname = \"users\"\nseeds = [\"http://h/users\"]\n{PAGE}\n\
         [[resources]]\nname = \"orders\"\n{child}\n{PAGE}\n"
    )
}

#[test]
fn a_child_resource_takes_its_seeds_from_a_parent() {
    let c = parse(
        &family(
            "parent = { resource = \"users\", url = \"http://h/users/{id}/orders?org={org.name}\", copy = { user_id = \"id\", org = \"org.name\" } }",
        ),
        Path::new("c.toml"),
    )
    .unwrap();
    let link = c.resources[1].parent.as_ref().unwrap();
    assert_eq!(link.resource, "users");
    assert_eq!(
        link.fields,
        [
            Selector::parse("id").unwrap(),
            Selector::parse("org.name").unwrap()
        ]
    );
    assert_eq!(
        link.copy,
        [
            ("org".to_string(), Selector::parse("org.name").unwrap()),
            ("user_id".to_string(), Selector::parse("id").unwrap())
        ]
    );
    assert!(seeds_of(&c, 1).is_empty(), "a child needs no seeds");
}

#[test]
fn bad_parents_name_their_key_and_line() {
    let bad = |child: &str| {
        let p = problems(&family(child));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(11), "{p:?}");
        (p[0].key.clone(), p[0].message.clone())
    };
    let (k, m) = bad("parent = { resource = \"nobody\", url = \"http://h/{id}\" }");
    assert_eq!(k, "resources[1] (orders).parent.resource");
    assert!(m.contains("no resource named `nobody`"), "{m}");
    let (k, m) = bad("parent = { resource = \"orders\", url = \"http://h/{id}\" }");
    assert_eq!(k, "resources[1] (orders).parent.resource");
    assert!(m.contains("own parent"), "{m}");
    let (k, m) = bad("parent = { resource = \"users\", url = \"http://h/orders\" }");
    assert_eq!(k, "resources[1] (orders).parent.url");
    assert!(m.contains("placeholder"), "{m}");
    let (k, _) = bad("parent = { resource = \"users\", url = \"http://h/{a..b}\" }");
    assert_eq!(k, "resources[1] (orders).parent.url");
    let (k, _) = bad("parent = { resource = \"users\", url = \"{id}\" }");
    assert_eq!(k, "resources[1] (orders).parent.url");
    let (k, _) =
        bad("parent = { resource = \"users\", url = \"http://h/{id}\", copy = { x = \"\" } }");
    assert_eq!(k, "resources[1] (orders).parent.copy.x");

    // A cycle: users ← orders ← users.
    let text = format!(
        "{HEAD}[[resources]]\nname = \"users\"\nparent = {{ resource = \"orders\", url = \"http://h/{{u}}\" }}\n{PAGE}\n\
         [[resources]]\nname = \"orders\"\nparent = {{ resource = \"users\", url = \"http://h/{{id}}\" }}\n{PAGE}\n"
    );
    let p = problems(&text);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p.iter().all(|p| p.message.contains("cycle")), "{p:?}");
    assert_eq!(p[0].key, "resources[0] (users).parent.resource");
}

#[test]
fn end_on_short_page_is_an_opt_in() {
    let offset = paginator("{ type = \"offset\", limit = 5, end_on_short_page = true }").unwrap();
    assert!(matches!(
        offset.style,
        PageStyle::Offset {
            end_on_short_page: true,
            ..
        }
    ));
    let pages =
        paginator("{ type = \"page_number\", page_size = 5, end_on_short_page = true }").unwrap();
    assert!(matches!(
        pages.style,
        PageStyle::PageNumber {
            end_on_short_page: true,
            ..
        }
    ));
}

fn with_keys(extra: &str) -> String {
    resource(&format!(
        "seeds = [\"http://h/a\"]\ndata_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\n{extra}"
    ))
}

#[test]
fn response_actions_and_max_depth_are_read() {
    let c = parse(
        &with_keys(
            "response_actions = [{ status = 404, action = \"end_stream\" }, { content = \"rate limit\", action = \"retry\" }]\nmax_depth = 64",
        ),
        Path::new("c.toml"),
    )
    .unwrap();
    let r = &c.resources[0];
    assert_eq!(r.max_depth, 64);
    use harvest_policy::{ResponseAction, ResponseRule, ResponseRules};
    assert_eq!(
        r.response_actions,
        ResponseRules::new(vec![
            ResponseRule {
                status: Some(404),
                content: None,
                action: ResponseAction::EndStream
            },
            ResponseRule {
                status: None,
                content: Some("rate limit".into()),
                action: ResponseAction::Retry
            },
        ])
    );
    let c = parse(&with_keys(""), Path::new("c.toml")).unwrap();
    assert_eq!(c.resources[0].max_depth, DEFAULT_MAX_DEPTH);
    assert!(c.resources[0].response_actions.is_empty());
}

#[test]
fn bad_response_actions_are_each_named_with_their_line() {
    let text = with_keys(
        "max_depth = 0\nresponse_actions = [\n  { status = 404, action = \"stop\" },\n  { action = \"ignore\" },\n  { status = 99, content = \"\", action = \"retry\" },\n]",
    );
    let got: Vec<(Option<usize>, String)> = problems(&text)
        .into_iter()
        .map(|p| (p.line, p.key))
        .collect();
    let key = |k: &str| format!("resources[0] (r).{k}");
    assert_eq!(
        got,
        [
            (Some(11), key("response_actions[0].action")),
            (Some(12), key("response_actions[1]")),
            (Some(13), key("response_actions[2].status")),
            (Some(13), key("response_actions[2].content")),
            (Some(9), key("max_depth")),
        ]
    );
    let unknown = problems(&with_keys(
        "response_actions = [{ status = 404, action = \"ignore\", when = 1 }]",
    ));
    assert!(unknown[0].message.contains("when"), "{unknown:?}");
}

#[test]
fn give_up_after_defaults_to_ten_minutes_and_must_be_positive() {
    let ok = resource(
        "seeds = [\"http://h/a\"]\ndata_selector = \"\"\npaginator = { type = \"json_link\" }",
    );
    let c = parse(&ok, Path::new("c.toml")).unwrap();
    assert_eq!(c.give_up_after, Duration::from_secs(600));
    let set = format!("[breaker]\ngive_up_after = \"90s\"\n{ok}");
    assert_eq!(
        parse(&set, Path::new("c.toml")).unwrap().give_up_after,
        Duration::from_secs(90)
    );
    let zero = format!("[breaker]\ngive_up_after = \"0s\"\n{ok}");
    let p = problems(&zero);
    assert!(
        p.iter()
            .any(|p| p.to_string().contains("breaker.give_up_after")),
        "{p:?}"
    );
}
