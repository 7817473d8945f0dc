//! The leader protocol's decisions, pure so they are tested without a browser: what the leader fetches for the
//! widgets it serves (`Participants`, `Plan`), when a follower stops waiting for a silent leader and takes the lock
//! (`Watchdog`), and to whom a hidden leader hands over. Time is passed in (ms since the epoch).

use super::channel::{Envelope, Message, TabCommand, VERSION};
use crate::config::{Scope, MIN_POLL_SECONDS};
use crate::state::OtherBuild;
use serde::{Deserialize, Serialize};

/// The leader says it is alive this often.
pub const HEARTBEAT_MS: f64 = 1_000.0;
/// A follower takes over when a visible leader has been silent this long, plus up to `JITTER_MS` of its own (so
/// several followers do not all take the lock at once; the first one's heartbeat calms the rest). Under 10 s in
/// all: a frozen or hung leader is replaced within that.
pub const SILENCE_MS: f64 = 5_000.0;
pub const JITTER_MS: f64 = 2_500.0;
/// A hidden leader's timers may fire once a minute (Chrome's intensive throttling after 5 minutes hidden), so a
/// hidden follower (whose own timers are throttled too) judges its silence against that, and hidden tabs do not
/// take the lock from each other every minute. A shown follower does not wait: a hidden leader should hand over to
/// it anyway, and one that is frozen (browsers freeze hidden pages) cannot.
pub const HIDDEN_SILENCE_MS: f64 = 75_000.0;
/// A follower repeats what it shows this often, so a leader that missed it (a new one) learns it.
pub const NEEDS_EVERY_MS: f64 = 15_000.0;
/// A widget not heard from for this long (it went away without saying so) no longer counts. Hidden tabs' timers
/// are throttled to once a minute, hence more than that.
pub const FORGET_AFTER_MS: f64 = 150_000.0;
/// A hidden leader waits this long for the visible widget it asked to take over before leading on.
pub const HANDOVER_MS: f64 = 3_000.0;

/// What one widget shows, and so what the leader fetches for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Needs {
    pub scope: Scope,
    /// Its page is shown: only shown widgets are polled for (a hidden panel needs nothing until it is shown).
    pub visible: bool,
    pub poll_seconds: u32,
    pub page_size: u32,
}

/// What the leader fetches: the union of the shown widgets' scopes, at the shortest interval any asks for, with
/// the largest page any asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub scopes: Vec<Scope>,
    /// Between two requests (one scope each): a widget's interval shared by the scopes, never under 6 s (the
    /// Heavy budget: 10 a minute for all of them together).
    pub interval_ms: f64,
    pub page_size: u32,
}

impl Plan {
    /// Nothing is shown anywhere: nothing to fetch.
    pub fn idle(&self) -> bool {
        self.scopes.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Participant {
    id: String,
    needs: Needs,
    seen: f64,
}

/// The other widgets, as the leader heard from them.
#[derive(Debug, Clone, Default)]
pub struct Participants(Vec<Participant>);

impl Participants {
    /// A widget said what it shows. Returns `true` when that is news worth an immediate fetch: a widget shown
    /// again, or one that shows a scope nothing shown showed before (`own` is the leader's). A new widget showing
    /// a scope already fetched is not: the leader's snapshot answers it.
    pub fn heard(&mut self, id: &str, needs: Needs, own: &Needs, now: f64) -> bool {
        let before = self.0.iter().find(|p| p.id == id).map(|p| p.needs.clone());
        let covered = self.plan(own, now).scopes.contains(&needs.scope);
        let news = needs.visible
            && match &before {
                None => !covered,
                Some(b) => !b.visible || (b.scope != needs.scope && !covered),
            };
        self.0.retain(|p| p.id != id);
        self.0.push(Participant {
            id: id.to_string(),
            needs,
            seen: now,
        });
        news
    }

    pub fn gone(&mut self, id: &str) {
        self.0.retain(|p| p.id != id);
    }

    /// Whether `id` has spoken to this leader (and not said goodbye).
    pub fn knows(&self, id: &str) -> bool {
        self.0.iter().any(|p| p.id == id)
    }

    /// No other widget has spoken to this leader, or all have gone: nobody to copy records to.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn live(&self, now: f64) -> impl Iterator<Item = &Participant> {
        self.0
            .iter()
            .filter(move |p| now - p.seen < FORGET_AFTER_MS)
    }

    /// What to fetch for these widgets and the leader's own (`own`, whose interval and page size also apply when
    /// nothing is shown).
    pub fn plan(&self, own: &Needs, now: f64) -> Plan {
        let shown: Vec<&Needs> = std::iter::once(own)
            .chain(self.live(now).map(|p| &p.needs))
            .filter(|n| n.visible)
            .collect();
        let mut scopes = vec![];
        for scope in [Scope::Extension, Scope::Account] {
            if shown.iter().any(|n| n.scope == scope) {
                scopes.push(scope);
            }
        }
        let poll_ms = shown
            .iter()
            .map(|n| n.poll_seconds.max(MIN_POLL_SECONDS) as f64 * 1000.0)
            .fold(
                own.poll_seconds.max(MIN_POLL_SECONDS) as f64 * 1000.0,
                f64::min,
            );
        Plan {
            interval_ms: (poll_ms / scopes.len().max(1) as f64)
                .max(MIN_POLL_SECONDS as f64 * 1000.0),
            page_size: shown
                .iter()
                .map(|n| n.page_size)
                .fold(own.page_size, u32::max),
            scopes,
        }
    }

    /// A shown widget to hand the lead to, for a leader whose own page is hidden.
    pub fn shown(&self, now: f64) -> Option<String> {
        self.live(now)
            .filter(|p| p.needs.visible)
            .max_by(|a, b| a.seen.total_cmp(&b.seen))
            .map(|p| p.id.clone())
    }
}

/// Which of the needed scopes to fetch next: the one answered longest ago (never answered first), so a scope a
/// widget just asked for goes first and two scopes take turns.
pub fn next_scope(scopes: &[Scope], answered_at: impl Fn(Scope) -> Option<f64>) -> Option<Scope> {
    scopes.iter().copied().min_by(|a, b| {
        let at = |s: &Scope| answered_at(*s).unwrap_or(f64::NEG_INFINITY);
        at(a).total_cmp(&at(b))
    })
}

/// What a follower heard from the leader.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Heard {
    /// The leader it follows.
    Same,
    /// A new leader (a higher term): say again what this widget shows.
    New,
    /// An old leader that has not learnt it was replaced: ignored.
    Old,
}

/// A follower's view of the leader's liveness.
#[derive(Debug, Clone)]
pub struct Watchdog {
    /// The highest term heard.
    pub term: u64,
    last: f64,
    hidden: bool,
    /// This follower's own extra patience, in [0, JITTER_MS).
    jitter_ms: f64,
}

impl Watchdog {
    /// Starts counting from `now` (a follower that just joined gives a leader the usual time to speak).
    pub fn new(now: f64, jitter: f64) -> Watchdog {
        Watchdog {
            term: 0,
            last: now,
            hidden: false,
            jitter_ms: jitter.clamp(0.0, 1.0) * JITTER_MS,
        }
    }

    /// A heartbeat (or a snapshot) of `term`.
    pub fn heard(&mut self, term: u64, hidden: bool, now: f64) -> Heard {
        if term < self.term {
            return Heard::Old;
        }
        let new = term > self.term;
        self.term = term;
        self.last = now;
        self.hidden = hidden;
        if new {
            Heard::New
        } else {
            Heard::Same
        }
    }

    /// Whether the leader last said its page is hidden.
    pub fn hidden(&self) -> bool {
        self.hidden
    }

    /// Counting starts again (after standing down, or a hand-over that did not happen).
    pub fn restart(&mut self, now: f64) {
        self.last = now;
    }

    /// The leader has been silent too long: take the lock. `hidden`: this follower's own page is hidden.
    pub fn should_take_over(&self, now: f64, hidden: bool) -> bool {
        let patience = if self.hidden && hidden {
            HIDDEN_SILENCE_MS
        } else {
            SILENCE_MS
        };
        now - self.last > patience + self.jitter_ms
    }

    /// The term a new leader takes.
    pub fn next_term(&self) -> u64 {
        self.term + 1
    }
}

/// Another build of the widget on the channel (a tab loaded before or after a release): which, and when it last
/// spoke. Its messages cannot be read, nor can it read this build's: its leader looks silent to this build's
/// followers, and this build's to its own. A follower that took the lock from it would have it taken back, and two
/// builds would rotate one refresh token between them; so while another build speaks, a follower waits in line
/// (`Watchdog::restart`), and the panel says which tab to reload.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OtherBuilds {
    heard: Option<(OtherBuild, f64)>,
}

impl OtherBuilds {
    /// A message of version `v` at `now`: what the panel should say now, when it changed.
    pub fn heard(&mut self, v: f64, now: f64) -> Option<Option<OtherBuild>> {
        let which = if v > f64::from(VERSION) {
            OtherBuild::Newer
        } else {
            OtherBuild::Older
        };
        let was = self.heard.map(|(w, _)| w);
        self.heard = Some((which, now));
        (was != Some(which)).then_some(Some(which))
    }

    /// Once a second: `Some(None)` when the other build has been silent long enough to be gone (hidden tabs
    /// speak once a minute at most, hence `FORGET_AFTER_MS`).
    pub fn tick(&mut self, now: f64) -> Option<Option<OtherBuild>> {
        let (_, at) = self.heard?;
        if now - at <= FORGET_AFTER_MS {
            return None;
        }
        self.heard = None;
        Some(None)
    }
}

/// What a widget does with a message from another tab, given whether it leads and its term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reaction {
    Ignore,
    /// Leader: a widget said what it shows; `welcome` (a new one): answer with the tokens and all it knows.
    Heard {
        welcome: bool,
    },
    /// Leader: a widget went away.
    Gone,
    /// Leader: a follower's user asked.
    Obey(TabCommand),
    /// Leader: a tab signed in; its tokens are the session's now.
    SignedInThere,
    /// Follower: the session's tokens (or their end).
    Adopt,
    /// Leader: another leader speaks, of this term or a newer one (it took the lock): stop, and follow.
    StandDown,
    /// Follower: the leader lives.
    Alive,
    /// Follower: the hidden leader asks this widget to take the lock.
    TakeOver,
    /// Render the leader's snapshot; a leader hearing a newer one stands down first.
    Render {
        stand_down: bool,
    },
}

/// The leader protocol's message handling.
pub fn react(leading: bool, me: &str, term: u64, e: &Envelope) -> Reaction {
    if e.from == me {
        return Reaction::Ignore;
    }
    match (&e.message, leading) {
        (Message::Hello { .. }, true) => Reaction::Heard { welcome: true },
        (Message::Needs { .. }, true) => Reaction::Heard { welcome: false },
        (Message::Bye, true) => Reaction::Gone,
        (Message::Command { command }, true) => Reaction::Obey(*command),
        (Message::Tokens { tokens: Some(_) }, true) => Reaction::SignedInThere,
        (Message::Tokens { .. }, false) => Reaction::Adopt,
        (Message::Heartbeat { term: t, .. }, true) if *t >= term => Reaction::StandDown,
        (Message::Heartbeat { .. }, false) => Reaction::Alive,
        (Message::HandOver { to, .. }, false) if to == me => Reaction::TakeOver,
        (Message::Snapshot { snapshot }, true) if snapshot.term > term => {
            Reaction::Render { stand_down: true }
        }
        (Message::Snapshot { .. }, false) => Reaction::Render { stand_down: false },
        _ => Reaction::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_build_is_said_once_and_forgotten_when_silent() {
        let mut o = OtherBuilds::default();
        assert_eq!(o.tick(0.0), None);
        assert_eq!(o.heard(1.0, 0.0), Some(Some(OtherBuild::Older)));
        assert_eq!(o.heard(1.0, 1_000.0), None);
        assert_eq!(o.tick(1_000.0 + FORGET_AFTER_MS), None);
        assert_eq!(
            o.heard(f64::from(VERSION) + 1.0, 2_000.0),
            Some(Some(OtherBuild::Newer))
        );
        assert_eq!(o.tick(2_000.0 + FORGET_AFTER_MS + 1.0), Some(None));
        assert_eq!(o.tick(9e9), None);
        assert_eq!(o.heard(1.0, 9e9), Some(Some(OtherBuild::Older)));
    }

    fn needs(scope: Scope, visible: bool) -> Needs {
        Needs {
            scope,
            visible,
            poll_seconds: 10,
            page_size: 100,
        }
    }

    #[test]
    fn leaders_and_followers_react_each_to_their_part() {
        use super::super::snapshot::Snapshot;
        let msg = |from: &str, message: Message| Envelope::new(from, message);
        let n = || needs(Scope::Extension, true);
        let tokens = Message::Tokens {
            tokens: Some(super::super::channel::TokenSet {
                access: "a".into(),
                access_expires_at: 1.0,
                refresh: None,
            }),
        };
        let beat = |term| Message::Heartbeat {
            term,
            hidden: false,
        };
        let snap = |term| Message::Snapshot {
            snapshot: Snapshot::signed_out(term, None),
        };
        let hand = |to: &str| Message::HandOver {
            term: 3,
            to: to.into(),
        };
        let refresh = Message::Command {
            command: TabCommand::Refresh,
        };
        // (message, as leader of term 3, as follower)
        let table = [
            (
                Message::Hello { needs: n() },
                Reaction::Heard { welcome: true },
                Reaction::Ignore,
            ),
            (
                Message::Needs { needs: n() },
                Reaction::Heard { welcome: false },
                Reaction::Ignore,
            ),
            (Message::Bye, Reaction::Gone, Reaction::Ignore),
            (
                refresh,
                Reaction::Obey(TabCommand::Refresh),
                Reaction::Ignore,
            ),
            (tokens, Reaction::SignedInThere, Reaction::Adopt),
            (
                Message::Tokens { tokens: None },
                Reaction::Ignore,
                Reaction::Adopt,
            ),
            (beat(2), Reaction::Ignore, Reaction::Alive),
            (beat(3), Reaction::StandDown, Reaction::Alive),
            (beat(4), Reaction::StandDown, Reaction::Alive),
            (hand("me"), Reaction::Ignore, Reaction::TakeOver),
            (hand("other"), Reaction::Ignore, Reaction::Ignore),
            (
                snap(3),
                Reaction::Ignore,
                Reaction::Render { stand_down: false },
            ),
            (
                snap(4),
                Reaction::Render { stand_down: true },
                Reaction::Render { stand_down: false },
            ),
        ];
        for (m, leader, follower) in table {
            let e = msg("other", m.clone());
            assert_eq!(react(true, "me", 3, &e), leader, "leader: {m:?}");
            assert_eq!(react(false, "me", 3, &e), follower, "follower: {m:?}");
            // Its own words (another widget of the same id never exists) are never an answer.
            assert_eq!(react(true, "other", 3, &e), Reaction::Ignore);
        }
    }

    #[test]
    fn the_plan_is_the_union_of_what_shown_widgets_show() {
        let own = needs(Scope::Extension, true);
        let mut p = Participants::default();
        assert_eq!(
            p.plan(&own, 0.0),
            Plan {
                scopes: vec![Scope::Extension],
                interval_ms: 10_000.0,
                page_size: 100
            }
        );
        assert!(!p.heard("b", needs(Scope::Account, false), &own, 0.0));
        assert_eq!(p.plan(&own, 0.0).scopes, [Scope::Extension]);
        // A new widget of a scope already fetched: the snapshot answers it, no fetch.
        assert!(!p.heard("n", needs(Scope::Extension, true), &own, 0.0));
        // Shown again: news (fetch now), and its scope joins the plan; two scopes share the budget.
        assert!(p.heard("b", needs(Scope::Account, true), &own, 1.0));
        let plan = p.plan(&own, 1.0);
        assert_eq!(plan.scopes, [Scope::Extension, Scope::Account]);
        assert_eq!(plan.interval_ms, 6_000.0);
        // Said again: no news.
        assert!(!p.heard("b", needs(Scope::Account, true), &own, 2.0));
        // A new widget of a scope nothing showed: news.
        let mut q = Participants::default();
        assert!(q.heard("x", needs(Scope::Account, true), &own, 2.0));
        // The largest page and the shortest interval asked for win.
        let mut fast = needs(Scope::Extension, true);
        fast.poll_seconds = 6;
        fast.page_size = 1000;
        p.heard("c", fast, &own, 2.0);
        let plan = p.plan(&needs(Scope::Extension, false), 2.0);
        assert_eq!((plan.interval_ms, plan.page_size), (6_000.0, 1000));
        // Gone, said or not.
        p.gone("c");
        assert_eq!(
            p.plan(&needs(Scope::Extension, false), FORGET_AFTER_MS + 2.0),
            Plan {
                scopes: vec![],
                interval_ms: 10_000.0,
                page_size: 100
            }
        );
        assert!(p
            .plan(&needs(Scope::Extension, false), FORGET_AFTER_MS + 2.0)
            .idle());
    }

    #[test]
    fn a_hidden_leader_hands_over_to_the_widget_shown_most_recently() {
        let mut p = Participants::default();
        let own = needs(Scope::Extension, false);
        assert_eq!(p.shown(0.0), None);
        p.heard("a", needs(Scope::Extension, true), &own, 1.0);
        p.heard("b", needs(Scope::Extension, true), &own, 2.0);
        p.heard("c", needs(Scope::Extension, false), &own, 3.0);
        assert_eq!(p.shown(3.0), Some("b".into()));
        p.gone("b");
        assert_eq!(p.shown(3.0), Some("a".into()));
    }

    #[test]
    fn a_leader_knows_who_spoke_until_they_say_goodbye() {
        let mut p = Participants::default();
        let own = needs(Scope::Extension, true);
        assert!(p.is_empty() && !p.knows("a"));
        p.heard("a", needs(Scope::Extension, true), &own, 1.0);
        assert!(p.knows("a") && !p.knows("b") && !p.is_empty());
        p.gone("a");
        assert!(p.is_empty() && !p.knows("a"));
    }

    #[test]
    fn scopes_take_turns_and_a_new_one_goes_first() {
        let both = [Scope::Extension, Scope::Account];
        assert_eq!(
            next_scope(&both, |s| (s == Scope::Extension).then_some(5.0)),
            Some(Scope::Account)
        );
        assert_eq!(
            next_scope(&both, |s| Some(if s == Scope::Extension {
                5.0
            } else {
                9.0
            })),
            Some(Scope::Extension)
        );
        assert_eq!(next_scope(&[], |_| None), None);
    }

    #[test]
    fn a_silent_leader_is_replaced_within_ten_seconds_a_talking_one_never() {
        let mut w = Watchdog::new(0.0, 0.999);
        assert!(!w.should_take_over(SILENCE_MS, false));
        assert_eq!(w.heard(1, false, 1_000.0), Heard::New);
        let mut now = 1_000.0;
        // Heartbeats every second: never.
        while now < 60_000.0 {
            now += HEARTBEAT_MS;
            assert_eq!(w.heard(1, false, now), Heard::Same);
            assert!(!w.should_take_over(now + 900.0, false));
        }
        // Then silence: taken over after 5 s and this follower's jitter, always within 10 s.
        assert!(!w.should_take_over(now + SILENCE_MS, false));
        assert!(w.should_take_over(now + SILENCE_MS + JITTER_MS, false));
        const { assert!(SILENCE_MS + JITTER_MS < 10_000.0) };
    }

    #[test]
    fn old_terms_are_ignored_and_new_ones_noticed() {
        let mut w = Watchdog::new(0.0, 0.0);
        assert_eq!(w.heard(3, false, 1.0), Heard::New);
        assert_eq!(w.heard(2, false, 2.0), Heard::Old);
        // An old leader's word does not count as a sign of life.
        assert!(w.should_take_over(1.0 + SILENCE_MS + 1.0, false));
        assert_eq!(w.next_term(), 4);
        assert_eq!(w.heard(4, false, 3.0), Heard::New);
    }

    #[test]
    fn a_hidden_leader_gets_a_throttled_timers_patience_from_hidden_tabs_only() {
        let mut w = Watchdog::new(0.0, 0.0);
        w.heard(1, true, 0.0);
        assert!(!w.should_take_over(60_000.0, true));
        assert!(w.should_take_over(HIDDEN_SILENCE_MS + 1.0, true));
        w.restart(HIDDEN_SILENCE_MS);
        assert!(!w.should_take_over(HIDDEN_SILENCE_MS + 1.0, true));
        // A shown tab takes over from a silent hidden leader (throttled, or frozen) as from any other.
        assert!(w.should_take_over(HIDDEN_SILENCE_MS + SILENCE_MS + 1.0, false));
    }
}
