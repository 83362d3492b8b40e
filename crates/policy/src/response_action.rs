//! Response actions, dlt's `response_actions`: a resource's own rules for
//! answers that its status alone would misjudge — a 404 past the last page
//! that means "the end", a 200 whose body says "rate limit". A rule matches
//! on a status, a substring of the body's first [`CONTENT_PREFIX`] bytes, or
//! both; the first matching rule wins and replaces the status's usual
//! disposition ([`crate::Disposition`]). Pure: the caller reads the body
//! prefix, only when [`ResponseRules::needs_body`] says a content rule could
//! decide.

/// The most body bytes a `content` rule looks at.
pub const CONTENT_PREFIX: usize = 64 << 10;

/// What a matched response becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseAction {
    /// The page is done with no records, and its stream ends normally.
    EndStream,
    /// The page is done with no records (a page with nothing for us); no
    /// next page can be read from it, so nothing follows it either.
    Ignore,
    /// Retried with backoff, like a 503 (retry reason `response_action`).
    Retry,
    /// Dead-lettered at once (reason `response_action`).
    DeadLetter,
}

impl ResponseAction {
    /// Every action's config name, in the order the docs list them.
    pub const NAMES: [&'static str; 4] = ["end_stream", "ignore", "retry", "dead_letter"];

    /// The action named `name` in a config.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "end_stream" => Some(Self::EndStream),
            "ignore" => Some(Self::Ignore),
            "retry" => Some(Self::Retry),
            "dead_letter" => Some(Self::DeadLetter),
            _ => None,
        }
    }

    /// The config name, also a fixed metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EndStream => "end_stream",
            Self::Ignore => "ignore",
            Self::Retry => "retry",
            Self::DeadLetter => "dead_letter",
        }
    }
}

/// One rule: `{ status = 404, action = "end_stream" }`. At least one of
/// `status` and `content` is set (checked by the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRule {
    /// Matches this status only (`None`: any status).
    pub status: Option<u16>,
    /// Matches a body whose first [`CONTENT_PREFIX`] bytes hold this (`None`:
    /// any body). Case-sensitive, as in dlt.
    pub content: Option<String>,
    pub action: ResponseAction,
}

impl ResponseRule {
    fn status_matches(&self, status: u16) -> bool {
        self.status.is_none_or(|s| s == status)
    }
}

/// A rule that matched, for the log and a dead letter's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched<'r> {
    /// The rule's index in the resource's `response_actions`.
    pub index: usize,
    pub rule: &'r ResponseRule,
}

impl std::fmt::Display for Matched<'_> {
    /// `response_actions[1] (status = 404, content = "gone")`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "response_actions[{}] (", self.index)?;
        if let Some(status) = self.rule.status {
            write!(f, "status = {status}")?;
            if self.rule.content.is_some() {
                f.write_str(", ")?;
            }
        }
        if let Some(content) = &self.rule.content {
            write!(f, "content = {content:?}")?;
        }
        f.write_str(")")
    }
}

/// A resource's rules, in config order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseRules(Vec<ResponseRule>);

impl ResponseRules {
    pub fn new(rules: Vec<ResponseRule>) -> Self {
        Self(rules)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a response with `status` needs its body prefix read to be
    /// decided: a content rule comes before any status-only rule matching it.
    pub fn needs_body(&self, status: u16) -> bool {
        self.0
            .iter()
            .find(|r| r.status_matches(status))
            .is_some_and(|r| r.content.is_some())
    }

    /// The first rule matching a response with `status` whose body starts
    /// with `body` (`None`: not read, so no content rule matches). Only the
    /// first [`CONTENT_PREFIX`] bytes are searched.
    pub fn first_match(&self, status: u16, body: Option<&[u8]>) -> Option<Matched<'_>> {
        let body = body.map(|b| &b[..b.len().min(CONTENT_PREFIX)]);
        self.0
            .iter()
            .enumerate()
            .find(|(_, r)| {
                r.status_matches(status)
                    && match (&r.content, body) {
                        (None, _) => true,
                        (Some(needle), Some(body)) => contains(body, needle.as_bytes()),
                        (Some(_), None) => false,
                    }
            })
            .map(|(index, rule)| Matched { index, rule })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(status: Option<u16>, content: Option<&str>, action: ResponseAction) -> ResponseRule {
        ResponseRule {
            status,
            content: content.map(str::to_owned),
            action,
        }
    }

    fn rules() -> ResponseRules {
        ResponseRules::new(vec![
            rule(Some(404), None, ResponseAction::EndStream),
            rule(None, Some("rate limit"), ResponseAction::Retry),
            rule(Some(500), Some("maintenance"), ResponseAction::Ignore),
            rule(Some(500), None, ResponseAction::DeadLetter),
        ])
    }

    fn action(status: u16, body: Option<&str>) -> Option<(usize, ResponseAction)> {
        let rules = rules();
        let m = rules.first_match(status, body.map(str::as_bytes))?;
        Some((m.index, m.rule.action))
    }

    #[test]
    fn the_first_matching_rule_wins() {
        use ResponseAction::*;
        let cases = [
            (404, None, Some((0, EndStream))),
            // The 404 rule comes first, whatever the body says.
            (404, Some("rate limit"), Some((0, EndStream))),
            (
                200,
                Some("{\"error\":\"rate limit hit\"}"),
                Some((1, Retry)),
            ),
            (500, Some("down for maintenance"), Some((2, Ignore))),
            (500, Some("oops"), Some((3, DeadLetter))),
            (200, Some("{\"data\":[]}"), None),
            (503, None, None),
        ];
        for (status, body, want) in cases {
            assert_eq!(action(status, body), want, "{status} {body:?}");
        }
    }

    #[test]
    fn content_rules_need_the_body_and_match_case_sensitively() {
        let rules = rules();
        assert!(!rules.needs_body(404), "decided by status alone");
        assert!(rules.needs_body(200));
        assert!(rules.needs_body(500));
        assert!(!ResponseRules::default().needs_body(200));
        // Unread, a content rule cannot match: the 500 falls to rule 3.
        assert_eq!(action(500, None), Some((3, ResponseAction::DeadLetter)));
        assert_eq!(action(200, Some("Rate Limit")), None);
    }

    #[test]
    fn only_the_prefix_is_searched() {
        let rules = rules();
        let mut body = vec![b' '; CONTENT_PREFIX];
        body.extend_from_slice(b"rate limit");
        assert_eq!(rules.first_match(200, Some(&body)), None);
        body.drain(..20);
        assert!(rules.first_match(200, Some(&body)).is_some());
    }

    #[test]
    fn a_match_names_its_rule() {
        let rules = rules();
        let m = rules.first_match(500, Some(b"maintenance")).unwrap();
        assert_eq!(
            m.to_string(),
            "response_actions[2] (status = 500, content = \"maintenance\")"
        );
        let m = rules.first_match(404, None).unwrap();
        assert_eq!(m.to_string(), "response_actions[0] (status = 404)");
        for name in ResponseAction::NAMES {
            assert_eq!(ResponseAction::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(ResponseAction::parse("skip"), None);
    }
}
