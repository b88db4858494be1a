// The "Firma" section: files picked or dropped, a certificate of the smart card, the PIN,
// CAdES or PAdES; the Rust side signs off the window's thread and checks every file it
// writes with our own verifier, whose verdict is shown with the Verifica firma view's own
// rendering (../verify/report.ts). The PIN lives only in its password field and is
// cleared as soon as it has been sent.
import { api, type SignOutcome, type SignTokens, type SignedFile } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { errorText, language, t } from "../../i18n";
import type { ViewContext, ViewDef } from "../types";
import { detailPanel, verdictBadge } from "../verify/report";
import { VERIFY_ID, claimDrops, verifyPaths } from "../verify/verify";
import { addFiles, certificateOptions, choiceFor, missing, needsConfirmation, type CertOption, type SignForm } from "./logic";

export const SIGN_ID = "firma";

interface Session {
  files: string[];
  tokens: SignTokens | null;
  tokensError: string | null;
  selected: string | null;
  kind: "cades" | "pades";
  detached: boolean;
  add: boolean;
  timestamp: boolean;
  results: SignedFile[];
}

const session: Session = {
  files: [],
  tokens: null,
  tokensError: null,
  selected: null,
  kind: "cades",
  detached: false,
  add: false,
  timestamp: false,
  results: [],
};

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

async function render(root: HTMLElement, ctx: ViewContext): Promise<void> {
  const say = ctx.announce;
  const fileList = h("ul", { id: "sign-files", class: "list-group mb-2", "aria-label": t("sign.files.label") });
  const certSelect = h("select", { id: "sign-cert", class: "form-select" });
  const certInfo = h("div", { id: "sign-cert-info", class: "mt-2", role: "status" });
  const pin = h("input", { type: "password", id: "sign-pin", class: "form-control", autocomplete: "off", inputmode: "numeric", "aria-describedby": "sign-pin-help" });
  const pinHelp = h("p", { id: "sign-pin-help", class: "form-text" }, t("sign.pin.help"));
  const notice = h("div", { id: "sign-notice", role: "status" });
  const errorBox = h("div", { id: "sign-error", role: "alert" });
  const confirmBox = h("div", { id: "sign-confirm" });
  const results = h("section", { id: "sign-results", "aria-label": t("sign.results.label") });
  const detail = h("section", { id: "sign-detail", class: "verify-detail", "aria-label": t("sign.detail.label") });
  const signButton = h("button", { type: "button", class: "btn btn-primary", id: "sign-run" }, t("sign.run"));
  const busy = h("p", { id: "sign-busy", class: "form-text", hidden: true, "aria-live": "polite" }, t("sign.running"));

  const option = (): CertOption | null =>
    certificateOptions(session.tokens?.tokens ?? []).find((o) => o.value === session.selected) ?? null;
  const form = (): SignForm => ({
    files: session.files,
    option: option(),
    kind: session.kind,
    detached: session.detached,
    add: session.add,
    timestamp: session.timestamp,
    tsa: session.tokens?.tsa ?? null,
    pinLength: pin.value.length,
  });

  const drawFiles = () => {
    fileList.replaceChildren(
      ...session.files.map((p, i) => {
        const remove = h("button", { type: "button", class: "btn btn-link btn-sm sign-remove", "aria-label": t("sign.files.remove", { name: fileName(p) }) }, t("sign.files.remove.short"));
        remove.addEventListener("click", () => {
          session.files = session.files.filter((_, j) => j !== i);
          drawFiles();
          say(t("sign.files.removed", { name: fileName(p) }));
          (fileList.querySelector<HTMLButtonElement>(".sign-remove") ?? pickButton).focus();
        });
        return h("li", { class: "list-group-item d-flex justify-content-between align-items-center", "data-path": p }, h("span", {}, h("span", { class: "file-name" }, fileName(p)), h("br", {}), h("small", { class: "text-muted text-break" }, p)), remove);
      }),
    );
    if (session.files.length === 0) fileList.append(h("li", { class: "list-group-item text-muted" }, t("sign.files.none")));
  };
  const takeFiles = (paths: string[]) => {
    session.files = addFiles(session.files, paths);
    drawFiles();
    say(t("sign.files.added", { count: session.files.length }));
  };

  const drawCertInfo = () => {
    const o = option();
    const parts: HTMLElement[] = [];
    if (o) {
      parts.push(h("p", { class: "mb-1" }, t("sign.cert.token", { label: o.token.label, maker: `${o.token.manufacturer} ${o.token.model}`.trim() })));
      if (!o.signing) parts.push(h("div", { class: "alert alert-warning" }, t("sign.cert.not_signing")));
      if (o.token.pin_warning) parts.push(h("div", { class: "alert alert-warning", id: "sign-pin-warning" }, o.token.pin_warning));
      if (o.token.pin_pad) parts.push(h("div", { class: "alert alert-info" }, t("sign.pin.pad")));
    }
    certInfo.replaceChildren(...parts);
  };
  const drawTokens = () => {
    const opts = certificateOptions(session.tokens?.tokens ?? []);
    if (!opts.some((o) => o.value === session.selected)) session.selected = opts[0]?.value ?? null;
    certSelect.replaceChildren(
      ...(opts.length === 0 ? [h("option", { value: "" }, session.tokens ? t("sign.cert.none") : t("sign.cert.not_read"))] : []),
      ...opts.map((o) =>
        h(
          "option",
          { value: o.value, selected: o.value === session.selected },
          t(o.signing ? "sign.cert.option.signing" : "sign.cert.option.other", { subject: o.subject, issuer: o.issuer, until: formatIso(o.notAfter, language()) }),
        ),
      ),
    );
    certSelect.disabled = opts.length === 0;
    drawCertInfo();
    tokensStatus.replaceChildren(
      session.tokensError
        ? h("div", { class: "alert alert-danger" }, session.tokensError)
        : session.tokens
          ? h("p", { class: "form-text" }, t("sign.module", { module: session.tokens.module }))
          : "",
    );
    tsaLine();
  };
  const tokensStatus = h("div", { id: "sign-tokens-status", role: "status" });
  const readTokens = async () => {
    tokensStatus.replaceChildren(h("p", { class: "form-text" }, t("sign.cert.reading")));
    try {
      session.tokens = await api.sign.tokens();
      session.tokensError = null;
    } catch (e) {
      session.tokens = null;
      session.tokensError = errorText(e);
    }
    drawTokens();
    say(session.tokensError ?? t("sign.cert.read", { count: certificateOptions(session.tokens?.tokens ?? []).length }));
  };
  certSelect.addEventListener("change", () => {
    session.selected = certSelect.value || null;
    drawCertInfo();
  });

  const pickButton = h("button", { type: "button", class: "btn btn-outline-primary me-2", id: "sign-pick" }, t("sign.pick"));
  pickButton.addEventListener("click", async () => {
    try {
      const paths = await api.sign.pick(t("sign.pick.title"));
      if (paths.length === 0) say(t("sign.pick.cancelled"));
      else takeFiles(paths);
    } catch (e) {
      say(errorText(e));
    }
  });
  const refresh = h("button", { type: "button", class: "btn btn-outline-secondary mt-2", id: "sign-refresh" }, t("sign.cert.refresh"));
  refresh.addEventListener("click", () => void readTokens());

  // The type of signature.
  const radio = (value: "cades" | "pades", key: "sign.kind.cades" | "sign.kind.pades") => {
    const input = h("input", { type: "radio", name: "sign-kind", id: `sign-kind-${value}`, value, class: "form-check-input", checked: session.kind === value });
    input.addEventListener("change", () => {
      session.kind = value;
      cadesOptions.hidden = value !== "cades";
    });
    return h("div", { class: "form-check" }, input, h("label", { class: "form-check-label", for: `sign-kind-${value}` }, t(key)));
  };
  const check = (id: string, key: "sign.detached" | "sign.add" | "sign.timestamp", get: () => boolean, set: (v: boolean) => void) => {
    const input = h("input", { type: "checkbox", id, class: "form-check-input", checked: get() });
    input.addEventListener("change", () => set(input.checked));
    return { input, el: h("div", { class: "form-check" }, input, h("label", { class: "form-check-label", for: id }, t(key))) };
  };
  const detached = check("sign-detached", "sign.detached", () => session.detached, (v) => (session.detached = v));
  const add = check("sign-add", "sign.add", () => session.add, (v) => {
    session.add = v;
    detached.input.disabled = v;
  });
  detached.input.disabled = session.add;
  const cadesOptions = h("div", { class: "ms-4", id: "sign-cades-options" }, detached.el, add.el);
  cadesOptions.hidden = session.kind !== "cades";
  const timestamp = check("sign-timestamp", "sign.timestamp", () => session.timestamp, (v) => (session.timestamp = v));
  const tsaHelp = h("p", { class: "form-text", id: "sign-tsa-help" });
  const tsaLine = () => {
    const tsa = session.tokens?.tsa ?? null;
    timestamp.input.disabled = tsa === null;
    if (tsa === null) {
      timestamp.input.checked = false;
      session.timestamp = false;
    }
    tsaHelp.textContent = tsa ? t("sign.tsa.from", { url: tsa }) : t("sign.tsa.none");
  };

  const clearPin = () => {
    pin.value = "";
  };

  const showDetail = (i: number, focus: boolean) => {
    const f = session.results[i];
    if (!f?.check) return;
    detail.replaceChildren(detailPanel(f.check.report, f.check.verdict, f.check.unsupported));
    if (focus) detail.querySelector<HTMLElement>("#verify-detail-title")?.focus();
  };
  const drawResults = (out: SignOutcome | null) => {
    const items = session.results.map((f, i) => {
      const actions: HTMLElement[] = [];
      if (f.output) {
        const output = f.output;
        const reveal = h("button", { type: "button", class: "btn btn-outline-primary btn-sm me-2 sign-reveal" }, t("sign.result.folder"));
        reveal.addEventListener("click", () => {
          api.sign.reveal(output).catch((e) => say(errorText(e)));
        });
        const verify = h("button", { type: "button", class: "btn btn-outline-primary btn-sm me-2 sign-verify" }, t("sign.result.verify"));
        verify.addEventListener("click", () => {
          void verifyPaths([output]);
          location.hash = `#/${VERIFY_ID}`;
        });
        const more = h("button", { type: "button", class: "btn btn-link btn-sm sign-details", "aria-label": t("verify.details.for", { name: fileName(output) }) }, t("verify.details"));
        more.addEventListener("click", () => showDetail(i, true));
        actions.push(reveal, verify);
        if (f.check) actions.push(more);
      }
      return h(
        "li",
        { class: "list-group-item sign-result", "data-signed": f.output ? "yes" : "no", "data-verdict": f.check?.verdict ?? "" },
        h("p", { class: "mb-1" }, h("strong", {}, fileName(f.input))),
        f.output
          ? h(
              "p",
              { class: "mb-1" },
              t("sign.result.written", { name: fileName(f.output) }),
              " ",
              f.check ? h("span", { class: "sign-verdict" }, t("sign.result.verdict"), " ", verdictBadge(f.check.verdict)) : t("sign.result.unchecked"),
            )
          : h("div", { class: "alert alert-danger mb-1 sign-file-error" }, f.error ?? t("error.generic")),
        ...actions,
      );
    });
    const notes: HTMLElement[] = [];
    if (out?.stopped && out.remaining.length > 0) {
      notes.push(h("div", { class: "alert alert-warning" }, t("sign.stopped"), h("ul", {}, ...out.remaining.map((p) => h("li", {}, fileName(p))))));
    }
    results.replaceChildren(
      ...(items.length > 0 ? [h("h2", { class: "h4", id: "sign-results-title", tabindex: "-1" }, t("sign.results.title")), h("ul", { class: "list-group mb-3" }, ...items)] : []),
      ...notes,
    );
    detail.replaceChildren();
    if (session.results.length === 1) showDetail(0, false);
  };

  /** Sends one request; when the key asks for the PIN before every signature, asks again
   *  (saying why) and goes on with the files left. */
  const run = async (files: string[]) => {
    const f = form();
    const secret = pin.value;
    clearPin();
    signButton.disabled = true;
    busy.hidden = false;
    errorBox.replaceChildren();
    notice.replaceChildren();
    say(t("sign.running"));
    try {
      const out = await api.sign.run(choiceFor(f, files), secret);
      session.results = [...session.results, ...out.files];
      drawResults(out);
      if (out.always_authenticate && out.remaining.length > 0 && !out.stopped) {
        const left = out.remaining;
        const next = h("button", { type: "button", class: "btn btn-primary mt-2", id: "sign-continue" }, t("sign.continue", { count: left.length }));
        next.addEventListener("click", () => {
          if (pin.value.length === 0 && !option()?.token.pin_pad) {
            errorBox.replaceChildren(h("div", { class: "alert alert-danger" }, t("sign.missing.pin")));
            pin.focus();
            return;
          }
          void run(left);
        });
        notice.replaceChildren(h("div", { class: "alert alert-info" }, out.notice ?? "", " ", t("sign.again", { name: fileName(left[0] ?? "") })), next);
        say(out.notice ?? t("sign.again", { name: fileName(left[0] ?? "") }));
        pin.focus();
        return;
      }
      // Done: the list is emptied, so that the same files are not signed twice by mistake.
      if (!out.stopped) {
        session.files = [];
        drawFiles();
      }
      const ok = session.results.filter((r) => r.output).length;
      say(t("sign.done", { ok, total: session.results.length }));
      results.querySelector<HTMLElement>("#sign-results-title")?.focus();
    } catch (e) {
      const message = errorText(e);
      errorBox.replaceChildren(h("div", { class: "alert alert-danger" }, message));
      say(message);
      // The token may now report a low count or the final try: read its flags again.
      const code = e && typeof e === "object" && "code" in e ? String((e as { code: string }).code) : "";
      if (code === "sign_pin_incorrect" || code === "sign_pin_locked") await readTokens();
      pin.focus();
    } finally {
      signButton.disabled = false;
      busy.hidden = true;
    }
  };

  signButton.addEventListener("click", () => {
    errorBox.replaceChildren();
    const lack = missing(form());
    if (lack) {
      errorBox.replaceChildren(h("div", { class: "alert alert-danger" }, t(lack)));
      say(t(lack));
      if (lack === "sign.missing.pin") pin.focus();
      return;
    }
    session.results = [];
    const files = [...session.files];
    if (!needsConfirmation(files)) {
      void run(files);
      return;
    }
    // Several files: one PIN, only after the user has seen the list.
    const yes = h("button", { type: "button", class: "btn btn-primary me-2", id: "sign-confirm-yes" }, t("sign.confirm.yes", { count: files.length }));
    const no = h("button", { type: "button", class: "btn btn-outline-secondary", id: "sign-confirm-no" }, t("sign.confirm.no"));
    const close = () => {
      confirmBox.replaceChildren();
      signButton.focus();
    };
    no.addEventListener("click", () => {
      clearPin();
      close();
      say(t("sign.confirm.cancelled"));
    });
    yes.addEventListener("click", () => {
      confirmBox.replaceChildren();
      void run(files);
    });
    const dialog = h(
      "div",
      { role: "alertdialog", "aria-modal": "false", "aria-labelledby": "sign-confirm-title", "aria-describedby": "sign-confirm-list", class: "alert alert-warning", id: "sign-confirm-dialog" },
      h("h2", { class: "h5", id: "sign-confirm-title" }, t("sign.confirm.title", { count: files.length })),
      h("ul", { id: "sign-confirm-list" }, ...files.map((p) => h("li", {}, fileName(p)))),
      h("p", {}, t("sign.confirm.note")),
      yes,
      no,
    );
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "Escape") no.click();
    });
    confirmBox.replaceChildren(dialog);
    yes.focus();
  });
  pin.addEventListener("keydown", (e) => {
    if (e.key === "Enter") signButton.click();
  });

  const container = h(
    "div",
    { class: "sign-view", id: "sign-view" },
    h("h1", { tabindex: "-1" }, t("sign.title")),
    h("p", { class: "lead" }, t("sign.intro")),
    h(
      "section",
      { class: "mb-4", "aria-labelledby": "sign-files-title" },
      h("h2", { class: "h5", id: "sign-files-title" }, t("sign.files.title")),
      h("div", { class: "verify-drop mb-2", id: "sign-drop" }, h("p", { class: "mb-2" }, t("sign.drop")), pickButton),
      fileList,
    ),
    h(
      "section",
      { class: "mb-4", "aria-labelledby": "sign-cert-title" },
      h("h2", { class: "h5", id: "sign-cert-title" }, t("sign.cert.title")),
      h("label", { for: "sign-cert", class: "form-label" }, t("sign.cert.label")),
      certSelect,
      certInfo,
      refresh,
      tokensStatus,
    ),
    h(
      "fieldset",
      { class: "mb-4" },
      h("legend", { class: "h5" }, t("sign.kind.legend")),
      radio("cades", "sign.kind.cades"),
      cadesOptions,
      radio("pades", "sign.kind.pades"),
      h("p", { class: "form-text" }, t("sign.kind.help")),
      timestamp.el,
      tsaHelp,
    ),
    h(
      "div",
      { class: "mb-3" },
      h("label", { for: "sign-pin", class: "form-label" }, t("sign.pin.label")),
      pin,
      pinHelp,
    ),
    errorBox,
    confirmBox,
    h("div", { class: "mb-3" }, signButton, busy),
    notice,
    results,
    detail,
  );
  root.append(container);
  drawFiles();
  drawTokens();
  claimDrops((paths) => {
    if (!container.isConnected) return false;
    takeFiles(paths);
    return true;
  });
  if (session.results.length > 0) drawResults(null);
  if (!session.tokens) await readTokens();
}

export const signView: ViewDef = {
  id: SIGN_ID,
  navKey: "nav.sign",
  render,
};
