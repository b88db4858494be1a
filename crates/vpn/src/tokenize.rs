//! OpenVPN's configuration-line tokeniser, rewritten from its documented behaviour
//! (`openvpn(8)`, "--config file": "quotes, single quotes and backslash escapes").
//!
//! Rules, as OpenVPN 2.6 applies them to each line:
//! - whitespace separates parameters; leading whitespace is skipped (indented lines);
//! - `#` or `;` where a parameter would start ends the line (a comment);
//! - `"…"` groups a parameter; inside it and in bare parameters, a backslash escapes the
//!   next character, which must be `\`, `"` or whitespace (anything else is an error);
//! - `'…'` groups a parameter verbatim (no escapes);
//! - a quote inside a bare parameter is an ordinary character;
//! - at most 16 parameters per line and 256 bytes per parameter.
//!
//! Where OpenVPN would silently do something surprising (drop a last parameter ending in a
//! backslash, abort on an empty `""`, ignore parameters beyond the 16th), this tokeniser
//! returns an error instead, so the lint refuses the line rather than guess.

/// Most parameters OpenVPN reads from one line (`MAX_PARMS`).
pub const MAX_PARAMS: usize = 16;
/// Longest parameter OpenVPN accepts, in bytes (`OPTION_PARM_SIZE` minus the NUL).
pub const MAX_PARAM_BYTES: usize = 255;

/// Why a line could not be split into parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// A `"` was not closed.
    UnclosedQuote,
    /// A `'` was not closed.
    UnclosedSingleQuote,
    /// A backslash before something other than `\`, `"` or whitespace, or at the end of
    /// the line.
    BadBackslash,
    /// An empty quoted parameter (`""` or `''`).
    EmptyQuoted,
    /// More than [`MAX_PARAMS`] parameters.
    TooManyParams,
    /// A parameter longer than [`MAX_PARAM_BYTES`].
    ParamTooLong,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    Bare,
    Quoted,
    SingleQuoted,
}

fn is_space(c: char) -> bool {
    // C's isspace() in the "C" locale.
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Splits one line into parameters. An empty result is a blank or comment line.
pub fn tokenize_line(line: &str) -> Result<Vec<String>, TokenError> {
    let mut params: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut state = State::Between;
    let mut backslash = false;
    for c in line.chars() {
        if !backslash && c == '\\' && state != State::SingleQuoted {
            backslash = true;
            continue;
        }
        let escaped = std::mem::take(&mut backslash);
        let mut out: Option<char> = None;
        let mut done = false;
        match state {
            State::Between => {
                if !is_space(c) {
                    // A comment even after a backslash, as in OpenVPN.
                    if c == '#' || c == ';' {
                        break;
                    }
                    if !escaped && c == '"' {
                        state = State::Quoted;
                    } else if !escaped && c == '\'' {
                        state = State::SingleQuoted;
                    } else {
                        out = Some(c);
                        state = State::Bare;
                    }
                }
                // An escaped space between parameters is dropped, as OpenVPN does.
            }
            State::Bare => {
                if !escaped && is_space(c) {
                    done = true;
                } else {
                    out = Some(c);
                }
            }
            State::Quoted => {
                if !escaped && c == '"' {
                    done = true;
                } else {
                    out = Some(c);
                }
            }
            State::SingleQuoted => {
                if c == '\'' {
                    done = true;
                } else {
                    out = Some(c);
                }
            }
        }
        if escaped {
            if let Some(o) = out {
                if !(o == '\\' || o == '"' || is_space(o)) {
                    return Err(TokenError::BadBackslash);
                }
            }
        }
        if let Some(o) = out {
            if current.len() + o.len_utf8() > MAX_PARAM_BYTES {
                return Err(TokenError::ParamTooLong);
            }
            current.push(o);
        }
        if done {
            if current.is_empty() {
                return Err(TokenError::EmptyQuoted);
            }
            if params.len() >= MAX_PARAMS {
                return Err(TokenError::TooManyParams);
            }
            params.push(std::mem::take(&mut current));
            state = State::Between;
        }
    }
    if backslash {
        return Err(TokenError::BadBackslash);
    }
    match state {
        State::Quoted => return Err(TokenError::UnclosedQuote),
        State::SingleQuoted => return Err(TokenError::UnclosedSingleQuote),
        State::Bare => {
            if params.len() >= MAX_PARAMS {
                return Err(TokenError::TooManyParams);
            }
            params.push(current);
        }
        State::Between => {}
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokenize_line(s).unwrap()
    }

    #[test]
    fn tokenize_plain_and_indented_lines_split_on_whitespace() {
        assert_eq!(
            t("remote vpn.example.it 1194 udp"),
            ["remote", "vpn.example.it", "1194", "udp"]
        );
        assert_eq!(t("   \tclient  "), ["client"]);
    }

    #[test]
    fn tokenize_comments_start_only_where_a_parameter_would() {
        assert!(t("# up /bin/sh").is_empty());
        assert!(t("  ; up /bin/sh").is_empty());
        assert!(t(r"\# up /bin/sh").is_empty());
        assert_eq!(t(r"cmd \ x"), ["cmd", "x"]);
        assert_eq!(t("remote a#b 1194 # note"), ["remote", "a#b", "1194"]);
    }

    #[test]
    fn tokenize_quotes_and_escapes_follow_openvpn() {
        assert_eq!(t(r#"ca "my file.crt""#), ["ca", "my file.crt"]);
        assert_eq!(t(r#"ca 'my "file".crt'"#), ["ca", r#"my "file".crt"#]);
        assert_eq!(t(r"ca my\ file.crt"), ["ca", "my file.crt"]);
        assert_eq!(t(r#"x "a\"b\\c""#), ["x", r#"a"b\c"#]);
        assert_eq!(t(r"x 'a\b'"), ["x", r"a\b"]);
        assert_eq!(t(r#"x ab"c"#), ["x", "ab\"c"]);
        assert_eq!(t(r#"x "a"b"#), ["x", "a", "b"]);
        assert_eq!(t(r"u\\p"), [r"u\p"]);
    }

    #[test]
    fn tokenize_malformed_lines_are_errors() {
        assert_eq!(tokenize_line(r#"ca "x"#), Err(TokenError::UnclosedQuote));
        assert_eq!(tokenize_line("ca 'x"), Err(TokenError::UnclosedSingleQuote));
        assert_eq!(tokenize_line(r"ca c:\key"), Err(TokenError::BadBackslash));
        assert_eq!(tokenize_line(r"ca x\"), Err(TokenError::BadBackslash));
        assert_eq!(tokenize_line(r#"ca """#), Err(TokenError::EmptyQuoted));
        assert_eq!(
            tokenize_line(&"a ".repeat(17)),
            Err(TokenError::TooManyParams)
        );
        assert_eq!(
            tokenize_line(&format!("ca {}", "x".repeat(300))),
            Err(TokenError::ParamTooLong)
        );
    }
}
