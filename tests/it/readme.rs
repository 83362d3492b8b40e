//! The README's TOML is the config reference users copy from: every ```toml
//! block of README.md must validate with `harvest_config::parse_with_env`.
//!
//! A block with a `[crawl]` table is a whole config and must validate as is
//! (the files it names, seeds.txt, ids.txt, the CA file, are created next to
//! it in a temp dir; secrets come from a fake env). A block without `[crawl]`
//! is a deliberate fragment (one `[[resources]]` example, say): the test puts
//! a minimal `[crawl]` table in front of it, and a minimal resource when the
//! fragment has none.

use std::path::Path;

const README: &str = include_str!("../../README.md");

/// The body of every ```toml fence, with the 1-based line of its first line.
pub(crate) fn toml_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match current.as_mut() {
            None if line.trim_start().starts_with("```toml") => {
                current = Some((i + 2, String::new()));
            }
            None => {}
            Some(_) if line.trim_start().starts_with("```") => {
                blocks.extend(current.take());
            }
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(
        current.is_none(),
        "README.md: a ```toml fence is not closed"
    );
    blocks
}

/// A whole config: the block as is; a fragment: wrapped in a minimal crawl.
pub(crate) fn as_config(block: &str) -> String {
    let has_crawl = block.lines().any(|l| l.trim() == "[crawl]");
    if has_crawl {
        return block.to_string();
    }
    let mut text = "[crawl]\nstate_dir = \"state\"\noutput_dir = \"out\"\n".to_string();
    text.push_str(block);
    if !block.contains("[[resources]]") {
        text.push_str(
            "\n[[resources]]\nname = \"wrapped\"\nseeds = [\"https://api.example.com/\"]\n\
             data_selector = \"data\"\npaginator = { type = \"single_page\" }\n",
        );
    }
    text
}

/// The files README examples name, created beside the config.
fn create_named_files(dir: &Path) {
    std::fs::write(dir.join("seeds.txt"), "https://api.example.com/v1/orders\n").unwrap();
    std::fs::write(dir.join("ids.txt"), "1\n2\n").unwrap();
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    std::fs::write(dir.join("certs/internal-ca.pem"), pem).unwrap();
}

/// Every `*_env` variable is set; nothing else is.
fn fake_env(name: &str) -> Option<String> {
    (name.ends_with("_TOKEN")
        || name.ends_with("_KEY")
        || name.ends_with("_ID")
        || name.ends_with("_SECRET")
        || name.ends_with("_USER")
        || name.ends_with("_PASSWORD")
        || name == "HOME")
        .then(|| format!("fake-{name}"))
}

#[test]
fn every_toml_block_of_the_readme_validates() {
    let blocks = toml_blocks(README);
    assert!(
        blocks
            .iter()
            .any(|(_, b)| b.lines().any(|l| l.trim() == "[crawl]")),
        "README.md holds the full reference block"
    );
    let dir = tempfile::tempdir().unwrap();
    create_named_files(dir.path());
    let path = dir.path().join("crawl.toml");
    let mut failures = Vec::new();
    for (line, block) in &blocks {
        let text = as_config(block);
        if let Err(e) = harvest_config::parse_with_env(&text, &path, &fake_env) {
            failures.push(format!("README.md block at line {line}:\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn fences_are_found() {
    let text = "a\n```toml\nx = 1\n```\nb\n```sh\nnot toml\n```\n```toml\ny = 2\n```\n";
    assert_eq!(
        toml_blocks(text),
        vec![(3, "x = 1\n".to_string()), (10, "y = 2\n".to_string())]
    );
}
