//! Config of credentials and request shaping: secrets from the environment,
//! the origins a credential goes to, methods, bodies, headers, proxy.

use crate::*;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const HEAD: &str = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n";
const RES: &str = "[[resources]]\nname = \"r\"\nseeds = [\"https://api.example.com/a\", \"https://api.example.com:8443/b\"]\ndata_selector = \"d\"\npaginator = { type = \"single_page\" }\n";

fn env() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("TOKEN", "tok-s3cr3t"),
        ("USER", "alice"),
        ("PASS", "pw-s3cr3t"),
        ("EMPTY", ""),
        ("CID", "client-1"),
        ("CSECRET", "cs-s3cr3t"),
    ])
}

fn parse_env(text: &str) -> Result<Config, ConfigError> {
    let env = env();
    let lookup = move |name: &str| env.get(name).map(|v| v.to_string());
    parse_with_env(text, Path::new("c.toml"), &lookup)
}

fn ok(text: &str) -> Config {
    parse_env(text).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> String {
    parse_env(text).unwrap_err().to_string()
}

#[test]
fn bearer_token_comes_from_the_env_and_goes_to_the_seed_origins() {
    let c = ok(&format!(
        "{HEAD}{RES}auth = {{ type = \"bearer\", token_env = \"TOKEN\" }}\n"
    ));
    let auth = c.resources[0].auth.as_ref().unwrap();
    match &auth.kind {
        AuthSettings::Bearer { token } => assert_eq!(token.expose(), "tok-s3cr3t"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        auth.origins,
        ["https://api.example.com", "https://api.example.com:8443"]
    );
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("s3cr3t"),
        "Debug of the config shows a secret"
    );
}

#[test]
fn a_missing_variable_names_it_and_the_line_never_a_value() {
    let e = err(&format!(
        "{HEAD}{RES}auth = {{ type = \"basic\", username_env = \"USER\", password_env = \"NOPE\" }}\n"
    ));
    assert!(
        e.contains("c.toml:9: `resources[0] (r).auth.password_env`: environment variable `NOPE` is not set"),
        "{e}"
    );
    assert!(!e.contains("alice"), "{e}");
    let e = err(&format!(
        "{HEAD}[client]\nauth = {{ type = \"bearer\", token_env = \"EMPTY\" }}\n{RES}"
    ));
    assert!(
        e.contains("c.toml:5: `client.auth.token_env`: environment variable `EMPTY` is empty"),
        "{e}"
    );
}

#[test]
fn client_auth_is_the_default_and_none_opts_out() {
    let c = ok(&format!(
        "{HEAD}[client]\nauth = {{ type = \"api_key\", key_env = \"TOKEN\", query_param = \"api_key\", origins = [\"https://x.example.com\"] }}\n\
         {RES}\n[[resources]]\nname = \"q\"\nseeds = [\"https://api.example.com/q\"]\ndata_selector = \"d\"\npaginator = {{ type = \"single_page\" }}\nauth = {{ type = \"none\" }}\n"
    ));
    let auth = c.resources[0].auth.as_ref().unwrap();
    assert!(matches!(
        &auth.kind,
        AuthSettings::ApiKey { place: KeyPlace::Query(q), .. } if q == "api_key"
    ));
    assert_eq!(auth.origins, ["https://x.example.com"]);
    assert!(c.resources[1].auth.is_none());
}

#[test]
fn api_key_defaults_to_a_header_and_refuses_two_places() {
    let c = ok(&format!(
        "{HEAD}{RES}auth = {{ type = \"api_key\", key_env = \"TOKEN\" }}\n"
    ));
    assert!(matches!(
        &c.resources[0].auth.as_ref().unwrap().kind,
        AuthSettings::ApiKey { place: KeyPlace::Header(h), .. } if h == DEFAULT_API_KEY_HEADER
    ));
    let e = err(&format!(
        "{HEAD}{RES}auth = {{ type = \"api_key\", key_env = \"TOKEN\", header = \"K\", query_param = \"k\" }}\n"
    ));
    assert!(e.contains("not both"), "{e}");
}

#[test]
fn oauth2_settings_and_a_clear_text_token_url() {
    let c = ok(&format!(
        "{HEAD}{RES}auth = {{ type = \"oauth2_client_credentials\", token_url = \"http://127.0.0.1:9/token\", client_id_env = \"CID\", client_secret_env = \"CSECRET\", scopes = [\"read\"], refresh_margin = \"10s\" }}\n"
    ));
    match &c.resources[0].auth.as_ref().unwrap().kind {
        AuthSettings::OAuth2 {
            scopes,
            refresh_margin,
            client_auth,
            ..
        } => {
            assert_eq!(scopes, &["read"]);
            assert_eq!(*refresh_margin, Duration::from_secs(10));
            assert_eq!(*client_auth, ClientAuth::Basic);
        }
        other => panic!("{other:?}"),
    }
    let e = err(&format!(
        "{HEAD}{RES}auth = {{ type = \"oauth2_client_credentials\", token_url = \"http://auth.example.com/token\", client_id_env = \"CID\", client_secret_env = \"CSECRET\" }}\n"
    ));
    assert!(e.contains("auth.token_url`: must be https"), "{e}");
}

#[test]
fn a_template_with_the_value_in_the_host_needs_explicit_origins() {
    let res = "[[resources]]\nname = \"r\"\nseed_template = { url = \"https://{n}.example.com/a\", range = { from = 1, to = 3 } }\ndata_selector = \"d\"\npaginator = { type = \"single_page\" }\n";
    let e = err(&format!(
        "{HEAD}{res}auth = {{ type = \"bearer\", token_env = \"TOKEN\" }}\n"
    ));
    assert!(e.contains("auth.origins"), "{e}");
    let c = ok(&format!(
        "{HEAD}{res}auth = {{ type = \"bearer\", token_env = \"TOKEN\", origins = [\"https://1.example.com\"] }}\n"
    ));
    assert_eq!(
        c.resources[0].auth.as_ref().unwrap().origins,
        ["https://1.example.com"]
    );
}

#[test]
fn post_with_a_json_body_and_an_idempotency_key() {
    let c = ok(&format!(
        "{HEAD}{RES}method = \"post\"\nbody = {{ query = \"x\", size = 10, tags = [\"a\"] }}\nparams = {{ v = \"2\" }}\nheaders = {{ \"X-Tenant\" = \"t1\" }}\n"
    ));
    let r = &c.resources[0].request;
    assert_eq!(r.method, Method::Post);
    let body: toml::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["query"].as_str(), Some("x"));
    assert_eq!(body["size"].as_integer(), Some(10));
    assert_eq!(r.params, [("v".to_string(), "2".to_string())]);
    assert_eq!(r.headers, [("X-Tenant".to_string(), "t1".to_string())]);
    assert_eq!(
        r.idempotency_header.as_deref(),
        Some(DEFAULT_IDEMPOTENCY_HEADER)
    );
    assert!(r.retry_safe());
    let c = ok(&format!(
        "{HEAD}{RES}method = \"POST\"\nidempotency_header = \"\"\n"
    ));
    assert!(!c.resources[0].request.retry_safe());
    assert_eq!(c.client.request_id_header.as_deref(), Some("X-Request-ID"));
}

#[test]
fn bad_request_keys() {
    let e = err(&format!(
        "{HEAD}{RES}method = \"DELETE\"\nbody = {{ q = 1 }}\nheaders = {{ Authorization = \"Bearer x\" }}\n"
    ));
    assert!(
        e.contains("`resources[0] (r).method`: `DELETE`: use GET or POST"),
        "{e}"
    );
    assert!(e.contains("a body needs `method = \"POST\"`"), "{e}");
    assert!(
        e.contains("headers.Authorization`: credentials do not go in the config file"),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}[client]\nproxy = \"http://u:p@127.0.0.1:3128\"\n{RES}"
    ));
    assert!(
        e.contains("c.toml:5: `client.proxy`: no credentials"),
        "{e}"
    );
}

#[test]
fn proxy_and_request_id_header() {
    let c = ok(&format!(
        "{HEAD}[client]\nproxy = \"http://127.0.0.1:3128\"\nrequest_id_header = \"\"\n{RES}"
    ));
    assert_eq!(
        c.client.proxy.as_ref().map(|u| u.as_str()),
        Some("http://127.0.0.1:3128/")
    );
    assert_eq!(c.client.request_id_header, None);
}

#[test]
fn a_ca_file_is_read_relative_to_the_config_and_must_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    let parse = |ca: &str| {
        let text = format!("{HEAD}[client]\nca_file = \"{ca}\"\n{RES}");
        parse_with_env(&text, &config, &|_: &str| None)
    };
    std::fs::write(
        dir.path().join("ca.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let c = parse("ca.pem").unwrap();
    assert_eq!(c.client.ca_file, Some(dir.path().join("ca.pem")));
    let e = parse("missing.pem").unwrap_err().to_string();
    assert!(e.contains("c.toml:5: `client.ca_file`: cannot read"), "{e}");
    std::fs::write(dir.path().join("key.pem"), "-----BEGIN PRIVATE KEY-----\n").unwrap();
    let e = parse("key.pem").unwrap_err().to_string();
    assert!(e.contains("holds no PEM certificate"), "{e}");
}
