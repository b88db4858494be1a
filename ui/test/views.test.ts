import { beforeEach, describe, expect, test, vi } from "vitest";

import type { AppInfo } from "../src/api";

const { info } = vi.hoisted(() => ({ info: {
  version: "9.8.7",
  build: { commit: "abc1234", time: Date.UTC(2026, 10, 26, 17) / 1000 },
  folders: { data: "/home/u/.local/share/x", config: "/home/u/.config/x", logs: "/home/u/logs" },
  components: [
    { name: "tauri", version: "2.0.0", license: "MIT OR Apache-2.0", kind: "crate" },
    { name: "<img src=x onerror=alert(1)>", version: "1", license: "MIT", kind: "npm" },
  ],
} as AppInfo }));

const { packsView, installPick } = vi.hoisted(() => ({
  packsView: {
    kinds: [
      { kind: "portal", installed: { kind: "portal", version: 3, created: "2026-11-01T00:00:00Z", installed_at: "2026-11-26T09:30:00Z", key_id: "AB", files: 4 }, problem: null },
      { kind: "trust", installed: null, problem: null },
      { kind: "profiles", installed: null, problem: null },
    ],
    keys: [{ key_id: "AB", kinds: ["portal"], comment: "prova" }],
    key_problems: [],
    update_urls: [],
    interval_hours: 4,
    config_problem: null,
    last_updates: [],
  },
  installPick: vi.fn(),
}));

const { setLanguageMock, setOnlineMock } = vi.hoisted(() => ({
  setLanguageMock: vi.fn(async (language: "it" | "en") => ({ language })),
  setOnlineMock: vi.fn(async (on: boolean) => ({ language: "it" as const, online_revocation: on })),
}));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      settings: { get: async () => ({ language: "it" }), setLanguage: setLanguageMock, setOnlineRevocation: setOnlineMock },
      about: { info: async () => info },
      packs: { status: async () => packsView, installPick, checkNow: async () => true },
      update: {
        status: async () => ({ current_version: "9.8.7", endpoints: [], check_on_start: false, key_present: true, installer: "deb", config_problem: null }),
        pending: async () => null,
      },
      events: { onOpenArgs: async () => () => {}, onPackUpdate: async () => () => {} },
    },
  };
});

import { setLanguage } from "../src/i18n";
import { Shell } from "../src/shell";
import { renderAbout } from "../src/views/about/about";

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("about view", () => {
  beforeEach(() => setLanguage("it"));

  test("shows version, build date in Rome, folders, statement and components as text", () => {
    const root = document.createElement("div");
    renderAbout(root, info);
    const text = root.textContent ?? "";
    expect(text).toContain("9.8.7");
    expect(text).toContain("revisione abc1234");
    expect(text).toMatch(/26 novembre 2026.*18:00/);
    expect(text).toContain("/home/u/.config/x");
    expect(text).toContain("non è un servizio qualificato");
    expect(text).toContain("2 componenti");
    // Names are text, never markup.
    expect(root.querySelector("img")).toBeNull();
    expect(text).toContain("<img src=x onerror=alert(1)>");
  });
});

describe("shell", () => {
  beforeEach(() => {
    setLanguage("it");
    location.hash = "";
    document.body.innerHTML = '<a id="skip-link" href="#main"></a><div id="app"></div>';
  });

  test("navigation lists only the sections that exist, in Italian", async () => {
    const root = document.getElementById("app")!;
    await new Shell(root).render();
    const labels = [...root.querySelectorAll(".app-nav a")].map((a) => a.textContent);
    expect(labels).toEqual(["Home", "Portale", "Verifica firma", "Firma", "VPN", "Impostazioni", "Informazioni"]);
    expect(root.querySelector('.app-nav a[aria-current="page"]')?.id).toBe("nav-home");
    expect(document.body.dataset.ready).toBe("home");
  });

  test("following a link renders the view, marks it current and focuses its heading", async () => {
    const root = document.getElementById("app")!;
    await new Shell(root).render();
    location.hash = "#/about";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await settled();
    expect(document.body.dataset.ready).toBe("about");
    expect(root.querySelector('.app-nav a[aria-current="page"]')?.id).toBe("nav-about");
    expect(document.activeElement?.tagName).toBe("H1");
  });

  test("choosing English saves it and relabels the navigation", async () => {
    const root = document.getElementById("app")!;
    location.hash = "#/settings";
    await new Shell(root).render();
    const en = root.querySelector<HTMLInputElement>("#lang-en")!;
    en.checked = true;
    en.dispatchEvent(new Event("change"));
    await settled();
    expect(setLanguageMock).toHaveBeenCalledWith("en");
    const labels = [...root.querySelectorAll(".app-nav a")].map((a) => a.textContent);
    expect(labels).toEqual(["Home", "Portal", "Verify signature", "Sign", "VPN", "Settings", "About"]);
    expect(root.querySelector("#status")?.textContent).toBe("Settings saved.");
  });

  test("a status message fades from the screen but stays in the live region", async () => {
    const root = document.getElementById("app")!;
    location.hash = "#/settings";
    await new Shell(root).render();
    vi.useFakeTimers();
    try {
      const it = root.querySelector<HTMLInputElement>("#lang-it")!;
      it.checked = true;
      it.dispatchEvent(new Event("change"));
      await vi.advanceTimersByTimeAsync(0);
      expect(root.querySelector("#status")?.textContent).not.toBe("");
      await vi.advanceTimersByTimeAsync(10_000);
      expect(root.querySelector("#status")?.textContent).toBe("");
      expect(root.querySelector("#live")?.textContent).not.toBe("");
    } finally {
      vi.useRealTimers();
    }
  });

  test("checking revocation over the network is off until switched on, and is saved", async () => {
    const root = document.getElementById("app")!;
    location.hash = "#/settings";
    await new Shell(root).render();
    const box = root.querySelector<HTMLInputElement>("#settings-online-revocation")!;
    expect(box.checked).toBe(false);
    expect(root.querySelector('label[for="settings-online-revocation"]')?.textContent).toContain("revocato");
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    await settled();
    expect(setOnlineMock).toHaveBeenCalledWith(true);
    expect(box.checked).toBe(true);
    expect(root.querySelector("#status")?.textContent).toBe("Impostazioni salvate.");
  });

  test("an unknown route falls back to home", async () => {
    location.hash = "#/nowhere";
    const root = document.getElementById("app")!;
    await new Shell(root).render();
    expect(document.body.dataset.ready).toBe("home");
  });
});

describe("content updates panel", () => {
  beforeEach(() => {
    setLanguage("it");
    document.body.innerHTML = '<a id="skip-link" href="#main"></a><div id="app"></div>';
  });

  test("shows installed versions in Rome time and the refusal reason from the domain", async () => {
    const root = document.getElementById("app")!;
    location.hash = "#/settings";
    await settled(); // let jsdom deliver the hashchange before the shell exists
    await new Shell(root).render();
    const portalRow = root.querySelector('#packs-table tr[data-kind="portal"]')!;
    expect(portalRow.textContent).toContain("3");
    expect(portalRow.textContent).toMatch(/26 novembre 2026.*10:30/);
    expect(root.querySelector('#packs-table tr[data-kind="trust"]')!.textContent).toContain("incluso");
    expect(root.textContent).toContain("Nessun indirizzo di aggiornamento");
    expect(root.querySelector("#packs-check")).toBeNull();

    const { ApiError } = await import("../src/api");
    installPick.mockRejectedValueOnce(new ApiError("SIGNATURE_INVALID", "bad", "Pacchetto rifiutato: la firma non è valida."));
    root.querySelector<HTMLButtonElement>("#packs-install")!.click();
    await settled();
    expect(root.querySelector("#packs-result")!.textContent).toBe("Pacchetto rifiutato: la firma non è valida.");
  });

  test("update outcomes read in the user's language", async () => {
    const { updateText } = await import("../src/views/settings/packs");
    setLanguage("en");
    expect(updateText({ url: "https://x/p", outcome: { status: "up_to_date", version: 7 }, code: null, message_it: null, message_en: null })).toBe(
      "https://x/p: content already up to date (version 7).",
    );
    expect(updateText({ url: "u", outcome: null, code: "fetch", message_it: "rete assente", message_en: "no network" })).toBe("no network");
    setLanguage("it");
  });
});
