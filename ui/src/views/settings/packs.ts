// The "Aggiornamenti dei contenuti" panel of the settings view: installed packs, install
// from a file, check the addresses IT configured.
import { api, type PacksView, type PackKind, type UpdateEvent } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { errorText, language, t, type MessageKey } from "../../i18n";

const kindKey: Record<PackKind, MessageKey> = {
  portal: "packs.kind.portal",
  trust: "packs.kind.trust",
  profiles: "packs.kind.profiles",
};

export function updateText(e: UpdateEvent): string {
  if (e.outcome === null) {
    return (language() === "en" ? e.message_en : e.message_it) ?? t("error.generic");
  }
  switch (e.outcome.status) {
    case "not_modified":
      return t("packs.update.not_modified", { url: e.url });
    case "up_to_date":
      return t("packs.update.up_to_date", { url: e.url, version: e.outcome.version });
    case "installed":
      return t("packs.update.installed", { url: e.url, version: e.outcome.installed.version });
  }
}

function statusTable(view: PacksView): HTMLElement {
  return h(
    "table",
    { class: "table table-sm", id: "packs-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("packs.col.kind")),
        h("th", { scope: "col" }, t("packs.col.version")),
        h("th", { scope: "col" }, t("packs.col.installed")),
      ),
    ),
    h(
      "tbody",
      {},
      ...view.kinds.map((k) =>
        h(
          "tr",
          { "data-kind": k.kind },
          h("th", { scope: "row" }, t(kindKey[k.kind])),
          h("td", { class: "pack-version" }, k.installed ? String(k.installed.version) : t("packs.none")),
          h("td", {}, k.installed ? formatIso(k.installed.installed_at, language()) : "—"),
        ),
      ),
    ),
  );
}

/** Renders the panel into `root`; `announce` reports outcomes to the user. */
export async function renderPacks(root: HTMLElement, announce: (m: string) => void): Promise<void> {
  const view = await api.packs.status();
  const result = h("div", { id: "packs-result", class: "mt-2", role: "status" });
  // The view is built off-document and moved into place, so keep element references
  // rather than looking them up under `root` later.
  let table = statusTable(view);
  const refresh = async () => {
    const fresh = statusTable(await api.packs.status());
    table.replaceWith(fresh);
    table = fresh;
  };
  const say = (message: string, kind: "ok" | "error") => {
    result.replaceChildren(
      h("div", { class: `alert ${kind === "ok" ? "alert-success" : "alert-danger"}` }, message),
    );
    announce(message);
  };

  const install = h("button", { type: "button", class: "btn btn-primary me-2", id: "packs-install" }, t("packs.install"));
  install.addEventListener("click", async () => {
    install.disabled = true;
    result.replaceChildren(h("p", {}, t("packs.installing")));
    try {
      const out = await api.packs.installPick(t("packs.install.title"));
      if (out.outcome === "cancelled") {
        result.replaceChildren(h("p", {}, t("packs.cancelled")));
      } else {
        say(t("packs.installed", { kind: t(kindKey[out.installed.kind]), version: out.installed.version }), "ok");
        await refresh();
      }
    } catch (e) {
      say(errorText(e), "error");
    } finally {
      install.disabled = false;
    }
  });

  const controls = h("div", { class: "mt-3" }, install);
  const notes: HTMLElement[] = [];
  if (view.update_urls.length > 0) {
    const check = h("button", { type: "button", class: "btn btn-outline-primary", id: "packs-check" }, t("packs.check"));
    check.addEventListener("click", async () => {
      try {
        await api.packs.checkNow();
        result.replaceChildren(h("p", {}, t("packs.checking")));
      } catch (e) {
        say(errorText(e), "error");
      }
    });
    controls.append(check);
    notes.push(h("p", {}, t("packs.urls", { hours: view.interval_hours, urls: view.update_urls.join(", ") })));
  } else {
    notes.push(h("p", { class: "form-text" }, t("packs.no_urls")));
  }
  if (view.keys.length === 0) {
    notes.push(h("div", { class: "alert alert-warning", id: "packs-no-keys" }, t("packs.no_keys")));
  }
  for (const problem of [view.config_problem, ...view.key_problems, ...view.kinds.map((k) => k.problem)]) {
    if (problem) notes.push(h("p", { class: "text-danger" }, t("packs.problem", { problem })));
  }
  const history = view.last_updates.map((e) => h("li", {}, updateText(e)));

  root.append(
    h("h2", { class: "h4 mt-5" }, t("packs.title")),
    h("p", {}, t("packs.intro")),
    table,
    ...notes,
    ...(history.length > 0 ? [h("ul", { id: "packs-history" }, ...history)] : []),
    controls,
    result,
  );

  // Background checks report here while the panel is shown.
  const unlisten = await api.events.onPackUpdate(async (e) => {
    if (!result.isConnected) {
      unlisten();
      return;
    }
    say(updateText(e), e.outcome === null ? "error" : "ok");
    await refresh();
  });
}
