//! OpenVPN profiles: split into directives and inline blocks the way OpenVPN reads them,
//! check every directive against an allowlist, inline the files the profile references.
//!
//! The allowlist holds what a client profile needs to reach a server. Everything else is
//! refused, with its line and a reason: above all the directives that run commands or load
//! code, those that touch the filesystem or the process, and passwords kept in files (the
//! app keeps them in the keychain). The lists are [`RUNS_COMMANDS`],
//! [`TOUCHES_FILES_OR_PROCESS`], [`ALLOWED`], [`FILE_DIRECTIVES`] and
//! [`CONNECTION_OPTIONS`]; `docs/vpn-profiles.md` explains them to IT staff.
use std::collections::BTreeSet;
use std::path::{Component, Path};

use base64::Engine;

use crate::report::{Checked, Finding, LintReport, ProfileKind, Reason};
use crate::tokenize::{tokenize_line, TokenError};

/// Directives that run a program or load code. Refused.
pub const RUNS_COMMANDS: &[&str] = &[
    "up",
    "down",
    "down-pre",
    "up-delay",
    "up-restart",
    "route-up",
    "route-pre-down",
    "ipchange",
    "tls-verify",
    "tls-crypt-v2-verify",
    "auth-user-pass-verify",
    "client-connect",
    "client-disconnect",
    "learn-address",
    "iproute",
    "script-security",
    "plugin",
    "providers",
    "engine",
    "setenv",
    "setenv-safe",
    "dns-updown",
    "route-method",
    "pkcs11-providers",
    "pkcs11-id",
    "pkcs11-id-management",
    "pkcs11-cert-private",
    "pkcs11-pin-cache",
    "pkcs11-private-mode",
    "pkcs11-protected-authentication",
];

/// Directives that read or write files or change how the process runs. Refused. Every
/// directive whose name starts with `management` is refused the same way.
pub const TOUCHES_FILES_OR_PROCESS: &[&str] = &[
    "config",
    "daemon",
    "log",
    "log-append",
    "syslog",
    "status",
    "status-version",
    "writepid",
    "cd",
    "chroot",
    "tmp-dir",
    "user",
    "group",
    "nice",
    "mlock",
    "askpass",
    "capath",
    "dev-node",
    "replay-persist",
    "ifconfig-pool-persist",
    "tls-export-cert",
    "service",
    "genkey",
    "mktun",
    "rmtun",
    "errors-to-stderr",
    "machine-readable-output",
    "echo",
    "auth-gen-token-secret",
    "client-config-dir",
];

/// Directives whose first parameter names a file: the file is read from the profile's own
/// folder and written into the profile as an inline block. They may also be given as a
/// block (`<ca>`…`</ca>`).
pub const FILE_DIRECTIVES: &[&str] = &[
    "ca",
    "cert",
    "key",
    "pkcs12",
    "tls-auth",
    "tls-crypt",
    "tls-crypt-v2",
    "extra-certs",
    "crl-verify",
    "secret",
];

/// Blocks allowed besides the [`FILE_DIRECTIVES`] and `<connection>`.
const OTHER_BLOCKS: &[&str] = &["peer-fingerprint"];

/// Directives a client profile may use as they are.
pub const ALLOWED: &[&str] = &[
    "client",
    "tls-client",
    "pull",
    "dev",
    "dev-type",
    "proto",
    "proto-force",
    "remote",
    "remote-random",
    "remote-random-hostname",
    "resolv-retry",
    "nobind",
    "bind",
    "local",
    "port",
    "lport",
    "rport",
    "float",
    "persist-key",
    "persist-tun",
    "persist-remote-ip",
    "cipher",
    "data-ciphers",
    "data-ciphers-fallback",
    "ncp-ciphers",
    "ncp-disable",
    "auth",
    "tls-version-min",
    "tls-version-max",
    "tls-cipher",
    "tls-ciphersuites",
    "tls-groups",
    "tls-cert-profile",
    "ecdh-curve",
    "remote-cert-tls",
    "remote-cert-ku",
    "remote-cert-eku",
    "verify-x509-name",
    "ns-cert-type",
    "key-direction",
    "peer-fingerprint",
    "verify-hash",
    "auth-user-pass",
    "auth-nocache",
    "auth-retry",
    "auth-token-user",
    "static-challenge",
    "comp-lzo",
    "compress",
    "allow-compression",
    "comp-noadapt",
    "verb",
    "mute",
    "mute-replay-warnings",
    "suppress-timestamps",
    "reneg-sec",
    "reneg-bytes",
    "reneg-pkts",
    "keepalive",
    "ping",
    "ping-restart",
    "ping-exit",
    "ping-timer-rem",
    "inactive",
    "connect-retry",
    "connect-retry-max",
    "connect-timeout",
    "server-poll-timeout",
    "explicit-exit-notify",
    "fragment",
    "mssfix",
    "tun-mtu",
    "tun-mtu-extra",
    "link-mtu",
    "mtu-disc",
    "sndbuf",
    "rcvbuf",
    "txqueuelen",
    "mark",
    "route",
    "route-ipv6",
    "route-gateway",
    "route-nopull",
    "route-metric",
    "route-delay",
    "redirect-gateway",
    "redirect-private",
    "block-outside-dns",
    "block-ipv6",
    "dhcp-option",
    "dns",
    "register-dns",
    "ip-win32",
    "windows-driver",
    "topology",
    "ifconfig",
    "ifconfig-ipv6",
    "ifconfig-nowarn",
    "tun-ipv6",
    "push-peer-info",
    "pull-filter",
    "allow-recursive-routing",
    "http-proxy",
    "http-proxy-option",
    "http-proxy-retry",
    "http-proxy-timeout",
    "socks-proxy",
    "socks-proxy-retry",
    "tls-timeout",
    "hand-window",
    "tran-window",
    "replay-window",
    "single-session",
    "tls-exit",
    "fast-io",
    "tcp-nodelay",
    "disable-occ",
];

/// Directives allowed inside a `<connection>` block (OpenVPN accepts only these there).
pub const CONNECTION_OPTIONS: &[&str] = &[
    "bind",
    "connect-retry",
    "connect-timeout",
    "explicit-exit-notify",
    "float",
    "fragment",
    "http-proxy",
    "http-proxy-option",
    "link-mtu",
    "local",
    "lport",
    "mssfix",
    "mtu-disc",
    "nobind",
    "port",
    "proto",
    "remote",
    "rport",
    "socks-proxy",
    "tun-mtu",
    "tun-mtu-extra",
];

/// Longest option line OpenVPN reads (`OPTION_LINE_SIZE` minus the NUL).
const MAX_LINE_BYTES: usize = 255;
/// Largest referenced file inlined.
pub const MAX_REFERENCED_FILE_BYTES: u64 = 1 << 20;
/// Most referenced files inlined from one profile.
const MAX_REFERENCED_FILES: usize = 32;

/// How the allowlist classifies a directive name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Allowed as written.
    Allowed,
    /// Names a file to inline.
    File,
    /// Refused for this reason.
    Refused(RefusedKind),
    /// Not on any list: refused as not needed by a client.
    Unknown,
}

/// The refusal families of [`Class::Refused`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedKind {
    /// See [`RUNS_COMMANDS`].
    RunsCommands,
    /// See [`TOUCHES_FILES_OR_PROCESS`].
    FilesOrProcess,
    /// Credentials in a file (`http-proxy-user-pass`).
    PasswordInFile,
}

impl RefusedKind {
    fn reason(self) -> Reason {
        match self {
            RefusedKind::RunsCommands => Reason::RunsCommands,
            RefusedKind::FilesOrProcess => Reason::TouchesFilesOrProcess,
            RefusedKind::PasswordInFile => Reason::PasswordInFile,
        }
    }
}

/// Classifies a directive name (without a leading `--`).
pub fn classify(name: &str) -> Class {
    if RUNS_COMMANDS.contains(&name) || name.starts_with("pkcs11-") {
        Class::Refused(RefusedKind::RunsCommands)
    } else if TOUCHES_FILES_OR_PROCESS.contains(&name) || name.starts_with("management") {
        Class::Refused(RefusedKind::FilesOrProcess)
    } else if name == "http-proxy-user-pass" {
        Class::Refused(RefusedKind::PasswordInFile)
    } else if FILE_DIRECTIVES.contains(&name) {
        Class::File
    } else if ALLOWED.contains(&name) {
        Class::Allowed
    } else {
        Class::Unknown
    }
}

/// One parsed element of a profile.
#[derive(Debug)]
enum Item<'a> {
    /// A blank or comment line, kept as written.
    Raw(&'a str),
    /// A directive and its parameters.
    Directive {
        line: usize,
        raw: &'a str,
        params: Vec<String>,
    },
    /// An inline block `<tag>` … `</tag>`.
    Block {
        line: usize,
        tag: String,
        content: Vec<(usize, &'a str)>,
    },
}

/// Splits lines into items, recording tokenising failures as findings.
fn parse<'a>(
    lines: &[(usize, &'a str)],
    in_connection: bool,
    findings: &mut Vec<Finding>,
) -> Vec<Item<'a>> {
    let mut items = Vec::new();
    let mut iter = lines.iter();
    while let Some(&(line, raw)) = iter.next() {
        let mut params = match tokenize_line(raw) {
            Ok(p) => p,
            Err(e) => {
                let directive = raw.split_whitespace().next().unwrap_or("").to_owned();
                let reason = match e {
                    TokenError::TooManyParams | TokenError::ParamTooLong => Reason::BadArguments,
                    _ => Reason::BadQuoting,
                };
                findings.push(Finding {
                    line,
                    directive,
                    reason,
                });
                continue;
            }
        };
        let Some(first) = params.first_mut() else {
            items.push(Item::Raw(raw));
            continue;
        };
        if let Some(stripped) = first.strip_prefix("--") {
            *first = stripped.to_owned();
        }
        if raw.len() > MAX_LINE_BYTES {
            findings.push(Finding {
                line,
                directive: first.clone(),
                reason: Reason::LineTooLong,
            });
            continue;
        }
        let tag = match params.as_slice() {
            [only] if only.len() > 2 && only.starts_with('<') && only.ends_with('>') => {
                only.get(1..only.len() - 1).map(str::to_owned)
            }
            _ => None,
        };
        let Some(tag) = tag else {
            items.push(Item::Directive { line, raw, params });
            continue;
        };
        if in_connection && tag == "connection" {
            // The outer block ended at the first `</connection>`: a `<connection>` inside
            // it can never be closed, and OpenVPN does not nest them.
            findings.push(Finding {
                line,
                directive: format!("<{tag}>"),
                reason: Reason::NestedConnection,
            });
            continue;
        }
        if tag.starts_with('/') {
            findings.push(Finding {
                line,
                directive: format!("<{tag}>"),
                reason: Reason::NotAllowed,
            });
            continue;
        }
        let close = format!("</{tag}>");
        let mut content = Vec::new();
        let mut closed = false;
        for &(l, text) in iter.by_ref() {
            if text.trim_start().starts_with(&close) {
                closed = true;
                break;
            }
            content.push((l, text));
        }
        if !closed {
            findings.push(Finding {
                line,
                directive: format!("<{tag}>"),
                reason: Reason::UnclosedBlock { tag },
            });
            break;
        }
        items.push(Item::Block { line, tag, content });
    }
    items
}

/// The state of one check.
struct Linter<'f> {
    folder: Option<&'f Path>,
    findings: Vec<Finding>,
    inlined: Vec<String>,
    remotes: Vec<String>,
    needs_credentials: bool,
    /// Tags of the blocks present at the top level, for `[inline]` references.
    blocks: BTreeSet<String>,
    out: String,
}

impl Linter<'_> {
    fn refuse(&mut self, line: usize, directive: &str, reason: Reason) {
        self.findings.push(Finding {
            line,
            directive: directive.to_owned(),
            reason,
        });
    }

    fn items(&mut self, items: &[Item<'_>], in_connection: bool) {
        for item in items {
            match item {
                Item::Raw(raw) => {
                    self.out.push_str(raw);
                    self.out.push('\n');
                }
                Item::Directive { line, raw, params } => {
                    self.directive(*line, raw, params, in_connection);
                }
                Item::Block { line, tag, content } => {
                    self.block(*line, tag, content, in_connection);
                }
            }
        }
    }

    fn directive(&mut self, line: usize, raw: &str, params: &[String], in_connection: bool) {
        let Some(name) = params.first() else { return };
        let class = classify(name);
        if let Class::Refused(kind) = class {
            self.refuse(line, name, kind.reason());
            return;
        }
        if in_connection && !CONNECTION_OPTIONS.contains(&name.as_str()) {
            self.refuse(line, name, Reason::NotAllowedInConnection);
            return;
        }
        match class {
            Class::Refused(_) => {}
            Class::Unknown => self.refuse(line, name, Reason::NotAllowed),
            Class::File => self.file_directive(line, raw, params),
            Class::Allowed => {
                if self.allowed_directive(line, params) {
                    self.out.push_str(raw);
                    self.out.push('\n');
                }
            }
        }
    }

    /// Extra checks on allowed directives; `false` when the line was refused.
    fn allowed_directive(&mut self, line: usize, params: &[String]) -> bool {
        let name = params.first().map(String::as_str).unwrap_or("");
        let arg = |i: usize| params.get(i).map(String::as_str);
        let refusal = match name {
            "auth-user-pass" => {
                if params.len() > 1 {
                    Some(Reason::PasswordInFile)
                } else {
                    self.needs_credentials = true;
                    None
                }
            }
            "remote" => match arg(1) {
                Some(host) => {
                    let mut r = host.to_owned();
                    if let Some(port) = arg(2) {
                        r.push(' ');
                        r.push_str(port);
                    }
                    self.remotes.push(r);
                    None
                }
                None => Some(Reason::BadArguments),
            },
            // http-proxy server port [authfile|'auto'|'auto-nct'] [auth-method]
            "http-proxy" => match arg(3) {
                None | Some("auto") | Some("auto-nct") => None,
                Some("stdin") => Some(Reason::BadArguments),
                Some(_) => Some(Reason::PasswordInFile),
            },
            // socks-proxy server [port] [authfile]
            "socks-proxy" => arg(3).map(|_| Reason::PasswordInFile),
            _ => None,
        };
        match refusal {
            Some(reason) => {
                self.refuse(line, name, reason);
                false
            }
            None => true,
        }
    }

    fn file_directive(&mut self, line: usize, raw: &str, params: &[String]) {
        let name = params.first().map(String::as_str).unwrap_or("");
        let Some(path) = params.get(1) else {
            self.refuse(line, name, Reason::BadArguments);
            return;
        };
        let extra = params.get(2).map(String::as_str);
        let direction = match (name, extra) {
            (_, None) => None,
            ("tls-auth" | "secret", Some(d @ ("0" | "1"))) => Some(d),
            ("crl-verify", Some("dir")) => {
                self.refuse(line, name, Reason::TouchesFilesOrProcess);
                return;
            }
            _ => {
                self.refuse(line, name, Reason::BadArguments);
                return;
            }
        };
        if params.len() > 3 {
            self.refuse(line, name, Reason::BadArguments);
            return;
        }
        if path == "[inline]" {
            if self.blocks.contains(name) {
                self.out.push_str(raw);
                self.out.push('\n');
            } else {
                self.refuse(line, name, Reason::InlineBlockMissing);
            }
            return;
        }
        if self.inlined.len() >= MAX_REFERENCED_FILES {
            self.refuse(line, name, Reason::BadArguments);
            return;
        }
        match read_referenced(self.folder, path, name == "pkcs12") {
            Ok(content) => {
                self.inlined.push(path.clone());
                self.out.push_str(&format!("<{name}>\n{content}"));
                if !content.ends_with('\n') {
                    self.out.push('\n');
                }
                self.out.push_str(&format!("</{name}>\n"));
                if let Some(d) = direction {
                    self.out.push_str(&format!("key-direction {d}\n"));
                }
            }
            Err(reason) => self.refuse(line, name, reason),
        }
    }

    fn block(&mut self, line: usize, tag: &str, content: &[(usize, &str)], in_connection: bool) {
        let shown = format!("<{tag}>");
        if tag == "connection" {
            if in_connection {
                self.refuse(line, &shown, Reason::NestedConnection);
                return;
            }
            let mut findings = Vec::new();
            let inner = parse(content, true, &mut findings);
            self.findings.extend(findings);
            self.out.push_str("<connection>\n");
            self.items(&inner, true);
            self.out.push_str("</connection>\n");
            return;
        }
        if in_connection {
            self.refuse(line, &shown, Reason::NotAllowedInConnection);
            return;
        }
        let block_ok = FILE_DIRECTIVES.contains(&tag) || OTHER_BLOCKS.contains(&tag);
        if !block_ok {
            let reason = match classify(tag) {
                Class::Refused(kind) => kind.reason(),
                _ if tag == "auth-user-pass" => Reason::PasswordInFile,
                _ => Reason::BlockNotAllowed,
            };
            self.refuse(line, &shown, reason);
            return;
        }
        if content.iter().all(|(_, t)| t.trim().is_empty()) {
            self.refuse(line, &shown, Reason::EmptyBlock);
            return;
        }
        self.out.push_str(&shown);
        self.out.push('\n');
        for (_, text) in content {
            self.out.push_str(text);
            self.out.push('\n');
        }
        self.out.push_str(&format!("</{tag}>\n"));
    }
}

/// Reads a file named by the profile from the profile's own folder. Binary files (PKCS#12)
/// become base64, as OpenVPN reads an inline `<pkcs12>` block.
fn read_referenced(folder: Option<&Path>, written: &str, binary: bool) -> Result<String, Reason> {
    let outside = || Reason::FileOutsideFolder {
        path: written.to_owned(),
    };
    let missing = || Reason::FileMissing {
        path: written.to_owned(),
    };
    // A Windows path (drive letter, backslash) never names a file in the folder.
    if written.contains('\\') || written.contains(':') {
        return Err(outside());
    }
    let rel = Path::new(written);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(outside());
    }
    let Some(folder) = folder else {
        return Err(missing());
    };
    let base = folder.canonicalize().map_err(|_| missing())?;
    let target = base.join(rel).canonicalize().map_err(|_| missing())?;
    if !target.starts_with(&base) {
        return Err(outside());
    }
    let meta = std::fs::metadata(&target).map_err(|_| missing())?;
    if !meta.is_file() {
        return Err(missing());
    }
    if meta.len() > MAX_REFERENCED_FILE_BYTES {
        return Err(Reason::FileTooLarge {
            path: written.to_owned(),
        });
    }
    let bytes = std::fs::read(&target).map_err(|_| missing())?;
    if bytes.len() as u64 > MAX_REFERENCED_FILE_BYTES {
        return Err(Reason::FileTooLarge {
            path: written.to_owned(),
        });
    }
    if binary {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let mut wrapped = String::with_capacity(b64.len() + b64.len() / 64 + 1);
        for chunk in b64.as_bytes().chunks(64) {
            wrapped.push_str(&String::from_utf8_lossy(chunk));
            wrapped.push('\n');
        }
        return Ok(wrapped);
    }
    match String::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok(text),
        _ => Err(Reason::FileNotText {
            path: written.to_owned(),
        }),
    }
}

/// Checks an OpenVPN profile given as text. `folder` is where referenced files are looked
/// up (the profile's own folder); `None` refuses every reference to a file.
pub fn check(text: &str, folder: Option<&Path>) -> Checked {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    let mut findings = Vec::new();
    let items = parse(&lines, false, &mut findings);
    let blocks = items
        .iter()
        .filter_map(|i| match i {
            Item::Block { tag, .. } => Some(tag.clone()),
            _ => None,
        })
        .collect();
    let mut linter = Linter {
        folder,
        findings,
        inlined: Vec::new(),
        remotes: Vec::new(),
        needs_credentials: false,
        blocks,
        out: String::new(),
    };
    linter.items(&items, false);
    if linter.remotes.is_empty() && linter.findings.is_empty() {
        linter.refuse(0, "remote", Reason::NoRemote);
    }
    linter.findings.sort_by_key(|f| f.line);
    let report = LintReport {
        kind: ProfileKind::OpenVpn,
        refused: linter.findings,
        inlined: linter.inlined,
        remotes: linter.remotes,
        needs_credentials: linter.needs_credentials,
    };
    let profile = report.acceptable().then_some(linter.out);
    Checked { report, profile }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_lists_do_not_overlap() {
        for name in RUNS_COMMANDS.iter().chain(TOUCHES_FILES_OR_PROCESS) {
            assert!(!ALLOWED.contains(name), "{name}");
            assert!(!FILE_DIRECTIVES.contains(name), "{name}");
        }
        for name in CONNECTION_OPTIONS {
            assert_eq!(classify(name), Class::Allowed, "{name}");
        }
    }
}
