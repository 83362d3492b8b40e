//! Which kinds of failure a chaos schedule may draw: one flag per kind, by
//! name, so a suite can switch a kind off (or on) in one place.

/// One flag per fault kind. A kind that is off is never drawn; the others
/// are drawn as if it did not exist, so switching one kind changes the
/// schedules of the same seeds (the flags are printed with the schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultKinds {
    /// Outages with no listener on the port (connections refused), then the
    /// same port again; open connections are reset when it starts.
    pub refused: bool,
    /// Windows in which every connection is reset (RST) when it is used.
    pub reset: bool,
    /// 503 bursts: every request of the origin answers 503 for a while.
    pub burst_503: bool,
    /// 429 bursts, with and without `Retry-After`.
    pub burst_429: bool,
    /// Single 503s on pages.
    pub status_503: bool,
    /// Single 429s on pages, with and without `Retry-After`.
    pub status_429: bool,
    /// Headers and half the body, then silence (a read timeout ends it).
    pub stall: bool,
    /// The body one byte at a time, never silent for long.
    pub trickle: bool,
    /// The response only after a delay (sometimes past the read timeout).
    pub slow_first_byte: bool,
    /// Offset streams whose server serves fewer records than the `limit`
    /// asked (with a correct total).
    pub capped_pages: bool,
    /// Page-number streams without a total answer 404 past their last page
    /// (else an empty page).
    pub past_end_404: bool,
    /// A page that always answers HTML with a 200 (a dead page).
    pub html: bool,
    /// A next link to another origin (a cut stream).
    pub foreign_next: bool,
    /// One extra origin that never listens (its pages are dead after
    /// `give_up_after`).
    pub down_origin: bool,
    /// `kill -9` of the crawl at a drawn instant, then a restart.
    pub kill: bool,
}

impl FaultKinds {
    /// Every kind's name, in declaration order.
    pub const NAMES: [&'static str; 15] = [
        "refused",
        "reset",
        "burst_503",
        "burst_429",
        "status_503",
        "status_429",
        "stall",
        "trickle",
        "slow_first_byte",
        "capped_pages",
        "past_end_404",
        "html",
        "foreign_next",
        "down_origin",
        "kill",
    ];

    pub const ALL: Self = Self {
        refused: true,
        reset: true,
        burst_503: true,
        burst_429: true,
        status_503: true,
        status_429: true,
        stall: true,
        trickle: true,
        slow_first_byte: true,
        capped_pages: true,
        past_end_404: true,
        html: true,
        foreign_next: true,
        down_origin: true,
        kill: true,
    };

    pub const NONE: Self = Self {
        refused: false,
        reset: false,
        burst_503: false,
        burst_429: false,
        status_503: false,
        status_429: false,
        stall: false,
        trickle: false,
        slow_first_byte: false,
        capped_pages: false,
        past_end_404: false,
        html: false,
        foreign_next: false,
        down_origin: false,
        kill: false,
    };

    fn flag(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "refused" => &mut self.refused,
            "reset" => &mut self.reset,
            "burst_503" => &mut self.burst_503,
            "burst_429" => &mut self.burst_429,
            "status_503" => &mut self.status_503,
            "status_429" => &mut self.status_429,
            "stall" => &mut self.stall,
            "trickle" => &mut self.trickle,
            "slow_first_byte" => &mut self.slow_first_byte,
            "capped_pages" => &mut self.capped_pages,
            "past_end_404" => &mut self.past_end_404,
            "html" => &mut self.html,
            "foreign_next" => &mut self.foreign_next,
            "down_origin" => &mut self.down_origin,
            "kill" => &mut self.kill,
            _ => return None,
        })
    }

    /// Whether kind `name` is on (`None`: no such kind).
    pub fn get(&self, name: &str) -> Option<bool> {
        let mut copy = *self;
        copy.flag(name).map(|f| *f)
    }

    /// `self` changed by a comma-separated list: `all`, `none`, a kind's
    /// name (on), `-name` (off); e.g. `all,-down_origin` or `+refused`.
    /// Err names the unknown word.
    pub fn edit(mut self, list: &str) -> Result<Self, String> {
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "all" => self = Self::ALL,
                "none" => self = Self::NONE,
                _ => {
                    let (on, name) = match word.strip_prefix('-') {
                        Some(name) => (false, name),
                        None => (true, word.trim_start_matches('+')),
                    };
                    let known = Self::NAMES.join(", ");
                    let flag = self
                        .flag(name)
                        .ok_or_else(|| format!("no fault kind `{name}` (known: {known})"))?;
                    *flag = on;
                }
            }
        }
        Ok(self)
    }

    /// The names of the kinds that are on, comma-separated.
    pub fn on(&self) -> String {
        Self::NAMES
            .iter()
            .filter(|n| self.get(n) == Some(true))
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_name() {
        let k = FaultKinds::NONE.edit("html,+kill").unwrap();
        assert_eq!(k.on(), "html,kill");
        let k = FaultKinds::ALL.edit("-down_origin, -kill").unwrap();
        assert!(!k.down_origin && !k.kill && k.refused);
        assert_eq!(FaultKinds::NONE.edit("all").unwrap(), FaultKinds::ALL);
        assert!(FaultKinds::NONE
            .edit("bogus")
            .unwrap_err()
            .contains("bogus"));
        for name in FaultKinds::NAMES {
            assert_eq!(FaultKinds::NONE.edit(name).unwrap().on(), name);
        }
    }
}
