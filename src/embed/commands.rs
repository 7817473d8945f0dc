//! What the host may ask of the widget: through the `mount()` handle and the element's methods, or in iframe mode
//! as `{ target: "rc-active-calls", command, … }` messages from an allow-listed origin. Anything else is ignored.

use crate::api::json::Json;
use crate::config::Scope;

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

/// `None` for anything that is not a well-formed message for us.
pub fn read<J: Json>(m: &J) -> Option<Message<J>> {
    if m.str_at("target").as_deref() != Some(TARGET) {
        return None;
    }
    let command = match m.str_at("command")?.as_str() {
        "refresh" => Command::Refresh,
        "signOut" => Command::SignOut,
        "setScope" => Command::SetScope(Scope::parse(&m.str_at("scope")?)?),
        "ackNote" => Command::AckNote {
            note_id: m.str_at("noteId")?,
            ok: m.get("ok")?.boolean()?,
            message: m.str_at("message"),
        },
        "contacts" => {
            return Some(Message::Contacts {
                request_id: m.str_at("requestId")?,
                contacts: m.get("contacts")?,
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
