//! Credentials against the testkit, which checks them: each auth kind, the
//! OAuth 2.0 token cache (refreshed before expiry, once on a 401), missing
//! variables, credentials kept from foreign origins (next links, redirects,
//! child pages: the server-side log is the ground truth), secrets absent
//! from every output, request ids, `POST` with idempotency keys, a proxy.

use crate::util::*;
use harvest_testkit::{
    hop_path, Credential, Fault, FaultAction, TokenPolicy, Upstream, UpstreamSpec,
};
use std::collections::HashSet;

const TOKEN: &str = "tok-9f8e7d6c5b4a-bearer";
const KEY: &str = "key-0a1b2c3d4e5f-api";
const PASSWORD: &str = "pw-5e4d3c2b1a-basic";

fn small() -> UpstreamSpec {
    shape(2, 3, 4, 2)
}

/// The seeds of origin `o` only.
fn seeds_of(up: &Upstream, o: usize) -> Vec<String> {
    (0..up.spec().streams)
        .map(|s| format!("{}/s/{s}/p/0", up.origin_url(o)))
        .collect()
}

/// The client credentials of the oauth2 crawls.
const CLIENT: [(&str, &str); 2] = [
    ("IT_CID", "harvest-client"),
    ("IT_CSECRET", "client-secret"),
];

/// Runs a crawl of `seeds` with `settings`, authenticated by the OAuth 2.0
/// client-credentials grant at origin `token_origin`'s token endpoint, with
/// `more` keys in the `auth` table.
fn oauth2_run(
    up: &Upstream,
    seeds: Vec<String>,
    settings: &str,
    token_origin: usize,
    more: &str,
) -> (Crawl, std::process::Output) {
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)])
        .settings(settings)
        .write();
    crawl.append(&format!(
        "auth = {{ type = \"oauth2_client_credentials\", token_url = \"{}\", client_id_env = \"IT_CID\", client_secret_env = \"IT_CSECRET\"{more} }}",
        up.token_url(token_origin)
    ));
    let out = crawl.run_env(&CLIENT);
    (crawl, out)
}

#[test]
fn each_auth_kind_is_sent_and_accepted() {
    let cases = [
        (
            Credential::Bearer(TOKEN.into()),
            r#"auth = { type = "bearer", token_env = "IT_TOKEN" }"#,
        ),
        (
            Credential::ApiKeyHeader {
                name: "X-API-Key".into(),
                value: KEY.into(),
            },
            r#"auth = { type = "api_key", key_env = "IT_KEY" }"#,
        ),
        (
            Credential::ApiKeyQuery {
                name: "api_key".into(),
                value: KEY.into(),
            },
            r#"auth = { type = "api_key", key_env = "IT_KEY", query_param = "api_key" }"#,
        ),
        (
            Credential::Basic {
                user: "alice".into(),
                password: PASSWORD.into(),
            },
            r#"auth = { type = "basic", username_env = "IT_USER", password_env = "IT_PASSWORD" }"#,
        ),
    ];
    let env = [
        ("IT_TOKEN", TOKEN),
        ("IT_KEY", KEY),
        ("IT_USER", "alice"),
        ("IT_PASSWORD", PASSWORD),
    ];
    for (credential, auth) in cases {
        let up = upstream(small());
        up.require_credential(0, credential.clone());
        let crawl = Crawl::with(vec![Res::json_link("items", seeds_of(&up, 0))]).write();
        crawl.append(auth);
        let out = crawl.run_env(&env);
        assert_exit(&out, 0);
        assert_eq!(up.refused_requests(), 0, "{credential:?}");
        assert_eq!(crawl.ids("items").len(), 3 * 4 * 2, "{credential:?}");
    }
}

#[test]
fn oauth2_token_is_shared_and_replaced_once_on_a_401() {
    let up = upstream(small());
    up.require_credential(0, Credential::OAuth2);
    // The server revokes each token after 5 uses: requests 6 and 11 get a
    // 401, drop the token and succeed with a new one.
    up.set_token_policy(TokenPolicy {
        max_uses: Some(5),
        ..TokenPolicy::default()
    });
    let (crawl, out) = oauth2_run(
        &up,
        seeds_of(&up, 0),
        "[client]\nmax_in_flight_per_origin = 1\n",
        1,
        ", scopes = [\"read\"]",
    );
    assert_exit(&out, 0);
    assert_eq!(crawl.ids("items").len(), 24);
    assert_eq!(up.token_requests(), 3, "one token, then one per 401");
    assert_eq!(up.refused_requests(), 2);
    let pages = up.log().snapshot();
    let token_reqs: Vec<_> = pages.iter().filter(|r| r.path == "/oauth/token").collect();
    assert!(token_reqs
        .iter()
        .all(|r| r.method == "POST" && r.body.starts_with(b"grant_type=client_credentials")));
}

#[test]
fn oauth2_token_is_refreshed_before_it_expires() {
    let up = upstream(small());
    up.require_credential(0, Credential::OAuth2);
    // Tokens live 2 s; the margin (60 s by default) is capped at half the
    // lifetime, so each is replaced after 1 s, before the server refuses it.
    up.set_token_policy(TokenPolicy {
        lifetime: std::time::Duration::from_secs(2),
        ..TokenPolicy::default()
    });
    let (crawl, out) = oauth2_run(
        &up,
        seeds_of(&up, 0),
        "[client]\nrate_per_sec = 8.0\nburst = 1\n",
        0,
        ", client_auth = \"body\"",
    );
    assert_exit(&out, 0);
    assert_eq!(crawl.ids("items").len(), 24);
    assert_eq!(up.refused_requests(), 0, "no token was used after expiry");
    assert!(
        up.token_requests() >= 2,
        "12 pages at 8/s outlive one token"
    );
}

#[test]
fn oauth2_401_after_a_fresh_token_dead_letters_the_page() {
    let up = upstream(small());
    up.require_credential(0, Credential::OAuth2);
    up.set_token_policy(TokenPolicy {
        refuse_all: true,
        ..TokenPolicy::default()
    });
    let seed = format!("{}/s/0/p/0", up.origin_url(0));
    let (crawl, out) = oauth2_run(&up, vec![seed], "", 0, "");
    assert_exit(&out, 3);
    assert_eq!(up.token_requests(), 2, "refreshed once, not in a loop");
    assert_eq!(up.refused_requests(), 2);
    let letters = crawl.dead_letters();
    assert_contains(&letters, &["http_401", "also a freshly fetched one"]);
}

#[test]
fn a_missing_secret_variable_is_a_config_error_naming_it() {
    let up = upstream(small());
    let crawl = Crawl::with(vec![Res::json_link("items", seeds_of(&up, 0))]).write();
    crawl.append(r#"auth = { type = "bearer", token_env = "IT_SURELY_UNSET_TOKEN" }"#);
    let out = crawl.run_env(&[]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(
            "crawl.toml:13: `resources[0] (items).auth.token_env`: environment variable `IT_SURELY_UNSET_TOKEN` is not set"
        ),
        "{err}"
    );
    assert!(up.log().is_empty(), "nothing fetched");
}

/// Every request to `origin` went without credentials.
fn assert_no_credential(up: &Upstream, origin: usize) {
    let log = up.log().snapshot();
    let seen: Vec<_> = log.iter().filter(|r| r.origin == origin).collect();
    assert!(!seen.is_empty(), "origin {origin} was not reached");
    for r in seen {
        assert_eq!(r.header("authorization"), None, "{r:?}");
        assert_eq!(r.header("x-api-key"), None, "{r:?}");
        assert!(!r.path.contains(KEY), "{r:?}");
    }
}

#[test]
fn a_next_link_to_another_allowed_origin_carries_no_credential() {
    let up = upstream(small());
    up.require_credential(0, Credential::Bearer(TOKEN.into()));
    let foreign = format!("{}/s/0/p/0", up.origin_url(1));
    let seed = format!("{}{}", up.origin_url(0), hop_path(&foreign));
    let crawl = Crawl::with(vec![Res::json_link("items", vec![seed])]).write();
    crawl.append(&format!(
        "allowed_origins = [\"{}\"]\nauth = {{ type = \"bearer\", token_env = \"IT_TOKEN\" }}",
        up.origin_url(1)
    ));
    let out = crawl.run_env(&[("IT_TOKEN", TOKEN)]);
    assert_exit(&out, 0);
    assert_eq!(
        crawl.ids("items").len(),
        4 * 2,
        "the foreign stream was walked"
    );
    assert_eq!(up.refused_requests(), 0, "the seed's origin got its token");
    assert_no_credential(&up, 1);
}

#[test]
fn a_redirect_to_another_origin_drops_the_credential_and_needs_allowed_origins() {
    let up = upstream(small());
    up.require_credential(
        0,
        Credential::ApiKeyHeader {
            name: "X-API-Key".into(),
            value: KEY.into(),
        },
    );
    let away = |s: usize| format!("{}/s/{s}/p/0", up.origin_url(1));
    up.add_fault(Fault::new(FaultAction::Redirect(away(0))).path("/moved/0"));
    let other = upstream(small());
    let not_allowed = format!("{}/s/0/p/0", other.origin_url(0));
    up.add_fault(Fault::new(FaultAction::Redirect(not_allowed)).path("/moved/1"));
    let seeds = vec![
        format!("{}/moved/0", up.origin_url(0)),
        format!("{}/moved/1", up.origin_url(0)),
    ];
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)]).write();
    crawl.append(&format!(
        "allowed_origins = [\"{}\"]\nauth = {{ type = \"api_key\", key_env = \"IT_KEY\" }}",
        up.origin_url(1)
    ));
    let out = crawl.run_env(&[("IT_KEY", KEY)]);
    assert_exit(&out, 3);
    assert_eq!(
        crawl.ids("items").len(),
        4 * 2,
        "followed to the allowed origin"
    );
    assert_no_credential(&up, 1);
    assert!(
        other.log().is_empty(),
        "not followed to an origin not allowed"
    );
    let moved: Vec<_> = up
        .log()
        .snapshot()
        .into_iter()
        .filter(|r| r.path.starts_with("/moved/"))
        .collect();
    assert!(moved.iter().all(|r| r.header("x-api-key") == Some(KEY)));
}

#[test]
fn child_pages_on_another_origin_get_no_credential_unless_configured() {
    let up = upstream(small());
    up.require_credential(0, Credential::Bearer(TOKEN.into()));
    let crawl = Crawl::new();
    let parent_seed = format!("{}/s/0/p/0", up.origin_url(0));
    crawl.write_raw(&format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\n\
         [client]\nauth = {{ type = \"bearer\", token_env = \"IT_TOKEN\", origins = [\"{}\"] }}\n\
         [[resources]]\nname = \"users\"\nseeds = [\"{parent_seed}\"]\ndata_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n\
         [[resources]]\nname = \"orders\"\nparent = {{ resource = \"users\", url = \"{}/c/{{id}}/p/0\" }}\ndata_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n",
        crawl.path("state"),
        crawl.path("out"),
        up.origin_url(0),
        up.origin_url(1),
    ));
    let out = crawl.run_env(&[("IT_TOKEN", TOKEN)]);
    assert_exit(&out, 0);
    assert_eq!(crawl.ids("users").len(), 8);
    assert!(!crawl.ids("orders").is_empty());
    assert_eq!(up.refused_requests(), 0);
    assert_no_credential(&up, 1);
}

#[test]
fn request_ids_are_unique_and_the_user_agent_names_harvest() {
    let up = upstream(small());
    let crawl = Crawl::of(&up).write();
    crawl.run_expect(0);
    let log = up.log().snapshot();
    let ids: HashSet<&str> = log
        .iter()
        .filter_map(|r| r.header("x-request-id"))
        .collect();
    assert_eq!(ids.len(), log.len(), "one id per request, all different");
    assert!(log.iter().all(|r| r
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("harvest/"))));
    assert!(
        log.iter().all(|r| r.header("idempotency-key").is_none()),
        "GET has none"
    );
}

#[test]
fn post_sends_the_body_template_and_reuses_the_idempotency_key_on_retry() {
    let up = upstream(small());
    up.add_fault(
        Fault::new(FaultAction::Status(503))
            .path("/s/0/p/1")
            .times(1),
    );
    let crawl = Crawl::with(vec![Res::json_link("items", seeds_of(&up, 0))])
        .settings("[client]\nrequest_id_header = \"X-Correlation-ID\"\n[retry]\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n")
        .write();
    crawl.append(
        "method = \"POST\"\nbody = { query = \"status:open\", size = 2 }\nparams = { v = \"2\" }",
    );
    crawl.run_expect(0);
    assert_eq!(crawl.ids("items").len(), 24);
    let log = up.log().snapshot();
    assert_eq!(log.len(), 13, "12 pages and one retry");
    for r in &log {
        assert_eq!(r.method, "POST");
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body, serde_json::json!({"query": "status:open", "size": 2}));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.path.ends_with("?v=2"), "{}", r.path);
    }
    let tries: Vec<_> = log
        .iter()
        .filter(|r| r.path.starts_with("/s/0/p/1"))
        .collect();
    assert_eq!(tries.len(), 2);
    assert_eq!(tries[0].status, 503);
    let key = tries[0].header("idempotency-key").unwrap();
    assert_eq!(
        tries[1].header("idempotency-key"),
        Some(key),
        "retry reuses the key"
    );
    assert_ne!(
        tries[0].header("x-correlation-id"),
        tries[1].header("x-correlation-id"),
        "each request its own id"
    );
    let keys: HashSet<_> = log
        .iter()
        .filter_map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys.len(), 12, "one key per page");
}

#[test]
fn post_without_an_idempotency_key_is_not_retried_after_it_reached_the_server() {
    let up = upstream(small());
    up.add_fault(
        Fault::new(FaultAction::Status(503))
            .path("/s/0/p/0")
            .times(1),
    );
    let seed = format!("{}/s/0/p/0", up.origin_url(0));
    let crawl = Crawl::with(vec![Res::json_link("items", vec![seed])]).write();
    crawl.append("method = \"POST\"\nidempotency_header = \"\"");
    crawl.run_expect(3);
    assert_eq!(up.log().len(), 1, "not sent twice");
    let letters = crawl.dead_letters();
    assert!(letters.contains("not_retried"), "{letters}");
    assert!(letters.contains("request id"), "{letters}");
}

#[test]
fn traffic_goes_through_the_configured_proxy() {
    // The seeds name a host that does not resolve: only the proxy (the
    // testkit, which serves absolute-form requests) can answer them.
    let up = upstream(small());
    let seeds: Vec<String> = (0..3)
        .map(|s| format!("http://upstream.invalid/s/{s}/p/0"))
        .collect();
    let crawl = Crawl::with(vec![Res::new(
        "items",
        seeds,
        r#"{ type = "single_page" }"#,
    )])
    .settings(&format!("[client]\nproxy = \"{}\"\n", up.origin_url(0)))
    .write();
    crawl.run_expect(0);
    assert_eq!(crawl.ids("items").len(), 3 * 2);
    let log = up.log().snapshot();
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|r| r.header("host") == Some("upstream.invalid")));
}
