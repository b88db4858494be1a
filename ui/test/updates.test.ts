import { beforeEach, describe, expect, test, vi } from "vitest";

import type { UpdateOffer, UpdateStatus } from "../src/api";

const { status, check, openFile, openFolder, pending, install, restart } = vi.hoisted(() => ({
  status: vi.fn(),
  check: vi.fn(),
  openFile: vi.fn(),
  openFolder: vi.fn(),
  pending: vi.fn(),
  install: vi.fn(),
  restart: vi.fn(),
}));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return { ...real, api: { update: { status, check, openFile, openFolder, pending, install, restart } } };
});

import { ApiError } from "../src/api";
import { setLanguage } from "../src/i18n";
import { renderUpdates } from "../src/views/about/updates";

const base: UpdateStatus = {
  current_version: "0.1.0",
  endpoints: ["https://intranet.comune.example/la/latest.json"],
  check_on_start: true,
  key_present: true,
  installer: "deb",
  config_problem: null,
};

const offer: UpdateOffer = {
  version: "0.2.0",
  current_version: "0.1.0",
  notes: "<b>Correzioni</b>",
  date: "2026-01-01T00:00:00Z",
  source: "online",
  package: null,
};

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

async function render(s: UpdateStatus = base): Promise<{ root: HTMLElement; announce: ReturnType<typeof vi.fn> }> {
  status.mockResolvedValue(s);
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const announce = vi.fn();
  await renderUpdates(root, announce);
  return { root, announce };
}

describe("updates in the about view", () => {
  beforeEach(() => {
    setLanguage("it");
    vi.clearAllMocks();
    pending.mockResolvedValue(null);
  });

  test("shows the installed version and IT's address", async () => {
    const { root } = await render();
    expect(root.textContent).toContain("Versione installata: 0.1.0.");
    expect(root.querySelector("#update-address")?.textContent).toContain("intranet.comune.example");
    expect(root.querySelector("#update-check")).not.toBeNull();
    expect(root.querySelector("#update-no-key")).toBeNull();
  });

  test("without an address only the file path is offered", async () => {
    const { root } = await render({ ...base, endpoints: [] });
    expect(root.querySelector("#update-check")).toBeNull();
    expect(root.querySelector("#update-file")).not.toBeNull();
    expect(root.textContent).toContain("Non è configurato un indirizzo");
  });

  test("a build without key says so", async () => {
    const { root } = await render({ ...base, key_present: false });
    expect(root.querySelector("#update-no-key")?.textContent).toContain("non contiene la chiave");
  });

  test("an offer is shown as text and installs only when the user asks", async () => {
    check.mockResolvedValue({ outcome: "offered", offer });
    install.mockResolvedValue({ version: "0.2.0" });
    const { root, announce } = await render();
    root.querySelector<HTMLButtonElement>("#update-check")!.click();
    await settled();
    expect(root.querySelector("#update-offer-version")?.textContent).toContain("0.2.0");
    expect(root.querySelector("#update-offer b")).toBeNull();
    expect(root.textContent).toContain("<b>Correzioni</b>");
    expect(install).not.toHaveBeenCalled();
    root.querySelector<HTMLButtonElement>("#update-install")!.click();
    await settled();
    expect(install).toHaveBeenCalledTimes(1);
    expect(root.textContent).toContain("Versione 0.2.0 installata");
    expect(announce).toHaveBeenLastCalledWith(expect.stringContaining("Riavvia"));
    expect(root.querySelector("#update-restart")).not.toBeNull();
  });

  test("not now leaves the app as it is", async () => {
    check.mockResolvedValue({ outcome: "offered", offer });
    const { root } = await render();
    root.querySelector<HTMLButtonElement>("#update-check")!.click();
    await settled();
    root.querySelector<HTMLButtonElement>("#update-dismiss")!.click();
    expect(install).not.toHaveBeenCalled();
    expect(root.querySelector("#update-offer")).toBeNull();
  });

  test("a refused offline update shows the reason from the app", async () => {
    openFile.mockRejectedValue(new ApiError("update_tampered", "x", "Il pacchetto è stato modificato"));
    const { root } = await render();
    root.querySelector<HTMLButtonElement>("#update-file")!.click();
    await settled();
    expect(root.querySelector(".alert-danger")?.textContent).toBe("Il pacchetto è stato modificato");
  });

  test("an update can be taken from a folder (USB stick, share)", async () => {
    openFolder.mockResolvedValue({ outcome: "offered", offer: { ...offer, source: "offline", package: "/media/usb/la.deb" } });
    const { root } = await render();
    const button = root.querySelector<HTMLButtonElement>("#update-folder")!;
    expect(button.textContent).toBe("Scegli cartella…");
    button.click();
    await settled();
    expect(openFolder).toHaveBeenCalledWith(expect.stringContaining("cartella"));
    expect(openFile).not.toHaveBeenCalled();
    expect(root.querySelector("#update-offer")?.textContent).toContain("/media/usb/la.deb");
  });

  test("an update found at start is shown when the view opens", async () => {
    pending.mockResolvedValue({ ...offer, source: "offline", package: "/media/usb/la.deb" });
    const { root } = await render();
    expect(root.querySelector("#update-offer")?.textContent).toContain("/media/usb/la.deb");
  });

  test("a copy not installed from a package cannot install", async () => {
    pending.mockResolvedValue(offer);
    const { root } = await render({ ...base, installer: null });
    expect(root.querySelector<HTMLButtonElement>("#update-install")!.disabled).toBe(true);
    expect(root.textContent).toContain("non è stata installata da un pacchetto");
  });
});
