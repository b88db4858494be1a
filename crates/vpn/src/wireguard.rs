//! WireGuard profiles (`wg-quick` format): `[Interface]` and `[Peer]` sections of
//! `Key = Value` lines. Keys and addresses are validated; the hooks that run shell commands
//! (`PreUp`, `PostUp`, `PreDown`, `PostDown`) and `SaveConfig` (which rewrites the file)
//! are refused. Section and key names are matched without regard to case, as `wg-quick`
//! does.
use std::net::IpAddr;

use base64::Engine;

use crate::report::{Checked, Finding, LintReport, ProfileKind, Reason};

/// Keys that run shell commands. Refused.
pub const HOOKS: &[&str] = &["PreUp", "PostUp", "PreDown", "PostDown"];
/// Keys allowed in `[Interface]`.
pub const INTERFACE_KEYS: &[&str] = &[
    "PrivateKey",
    "Address",
    "DNS",
    "MTU",
    "ListenPort",
    "Table",
    "FwMark",
];
/// Keys allowed in `[Peer]`.
pub const PEER_KEYS: &[&str] = &[
    "PublicKey",
    "PresharedKey",
    "AllowedIPs",
    "Endpoint",
    "PersistentKeepalive",
];

/// Most peers in one profile.
const MAX_PEERS: usize = 256;

/// `true` when the text has an `[Interface]` section header: the mark of a WireGuard
/// profile (`.conf` is also OpenVPN's extension).
pub fn looks_like_wireguard(text: &str) -> bool {
    text.lines()
        .any(|l| strip_comment(l).trim().eq_ignore_ascii_case("[interface]"))
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Interface,
    Peer,
}

fn valid_key(value: &str) -> bool {
    value.len() == 44
        && base64::engine::general_purpose::STANDARD
            .decode(value)
            .is_ok_and(|k| k.len() == 32)
}

fn valid_cidr(value: &str) -> bool {
    let (addr, prefix) = match value.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (value, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix {
        None => true,
        Some(p) => {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok_and(|n| n <= max)
        }
    }
}

fn valid_port(value: &str) -> bool {
    value.parse::<u16>().is_ok()
}

fn valid_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn valid_endpoint(value: &str) -> bool {
    if let Some(rest) = value.strip_prefix('[') {
        let Some((v6, port)) = rest.split_once("]:") else {
            return false;
        };
        return v6.parse::<std::net::Ipv6Addr>().is_ok() && valid_port(port);
    }
    match value.rsplit_once(':') {
        Some((host, port)) => {
            valid_port(port) && (host.parse::<std::net::Ipv4Addr>().is_ok() || valid_hostname(host))
        }
        None => false,
    }
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a WireGuard profile given as text.
pub fn check(text: &str) -> Checked {
    let mut findings = Vec::new();
    let mut remotes = Vec::new();
    let mut out = String::new();
    let mut section = Section::None;
    let mut interfaces = 0usize;
    let mut peers = 0usize;
    let mut seen: Vec<String> = Vec::new();
    let mut peer_has_key = true;
    let mut interface_has_key = false;
    let mut interface_has_address = false;
    let refuse = |findings: &mut Vec<Finding>, line: usize, key: &str, reason: Reason| {
        findings.push(Finding {
            line,
            directive: key.to_owned(),
            reason,
        });
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            out.push_str(raw);
            out.push('\n');
            continue;
        }
        if content.starts_with('[') {
            if content.eq_ignore_ascii_case("[interface]") {
                section = Section::Interface;
                interfaces += 1;
                if interfaces > 1 {
                    refuse(
                        &mut findings,
                        line,
                        "[Interface]",
                        Reason::MissingOrRepeated,
                    );
                }
            } else if content.eq_ignore_ascii_case("[peer]") {
                if section == Section::Peer && !peer_has_key {
                    refuse(&mut findings, line, "PublicKey", Reason::MissingOrRepeated);
                }
                section = Section::Peer;
                peers += 1;
                peer_has_key = false;
                if peers > MAX_PEERS {
                    refuse(&mut findings, line, "[Peer]", Reason::MissingOrRepeated);
                    break;
                }
            } else {
                refuse(&mut findings, line, content, Reason::BadSyntax);
                continue;
            }
            seen.clear();
            out.push_str(raw);
            out.push('\n');
            continue;
        }
        let Some((key, value)) = content.split_once('=') else {
            refuse(&mut findings, line, content, Reason::BadSyntax);
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        if let Some(hook) = HOOKS.iter().find(|h| h.eq_ignore_ascii_case(key)) {
            refuse(&mut findings, line, hook, Reason::RunsCommands);
            continue;
        }
        if key.eq_ignore_ascii_case("SaveConfig") {
            refuse(
                &mut findings,
                line,
                "SaveConfig",
                Reason::TouchesFilesOrProcess,
            );
            continue;
        }
        let allowed = match section {
            Section::None => {
                refuse(&mut findings, line, key, Reason::BadSyntax);
                continue;
            }
            Section::Interface => INTERFACE_KEYS,
            Section::Peer => PEER_KEYS,
        };
        let Some(canonical) = allowed.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
            refuse(&mut findings, line, key, Reason::NotAllowed);
            continue;
        };
        let repeatable = matches!(*canonical, "Address" | "DNS" | "AllowedIPs");
        if !repeatable && seen.iter().any(|s| s == canonical) {
            refuse(&mut findings, line, canonical, Reason::MissingOrRepeated);
            continue;
        }
        seen.push((*canonical).to_owned());
        let reason = match *canonical {
            "PrivateKey" | "PublicKey" | "PresharedKey" => {
                if *canonical == "PrivateKey" {
                    interface_has_key = true;
                }
                if *canonical == "PublicKey" {
                    peer_has_key = true;
                }
                (!valid_key(value)).then_some(Reason::BadKey)
            }
            "Address" | "AllowedIPs" => {
                if *canonical == "Address" {
                    interface_has_address = true;
                }
                let mut items = list(value).peekable();
                (items.peek().is_none() || !items.all(valid_cidr)).then_some(Reason::BadAddress)
            }
            "DNS" => {
                let mut items = list(value).peekable();
                (items.peek().is_none()
                    || !items.all(|d| d.parse::<IpAddr>().is_ok() || valid_hostname(d)))
                .then_some(Reason::BadAddress)
            }
            "MTU" => (!value
                .parse::<u32>()
                .is_ok_and(|m| (576..=65535).contains(&m)))
            .then_some(Reason::BadValue),
            "ListenPort" => (!valid_port(value)).then_some(Reason::BadValue),
            "Table" => (!(value.eq_ignore_ascii_case("off")
                || value.eq_ignore_ascii_case("auto")
                || value.parse::<u32>().is_ok()))
            .then_some(Reason::BadValue),
            "FwMark" => (!(value.eq_ignore_ascii_case("off")
                || value.parse::<u32>().is_ok()
                || value
                    .strip_prefix("0x")
                    .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())))
            .then_some(Reason::BadValue),
            "Endpoint" => {
                if valid_endpoint(value) {
                    remotes.push(value.to_owned());
                    None
                } else {
                    Some(Reason::BadValue)
                }
            }
            "PersistentKeepalive" => (!(value.eq_ignore_ascii_case("off")
                || value.parse::<u16>().is_ok()))
            .then_some(Reason::BadValue),
            _ => Some(Reason::NotAllowed),
        };
        match reason {
            Some(r) => refuse(&mut findings, line, canonical, r),
            None => {
                out.push_str(raw);
                out.push('\n');
            }
        }
    }
    if section == Section::Peer && !peer_has_key {
        refuse(&mut findings, 0, "PublicKey", Reason::MissingOrRepeated);
    }
    if interfaces == 0 || !interface_has_key {
        refuse(&mut findings, 0, "PrivateKey", Reason::MissingOrRepeated);
    }
    if interfaces > 0 && !interface_has_address {
        refuse(&mut findings, 0, "Address", Reason::MissingOrRepeated);
    }
    if peers == 0 {
        refuse(&mut findings, 0, "[Peer]", Reason::MissingOrRepeated);
    }
    findings.sort_by_key(|f| f.line);
    let report = LintReport {
        kind: ProfileKind::WireGuard,
        refused: findings,
        inlined: Vec::new(),
        remotes,
        needs_credentials: false,
    };
    let profile = report.acceptable().then_some(out);
    Checked { report, profile }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cidr_accepts_addresses_and_bounded_prefixes() {
        assert!(valid_cidr("10.0.0.2/32"));
        assert!(valid_cidr("fd00::2/128"));
        assert!(valid_cidr("10.0.0.2"));
        assert!(!valid_cidr("10.0.0.2/33"));
        assert!(!valid_cidr("10.0.0.256/24"));
        assert!(!valid_cidr("10.0.0.2/"));
        assert!(!valid_cidr("10.0.0.2/+8"));
    }

    #[test]
    fn valid_endpoint_accepts_host_v4_and_bracketed_v6() {
        assert!(valid_endpoint("vpn.comune.example.it:51820"));
        assert!(valid_endpoint("192.0.2.1:51820"));
        assert!(valid_endpoint("[2001:db8::1]:51820"));
        assert!(!valid_endpoint("vpn.example.it"));
        assert!(!valid_endpoint("vpn.example.it:70000"));
        assert!(!valid_endpoint("$(rm -rf ~):1"));
    }
}
