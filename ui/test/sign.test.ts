import { beforeEach, describe, expect, test, vi } from "vitest";

import type { SignToken } from "../src/api";

const mocks = vi.hoisted(() => ({
  tokens: vi.fn(),
  run: vi.fn(),
  pick: vi.fn(async () => [] as string[]),
}));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      sign: { tokens: mocks.tokens, run: mocks.run, pick: mocks.pick, reveal: vi.fn(), setSettings: vi.fn() },
      verify: { start: vi.fn(async () => 1), cancel: vi.fn() },
      events: {},
    },
  };
});

import { ApiError } from "../src/api";
import { setLanguage } from "../src/i18n";
import { addFiles, certificateOptions, choiceFor, missing, needsConfirmation, type SignForm } from "../src/views/sign/logic";
import { signView } from "../src/views/sign/sign";

const token = (over: Partial<SignToken> = {}): SignToken => ({
  index: 0,
  label: "Prova",
  manufacturer: "SoftHSM project",
  model: "SoftHSM v2",
  pin_warning: null,
  pin_locked: false,
  pin_pad: false,
  certificates: [
    { id: "03", subject: "Mario Autenticazione", issuer: "CA", not_after: "2027-01-01T00:00:00Z", signing: false },
    { id: "01", subject: "Mario Firma", issuer: "CA", not_after: "2027-01-01T00:00:00Z", signing: true },
  ],
  ...over,
});

const form = (over: Partial<SignForm> = {}): SignForm => {
  const option = certificateOptions([token()])[0]!;
  return { files: ["/d/a.txt"], option, kind: "cades", detached: false, add: false, timestamp: false, tsa: null, pinLength: 6, ...over };
};

describe("sign logic", () => {
  test("certificateOptions puts signing certificates first across tokens", () => {
    const second = token({ index: 1, label: "Altra", certificates: [{ id: "aa", subject: "Altra firma", issuer: "CA2", not_after: "x", signing: true }] });
    const opts = certificateOptions([token(), second]);
    expect(opts.map((o) => o.value)).toEqual(["0:01", "1:aa", "0:03"]);
  });

  test("missing names the first thing lacking, in order", () => {
    expect(missing(form({ files: [] }))).toBe("sign.missing.files");
    expect(missing(form({ option: null }))).toBe("sign.missing.cert");
    expect(missing(form({ pinLength: 0 }))).toBe("sign.missing.pin");
    expect(missing(form({ kind: "pades" }))).toBe("sign.missing.pdf");
    expect(missing(form({ kind: "pades", files: ["/d/a.PDF"] }))).toBeNull();
    expect(missing(form({ timestamp: true }))).toBe("sign.missing.tsa");
    expect(missing(form())).toBeNull();
  });

  test("missing refuses a locked PIN and accepts an empty PIN on a keypad reader", () => {
    const locked = certificateOptions([token({ pin_locked: true })])[0]!;
    expect(missing(form({ option: locked }))).toBe("sign.missing.locked");
    const pad = certificateOptions([token({ pin_pad: true })])[0]!;
    expect(missing(form({ option: pad, pinLength: 0 }))).toBeNull();
  });

  test("choiceFor drops CAdES options for PAdES and detached when adding", () => {
    expect(choiceFor(form({ kind: "pades", detached: true, add: true }), ["/d/a.pdf"])).toMatchObject({ kind: "pades", detached: false, add: false, cert: "01", slot: 0 });
    expect(choiceFor(form({ detached: true, add: true }), ["/d/a.p7m"])).toMatchObject({ detached: false, add: true });
    expect(choiceFor(form({ timestamp: true, tsa: null }), ["/d/a"]).timestamp).toBe(false);
  });

  test("several files need confirmation, one does not; duplicates are not added", () => {
    expect(needsConfirmation(["/a"])).toBe(false);
    expect(needsConfirmation(["/a", "/b"])).toBe(true);
    expect(addFiles(["/a"], ["/a", "/b", " "])).toEqual(["/a", "/b"]);
  });
});

const settled = () => new Promise((r) => setTimeout(r, 0));

describe("sign view", () => {
  beforeEach(() => {
    setLanguage("it");
    document.body.innerHTML = '<div id="app"></div>';
    mocks.tokens.mockReset();
    mocks.run.mockReset();
    mocks.tokens.mockResolvedValue({ module: "/usr/lib/softhsm/libsofthsm2.so", tokens: [token({ pin_warning: "Resta un solo tentativo per il PIN." })], tsa: null });
  });

  test("wrong PIN: the Italian error is shown and the PIN field is cleared", async () => {
    const root = document.getElementById("app")!;
    mocks.pick.mockResolvedValueOnce(["/d/delibera.txt"]);
    await signView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    expect(root.querySelector<HTMLSelectElement>("#sign-cert")!.value).toBe("0:01");
    expect(root.querySelector("#sign-pin-warning")?.textContent).toBe("Resta un solo tentativo per il PIN.");
    root.querySelector<HTMLButtonElement>("#sign-pick")!.click();
    await settled();
    mocks.run.mockRejectedValueOnce(new ApiError("sign_pin_incorrect", "", "PIN errato."));
    const pin = root.querySelector<HTMLInputElement>("#sign-pin")!;
    pin.value = "000000";
    root.querySelector<HTMLButtonElement>("#sign-run")!.click();
    expect(pin.value).toBe("");
    await settled();
    await settled();
    expect(mocks.run).toHaveBeenCalledWith(expect.objectContaining({ paths: ["/d/delibera.txt"], cert: "01" }), "000000");
    expect(root.querySelector("#sign-error")?.textContent).toBe("PIN errato.");
    expect(mocks.tokens).toHaveBeenCalledTimes(2);
  });

  test("two files: nothing is signed before the confirmation lists them", async () => {
    const root = document.getElementById("app")!;
    mocks.pick.mockResolvedValueOnce(["/d/uno.txt", "/d/due.txt"]);
    await signView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    // The file left by the previous test (the list survives leaving the view) is removed.
    for (const b of root.querySelectorAll<HTMLButtonElement>(".sign-remove")) b.click();
    root.querySelector<HTMLButtonElement>("#sign-pick")!.click();
    await settled();
    root.querySelector<HTMLInputElement>("#sign-pin")!.value = "123456";
    root.querySelector<HTMLButtonElement>("#sign-run")!.click();
    expect(mocks.run).not.toHaveBeenCalled();
    expect([...root.querySelectorAll("#sign-confirm-list li")].map((l) => l.textContent)).toEqual(["uno.txt", "due.txt"]);
    mocks.run.mockResolvedValueOnce({ files: [], remaining: [], always_authenticate: false, notice: null, stopped: false });
    root.querySelector<HTMLButtonElement>("#sign-confirm-yes")!.click();
    expect(mocks.run).toHaveBeenCalledWith(expect.objectContaining({ paths: ["/d/uno.txt", "/d/due.txt"] }), "123456");
    expect(root.querySelector<HTMLInputElement>("#sign-pin")!.value).toBe("");
  });
});
