//! `~` and `$VAR` in the config's paths, through the env lookup.

use crate::*;
use std::path::{Path, PathBuf};

fn env(name: &str) -> Option<String> {
    match name {
        "HOME" => Some("/home/ann".into()),
        "DATA" => Some("/srv/data".into()),
        "TOKEN" => Some("t".into()),
        _ => None,
    }
}

#[test]
fn state_and_output_dirs_expand_home_and_variables() {
    let text = "[crawl]\nstate_dir = \"~/state\"\noutput_dir = \"${DATA}/out\"\n\
                [[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
                data_selector = \"data\"\npaginator = { type = \"single_page\" }\n";
    let c = parse_with_env(text, Path::new("/etc/c.toml"), &env).unwrap();
    assert_eq!(c.crawl.state_dir, PathBuf::from("/home/ann/state"));
    assert_eq!(c.crawl.output_dir, PathBuf::from("/srv/data/out"));
}

#[test]
fn files_beside_the_config_expand_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    std::fs::write(dir.path().join("seeds.txt"), "http://127.0.0.1:1/a\n").unwrap();
    std::fs::write(dir.path().join("ids.txt"), "1\n").unwrap();
    let vars = move |name: &str| (name == "DATA").then(|| data.clone());
    let text = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n\
                [[resources]]\nname = \"a\"\nseeds_file = \"$DATA/seeds.txt\"\n\
                data_selector = \"data\"\npaginator = { type = \"single_page\" }\n\
                [[resources]]\nname = \"b\"\n\
                seed_template = { url = \"http://127.0.0.1:1/{value}\", values_file = \"${DATA}/ids.txt\" }\n\
                data_selector = \"data\"\npaginator = { type = \"single_page\" }\n";
    let c = parse_with_env(text, Path::new("/nowhere/c.toml"), &vars).unwrap();
    assert_eq!(
        c.resources[0].seeds.file,
        Some(dir.path().join("seeds.txt"))
    );
    let t = c.resources[1].seeds.template.as_ref().unwrap();
    assert_eq!(t.values, SeedValues::File(dir.path().join("ids.txt")));
}

#[test]
fn an_unset_variable_in_a_path_is_a_problem_naming_it() {
    let text = "[crawl]\nstate_dir = \"$NOPE/state\"\noutput_dir = \"o\"\n\
                [client]\nca_file = \"${CERTS}/ca.pem\"\n\
                [[resources]]\nname = \"r\"\nseeds_file = \"~/seeds.txt\"\n\
                data_selector = \"data\"\npaginator = { type = \"single_page\" }\n";
    let e = parse_with_env(text, Path::new("c.toml"), &|_| None).unwrap_err();
    let p: Vec<_> = e
        .problems()
        .iter()
        .map(|p| (p.line, p.key.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        p,
        vec![
            (
                Some(2),
                "crawl.state_dir",
                "`$NOPE/state`: environment variable `NOPE` is not set"
            ),
            (
                Some(5),
                "client.ca_file",
                "`${CERTS}/ca.pem`: environment variable `CERTS` is not set"
            ),
            (
                Some(8),
                "resources[0] (r).seeds_file",
                "`~/seeds.txt`: environment variable `HOME` is not set"
            ),
        ]
    );
}

#[test]
fn commands_without_secrets_still_expand_paths_from_the_process() {
    let Ok(home) = std::env::var("HOME") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let text = "[crawl]\nstate_dir = \"~/s\"\noutput_dir = \"o\"\n\
                [[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
                data_selector = \"data\"\npaginator = { type = \"single_page\" }\n";
    std::fs::write(&path, text).unwrap();
    let c = load_without_secrets(&path).unwrap();
    assert_eq!(c.crawl.state_dir, Path::new(&home).join("s"));
}
