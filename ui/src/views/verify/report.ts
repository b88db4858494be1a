// The detail panel of one verified file, rendered from the report's JSON fields
// (docs/report-format.md). Known fields get labels and plain words; any field the view does
// not know yet (added by later verification work: certificate paths, PDF changes, ...) is
// still shown, generically, under its own name.
import type { Bilingual, FileVerdict, VerifyCheck, VerifyFileReport, VerifySignature, VerifyTimestamp } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { language, t, type MessageKey } from "../../i18n";

/** Icon and words for a verdict; the colour only repeats what they say. */
export const verdictInfo: Record<FileVerdict, { icon: string; key: MessageKey; cls: string }> = {
  valid: { icon: "✔", key: "verify.verdict.valid", cls: "verdict-valid" },
  invalid: { icon: "✖", key: "verify.verdict.invalid", cls: "verdict-invalid" },
  indeterminate: { icon: "?", key: "verify.verdict.indeterminate", cls: "verdict-indeterminate" },
  not_checked: { icon: "!", key: "verify.verdict.not_checked", cls: "verdict-not-checked" },
};

const indicationVerdict: Record<string, FileVerdict> = {
  TOTAL_PASSED: "valid",
  TOTAL_FAILED: "invalid",
  INDETERMINATE: "indeterminate",
};

export function verdictBadge(verdict: FileVerdict, extra?: string): HTMLElement {
  const info = verdictInfo[verdict];
  return h(
    "span",
    { class: `verdict ${info.cls}`, "data-verdict": verdict },
    h("span", { class: "verdict-icon", "aria-hidden": "true" }, info.icon),
    " ",
    h("span", { class: "verdict-text" }, t(info.key)),
    extra ? h("span", { class: "verdict-extra" }, ` — ${extra}`) : null,
  );
}

function bi(b: Bilingual | null | undefined): string {
  if (!b) return "";
  return language() === "en" ? b.en : b.it;
}

const outcomeInfo: Record<string, { icon: string; key: MessageKey }> = {
  passed: { icon: "✔", key: "verify.outcome.passed" },
  failed: { icon: "✖", key: "verify.outcome.failed" },
  indeterminate: { icon: "?", key: "verify.outcome.indeterminate" },
  skipped: { icon: "–", key: "verify.outcome.skipped" },
};

/** Labels of known check names and fields; unknown ones show their own name. */
const labels: Record<string, MessageKey> = {
  format: "verify.check.format",
  signing_certificate: "verify.check.signing_certificate",
  signing_certificate_reference: "verify.check.signing_certificate_reference",
  message_digest: "verify.check.message_digest",
  signature_value: "verify.check.signature_value",
  certificate_chain: "verify.check.certificate_chain",
  message_imprint: "verify.check.message_imprint",
  common_name: "verify.field.common_name",
  given_name: "verify.field.given_name",
  surname: "verify.field.surname",
  organization: "verify.field.organization",
  codice_fiscale: "verify.field.codice_fiscale",
  issuer: "verify.field.issuer",
  serial_number: "verify.field.serial_number",
  certificate_sha256: "verify.field.certificate_sha256",
  signing_time: "verify.field.signing_time",
  digest_algorithm: "verify.field.digest_algorithm",
  signature_algorithm: "verify.field.signature_algorithm",
  nested_level: "verify.field.nested_level",
  counter_signature_of: "verify.field.counter_signature_of",
  qualified: "verify.field.qualified",
  revocation: "verify.field.revocation",
  sha256: "verify.field.sha256",
  format_name: "verify.field.format",
};

function label(name: string): string {
  const key = labels[name];
  return key ? t(key) : name.replace(/_/g, " ");
}

const basisKey: Record<string, MessageKey> = {
  now: "verify.basis.now",
  given: "verify.basis.given",
  claimed: "verify.basis.claimed",
  timestamp: "verify.basis.timestamp",
};

const formatKey: Record<string, MessageKey> = {
  "cades-attached": "verify.format.cades-attached",
  "cades-detached": "verify.format.cades-detached",
  pades: "verify.format.pades",
  tsd: "verify.format.tsd",
  m7m: "verify.format.m7m",
  tst: "verify.format.tst",
};

const errorKey: Record<string, MessageKey> = {
  unreadable: "verify.error.unreadable",
  empty: "verify.error.empty",
  not_a_signature: "verify.error.not_a_signature",
  unsupported_format: "verify.error.unsupported_format",
  limit_exceeded: "verify.error.limit_exceeded",
};

/** Why a file could not be checked, in plain words. */
export function fileErrorText(report: VerifyFileReport, unsupported: string | null): string {
  if (unsupported) return t("verify.error.unsupported_named", { format: unsupported });
  const code = report.error?.code ?? "";
  const key = errorKey[code];
  return key ? t(key) : (report.error?.message ?? t("error.generic"));
}

function isTime(v: unknown): v is string {
  return typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v);
}

/** Any JSON value as text or a small nested list. */
function genericValue(v: unknown): Node {
  if (v === null || v === undefined) return document.createTextNode("—");
  if (typeof v === "boolean") return document.createTextNode(t(v ? "verify.yes" : "verify.no"));
  if (isTime(v)) return document.createTextNode(formatIso(v, language()));
  if (typeof v === "string" || typeof v === "number") return document.createTextNode(String(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return document.createTextNode("—");
    return h("ul", { class: "mb-0 ps-3" }, ...v.map((x) => h("li", {}, genericValue(x))));
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.it === "string" && typeof o.en === "string" && Object.keys(o).length === 2) {
      return document.createTextNode(bi(o as Bilingual));
    }
    return fieldList(o, new Set());
  }
  return document.createTextNode(String(v));
}

function fieldList(obj: Record<string, unknown>, skip: Set<string>): HTMLElement {
  const dl = h("dl", { class: "verify-fields" });
  for (const [k, v] of Object.entries(obj)) {
    if (skip.has(k) || v === null || v === undefined) continue;
    dl.append(h("dt", {}, label(k)), h("dd", {}, genericValue(v)));
  }
  return dl;
}

function checksTable(checks: VerifyCheck[], caption: string): HTMLElement {
  return h(
    "table",
    { class: "table table-sm verify-checks" },
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, t("verify.col.check")), h("th", { scope: "col" }, t("verify.col.outcome")), h("th", { scope: "col" }, t("verify.col.detail"))),
    ),
    h(
      "tbody",
      {},
      ...checks.map((c) => {
        const o = outcomeInfo[c.outcome] ?? { icon: "", key: "verify.outcome.skipped" as MessageKey };
        return h(
          "tr",
          { "data-check": c.name, "data-outcome": c.outcome },
          h("th", { scope: "row" }, label(c.name)),
          h("td", { class: `outcome outcome-${c.outcome}` }, h("span", { "aria-hidden": "true" }, `${o.icon} `), t(o.key)),
          h("td", {}, bi(c.detail)),
        );
      }),
    ),
  );
}

function signerName(s: Record<string, unknown> | null): string {
  if (!s) return t("verify.signer.unknown");
  const full = [s.given_name, s.surname].filter((x) => typeof x === "string").join(" ");
  if (full) return full;
  return typeof s.common_name === "string" ? s.common_name : t("verify.signer.unknown");
}

/** Fields of a signature shown in the summary list, in order; the rest follow generically. */
const signatureShown = new Set([
  "id", "signer", "signing_time", "validation_time", "indication", "subindication",
  "checks", "warnings", "explanation", "qualification",
]);

function signatureSection(sig: VerifySignature, timestamps: VerifyTimestamp[]): HTMLElement {
  const verdict = indicationVerdict[sig.indication] ?? "indeterminate";
  const vt = sig.validation_time;
  const covering = timestamps.filter((ts) => ts.covers.includes(sig.id));
  const signer = sig.signer ?? {};
  const summary = h("dl", { class: "verify-fields" });
  const add = (name: string, value: Node | string) =>
    summary.append(h("dt", {}, name), h("dd", {}, value));
  add(t("verify.field.signer"), signerName(sig.signer));
  add(label("codice_fiscale"), typeof signer.codice_fiscale === "string" ? signer.codice_fiscale : t("verify.absent"));
  add(label("issuer"), typeof signer.issuer === "string" ? signer.issuer : t("verify.absent"));
  // Qualified status: from the trusted lists among the trust material, with the reason;
  // without lists it cannot be determined, and the panel says so.
  const q = sig.qualification;
  add(
    label("qualified"),
    q ? `${bi(q.label)} (${bi(q.reason)})` : t("verify.qualified.unknown"),
  );
  add(label("signing_time"), sig.signing_time ? formatIso(sig.signing_time, language()) : t("verify.absent"));
  add(
    t("verify.field.validation_time"),
    t("verify.validation_time", {
      time: formatIso(vt.time, language()),
      basis: basisKey[vt.basis] ? t(basisKey[vt.basis] as MessageKey) : vt.basis,
    }),
  );
  add(
    t("verify.field.timestamps"),
    covering.length === 0
      ? t("verify.timestamps.none")
      : covering
          .map((ts) => t("verify.timestamp.line", { time: ts.gen_time ? formatIso(ts.gen_time, language()) : "—", verdict: t(verdictInfo[indicationVerdict[ts.indication] ?? "indeterminate"].key) }))
          .join("; "),
  );
  const revocationChecked = sig.checks.some((c) => c.name.includes("revocation") && c.outcome === "passed");
  if (!("revocation" in sig) && !revocationChecked) add(label("revocation"), t("verify.revocation.unchecked"));

  const otherSigner = Object.fromEntries(
    Object.entries(signer).filter(([k]) => !["given_name", "surname", "common_name", "codice_fiscale", "issuer", "qualified"].includes(k)),
  );
  const extra = Object.fromEntries(Object.entries(sig).filter(([k]) => !signatureShown.has(k)));

  return h(
    "section",
    { class: "verify-signature card card-bg mb-3", "data-signature": sig.id, "aria-labelledby": `sig-${sig.id}-title` },
    h(
      "div",
      { class: "card-body" },
      h("h3", { class: "h5", id: `sig-${sig.id}-title` }, t("verify.signature.title", { id: sig.id, name: signerName(sig.signer) })),
      h("p", {}, verdictBadge(verdict, sig.subindication ?? undefined)),
      h("p", { class: "verify-explanation" }, bi(sig.explanation)),
      summary,
      sig.warnings.length > 0
        ? h(
            "div",
            { class: "verify-warnings" },
            h("h4", { class: "h6" }, t("verify.warnings")),
            h("ul", {}, ...sig.warnings.map((w) => h("li", { "data-warning": w.code }, bi(w.message)))),
          )
        : null,
      checksTable(sig.checks, t("verify.checks.caption", { id: sig.id })),
      h(
        "details",
        {},
        h("summary", {}, t("verify.more")),
        fieldList(otherSigner, new Set()),
        fieldList(extra, new Set()),
      ),
    ),
  );
}

function timestampSection(ts: VerifyTimestamp): HTMLElement {
  const verdict = indicationVerdict[ts.indication] ?? "indeterminate";
  const extra = Object.fromEntries(
    Object.entries(ts).filter(([k]) => !["id", "indication", "subindication", "checks"].includes(k)),
  );
  return h(
    "section",
    { class: "verify-timestamp mb-3", "data-timestamp": ts.id },
    h("h4", { class: "h6" }, t("verify.timestamp.title", { id: ts.id })),
    h("p", {}, verdictBadge(verdict, ts.subindication ?? undefined)),
    fieldList(extra, new Set()),
    checksTable(ts.checks, t("verify.checks.caption", { id: ts.id })),
  );
}

/** The whole panel for one file (without the document buttons, which the view adds). */
export function detailPanel(report: VerifyFileReport, verdict: FileVerdict, unsupported: string | null): HTMLElement {
  const name = report.path.split(/[\\/]/).pop() ?? report.path;
  const file = h("dl", { class: "verify-fields" });
  file.append(h("dt", {}, t("verify.field.path")), h("dd", { class: "text-break" }, report.path));
  if (report.format) {
    const key = formatKey[report.format];
    file.append(h("dt", {}, label("format_name")), h("dd", {}, key ? t(key) : report.format));
  }
  if (report.sha256) file.append(h("dt", {}, label("sha256")), h("dd", { class: "text-break" }, report.sha256));
  const known = new Set(["path", "sha256", "format", "error", "signatures", "timestamps"]);
  const extraFile = Object.fromEntries(Object.entries(report).filter(([k]) => !known.has(k)));
  return h(
    "div",
    {},
    h("h2", { class: "h4", id: "verify-detail-title", tabindex: "-1" }, t("verify.detail.title", { name })),
    h("p", {}, verdictBadge(verdict)),
    report.error ? h("div", { class: "alert alert-warning", role: "note" }, fileErrorText(report, unsupported)) : null,
    file,
    fieldList(extraFile, new Set()),
    ...report.signatures.map((s) => signatureSection(s, report.timestamps)),
    report.timestamps.length > 0
      ? h(
          "div",
          { class: "verify-timestamps" },
          h("h3", { class: "h5" }, t("verify.timestamps.title")),
          ...report.timestamps.map(timestampSection),
        )
      : null,
  );
}
