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
