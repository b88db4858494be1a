import { beforeEach, describe, expect, test, vi } from "vitest";

import type { DragDrop, VerifyProgress, VerifyRow } from "../src/api";

const mocks = vi.hoisted(() => ({
  progress: null as ((p: VerifyProgress) => void) | null,
  drop: null as ((d: DragDrop) => void) | null,
  start: vi.fn(async () => 7),
  cancel: vi.fn(async () => true),
  original: vi.fn(),
  exportReports: vi.fn(async () => ({ outcome: "written", folder: "/home/u/Rapporti", files: ["/home/u/Rapporti/0 - rapporto di verifica.pdf"] })),
}));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      verify: {
        pick: async () => [],
        takeOpenArgs: async () => [],
        start: mocks.start,
        cancel: mocks.cancel,
        original: mocks.original,
        exportReports: mocks.exportReports,
      },
      events: {
        onVerifyProgress: async (f: (p: VerifyProgress) => void) => {
          mocks.progress = f;
          return () => {};
        },
        onDragDrop: async (f: (d: DragDrop) => void) => {
          mocks.drop = f;
          return () => {};
        },
      },
    },
  };
});

import { setLanguage } from "../src/i18n";
import { initVerify, verifyPaths, verifyView } from "../src/views/verify/verify";

const check = (name: string, outcome: "passed" | "failed" | "indeterminate" | "skipped") => ({
  name,
  outcome,
  subindication: null,
  detail: { it: `dettaglio ${name}`, en: `detail ${name}` },
});

function row(index: number, verdict: VerifyRow["verdict"], extra: Record<string, unknown> = {}): VerifyRow {
  const indication = verdict === "valid" ? "TOTAL_PASSED" : verdict === "invalid" ? "TOTAL_FAILED" : "INDETERMINATE";
  return {
    index,
    verdict,
    unsupported: null,
    report: {
      path: `/tmp/f/${index}.p7m`,
      sha256: "ab".repeat(32),
      format: "cades-attached",
      error: null,
      signatures: [
        {
          id: "S1",
          signer: { given_name: "Prova", surname: "Firmatario", codice_fiscale: "TSTPRV80A01H501X", issuer: "CN=CA di prova" },
          signing_time: "2024-03-01T10:00:00Z",
          validation_time: { time: "2026-01-01T00:00:00Z", basis: "now" },
          indication,
          subindication: verdict === "valid" ? null : "HASH_FAILURE",
          checks: [check("message_digest", verdict === "invalid" ? "failed" : "passed"), check("new_future_check", "passed")],
          warnings: [],
          explanation: { it: "Spiegazione semplice.", en: "Plain explanation." },
          ...extra,
        },
      ],
      timestamps: [],
    },
  };
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("verify view", () => {
  beforeEach(async () => {
    setLanguage("it");
    await initVerify(() => {});
  });

  test("rows fill in as results arrive; counts, progress and verdict words follow", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    await verifyView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    await verifyPaths(["/tmp/f"]);
    expect(mocks.start).toHaveBeenCalledWith(["/tmp/f"], { kind: "now" });
    mocks.progress!({ type: "started", batch: 7, files: ["/tmp/f/0.p7m", "/tmp/f/1.p7m", "/tmp/f/2.p7m"], unreadable: [], truncated: false });
    expect(root.querySelectorAll("#verify-results tbody tr")).toHaveLength(3);
    expect(root.querySelector("#verify-view")?.getAttribute("data-state")).toBe("running");
    mocks.progress!({ type: "results", batch: 7, done: 2, total: 3, rows: [row(1, "invalid"), row(0, "valid")] });
    expect(root.querySelector("#verify-count")?.textContent).toContain("2 di 3 file verificati (67%)");
    const verdicts = [...root.querySelectorAll("#verify-results tbody tr")].map((tr) => tr.querySelector(".verdict-cell")?.textContent ?? "");
    expect(verdicts[0]).toContain("Valida");
    expect(verdicts[1]).toContain("Non valida");
    expect(verdicts[2]).toContain("In attesa");
    // A result of another batch is ignored.
    mocks.progress!({ type: "results", batch: 6, done: 1, total: 1, rows: [row(2, "valid")] });
    expect(root.querySelectorAll('tr[data-verdict="valid"]')).toHaveLength(1);
    mocks.progress!({ type: "results", batch: 7, done: 3, total: 3, rows: [row(2, "indeterminate")] });
    mocks.progress!({ type: "finished", batch: 7, done: 3, total: 3, cancelled: false, millis: 1234 });
    expect(root.querySelector("#verify-view")?.getAttribute("data-state")).toBe("finished");
    expect(root.querySelector<HTMLProgressElement>("#verify-progress")?.dataset.percent).toBe("100");
    expect(root.querySelector('[data-count="indeterminate"] .count')?.textContent).toBe("1");
    expect(root.querySelector("#verify-count")?.textContent).toContain("1.2 s");
  });

  test("detail panel shows signer, plain check names and unknown report fields generically", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    await verifyView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    await verifyPaths(["/tmp/f/0.p7m"]);
    mocks.progress!({ type: "started", batch: 7, files: ["/tmp/f/0.p7m"], unreadable: [], truncated: false });
    mocks.progress!({
      type: "results",
      batch: 7,
      done: 1,
      total: 1,
      rows: [row(0, "valid", { pdf_changes: ["pagina 2 modificata"], qualified_status: true })],
    });
    root.querySelector<HTMLButtonElement>(".verify-details")!.click();
    await settled();
    const text = root.querySelector("#verify-detail")?.textContent ?? "";
    expect(text).toContain("Prova Firmatario");
    expect(text).toContain("TSTPRV80A01H501X");
    expect(text).toContain("Integrità del documento");
    expect(text).toContain("new future check");
    expect(text).toContain("pagina 2 modificata");
    expect(text).toContain("revoca non verificata");
    expect(text).toContain("Spiegazione semplice.");
    expect(root.querySelector("#verify-open")).not.toBeNull();
    // Text only, never markup.
    expect(root.querySelector("#verify-detail img")).toBeNull();
  });

  test("detail panel shows the qualified status from the trusted lists, or says it is not determined", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    await verifyView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    await verifyPaths(["/tmp/f"]);
    mocks.progress!({ type: "started", batch: 7, files: ["/tmp/f/0.p7m", "/tmp/f/1.p7m"], unreadable: [], truncated: false });
    const qualification = {
      level: "QES",
      label: { it: "Firma elettronica qualificata", en: "Qualified electronic signature" },
      reason: { it: "certificato qualificato su dispositivo sicuro", en: "qualified certificate on a secure device" },
      service: "CA di prova — servizio (IT)",
    };
    mocks.progress!({ type: "results", batch: 7, done: 2, total: 2, rows: [row(0, "valid", { qualification }), row(1, "valid")] });
    const detail = async (i: number) => {
      root.querySelectorAll<HTMLButtonElement>(".verify-details")[i]!.click();
      await settled();
      return root.querySelector("#verify-detail")?.textContent ?? "";
    };
    const first = await detail(0);
    expect(first).toContain("Qualificazione");
    expect(first).toContain("Firma elettronica qualificata (certificato qualificato su dispositivo sicuro)");
    expect(await detail(1)).toContain("non determinata: tra il materiale di fiducia non ci sono gli elenchi di fiducia europei");
  });

  test("reports are exported for one file and for the whole batch", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    await verifyView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    await verifyPaths(["/tmp/f"]);
    mocks.progress!({ type: "started", batch: 7, files: ["/tmp/f/0.p7m", "/tmp/f/1.p7m"], unreadable: [], truncated: false });
    expect(root.querySelector<HTMLButtonElement>("#verify-export-all")?.hidden).toBe(true);
    mocks.progress!({ type: "results", batch: 7, done: 2, total: 2, rows: [row(0, "valid"), row(1, "invalid")] });
    mocks.progress!({ type: "finished", batch: 7, done: 2, total: 2, cancelled: false, millis: 10 });
    const all = root.querySelector<HTMLButtonElement>("#verify-export-all")!;
    expect(all.hidden).toBe(false);
    expect(all.textContent).toContain("Esporta rapporto di tutti i file");
    all.click();
    await settled();
    expect(mocks.exportReports).toHaveBeenLastCalledWith(7, null, expect.any(String));
    expect(root.querySelector("#verify-export-all-result")?.textContent).toContain("Rapporto salvato in /home/u/Rapporti");
    root.querySelector<HTMLButtonElement>('tr[data-index="1"] .verify-details')!.click();
    await settled();
    root.querySelector<HTMLButtonElement>("#verify-export")!.click();
    await settled();
    expect(mocks.exportReports).toHaveBeenLastCalledWith(7, 1, expect.any(String));
    expect(root.querySelector("#verify-export-result")?.textContent).toContain("0 - rapporto di verifica.pdf");
  });

  test("a signed PDF offers the version each signature covers", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    await verifyView.render(root, { rerender() {}, announce() {}, route: [], hasSection: () => true });
    await verifyPaths(["/tmp/f/atto.pdf"]);
    mocks.progress!({ type: "started", batch: 7, files: ["/tmp/f/atto.pdf"], unreadable: [], truncated: false });
    const r = row(0, "indeterminate", { pdf: { revisions: 2, signed_length: 1234, covers_whole_document: false } });
    r.report.format = "pades";
    mocks.progress!({ type: "results", batch: 7, done: 1, total: 1, rows: [r] });
    root.querySelector<HTMLButtonElement>(".verify-details")!.click();
    await settled();
    // No .p7m content buttons for a PDF: per-signature versions instead.
    expect(root.querySelector("#verify-open")).toBeNull();
    const open = root.querySelector<HTMLButtonElement>("#verify-open-S1")!;
    expect(open.getAttribute("aria-label")).toContain("Versione firmata da Prova Firmatario (firma S1)");
    mocks.original.mockResolvedValueOnce({ outcome: "saved", file: "/home/u/atto (S1).pdf" });
    root.querySelector<HTMLButtonElement>("#verify-save-S1")!.click();
    await settled();
    expect(mocks.original).toHaveBeenLastCalledWith(7, 0, "save", false, expect.any(String), "S1");
    expect(root.querySelector("#verify-original-result")?.textContent).toContain("atto (S1).pdf");
  });

  test("a dropped folder is checked and the view is shown", async () => {
    mocks.start.mockClear();
    mocks.drop!({ type: "drop", paths: ["/home/u/Scaricati"] });
    await settled();
    expect(mocks.start).toHaveBeenCalledWith(["/home/u/Scaricati"], { kind: "now" });
  });
});
