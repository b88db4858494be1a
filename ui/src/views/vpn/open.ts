// Profile files that reach the app from outside the VPN view: given at launch (a double
// click on an .ovpn file), forwarded by a second launch, or dropped on the window. They
// are queued here and the VPN view imports them when it renders.
import { api } from "../../api";

const pending: string[] = [];

/** Whether a path looks like a VPN profile (`.ovpn`, or `.conf` for OpenVPN/WireGuard). */
export function isProfilePath(path: string): boolean {
  return /\.(ovpn|conf)$/i.test(path);
}

/** Takes the queued files (the VPN view calls this once per render). */
export function takePendingProfiles(): string[] {
  return pending.splice(0, pending.length);
}

function enqueue(paths: string[]): void {
  const profiles = paths.filter(isProfilePath);
  if (profiles.length === 0) return;
  pending.push(...profiles);
  if (location.hash === "#/vpn") {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = "#/vpn";
  }
}

/** Starts listening for profile files; call once after the shell has rendered. */
export async function handleProfileFiles(): Promise<void> {
  try {
    enqueue(await api.vpn.launchFiles());
    await api.events.onOpenArgs(enqueue);
    await api.events.onFileDrop(enqueue);
  } catch (e) {
    console.error("VPN profile files cannot be received", e);
  }
}
