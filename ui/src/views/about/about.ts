import { api, type AppInfo, type Component } from "../../api";
import { h } from "../../dom";
import { formatDateTime } from "../../format";
import { language, t, type MessageKey } from "../../i18n";
import type { ViewDef } from "../types";
import { renderUpdates } from "./updates";

const kindKey: Record<Component["kind"], MessageKey> = {
  crate: "about.kind.crate",
  npm: "about.kind.npm",
  font: "about.kind.font",
};

function buildText(info: AppInfo): string {
  if (info.build.commit === "unknown") return t("about.build.unknown");
  const parts = [t("about.build.commit", { commit: info.build.commit })];
  if (info.build.time !== null) {
    parts.push(t("about.build.date", { date: formatDateTime(info.build.time, language()) }));
  }
  return parts.join(" ");
}

export function renderAbout(root: HTMLElement, info: AppInfo): void {
  const dl = (rows: [MessageKey, string][]) =>
    h(
      "dl",
      { class: "row" },
      ...rows.flatMap(([k, v]) => [
        h("dt", { class: "col-sm-3" }, t(k)),
        h("dd", { class: "col-sm-9" }, h("code", {}, v)),
      ]),
    );
  const table = h(
    "table",
    { class: "table table-sm" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(["about.col.name", "about.col.version", "about.col.license", "about.col.kind"] as const).map(
          (k) => h("th", { scope: "col" }, t(k)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...info.components.map((c) =>
        h(
          "tr",
          {},
          h("td", {}, c.name),
          h("td", {}, c.version),
          h("td", {}, c.license),
          h("td", {}, t(kindKey[c.kind])),
        ),
      ),
    ),
  );
  root.append(
    h("h1", { tabindex: "-1" }, t("about.title")),
    h(
      "dl",
      { class: "row" },
      h("dt", { class: "col-sm-3" }, t("about.version")),
      h("dd", { class: "col-sm-9", id: "about-version" }, info.version),
      h("dt", { class: "col-sm-3" }, t("about.build")),
      h("dd", { class: "col-sm-9" }, buildText(info)),
    ),
    h(
      "div",
      { class: "callout note", role: "note" },
      h("div", { class: "callout-title" }, t("about.disclaimer.title")),
      h("p", {}, t("about.disclaimer")),
    ),
    h("h2", { class: "h4 mt-4" }, t("about.folders")),
    dl([
      ["about.folder.data", info.folders.data],
      ["about.folder.config", info.folders.config],
      ["about.folder.logs", info.folders.logs],
    ]),
    h("h2", { class: "h4 mt-4" }, t("about.components")),
    h("p", {}, t("about.components.count", { count: info.components.length })),
    h("div", { class: "table-responsive components", tabindex: "0", role: "region", "aria-label": t("about.components") }, table),
  );
}

export const aboutView: ViewDef = {
  id: "about",
  navKey: "nav.about",
  async render(root, ctx) {
    renderAbout(root, await api.about.info());
    const updates = h("section", { "aria-labelledby": "updates" });
    // After the version, before the folders.
    root.querySelector(".callout.note")?.after(updates);
    await renderUpdates(updates, ctx.announce);
  },
};
