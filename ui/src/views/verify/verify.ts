// The "Verifica firma" section: files come in through the dialog, drag and drop, the file
// manager (arguments at start, forwarded by a second launch); the Rust side checks them in
// parallel and sends results as they arrive; a row per file, a detail panel per file.
//
// The batch lives in this module, not in the view: leaving the section and coming back
// shows the same results, and a batch started from the file manager fills in even while
// another section is open.
import { isProfilePath } from "../vpn/open";
import { api, type AtChoice, type FileVerdict, type VerifyProgress, type VerifyRow } from "../../api";
import { h } from "../../dom";
import { errorText, t } from "../../i18n";
import type { ViewContext, ViewDef } from "../types";
import { detailPanel, fileErrorText, verdictBadge, verdictInfo } from "./report";

export const VERIFY_ID = "verifica";

type RunState = "idle" | "running" | "finished" | "cancelled";

interface Session {
  batch: number | null;
  paths: string[];
  files: string[];
  rows: (VerifyRow | undefined)[];
  unreadable: string[];
  truncated: boolean;
  done: number;
  state: RunState;
  millis: number | null;
  at: AtChoice;
  selected: number | null;
  error: string | null;
}

const session: Session = {
  batch: null,
  paths: [],
  files: [],
  rows: [],
  unreadable: [],
  truncated: false,
  done: 0,
  state: "idle",
  millis: null,
  at: { kind: "now" },
  selected: null,
  error: null,
};

/** The elements of the view on screen, updated as events arrive (null when not built). */
interface Handles {
  root: HTMLElement;
  progress: HTMLProgressElement;
  count: HTMLElement;
  cancel: HTMLButtonElement;
  exportAll: HTMLButtonElement;
  summary: HTMLElement;
  tbody: HTMLElement;
  rows: HTMLTableRowElement[];
  detail: HTMLElement;
  notes: HTMLElement;
  announce: (m: string) => void;
}

let view: Handles | null = null;
let announceFn: (m: string) => void = () => {};
let listening: Promise<void> | null = null;

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function folderOf(path: string): string {
  const name = fileName(path);
  return path.slice(0, Math.max(0, path.length - name.length - 1));
}

/** Another view that takes dropped files while it is on screen (the "Firma" view): it
 *  returns true when it took them. */
let dropClaim: ((paths: string[]) => boolean) | null = null;

export function claimDrops(claim: ((paths: string[]) => boolean) | null): void {
  dropClaim = claim;
}

/** Subscribes once to progress events and drag and drop. */
export function initVerify(goTo: () => void): Promise<void> {
  if (!listening) {
    listening = (async () => {
      await api.events.onVerifyProgress(onProgress);
      try {
        await api.events.onDragDrop((d) => {
          document.body.classList.toggle("dragging-files", d.type === "enter" || d.type === "over");
          // VPN profiles dropped on the window go to the VPN section (../vpn/open.ts).
          const files = d.type === "drop" ? d.paths.filter((p) => !isProfilePath(p)) : [];
          if (files.length > 0 && !dropClaim?.(files)) {
            goTo();
            void verifyPaths(files);
          }
        });
      } catch (e) {
        console.warn("drag and drop unavailable", e);
      }
    })();
  }
  return listening;
}

/** Checks `paths` (files or folders) at the chosen validation time. */
export async function verifyPaths(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  if (session.batch !== null && session.state === "running") {
    await api.verify.cancel(session.batch).catch(() => false);
  }
  Object.assign(session, {
    batch: null,
    paths,
    files: [],
    rows: [],
    unreadable: [],
    truncated: false,
    done: 0,
    state: "running" as RunState,
    millis: null,
    selected: null,
    error: null,
  });
  refresh();
  try {
    session.batch = await api.verify.start(paths, session.at);
  } catch (e) {
    session.state = "idle";
    session.error = errorText(e);
    refresh();
  }
}

function onProgress(p: VerifyProgress): void {
  // Events of a batch this window no longer shows are dropped; the start event can arrive
  // before `start` has returned the id, so the first event of a running session adopts it.
  if (session.batch === null && session.state === "running" && p.type === "started") {
    session.batch = p.batch;
  }
  if (p.batch !== session.batch) return;
  switch (p.type) {
    case "started":
      session.files = p.files;
      session.rows = new Array(p.files.length);
      session.unreadable = p.unreadable;
      session.truncated = p.truncated;
      refresh();
      announceFn(t("verify.started", { total: p.files.length }));
      break;
    case "results":
      for (const r of p.rows) {
        session.rows[r.index] = r;
        if (view) updateRow(view, r.index);
      }
      session.done = p.done;
      if (view) updateProgress(view);
      break;
    case "finished":
      session.done = p.done;
      session.millis = p.millis;
      session.state = p.cancelled ? "cancelled" : "finished";
      if (view) {
        updateProgress(view);
        for (let i = 0; i < session.files.length; i++) if (!session.rows[i]) updateRow(view, i);
      }
      announceFn(
        p.cancelled
          ? t("verify.cancelled", { done: p.done, total: p.total })
          : t("verify.finished", { total: p.total, summary: summaryText() }),
      );
      break;
  }
}

function counts(): Record<FileVerdict, number> {
  const c: Record<FileVerdict, number> = { valid: 0, invalid: 0, indeterminate: 0, not_checked: 0 };
  for (const r of session.rows) if (r) c[r.verdict]++;
  return c;
}

function summaryText(): string {
  const c = counts();
  return (Object.keys(c) as FileVerdict[])
    .filter((k) => c[k] > 0)
    .map((k) => `${t(verdictInfo[k].key)}: ${c[k]}`)
    .join(", ");
}

function updateProgress(v: Handles): void {
  const total = session.files.length;
  v.progress.max = Math.max(total, 1);
  v.progress.value = session.state === "running" && total === 0 ? 0 : session.done;
  const percent = total === 0 ? 0 : Math.round((session.done / total) * 100);
  v.progress.setAttribute("aria-valuetext", t("verify.count", { done: session.done, total, percent }));
  v.progress.dataset.percent = String(percent);
  v.count.textContent =
    session.state === "running" && total === 0 && session.paths.length > 0
      ? t("verify.collecting")
      : t("verify.count", { done: session.done, total, percent });
  v.root.dataset.state = session.state;
  v.cancel.hidden = session.state !== "running";
  v.cancel.disabled = session.state !== "running";
  v.exportAll.hidden = session.state === "running" || session.state === "idle" || session.done === 0;
  const c = counts();
  v.summary.replaceChildren(
    ...(Object.keys(c) as FileVerdict[]).map((k) =>
      h("li", { "data-count": k }, verdictBadge(k), ": ", h("span", { class: "count" }, String(c[k]))),
    ),
  );
  if (session.state === "finished" && session.millis !== null) {
    v.count.textContent += " " + t("verify.elapsed", { seconds: (session.millis / 1000).toFixed(1) });
  }
  if (session.state === "cancelled") v.count.textContent += " " + t("verify.cancelled.short");
}

function rowCells(i: number): (Node | string)[] {
  const path = session.files[i] ?? "";
  const r = session.rows[i];
  const nameCell = h("td", {}, h("span", { class: "file-name" }, fileName(path)), h("br", {}), h("small", { class: "text-muted text-break" }, folderOf(path)));
  if (!r) {
    const pending = session.state === "running" ? t("verify.pending") : t("verify.not_run");
    return [nameCell, h("td", { class: "verdict-cell", "data-verdict": "pending" }, pending), h("td", {})];
  }
  const extra = r.report.error ? fileErrorText(r.report, r.unsupported) : signaturesText(r);
  const button = h(
    "button",
    { type: "button", class: "btn btn-outline-primary btn-sm verify-details", "aria-label": t("verify.details.for", { name: fileName(path) }) },
    t("verify.details"),
  );
  button.addEventListener("click", () => showDetail(i, true));
  return [
    nameCell,
    h("td", { class: "verdict-cell", "data-verdict": r.verdict }, verdictBadge(r.verdict), h("br", {}), h("small", {}, extra)),
    h("td", {}, button),
  ];
}

function signaturesText(r: VerifyRow): string {
  const n = r.report.signatures.length;
  if (n === 0) return t("verify.timestamps.only", { count: r.report.timestamps.length });
  return n === 1 ? t("verify.signatures.one") : t("verify.signatures.many", { count: n });
}

function updateRow(v: Handles, i: number): void {
  const tr = v.rows[i];
  if (!tr) return;
  tr.replaceChildren(...rowCells(i));
  const r = session.rows[i];
  if (r) tr.dataset.verdict = r.verdict;
  if (session.selected === i) showDetail(i, false);
}

function buildRows(v: Handles): void {
  v.rows = session.files.map((_, i) => h("tr", { "data-index": String(i) }));
  for (let i = 0; i < v.rows.length; i++) updateRow(v, i);
  v.tbody.replaceChildren(...v.rows);
}

function refresh(): void {
  if (!view) return;
  buildRows(view);
  updateProgress(view);
  const notes: HTMLElement[] = [];
  if (session.error) notes.push(h("div", { class: "alert alert-danger", role: "alert" }, session.error));
  if (session.truncated) notes.push(h("div", { class: "alert alert-warning" }, t("verify.truncated", { total: session.files.length })));
  if (session.unreadable.length > 0) {
    notes.push(
      h("div", { class: "alert alert-warning" }, t("verify.unreadable"), h("ul", {}, ...session.unreadable.map((p) => h("li", {}, p)))),
    );
  }
  view.notes.replaceChildren(...notes);
  if (session.selected === null) view.detail.replaceChildren();
}

/**
 * Asks for a folder and writes the reports of file `index` (or of the whole batch when
 * null) there; says the outcome in `result` and to screen readers.
 */
async function exportReports(index: number | null, button: HTMLButtonElement, result: HTMLElement, announce: (m: string) => void): Promise<void> {
  if (session.batch === null) return;
  const say = (text: string, cls: string) => {
    result.replaceChildren(h("div", { class: `alert ${cls}` }, text));
    announce(text);
  };
  button.disabled = true;
  try {
    const out = await api.verify.exportReports(session.batch, index, t("verify.export.title"));
    if (out.outcome === "cancelled") say(t("verify.export.cancelled"), "alert-info");
    else say(t("verify.export.written", { folder: out.folder, files: out.files.map(fileName).join(", ") }), "alert-success");
  } catch (e) {
    say(errorText(e), "alert-danger");
  } finally {
    button.disabled = false;
  }
}

/** The signatures and document timestamps of a signed PDF whose signed version can be rebuilt. */
function signedVersions(report: VerifyRow["report"]): { id: string; label: string }[] {
  const out: { id: string; label: string }[] = [];
  const covered = (x: { pdf?: unknown }) => {
    const pdf = x.pdf as { signed_length?: number | null } | undefined;
    return typeof pdf?.signed_length === "number";
  };
  for (const s of report.signatures) {
    if (covered(s as { pdf?: unknown })) out.push({ id: s.id, label: t("verify.version.signature", { id: s.id, name: signerLabel(s.signer) }) });
  }
  for (const ts of report.timestamps) {
    if (covered(ts as { pdf?: unknown })) out.push({ id: ts.id, label: t("verify.version.timestamp", { id: ts.id }) });
  }
  return out;
}

function signerLabel(s: Record<string, unknown> | null): string {
  if (!s) return t("verify.signer.unknown");
  const full = [s.given_name, s.surname].filter((x) => typeof x === "string").join(" ");
  if (full) return full;
  return typeof s.common_name === "string" ? s.common_name : t("verify.signer.unknown");
}

/** The text preview of a PDF, on request (it is extracted in a limited child process). */
function previewBlock(batch: number, index: number, announce: (m: string) => void): HTMLElement {
  const out = h("div", { id: "verify-preview-result", class: "mt-2", role: "status" });
  const button = h("button", { type: "button", class: "btn btn-outline-primary", id: "verify-preview", "aria-controls": "verify-preview-result" }, h("span", { "aria-hidden": "true" }, "≡ "), t("verify.preview.show"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(h("p", {}, t("verify.preview.running")));
    try {
      const text = await api.verify.preview(batch, index);
      const pre = h("pre", { id: "verify-preview-text", class: "verify-preview-text", tabindex: "0", "aria-label": t("verify.preview.label") }, text.trim() === "" ? t("verify.preview.empty") : text);
      out.replaceChildren(h("p", { class: "form-text" }, t("verify.preview.note")), pre);
      announce(t("verify.preview.ready"));
    } catch (e) {
      const msg = errorText(e);
      out.replaceChildren(h("div", { class: "alert alert-warning" }, msg));
      announce(msg);
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "verify-preview mt-3" }, h("h3", { class: "h6" }, t("verify.preview.title")), button, out);
}

/** "Apri documento originale" for a signed PDF: per signature, the version it covers. */
function signedVersionBlock(batch: number, index: number, versions: { id: string; label: string }[], announce: (m: string) => void): HTMLElement {
  const result = h("div", { id: "verify-original-result", class: "mt-2", role: "status" });
  const buttons: HTMLButtonElement[] = [];
  const say = (text: string, cls: string) => {
    result.replaceChildren(h("div", { class: `alert ${cls}` }, text));
    announce(text);
  };
  const run = async (id: string, target: "open" | "save") => {
    for (const b of buttons) b.disabled = true;
    try {
      const out = await api.verify.original(batch, index, target, false, t("verify.original.folder_title"), id);
      if (out.outcome === "saved") say(t("verify.original.saved", { file: out.file }), "alert-success");
      else if (out.outcome === "opened") say(t("verify.original.opened", { file: out.file }), "alert-success");
      else say(t("verify.original.cancelled"), "alert-info");
    } catch (e) {
      say(errorText(e), "alert-danger");
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  const items = versions.map((ver) => {
    const open = h("button", { type: "button", class: "btn btn-primary btn-sm me-2", id: `verify-open-${ver.id}`, "aria-label": `${t("verify.original.open")}: ${ver.label}` }, t("verify.original.open"));
    const save = h("button", { type: "button", class: "btn btn-outline-primary btn-sm", id: `verify-save-${ver.id}`, "aria-label": `${t("verify.original.save")}: ${ver.label}` }, t("verify.original.save"));
    open.addEventListener("click", () => void run(ver.id, "open"));
    save.addEventListener("click", () => void run(ver.id, "save"));
    buttons.push(open, save);
    return h("li", { class: "mb-2", "data-version": ver.id }, h("span", { class: "d-block" }, ver.label), open, save);
  });
  return h(
    "div",
    { class: "verify-original mt-3" },
    h("h3", { class: "h6" }, t("verify.version.title")),
    h("p", { class: "form-text" }, t("verify.version.note")),
    h("ul", { class: "list-unstyled" }, ...items),
    result,
  );
}

function showDetail(i: number, focus: boolean): void {
  const v = view;
  const r = session.rows[i];
  if (!v || !r || session.batch === null) return;
  session.selected = i;
  for (const tr of v.rows) tr.classList.remove("table-active");
  v.rows[i]?.classList.add("table-active");
  const batch = session.batch;
  const result = h("div", { id: "verify-original-result", class: "mt-2", role: "status" });
  const open = h("button", { type: "button", class: "btn btn-primary me-2", id: "verify-open" }, t("verify.original.open"));
  const save = h("button", { type: "button", class: "btn btn-outline-primary", id: "verify-save" }, t("verify.original.save"));
  const say = (text: string, kind: "ok" | "error" | "info") => {
    const cls = kind === "ok" ? "alert-success" : kind === "error" ? "alert-danger" : "alert-info";
    result.replaceChildren(h("div", { class: `alert ${cls}` }, text));
    v.announce(text);
  };
  const run = async (target: "open" | "save", confirmed: boolean) => {
    open.disabled = save.disabled = true;
    try {
      const out = await api.verify.original(batch, i, target, confirmed, t("verify.original.folder_title"));
      switch (out.outcome) {
        case "cancelled":
          say(t("verify.original.cancelled"), "info");
          break;
        case "saved":
          say(t("verify.original.saved", { file: out.file }), "ok");
          break;
        case "opened":
          say(t("verify.original.opened", { file: out.file }), "ok");
          break;
        case "confirm": {
          const warn = t(out.risk === "executable" ? "verify.risk.executable" : "verify.risk.macros", { name: out.name });
          const yes = h("button", { type: "button", class: "btn btn-danger me-2", id: "verify-risk-open" }, t("verify.risk.open"));
          const no = h("button", { type: "button", class: "btn btn-outline-secondary", id: "verify-risk-cancel" }, t("verify.risk.cancel"));
          yes.addEventListener("click", () => void run("open", true));
          no.addEventListener("click", () => {
            say(t("verify.original.cancelled"), "info");
            open.focus();
          });
          result.replaceChildren(
            h("div", { class: "alert alert-warning", role: "alertdialog", "aria-labelledby": "verify-risk-text" }, h("p", { id: "verify-risk-text" }, warn), yes, no),
          );
          v.announce(warn);
          no.focus();
          break;
        }
      }
    } catch (e) {
      say(errorText(e), "error");
    } finally {
      open.disabled = save.disabled = false;
    }
  };
  open.addEventListener("click", () => void run("open", false));
  save.addEventListener("click", () => void run("save", false));
  const close = h("button", { type: "button", class: "btn btn-link", id: "verify-detail-close" }, t("verify.detail.close"));
  const closeDetail = () => {
    session.selected = null;
    v.detail.replaceChildren();
    v.rows[i]?.classList.remove("table-active");
    v.rows[i]?.querySelector<HTMLButtonElement>("button")?.focus();
  };
  close.addEventListener("click", closeDetail);
  // Escape inside the panel closes it and returns to the row it came from.
  v.detail.onkeydown = (e) => {
    if (e.key === "Escape" && !result.querySelector("[role=alertdialog]")) closeDetail();
  };
  const hasContent = !r.report.error && (r.report.format === "cades-attached" || r.report.format === "tsd" || r.report.format === "m7m");
  const parts: Node[] = [detailPanel(r.report, r.verdict, r.unsupported)];
  if (!r.report.error && r.report.format === "pades") {
    const versions = signedVersions(r.report);
    if (versions.length > 0) parts.push(signedVersionBlock(batch, i, versions, v.announce));
  }
  // Any PDF, signed or not (a PDF without signatures is still worth reading).
  if (r.report.format === "pades" || /\.pdf$/i.test(r.report.path)) parts.push(previewBlock(batch, i, v.announce));
  const exportResult = h("div", { id: "verify-export-result", class: "mt-2", role: "status" });
  const exportOne = h("button", { type: "button", class: "btn btn-outline-primary", id: "verify-export" }, h("span", { "aria-hidden": "true" }, "⤓ "), t("verify.export.one"));
  exportOne.addEventListener("click", () => void exportReports(i, exportOne, exportResult, v.announce));
  parts.push(h("div", { class: "verify-export mt-3" }, h("p", { class: "form-text" }, t("verify.export.note")), exportOne, exportResult));
  if (hasContent) {
    parts.push(h("div", { class: "verify-original mt-3" }, h("p", { class: "form-text" }, t("verify.original.note")), open, save, result));
  }
  v.detail.replaceChildren(...parts, close);
  v.detail.dataset.index = String(i);
  if (focus) v.detail.querySelector<HTMLElement>("#verify-detail-title")?.focus();
}

function atControls(onChange: () => void): HTMLElement {
  const radio = (value: AtChoice["kind"], key: Parameters<typeof t>[0]) => {
    const input = h("input", { type: "radio", name: "verify-at", id: `verify-at-${value}`, value, class: "form-check-input" });
    input.checked = session.at.kind === value;
    return { input, el: h("div", { class: "form-check form-check-inline" }, input, h("label", { class: "form-check-label", for: `verify-at-${value}` }, t(key))) };
  };
  const now = radio("now", "verify.at.now");
  const signing = radio("signing_time", "verify.at.signing_time");
  const given = radio("given", "verify.at.given");
  const date = h("input", { type: "datetime-local", id: "verify-at-date", class: "form-control", "aria-label": t("verify.at.date") });
  if (session.at.kind === "given") {
    const d = new Date(session.at.time);
    date.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  date.disabled = session.at.kind !== "given";
  const apply = () => {
    if (now.input.checked) session.at = { kind: "now" };
    else if (signing.input.checked) session.at = { kind: "signing_time" };
    else {
      date.disabled = false;
      const ms = Date.parse(date.value);
      if (Number.isNaN(ms)) return; // wait for a complete date
      session.at = { kind: "given", time: new Date(ms).toISOString() };
    }
    date.disabled = !given.input.checked;
    onChange();
  };
  for (const r of [now, signing, given]) r.input.addEventListener("change", apply);
  date.addEventListener("change", apply);
  return h(
    "fieldset",
    { class: "mb-3", id: "verify-at" },
    h("legend", { class: "h6" }, t("verify.at.legend")),
    now.el,
    signing.el,
    given.el,
    h("div", { class: "mt-2 verify-at-date" }, h("label", { for: "verify-at-date", class: "visually-hidden" }, t("verify.at.date")), date),
    h("p", { class: "form-text" }, t("verify.at.help")),
  );
}

async function render(root: HTMLElement, ctx: ViewContext): Promise<void> {
  announceFn = ctx.announce;
  const pickFiles = h("button", { type: "button", class: "btn btn-primary me-2 mb-2", id: "verify-pick-files" }, t("verify.pick.files"));
  const pickFolder = h("button", { type: "button", class: "btn btn-outline-primary me-2 mb-2", id: "verify-pick-folder" }, t("verify.pick.folder"));
  const pick = async (folder: boolean) => {
    try {
      const paths = await api.verify.pick(t(folder ? "verify.pick.folder.title" : "verify.pick.files.title"), folder);
      if (paths.length === 0) ctx.announce(t("verify.pick.cancelled"));
      else await verifyPaths(paths);
    } catch (e) {
      ctx.announce(errorText(e));
    }
  };
  pickFiles.addEventListener("click", () => void pick(false));
  pickFolder.addEventListener("click", () => void pick(true));
  const cancel = h("button", { type: "button", class: "btn btn-outline-danger ms-2", id: "verify-cancel" }, t("verify.cancel"));
  cancel.addEventListener("click", () => {
    if (session.batch !== null) void api.verify.cancel(session.batch);
    cancel.disabled = true;
  });
  const exportAll = h("button", { type: "button", class: "btn btn-outline-primary ms-2", id: "verify-export-all" }, h("span", { "aria-hidden": "true" }, "⤓ "), t("verify.export.all"));
  const exportAllResult = h("div", { id: "verify-export-all-result", role: "status" });
  exportAll.addEventListener("click", () => void exportReports(null, exportAll, exportAllResult, ctx.announce));
  const progress = h("progress", { id: "verify-progress", class: "verify-progress", "aria-label": t("verify.progress.label") });
  const count = h("span", { id: "verify-count", "aria-live": "off" });
  const summary = h("ul", { id: "verify-summary", class: "verify-summary list-inline", "aria-label": t("verify.summary.label") });
  const tbody = h("tbody", {});
  const table = h(
    "table",
    { class: "table table-sm verify-results", id: "verify-results" },
    h("caption", { class: "visually-hidden" }, t("verify.results.caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("verify.col.file")), h("th", { scope: "col" }, t("verify.col.verdict")), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("verify.col.actions"))))),
    tbody,
  );
  const detail = h("section", { id: "verify-detail", class: "verify-detail", "aria-live": "off", "aria-label": t("verify.detail.label") });
  const notes = h("div", { id: "verify-notes" });
  const drop = h(
    "div",
    { class: "verify-drop", id: "verify-drop" },
    h("p", { class: "mb-2" }, t("verify.drop")),
    pickFiles,
    pickFolder,
  );
  const status = h("div", { class: "verify-status mb-3" }, progress, h("div", {}, count, cancel, exportAll), exportAllResult);
  const container = h(
    "div",
    { class: "verify-view", id: "verify-view" },
    h("h1", { tabindex: "-1" }, t("verify.title")),
    h("p", { class: "lead" }, t("verify.intro")),
    drop,
    atControls(() => {
      if (session.paths.length > 0 && session.state !== "running") void verifyPaths(session.paths);
    }),
    notes,
    status,
    summary,
    h("div", { class: "verify-layout" }, h("div", { class: "verify-list" }, table), detail),
  );
  root.append(container);
  view = { root: container, progress, count, cancel, exportAll, summary, tbody, rows: [], detail, notes, announce: ctx.announce };
  refresh();
  if (session.selected !== null) showDetail(session.selected, false);
}

export const verifyView: ViewDef = {
  id: VERIFY_ID,
  navKey: "nav.verify",
  render,
};
