import { beforeEach, describe, expect, test, vi } from "vitest";

import type { DragDrop, VerifyProgress, VerifyRow } from "../src/api";

const mocks = vi.hoisted(() => ({
  progress: null as ((p: VerifyProgress) => void) | null,
  drop: null as ((d: DragDrop) => void) | null,
  start: vi.fn(async () => 7),
  cancel: vi.fn(async () => true),
  original: vi.fn(),
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

  test("a dropped folder is checked and the view is shown", async () => {
    mocks.start.mockClear();
    mocks.drop!({ type: "drop", paths: ["/home/u/Scaricati"] });
    await settled();
    expect(mocks.start).toHaveBeenCalledWith(["/home/u/Scaricati"], { kind: "now" });
  });
});
