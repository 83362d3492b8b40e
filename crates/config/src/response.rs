//! What a resource does with a response besides paginating it:
//! `response_actions` (rules that override a status's usual disposition,
//! checked into [`harvest_policy::ResponseRules`]) and the `max_depth` guard
//! on its records.

use crate::checker::Checker;
use crate::model::{DEFAULT_MAX_DEPTH, MAX_MAX_DEPTH};
use crate::raw::RawResponseAction;
use harvest_policy::{ResponseAction, ResponseRule, ResponseRules};
use toml::Spanned;

/// Checks a resource's `response_actions`; `key` is the resource's key.
/// Every problem is reported; bad rules are left out.
pub(crate) fn check(
    c: &mut Checker<'_>,
    key: &str,
    raw: &[Spanned<RawResponseAction>],
) -> ResponseRules {
    let mut rules = Vec::new();
    for (i, spanned) in raw.iter().enumerate() {
        let r = spanned.get_ref();
        let key = format!("{key}.response_actions[{i}]");
        let before = c.problems_len();
        let status = r.status.and_then(|s| match u16::try_from(s) {
            Ok(s) if (100..=599).contains(&s) => Some(s),
            _ => {
                let why = format!("is {s}; an HTTP status is 100 to 599");
                c.at(spanned, format!("{key}.status"), why);
                None
            }
        });
        if r.content.as_deref() == Some("") {
            let why = "must not be empty (it would match every body)";
            c.at(spanned, format!("{key}.content"), why);
        }
        if r.status.is_none() && r.content.is_none() {
            let why = "give `status`, `content` or both: a rule needs something to match";
            c.at(spanned, key.clone(), why);
        }
        let action = ResponseAction::parse(&r.action);
        if action.is_none() {
            let why = format!(
                "`{}` is not an action; use {}",
                r.action,
                ResponseAction::NAMES.join(", ")
            );
            c.at(spanned, format!("{key}.action"), why);
        }
        if let (Some(action), true) = (action, c.problems_len() == before) {
            rules.push(ResponseRule {
                status,
                content: r.content.clone(),
                action,
            });
        }
    }
    ResponseRules::new(rules)
}

/// Checks `max_depth` (1 to [`MAX_MAX_DEPTH`]); the default when unset.
pub(crate) fn check_max_depth(c: &mut Checker<'_>, key: &str, raw: Option<&Spanned<i64>>) -> usize {
    let Some(spanned) = raw else {
        return DEFAULT_MAX_DEPTH;
    };
    match usize::try_from(*spanned.get_ref()) {
        Ok(depth) if (1..=MAX_MAX_DEPTH).contains(&depth) => depth,
        _ => {
            let why = format!("is {}; must be 1 to {MAX_MAX_DEPTH}", spanned.get_ref());
            c.at(spanned, format!("{key}.max_depth"), why);
            DEFAULT_MAX_DEPTH
        }
    }
}
