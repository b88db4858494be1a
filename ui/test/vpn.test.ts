import { describe, expect, test } from "vitest";

import type { VpnLint } from "../src/api";
import { setLanguage } from "../src/i18n";
import { isProfilePath } from "../src/views/vpn/open";
import { lintBlock } from "../src/views/vpn/vpn";

const refused: VpnLint = {
  file: "<img src=x onerror=alert(1)>.ovpn",
  kind: "openvpn",
  acceptable: false,
  refused: [{ line: 4, directive: "up", code: "runs_commands", message: "riga 4, «up»: esegue comandi" }],
  inlined: [],
  remotes: [],
  needs_credentials: false,
};

describe("vpn view", () => {
  test("a refused profile lists each line and reason as text", () => {
    setLanguage("it");
    const box = lintBlock(refused, "x");
    expect(box.dataset.acceptable).toBe("false");
    expect(box.querySelector("img")).toBeNull();
    expect(box.textContent).toContain("profilo OpenVPN rifiutato");
    expect([...box.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["riga 4, «up»: esegue comandi"]);
  });

  test("an acceptable profile names inlined files and servers", () => {
    setLanguage("en");
    const box = lintBlock(
      { ...refused, file: "a.conf", kind: "wireguard", acceptable: true, refused: [], inlined: ["ca.crt"], remotes: ["vpn.example.it:51820"] },
      "y",
    );
    expect(box.textContent).toContain("a.conf: WireGuard profile checked, no problems.");
    expect(box.textContent).toContain("ca.crt");
    expect(box.textContent).toContain("vpn.example.it:51820");
    setLanguage("it");
  });

  test("profile paths are recognised by extension only", () => {
    expect(isProfilePath("/home/u/Scaricati/ufficio.OVPN")).toBe(true);
    expect(isProfilePath("C:\\x\\casa.conf")).toBe(true);
    expect(isProfilePath("/home/u/atto.pdf.p7m")).toBe(false);
  });
});

import type { VpnConnection } from "../src/api";
import { emptyModel, isActive, nextModel, otherActive, statusText } from "../src/views/vpn/connection";

const status = (state: VpnConnection["state"], extra: Partial<VpnConnection> = {}): VpnConnection => ({
  profile_id: "ufficio",
  profile_name: "Ufficio",
  state,
  tunnel_address: null,
  reason: null,
  message: state,
  is_error: false,
  holder_pid: 1,
  ...extra,
});

describe("vpn connection state", () => {
  test("connecting then connected: active, busy cleared, status in words", () => {
    setLanguage("it");
    let m = nextModel(emptyModel, { type: "request" });
    expect(m.busy).toBe(true);
    m = nextModel(m, { type: "status", status: status("connecting", { message: "connessione in corso" }) });
    expect(m.busy).toBe(true);
    expect(isActive(m, "ufficio")).toBe(true);
    expect(otherActive(m, "casa")).toBe(true);
    m = nextModel(m, { type: "status", status: status("connected", { message: "connessa (indirizzo 10.8.0.2)" }) });
    expect(m.busy).toBe(false);
    expect(statusText(m)).toBe("Stato della VPN «Ufficio»: connessa (indirizzo 10.8.0.2)");
  });

  test("auth failure is kept as the last error until the next connection", () => {
    setLanguage("it");
    const failed = status("auth_failed", { is_error: true, message: "credenziali rifiutate dal server VPN" });
    let m = nextModel(nextModel(emptyModel, { type: "request" }), { type: "status", status: failed });
    expect(m.busy).toBe(false);
    expect(m.lastError).toBe("credenziali rifiutate dal server VPN");
    expect(isActive(m, "ufficio")).toBe(false);
    m = nextModel(m, { type: "status", status: status("connecting") });
    expect(m.lastError).toBe("credenziali rifiutate dal server VPN");
    m = nextModel(m, { type: "status", status: status("connected") });
    expect(m.lastError).toBeNull();
  });

  test("a challenge is shown while waiting and dropped once answered or moved on", () => {
    let m = nextModel(emptyModel, { type: "status", status: status("waiting_for_user") });
    m = nextModel(m, { type: "challenge", challenge: { text: "Codice OTP", echo: true } });
    expect(m.challenge?.text).toBe("Codice OTP");
    expect(nextModel(m, { type: "answered" }).challenge).toBeNull();
    expect(nextModel(m, { type: "status", status: status("connecting") }).challenge).toBeNull();
  });

  test("a plain disconnect is no error and reads as no VPN connected", () => {
    setLanguage("it");
    const m = nextModel(emptyModel, { type: "status", status: status("exited", { reason: "disconnected", message: "disconnessa" }) });
    expect(m.lastError).toBeNull();
    expect(statusText(m)).toBe("Nessuna VPN collegata.");
    expect(nextModel(m, { type: "failed", message: "Il programma VPN non è installato" }).lastError).toContain("non è installato");
  });

  test("the panel's buttons follow the model", async () => {
    setLanguage("it");
    const { ConnectionPanel } = await import("../src/views/vpn/connection");
    const panel = new ConnectionPanel(() => {});
    const mine = panel.button("ufficio", true);
    const other = panel.button("casa", true);
    const unusable = panel.button("senza-password", false);
    expect(mine.textContent).toBe("Connetti");
    expect(unusable.disabled).toBe(true);
    panel.apply({ type: "status", status: status("connected") });
    expect(mine.textContent).toBe("Disconnetti");
    expect(mine.disabled).toBe(false);
    expect(other.disabled).toBe(true);
    panel.apply({ type: "challenge", challenge: { text: "PIN", echo: false } });
    expect(panel.root.querySelector<HTMLInputElement>("#vpn-otp")?.type).toBe("password");
    panel.apply({ type: "status", status: status("unreachable", { is_error: true, message: "server non raggiungibile" }) });
    expect(panel.root.querySelector("#vpn-conn-error")?.textContent).toContain("server non raggiungibile");
    expect(mine.textContent).toBe("Connetti");
  });
});
