//! Hand-offs to the system's own VPN client, where the app does not drive the tunnel
//! itself: NetworkManager on Linux desktops, OpenVPN GUI and WireGuard for Windows,
//! Tunnelblick and OpenVPN Connect on macOS.
//!
//! Each function builds the command (program and arguments, never through a shell) and,
//! where one is needed, the file to give it; the caller runs them. None of them carries a
//! password: NetworkManager is told that its VPN password belongs to the user's secret
//! agent (`password-flags=1`) or is never saved (`2`), so NM keeps none in its own files;
//! the Windows and macOS clients ask the user themselves.
use std::path::Path;

use crate::connect::ConnectError;

/// A command to run: a program and its arguments, passed without a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Handoff {
    fn new(program: &str, args: &[&str]) -> Self {
        Self {
            program: program.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

/// Who keeps NetworkManager's VPN password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NmSecretPolicy {
    /// The user's secret agent (the desktop asks, and keeps it in the user's keyring):
    /// `password-flags=1`.
    AgentOwned,
    /// Asked at every connection, saved nowhere: `password-flags=2`.
    NotSaved,
}

impl NmSecretPolicy {
    /// The flag value NetworkManager stores.
    pub fn flags(self) -> u8 {
        match self {
            NmSecretPolicy::AgentOwned => 1,
            NmSecretPolicy::NotSaved => 2,
        }
    }
}

/// A NetworkManager connection name: the profile name without control characters.
fn nm_name(name: &str) -> Result<String, ConnectError> {
    let clean: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() {
        return Err(ConnectError::InvalidName);
    }
    Ok(clean)
}

/// `nmcli connection import type openvpn file PATH`, then the `modify` that names the
/// connection, sets the username and flags the password so NetworkManager stores none
/// (the OpenVPN plugin reads the materialised profile, inline certificates included).
pub fn nm_openvpn_import(
    name: &str,
    profile_path: &Path,
    username: Option<&str>,
    policy: NmSecretPolicy,
) -> Result<Vec<Handoff>, ConnectError> {
    let name = nm_name(name)?;
    let stem = profile_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or(ConnectError::InvalidName)?;
    let path = profile_path.to_string_lossy();
    let import = Handoff::new(
        "nmcli",
        &["connection", "import", "type", "openvpn", "file", &path],
    );
    // The plugin names the connection after the file; rename and flag the secrets.
    let flags = format!("password-flags={}", policy.flags());
    let mut modify = vec![
        "connection",
        "modify",
        &stem,
        "connection.id",
        &name,
        "connection.autoconnect",
        "no",
        "+vpn.data",
        &flags,
    ];
    if let Some(u) = username {
        modify.push("vpn.user-name");
        modify.push(u);
    }
    Ok(vec![import, Handoff::new("nmcli", &modify)])
}

/// `nmcli connection up id NAME` / `down`.
pub fn nm_up_down(name: &str, up: bool) -> Result<Handoff, ConnectError> {
    let name = nm_name(name)?;
    let verb = if up { "up" } else { "down" };
    Ok(Handoff::new("nmcli", &["connection", verb, "id", &name]))
}

/// A NetworkManager keyfile (`/etc/NetworkManager/system-connections/NAME.nmconnection`,
/// or what `nmcli --offline connection add` prints) for a WireGuard profile. WireGuard has
/// no password: the private key is the profile's own, kept by NM root-only as the app
/// keeps it user-only. `uuid` is given by the caller (no randomness here).
pub fn nm_wireguard_keyfile(
    name: &str,
    interface: &str,
    uuid: &str,
    profile: &str,
) -> Result<String, ConnectError> {
    let name = nm_name(name)?;
    let mut private_key = None;
    let mut addresses: Vec<String> = Vec::new();
    let mut dns: Vec<String> = Vec::new();
    let mut mtu = None;
    let mut peers: Vec<Vec<(String, String)>> = Vec::new();
    let mut section = String::new();
    for line in profile.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            section = line.to_ascii_lowercase();
            if section == "[peer]" {
                peers.push(Vec::new());
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
        match (section.as_str(), k.as_str()) {
            ("[interface]", "privatekey") => private_key = Some(v),
            ("[interface]", "address") => {
                addresses.extend(v.split(',').map(|a| a.trim().to_owned()))
            }
            ("[interface]", "dns") => dns.extend(v.split(',').map(|a| a.trim().to_owned())),
            ("[interface]", "mtu") => mtu = Some(v),
            ("[peer]", _) => {
                if let Some(p) = peers.last_mut() {
                    p.push((k, v));
                }
            }
            _ => {}
        }
    }
    let private_key = private_key.ok_or(ConnectError::WrongKind(crate::ProfileKind::WireGuard))?;
    let mut out = format!(
        "[connection]\nid={name}\nuuid={uuid}\ntype=wireguard\nautoconnect=false\n\
         interface-name={interface}\n\n[wireguard]\nprivate-key={private_key}\n"
    );
    if let Some(m) = mtu {
        out.push_str(&format!("mtu={m}\n"));
    }
    for peer in &peers {
        let get = |key: &str| peer.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let Some(public) = get("publickey") else {
            continue;
        };
        out.push_str(&format!("\n[wireguard-peer.{public}]\n"));
        if let Some(e) = get("endpoint") {
            out.push_str(&format!("endpoint={e}\n"));
        }
        if let Some(psk) = get("presharedkey") {
            out.push_str(&format!("preshared-key={psk}\npreshared-key-flags=0\n"));
        }
        if let Some(k) = get("persistentkeepalive") {
            out.push_str(&format!("persistent-keepalive={k}\n"));
        }
        let allowed: Vec<String> = get("allowedips")
            .unwrap_or_default()
            .split(',')
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        out.push_str(&format!("allowed-ips={};\n", allowed.join(";")));
    }
    let (v4, v6): (Vec<&String>, Vec<&String>) = addresses.iter().partition(|a| !a.contains(':'));
    let dns4: Vec<&String> = dns
        .iter()
        .filter(|d| d.parse::<std::net::Ipv4Addr>().is_ok())
        .collect();
    let dns6: Vec<&String> = dns
        .iter()
        .filter(|d| d.parse::<std::net::Ipv6Addr>().is_ok())
        .collect();
    for (family, addrs, servers) in [("ipv4", v4, dns4), ("ipv6", v6, dns6)] {
        out.push_str(&format!("\n[{family}]\n"));
        if addrs.is_empty() {
            out.push_str("method=disabled\n");
            continue;
        }
        out.push_str("method=manual\n");
        for (i, a) in addrs.iter().enumerate() {
            out.push_str(&format!("address{}={a}\n", i + 1));
        }
        if !servers.is_empty() {
            let list: Vec<&str> = servers.iter().map(|s| s.as_str()).collect();
            out.push_str(&format!("dns={};\n", list.join(";")));
        }
    }
    Ok(out)
}

/// Where OpenVPN GUI looks for the user's profiles: `%USERPROFILE%\OpenVPN\config\NAME\NAME.ovpn`.
pub fn windows_openvpn_gui_config_path(user_profile: &str, name: &str) -> String {
    format!("{user_profile}\\OpenVPN\\config\\{name}\\{name}.ovpn")
}

/// `openvpn-gui.exe --command connect NAME.ovpn` (or `disconnect`): OpenVPN GUI, already
/// running in the tray or started by this, connects the profile copied to its folder and
/// asks the user for the password itself.
pub fn windows_openvpn_gui(program_files: &str, name: &str, connect: bool) -> Handoff {
    let exe = format!("{program_files}\\OpenVPN\\bin\\openvpn-gui.exe");
    let verb = if connect { "connect" } else { "disconnect" };
    Handoff::new(&exe, &["--command", verb, &format!("{name}.ovpn")])
}

/// `wireguard.exe /installtunnelservice PATH\NAME.conf` (needs an administrator) or
/// `/uninstalltunnelservice NAME`.
pub fn windows_wireguard(program_files: &str, conf_path: &str, name: &str, up: bool) -> Handoff {
    let exe = format!("{program_files}\\WireGuard\\wireguard.exe");
    if up {
        Handoff::new(&exe, &["/installtunnelservice", conf_path])
    } else {
        Handoff::new(&exe, &["/uninstalltunnelservice", name])
    }
}

/// `open -a Tunnelblick PATH.ovpn`: Tunnelblick installs the profile (asking the user).
pub fn macos_tunnelblick_install(path: &str) -> Handoff {
    Handoff::new("open", &["-a", "Tunnelblick", path])
}

/// `osascript -e 'tell application "Tunnelblick" to connect "NAME"'` (or `disconnect`).
pub fn macos_tunnelblick(name: &str, connect: bool) -> Handoff {
    let verb = if connect { "connect" } else { "disconnect" };
    let script = format!(
        "tell application \"Tunnelblick\" to {verb} {}",
        applescript_string(name)
    );
    Handoff::new("osascript", &["-e", &script])
}

/// `open -a "OpenVPN Connect" PATH.ovpn`: OpenVPN Connect opens its import dialog.
pub fn macos_openvpn_connect_import(path: &str) -> Handoff {
    Handoff::new("open", &["-a", "OpenVPN Connect", path])
}

/// An AppleScript string literal: in double quotes, `\` and `"` escaped, line breaks
/// dropped (a profile name has none, but a script must not be cut).
fn applescript_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars().filter(|c| !c.is_control()) {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nm_openvpn_import_flags_password_and_never_carries_one() {
        let cmds = nm_openvpn_import(
            "Ufficio Tributi",
            Path::new("/run/user/1000/x/ufficio.ovpn"),
            Some("mario.rossi"),
            NmSecretPolicy::AgentOwned,
        )
        .unwrap();
        assert_eq!(
            cmds[0],
            Handoff::new(
                "nmcli",
                &[
                    "connection",
                    "import",
                    "type",
                    "openvpn",
                    "file",
                    "/run/user/1000/x/ufficio.ovpn"
                ]
            )
        );
        assert_eq!(
            cmds[1].args,
            [
                "connection",
                "modify",
                "ufficio",
                "connection.id",
                "Ufficio Tributi",
                "connection.autoconnect",
                "no",
                "+vpn.data",
                "password-flags=1",
                "vpn.user-name",
                "mario.rossi"
            ]
        );
        let not_saved =
            nm_openvpn_import("a", Path::new("/x/a.ovpn"), None, NmSecretPolicy::NotSaved).unwrap();
        assert!(not_saved[1].args.contains(&"password-flags=2".to_owned()));
        assert!(nm_up_down("\n", true).is_err());
        assert_eq!(
            nm_up_down("Casa", false).unwrap().args,
            ["connection", "down", "id", "Casa"]
        );
    }

    #[test]
    fn nm_wireguard_keyfile_has_peers_addresses_and_dns() {
        let profile = "[Interface]\nPrivateKey = cHJpdg==\nAddress = 10.9.0.2/24, fd00::2/64\nDNS = 10.9.0.1, comune.local\n\n[Peer]\nPublicKey = cHVi\nEndpoint = vpn.comune.example:51820\nAllowedIPs = 10.0.0.0/8, 192.168.10.0/24\nPersistentKeepalive = 25\n";
        let k = nm_wireguard_keyfile(
            "Casa",
            "wg-casa",
            "8f1c0a52-0000-4000-8000-000000000001",
            profile,
        )
        .unwrap();
        assert!(k.contains(
            "[connection]\nid=Casa\nuuid=8f1c0a52-0000-4000-8000-000000000001\ntype=wireguard\n"
        ));
        assert!(k.contains("interface-name=wg-casa\n"));
        assert!(k.contains("[wireguard]\nprivate-key=cHJpdg==\n"));
        assert!(k.contains("[wireguard-peer.cHVi]\nendpoint=vpn.comune.example:51820\npersistent-keepalive=25\nallowed-ips=10.0.0.0/8;192.168.10.0/24;\n"));
        assert!(k.contains("[ipv4]\nmethod=manual\naddress1=10.9.0.2/24\ndns=10.9.0.1;\n"));
        assert!(k.contains("[ipv6]\nmethod=manual\naddress1=fd00::2/64\n"));
        assert!(nm_wireguard_keyfile("x", "wg-x", "u", "[Peer]\nPublicKey = a\n").is_err());
    }

    #[test]
    fn windows_commands_follow_the_clients_command_lines() {
        let pf = "C:\\Program Files";
        assert_eq!(
            windows_openvpn_gui(pf, "ufficio", true),
            Handoff::new(
                "C:\\Program Files\\OpenVPN\\bin\\openvpn-gui.exe",
                &["--command", "connect", "ufficio.ovpn"]
            )
        );
        assert_eq!(
            windows_openvpn_gui(pf, "ufficio", false).args[1],
            "disconnect"
        );
        assert_eq!(
            windows_openvpn_gui_config_path("C:\\Users\\mario", "ufficio"),
            "C:\\Users\\mario\\OpenVPN\\config\\ufficio\\ufficio.ovpn"
        );
        assert_eq!(
            windows_wireguard(pf, "C:\\x\\casa.conf", "casa", true),
            Handoff::new(
                "C:\\Program Files\\WireGuard\\wireguard.exe",
                &["/installtunnelservice", "C:\\x\\casa.conf"]
            )
        );
        assert_eq!(
            windows_wireguard(pf, "C:\\x\\casa.conf", "casa", false).args,
            ["/uninstalltunnelservice", "casa"]
        );
    }

    #[test]
    fn macos_commands_escape_the_profile_name() {
        assert_eq!(
            macos_tunnelblick("Sede \"centrale\"\\2", true).args,
            [
                "-e",
                "tell application \"Tunnelblick\" to connect \"Sede \\\"centrale\\\"\\\\2\""
            ]
        );
        assert_eq!(
            macos_tunnelblick("a\nb", false).args[1],
            "tell application \"Tunnelblick\" to disconnect \"ab\""
        );
        assert_eq!(
            macos_tunnelblick_install("/tmp/a.ovpn").args,
            ["-a", "Tunnelblick", "/tmp/a.ovpn"]
        );
        assert_eq!(
            macos_openvpn_connect_import("/tmp/a.ovpn").args,
            ["-a", "OpenVPN Connect", "/tmp/a.ovpn"]
        );
    }
}
