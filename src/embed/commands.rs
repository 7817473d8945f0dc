//! What the host may ask of the widget: through the `mount()` handle and the element's methods, or in iframe mode
//! as `{ target: "rc-active-calls", command, … }` messages from an allow-listed origin. Anything else is ignored.

use crate::api::json::Source;
use crate::api::lenient;
use crate::config::Scope;
use serde::Deserialize;

/// Marks messages meant for the widget (the widget's own messages carry `source: "rc-active-calls"`).
pub const TARGET: &str = "rc-active-calls";

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Refresh,
    SignOut,
    SetScope(Scope),
    /// The host's answer to a `note` event.
    AckNote {
        note_id: String,
        ok: bool,
        message: Option<String>,
    },
}

/// A message from the parent page (iframe mode).
#[derive(Debug, Clone, PartialEq)]
pub enum Message<J> {
    Command(Command),
    /// The answer to a `resolve-contacts` request.
    Contacts {
        request_id: String,
        contacts: J,
    },
}

/// A message as it came: every field lenient, so a field of the wrong type reads as absent and the message, missing
/// what its command needs, is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Incoming {
    #[serde(deserialize_with = "lenient::string")]
    target: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    command: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    scope: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    note_id: Option<String>,
    #[serde(deserialize_with = "lenient::boolean")]
    ok: Option<bool>,
    #[serde(deserialize_with = "lenient::string")]
    message: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    request_id: Option<String>,
}

/// `None` for anything that is not a well-formed message for us.
pub fn read<J: Source>(m: &J) -> Option<Message<J>> {
    let i: Incoming = m.read()?;
    if i.target.as_deref() != Some(TARGET) {
        return None;
    }
    let command = match i.command?.as_str() {
        "refresh" => Command::Refresh,
        "signOut" => Command::SignOut,
        "setScope" => Command::SetScope(Scope::parse(&i.scope?)?),
        "ackNote" => Command::AckNote {
            note_id: i.note_id?,
            ok: i.ok?,
            message: i.message,
        },
        // The answer stays raw until the widget reads it for the numbers it asked (`contacts::read_answer`).
        "contacts" => {
            return Some(Message::Contacts {
                request_id: i.request_id?,
                contacts: m.field("contacts")?,
            })
        }
        _ => return None,
    };
    Some(Message::Command(command))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_command_and_ignores_the_rest() {
        let cmd = |j| match read(&j) {
            Some(Message::Command(c)) => Some(c),
            _ => None,
        };
        assert_eq!(
            cmd(json!({"target": TARGET, "command": "refresh"})),
            Some(Command::Refresh)
        );
        assert_eq!(
            cmd(json!({"target": TARGET, "command": "signOut"})),
            Some(Command::SignOut)
        );
        assert_eq!(
            cmd(json!({"target": TARGET, "command": "setScope", "scope": "account"})),
            Some(Command::SetScope(Scope::Account))
        );
        assert_eq!(
            cmd(
                json!({"target": TARGET, "command": "ackNote", "noteId": "n1", "ok": false, "message": "Locked"})
            ),
            Some(Command::AckNote {
                note_id: "n1".into(),
                ok: false,
                message: Some("Locked".into())
            })
        );
        for bad in [
            json!({"command": "refresh"}),
            json!({"target": "other", "command": "refresh"}),
            json!({"target": TARGET, "command": "setScope", "scope": "galaxy"}),
            json!({"target": TARGET, "command": "ackNote", "noteId": "n1", "ok": "yes"}),
            json!({"target": TARGET, "command": "eval", "code": "alert(1)"}),
            json!("refresh"),
            json!(null),
        ] {
            assert_eq!(read(&bad), None, "{bad}");
        }
        assert!(matches!(
            read(&json!({"target": TARGET, "command": "contacts", "requestId": "r1", "contacts": {}})),
            Some(Message::Contacts { request_id, .. }) if request_id == "r1"
        ));
    }
}
