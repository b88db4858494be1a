// The "VPN" section: import profiles (dialog, drag and drop, double click), the check
// result in plain words, credentials saved in the system keychain, connect/disconnect, delete.
import { api, type VpnImport, type VpnLint, type VpnProfile } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { errorText, language, t } from "../../i18n";
import type { ViewDef } from "../types";
import { ConnectionPanel } from "./connection";
import { takePendingProfiles } from "./open";

/** The panel of the view on screen; the window's events go to it. */
let panel: ConnectionPanel | null = null;
let listening: Promise<void> | null = null;

function listenOnce(): Promise<void> {
  if (!listening) {
    listening = (async () => {
      await api.events.onVpnStatus((c) => panel?.apply({ type: "status", status: c }));
      await api.events.onVpnChallenge((c) => panel?.apply({ type: "challenge", challenge: c }));
    })();
  }
  return listening;
}

function kindLabel(kind: VpnProfile["kind"]): string {
  return kind === "wireguard" ? "WireGuard" : "OpenVPN";
}

/** The check result of one profile, in plain words. */
export function lintBlock(lint: VpnLint, id: string): HTMLElement {
  const box = h("div", {
    class: `alert ${lint.acceptable ? "alert-success" : "alert-danger"} vpn-lint`,
    id,
    "data-acceptable": lint.acceptable ? "true" : "false",
  });
  box.append(
    h(
      "p",
      { class: "fw-semibold mb-1" },
      t(lint.acceptable ? "vpn.lint.ok" : "vpn.lint.refused", { file: lint.file, kind: kindLabel(lint.kind) }),
    ),
  );
  if (lint.refused.length > 0) {
    box.append(
      h("p", { class: "mb-1" }, t("vpn.lint.refused_intro")),
      h("ul", { class: "vpn-findings mb-1" }, ...lint.refused.map((f) => h("li", { "data-code": f.code }, f.message))),
      h("p", { class: "mb-0" }, t("vpn.lint.refused_help")),
    );
  }
  if (lint.acceptable && lint.inlined.length > 0) {
    box.append(h("p", { class: "mb-1" }, t("vpn.lint.inlined", { files: lint.inlined.join(", ") })));
  }
  if (lint.acceptable && lint.remotes.length > 0) {
    box.append(h("p", { class: "mb-0" }, t("vpn.lint.remotes", { servers: lint.remotes.join(", ") })));
  }
  return box;
}

function importBlock(result: VpnImport): HTMLElement {
  if (result.outcome === "refused") return lintBlock(result.lint, "vpn-import-lint");
  const box = lintBlock(result.profile.lint, "vpn-import-lint");
  box.prepend(h("p", { class: "mb-1" }, t("vpn.imported", { name: result.profile.name })));
  return box;
}

function credentialsSection(p: VpnProfile, keychainOk: boolean, refresh: () => Promise<void>, say: (m: string, ok: boolean) => void): HTMLElement {
  const section = h("div", { class: "vpn-credentials mt-3" });
  const state =
    p.credentials.state === "saved"
      ? t("vpn.creds.saved", { username: p.credentials.username })
      : p.credentials.state === "none"
        ? t(p.lint.needs_credentials ? "vpn.creds.none_needed" : "vpn.creds.none")
        : t("vpn.creds.unknown");
  section.append(h("p", { class: "vpn-creds-state" }, state));
  if (!keychainOk || !p.lint.acceptable) return section;
  const userId = `vpn-user-${p.id}`;
  const passId = `vpn-pass-${p.id}`;
  const user = h("input", {
    type: "text",
    id: userId,
    class: "form-control",
    autocomplete: "username",
    spellcheck: "false",
    value: p.credentials.state === "saved" ? p.credentials.username : undefined,
  });
  const pass = h("input", { type: "password", id: passId, class: "form-control", autocomplete: "off" });
  const save = h("button", { type: "submit", class: "btn btn-primary btn-sm me-2 vpn-creds-save" }, t("vpn.creds.save"));
  const form = h(
    "form",
    { class: "vpn-creds-form", novalidate: true },
    h("fieldset", {}, h("legend", { class: "h6" }, t("vpn.creds.legend", { name: p.name })),
      h("div", { class: "mb-2" }, h("label", { for: userId, class: "form-label" }, t("vpn.creds.username")), user),
      h("div", { class: "mb-2" }, h("label", { for: passId, class: "form-label" }, t("vpn.creds.password")), pass),
      h("p", { class: "form-text" }, t("vpn.creds.where")),
      save,
    ),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (user.value.trim() === "" || pass.value === "") {
      say(t("vpn.creds.empty"), false);
      return;
    }
    save.disabled = true;
    try {
      await api.vpn.setCredentials(p.id, user.value, pass.value);
      pass.value = "";
      say(t("vpn.creds.done", { name: p.name }), true);
      await refresh();
    } catch (err) {
      say(errorText(err), false);
    } finally {
      save.disabled = false;
    }
  });
  section.append(form);
  if (p.credentials.state === "saved") {
    const forget = h("button", { type: "button", class: "btn btn-outline-secondary btn-sm mt-2 vpn-creds-forget" }, t("vpn.creds.forget"));
    forget.addEventListener("click", async () => {
      try {
        await api.vpn.forgetCredentials(p.id);
        say(t("vpn.creds.forgotten", { name: p.name }), true);
        await refresh();
      } catch (err) {
        say(errorText(err), false);
      }
    });
    section.append(forget);
  }
  return section;
}

function profileCard(p: VpnProfile, keychainOk: boolean, refresh: () => Promise<void>, say: (m: string, ok: boolean) => void, conn: ConnectionPanel): HTMLElement {
  const headingId = `vpn-title-${p.id}-${p.origin}`;
  const badges = [h("span", { class: "badge bg-secondary me-1" }, kindLabel(p.kind))];
  if (p.read_only) badges.push(h("span", { class: "badge bg-primary" }, t("vpn.from_it")));
  const body = h(
    "div",
    { class: "card-body" },
    h("h3", { class: "card-title h5", id: headingId }, p.name, " ", ...badges),
    p.imported_at
      ? h("p", { class: "card-text small mb-1" }, t("vpn.imported_at", { file: p.source_file ?? p.name, date: formatIso(p.imported_at, language()) }))
      : null,
    p.lint.remotes.length > 0 ? h("p", { class: "card-text mb-1" }, t("vpn.lint.remotes", { servers: p.lint.remotes.join(", ") })) : null,
    p.lint.acceptable ? null : lintBlock(p.lint, `vpn-lint-${p.id}`),
    p.lint.acceptable
      ? conn.button(p.id, !p.lint.needs_credentials || p.credentials.state === "saved")
      : null,
    credentialsSection(p, keychainOk, refresh, say),
  );
  if (!p.read_only) {
    const del = h("button", { type: "button", class: "btn btn-outline-danger btn-sm mt-3 vpn-delete" }, t("vpn.delete"));
    del.addEventListener("click", () => {
      const confirm = h("button", { type: "button", class: "btn btn-danger btn-sm mt-3 ms-2 vpn-delete-confirm" }, t("vpn.delete.confirm", { name: p.name }));
      confirm.addEventListener("click", async () => {
        try {
          await api.vpn.remove(p.id);
          say(t("vpn.deleted", { name: p.name }), true);
          await refresh();
        } catch (err) {
          say(errorText(err), false);
        }
      });
      del.after(confirm);
      del.disabled = true;
      confirm.focus();
    });
    body.append(del);
  }
  return h("li", { class: "card card-bg mb-3 vpn-profile", "data-profile-id": p.id, "data-origin": p.origin, "aria-labelledby": headingId }, body);
}

export const vpnView: ViewDef = {
  id: "vpn",
  navKey: "nav.vpn",
  async render(root, ctx) {
    const result = h("div", { id: "vpn-result", class: "mt-3", role: "status" });
    const listBox = h("div", { id: "vpn-list" });
    const keychainBox = h("div", { id: "vpn-keychain" });
    const conn = new ConnectionPanel((m) => ctx.announce(m));
    panel = conn;
    const say = (message: string, ok: boolean) => {
      result.replaceChildren(h("div", { class: `alert ${ok ? "alert-success" : "alert-danger"}` }, message));
      ctx.announce(message);
    };
    const refresh = async () => {
      const view = await api.vpn.list();
      const keychainOk = view.keychain_problem === null;
      keychainBox.replaceChildren(
        ...(view.keychain_problem
          ? [h("div", { class: "alert alert-warning", id: "vpn-keychain-problem", role: "alert" },
              view.keychain_problem.message ?? errorText(view.keychain_problem))]
          : []),
      );
      listBox.replaceChildren(
        view.profiles.length === 0
          ? h("p", { id: "vpn-empty" }, t("vpn.empty"))
          : h("ul", { class: "list-unstyled", id: "vpn-profiles" }, ...view.profiles.map((p) => profileCard(p, keychainOk, refresh, say, conn))),
      );
    };
    const showImport = (r: VpnImport) => {
      result.replaceChildren(importBlock(r));
      ctx.announce(r.outcome === "imported" ? t("vpn.imported", { name: r.profile.name }) : t("vpn.lint.refused", { file: r.lint.file, kind: kindLabel(r.lint.kind) }));
    };

    const pick = h("button", { type: "button", class: "btn btn-primary", id: "vpn-import" }, t("vpn.import"));
    pick.addEventListener("click", async () => {
      pick.disabled = true;
      try {
        const out = await api.vpn.importPick(t("vpn.import.title"));
        if (out.outcome === "cancelled") {
          result.replaceChildren(h("p", {}, t("vpn.cancelled")));
        } else {
          showImport(out.result);
          await refresh();
        }
      } catch (e) {
        say(errorText(e), false);
      } finally {
        pick.disabled = false;
      }
    });

    root.append(
      h("h1", { tabindex: "-1" }, t("vpn.title")),
      h("p", { class: "lead" }, t("vpn.intro")),
      keychainBox,
      conn.root,
      h("div", { class: "vpn-drop p-3 mb-3", id: "vpn-drop" }, h("p", { class: "mb-2" }, t("vpn.drop")), pick),
      result,
      h("h2", { class: "h4 mt-4" }, t("vpn.list")),
      listBox,
    );
    await refresh();
    try {
      await listenOnce();
      conn.apply({ type: "status", status: await api.vpn.status() });
    } catch (e) {
      say(errorText(e), false);
    }

    // Files dropped, forwarded or opened by a double click.
    for (const path of takePendingProfiles()) {
      try {
        showImport(await api.vpn.importPath(path));
      } catch (e) {
        say(errorText(e), false);
      }
      await refresh();
    }
  },
};
