//! Messages between the tabs of one browser, over a BroadcastChannel per sharing key, written by position
//! (`feed::wire`): `[v, from, message]`, a heartbeat `[5, "tab-2", [3, term, hidden]]` (version 5, variant 3).
//! Versioned: a tab ignores a message of another version (a tab still running an older or newer build), as it
//! ignores a kind it does not know or a message with a field of the wrong type. Only tabs of this site (the same
//! storage partition) hear them.

use super::wire::{self, Wire};
use crate::feed::protocol::Needs;
use crate::feed::snapshot::Snapshot;
use serde::{Deserialize, Serialize};

/// The version of this message set. Bump it when a message type changes at all: fields travel by position.
pub const VERSION: u32 = 5;

/// What a follower asks of the leader.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TabCommand {
    Refresh,
    SignOut,
}

/// The session's tokens, as the leader hands them to the tabs that may lead next (and a tab that signed in hands
/// them to the leader). Never sent anywhere but this browser's tabs of this site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    pub access: String,
    /// ms since the epoch.
    pub access_expires_at: f64,
    pub refresh: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Message {
    /// A widget started (or its page was shown again): what it shows. The leader answers with the tokens and a
    /// snapshot.
    Hello { needs: Needs },
    /// What a widget shows changed, or it says it again (every 15 s, and to a new leader).
    Needs { needs: Needs },
    /// A widget went away.
    Bye,
    /// The leader is alive; `term` grows with every new leader, so an old leader's word is told apart.
    Heartbeat { term: u64, hidden: bool },
    /// A follower asks the leader to act.
    Command { command: TabCommand },
    /// A hidden leader asks the shown widget `to` to take the lock.
    HandOver { term: u64, to: String },
    /// From the leader: the session's tokens (`None`: signed out, forget them). From any other tab: it just signed
    /// in, and these are the new session's.
    Tokens { tokens: Option<TokenSet> },
    /// What the leader knows (the records travel beside it, `Channel::post_with`).
    Snapshot { snapshot: Snapshot },
}

/// A message as it travels: the version, the sending tab, and the message. (The records a snapshot brings travel
/// after them, as a fourth item: `tabs::Channel::post`.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub from: String,
    pub message: Message,
}

impl Envelope {
    pub fn new(from: &str, message: Message) -> Envelope {
        Envelope {
            v: VERSION,
            from: from.to_string(),
            message,
        }
    }

    /// A message of this version, or `None` for anything else (another version, an unknown kind, a field of the
    /// wrong type, not a message at all).
    pub fn read<W: Wire>(value: W) -> Option<Envelope> {
        wire::read::<W, Envelope>(value).filter(|e| e.v == VERSION)
    }

    /// This message as it travels.
    pub fn write<W: Wire>(&self) -> Option<W> {
        wire::write(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scope;
    use serde_json::{json, Value};

    fn read(v: Value) -> Option<Envelope> {
        Envelope::read(v)
    }

    #[test]
    fn every_message_goes_and_comes_back() {
        let needs = Needs {
            scope: Scope::Account,
            visible: true,
            poll_seconds: 10,
            page_size: 1000,
        };
        let all = [
            Message::Hello {
                needs: needs.clone(),
            },
            Message::Needs { needs },
            Message::Bye,
            Message::Heartbeat {
                term: 3,
                hidden: true,
            },
            Message::Command {
                command: TabCommand::SignOut,
            },
            Message::HandOver {
                term: 3,
                to: "tab-2".into(),
            },
            Message::Tokens {
                tokens: Some(TokenSet {
                    access: "a".into(),
                    access_expires_at: 1.0,
                    refresh: None,
                }),
            },
            Message::Tokens { tokens: None },
            Message::Snapshot {
                snapshot: Snapshot::signed_out(2, None),
            },
        ];
        for m in all {
            let e = Envelope::new("tab-1", m);
            let wire: Value = e.write().unwrap();
            assert_eq!(wire[0], VERSION);
            assert_eq!(read(wire), Some(e));
        }
        let command = Envelope::new(
            "t",
            Message::Command {
                command: TabCommand::SignOut,
            },
        );
        assert_eq!(command.write::<Value>(), Some(json!([5, "t", [4, 1]])));
        let heartbeat = Envelope::new(
            "t",
            Message::Heartbeat {
                term: 3,
                hidden: true,
            },
        );
        assert_eq!(
            heartbeat.write::<Value>(),
            Some(json!([5, "t", [3, 3, true]]))
        );
    }

    #[test]
    fn other_versions_unknown_kinds_and_bad_fields_are_ignored() {
        for bad in [
            json!([4, "t", [3, 1, false]]),
            json!([6, "t", [3, 1, false]]),
            json!({"v": 5, "from": "t", "message": {"heartbeat": {"term": 1, "hidden": false}}}),
            json!([5, null, [3, 1, false]]),
            json!([5, "t", [42, {"x": 1}]]),
            json!([5, "t", [3, "soon", false]]),
            json!([5, "t", [3, -1, false]]),
            json!([5, "t", [1, [7, true, 6, 1]]]),
            json!([5, "t", [4, 9]]),
            json!([5, "t", "bye"]),
            json!([5, "t"]),
            json!(["5", "t", 2]),
            json!([1, 2]),
            json!("hello"),
            json!(null),
        ] {
            assert_eq!(read(bad.clone()), None, "{bad}");
        }
        // Items past those this version knows are let be.
        assert_eq!(
            read(json!([5, "t", [3, 2, false, "x"], 99])),
            Some(Envelope::new(
                "t",
                Message::Heartbeat {
                    term: 2,
                    hidden: false
                }
            ))
        );
    }
}
