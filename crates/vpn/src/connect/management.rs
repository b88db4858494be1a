//! The OpenVPN management interface protocol, as far as a client needs it: reading the
//! real-time notifications (`>STATE:`, `>PASSWORD:`, `>HOLD:`, `>FATAL:`), and writing the
//! commands that answer them with the parameters quoted the way OpenVPN reads them.
//!
//! Reference: OpenVPN 2.6 `doc/management-notes.txt` ("COMMAND -- password and username",
//! "COMMAND -- state", "Challenge/response protocol"). Pure: no I/O, no clock.
use base64::Engine as _;

use crate::connect::ConnectError;

/// Longest line accepted from the management socket, in bytes (OpenVPN's own lines are
/// far shorter; a longer one means a confused peer).
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Longest value (username, password, challenge answer) sent in one command.
pub const MAX_VALUE_BYTES: usize = 4096;

/// A notification or reply read from the management socket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// `>HOLD:` — OpenVPN waits for `hold release`.
    Hold,
    /// `>STATE:time,NAME,detail,local_ip,remote_ip,…`
    State {
        /// The state name (`CONNECTING`, `CONNECTED`, `RECONNECTING`, `EXITING`, …).
        name: String,
        /// The detail field (for `RECONNECTING`/`EXITING` the reason, e.g. `auth-failure`).
        detail: String,
        /// The tunnel address given to this client, when known.
        local_ip: Option<String>,
    },
    /// `>PASSWORD:Need 'TYPE' …` — a secret is wanted.
    Need(Need),
    /// `>PASSWORD:Verification Failed: 'TYPE'` — the server (or OpenVPN) refused it; a
    /// dynamic challenge comes along with it.
    VerificationFailed {
        /// The credential type, usually `Auth`.
        kind: String,
        /// A dynamic (CRV1) challenge the server asks to answer instead.
        challenge: Option<DynamicChallenge>,
    },
    /// `>FATAL:` — OpenVPN is about to exit.
    Fatal(String),
    /// `SUCCESS:` reply to a command.
    Success,
    /// `ERROR:` reply to a command.
    Error(String),
    /// Anything else (`>INFO:`, `>LOG:`, `>BYTECOUNT:`, …), ignored.
    Other,
}

/// What a `>PASSWORD:Need` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The credential type (`Auth`, `Private Key`, `HTTP Proxy`, …).
    pub kind: String,
    /// `true` when a username is wanted as well as a password.
    pub username: bool,
    /// A static challenge (`static-challenge` in the profile): asked on every connect.
    pub static_challenge: Option<StaticChallenge>,
}

/// A `static-challenge` prompt, sent with the password request (`SC:flags,text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticChallenge {
    /// The prompt to show.
    pub text: String,
    /// The answer may be shown while typed.
    pub echo: bool,
    /// OpenVPN 2.7 "concatenate" flag: the answer is appended to the password instead of
    /// being sent in the `SCRV1` format.
    pub concat: bool,
}

/// A CRV1 dynamic challenge (`CRV1:flags:state_id:username_base64:text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicChallenge {
    /// `E` in the flags: the answer may be shown while typed.
    pub echo: bool,
    /// `R` in the flags: an answer is required.
    pub response_required: bool,
    /// Opaque server state, sent back with the answer.
    pub state_id: String,
    /// The username the server remembers (decoded from base64).
    pub username: String,
    /// The prompt to show.
    pub text: String,
}

/// Reads one line (without its `\r\n`).
pub fn parse(line: &str) -> Notification {
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some(rest) = line.strip_prefix(">HOLD:") {
        let _ = rest;
        return Notification::Hold;
    }
    if let Some(rest) = line.strip_prefix(">STATE:") {
        let mut fields = rest.split(',');
        let _time = fields.next();
        let name = fields.next().unwrap_or_default().to_owned();
        let detail = fields.next().unwrap_or_default().to_owned();
        let local_ip = fields.next().filter(|s| !s.is_empty()).map(str::to_owned);
        return Notification::State {
            name,
            detail,
            local_ip,
        };
    }
    if let Some(rest) = line.strip_prefix(">PASSWORD:") {
        return parse_password(rest);
    }
    if let Some(rest) = line.strip_prefix(">FATAL:") {
        return Notification::Fatal(rest.to_owned());
    }
    if line.starts_with("SUCCESS:") {
        return Notification::Success;
    }
    if let Some(rest) = line.strip_prefix("ERROR:") {
        return Notification::Error(rest.trim().to_owned());
    }
    Notification::Other
}

fn parse_password(rest: &str) -> Notification {
    if let Some(after) = rest.strip_prefix("Need ") {
        let Some((kind, tail)) = quoted_kind(after) else {
            return Notification::Other;
        };
        let tail = tail.trim_start();
        // `Need 'Auth' username/password [SC:flags,text]`; `Need 'Private Key' password`;
        // `Need 'Auth' ok` / `Need 'Private Key' ...` for other kinds.
        let username = tail.starts_with("username/password");
        let static_challenge = tail.find("SC:").and_then(|at| {
            let sc = tail.get(at + 3..)?;
            let (flags, text) = sc.split_once(',')?;
            let flags: u32 = flags.trim().parse().ok()?;
            Some(StaticChallenge {
                text: text.to_owned(),
                echo: flags & 1 != 0,
                concat: flags & 2 != 0,
            })
        });
        return Notification::Need(Need {
            kind,
            username,
            static_challenge,
        });
    }
    if let Some(after) = rest.strip_prefix("Verification Failed:") {
        let Some((kind, tail)) = quoted_kind(after.trim_start()) else {
            return Notification::Other;
        };
        let challenge = tail
            .find("CRV1:")
            .and_then(|at| tail.get(at..))
            .and_then(|s| parse_crv1(s.trim_end_matches([']', '\''])));
        return Notification::VerificationFailed { kind, challenge };
    }
    Notification::Other
}

/// `'Kind' rest` → (`Kind`, `rest`).
fn quoted_kind(s: &str) -> Option<(String, &str)> {
    let s = s.strip_prefix('\'')?;
    let end = s.find('\'')?;
    let kind = s.get(..end)?.to_owned();
    Some((kind, s.get(end + 1..)?))
}

/// `CRV1:R,E:state_id:dXNlcg==:Please enter token`.
fn parse_crv1(s: &str) -> Option<DynamicChallenge> {
    let body = s.strip_prefix("CRV1:")?;
    let mut parts = body.splitn(4, ':');
    let flags = parts.next()?;
    let state_id = parts.next()?.to_owned();
    let user_b64 = parts.next()?;
    let text = parts.next()?.to_owned();
    let username = base64::engine::general_purpose::STANDARD
        .decode(user_b64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let flags: Vec<&str> = flags.split(',').collect();
    Some(DynamicChallenge {
        echo: flags.contains(&"E"),
        response_required: flags.contains(&"R"),
        state_id,
        username,
        text,
    })
}

/// Quotes a command parameter for the management interface: inside double quotes, with
/// `\` and `"` escaped by a backslash. A line break cannot be sent at all (it would end the
/// command and start another), nor can a NUL: those values are refused.
pub fn quote(value: &str) -> Result<String, ConnectError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(ConnectError::Unsendable("too long"));
    }
    if value.contains(['\n', '\r', '\0']) {
        return Err(ConnectError::Unsendable("line break"));
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// `username "KIND" "VALUE"\n`.
pub fn username_command(kind: &str, value: &str) -> Result<String, ConnectError> {
    Ok(format!("username {} {}\n", quote(kind)?, quote(value)?))
}

/// `password "KIND" "VALUE"\n`.
pub fn password_command(kind: &str, value: &str) -> Result<String, ConnectError> {
    Ok(format!("password {} {}\n", quote(kind)?, quote(value)?))
}

/// The password field answering a static challenge: `SCRV1:base64(password):base64(answer)`,
/// or the two concatenated when the server asked for that.
pub fn static_challenge_password(password: &str, answer: &str, concat: bool) -> String {
    if concat {
        return format!("{password}{answer}");
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    format!("SCRV1:{}:{}", b64.encode(password), b64.encode(answer))
}

/// The password field answering a dynamic challenge: `CRV1::state_id::answer`.
pub fn dynamic_challenge_password(state_id: &str, answer: &str) -> String {
    format!("CRV1::{state_id}::{answer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_state_connected_reads_tunnel_address() {
        let n = parse(">STATE:1700000000,CONNECTED,SUCCESS,10.8.0.2,192.0.2.1,1194,,\r\n");
        assert_eq!(
            n,
            Notification::State {
                name: "CONNECTED".into(),
                detail: "SUCCESS".into(),
                local_ip: Some("10.8.0.2".into())
            }
        );
    }

    #[test]
    fn parse_password_need_auth_with_static_challenge() {
        let n = parse(">PASSWORD:Need 'Auth' username/password SC:1,Codice OTP");
        let Notification::Need(need) = n else {
            panic!("{n:?}")
        };
        assert_eq!(need.kind, "Auth");
        assert!(need.username);
        let sc = need.static_challenge.unwrap();
        assert_eq!(sc.text, "Codice OTP");
        assert!(sc.echo);
        assert!(!sc.concat);
    }

    #[test]
    fn parse_password_need_private_key_wants_no_username() {
        let Notification::Need(need) = parse(">PASSWORD:Need 'Private Key' password") else {
            panic!()
        };
        assert_eq!(need.kind, "Private Key");
        assert!(!need.username);
        assert!(need.static_challenge.is_none());
    }

    #[test]
    fn parse_verification_failed_plain_and_crv1() {
        assert_eq!(
            parse(">PASSWORD:Verification Failed: 'Auth'"),
            Notification::VerificationFailed {
                kind: "Auth".into(),
                challenge: None
            }
        );
        let n = parse(
            ">PASSWORD:Verification Failed: 'Auth' ['CRV1:R,E:Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l:bWFyaW8=:Inserisci il PIN']",
        );
        let Notification::VerificationFailed {
            challenge: Some(c), ..
        } = n
        else {
            panic!("{n:?}")
        };
        assert_eq!(c.state_id, "Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l");
        assert_eq!(c.username, "mario");
        assert_eq!(c.text, "Inserisci il PIN");
        assert!(c.echo && c.response_required);
    }

    #[test]
    fn quote_escapes_backslash_and_double_quote() {
        assert_eq!(quote(r#"a"b\c d"#).unwrap(), r#""a\"b\\c d""#);
        assert_eq!(
            password_command("Auth", "p'w").unwrap(),
            "password \"Auth\" \"p'w\"\n"
        );
    }

    #[test]
    fn quote_line_break_is_refused() {
        assert!(quote("a\nb").is_err());
        assert!(quote("a\rb").is_err());
        assert!(quote(&"x".repeat(MAX_VALUE_BYTES + 1)).is_err());
    }

    #[test]
    fn challenge_passwords_follow_the_protocol() {
        assert_eq!(
            static_challenge_password("pw", "123456", false),
            "SCRV1:cHc=:MTIzNDU2"
        );
        assert_eq!(static_challenge_password("pw", "123", true), "pw123");
        assert_eq!(dynamic_challenge_password("S1", "42"), "CRV1::S1::42");
    }

    #[test]
    fn parse_unknown_lines_are_other() {
        assert_eq!(
            parse(">INFO:OpenVPN Management Interface Version 5"),
            Notification::Other
        );
        assert_eq!(parse(">PASSWORD:garbage"), Notification::Other);
        assert_eq!(
            parse(">HOLD:Waiting for hold release:0"),
            Notification::Hold
        );
        assert_eq!(
            parse("SUCCESS: hold release succeeded"),
            Notification::Success
        );
    }
}
