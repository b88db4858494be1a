// The frame around every view: header, navigation, main region, live region; hash routing.
import { ApiError } from "./api";
import { h } from "./dom";
import { errorText, t } from "./i18n";
import { findSection, sections } from "./views/registry";
import type { ViewContext } from "./views/types";

/** How long a status message stays on screen. */
const STATUS_VISIBLE_MS = 10_000;

function currentId(): string {
  const id = location.hash.replace(/^#\/?/, "").split("/")[0] ?? "";
  return findSection(id) ? id : "home";
}

/** The route segments after the section id, decoded; empty for an unknown section. */
export function currentRest(): string[] {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (!findSection(parts[0] ?? "")) return [];
  return parts
    .slice(1)
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
}

export class Shell {
  private readonly live = h("div", { id: "live", class: "visually-hidden", "aria-live": "polite" });
  private readonly status = h("div", { id: "status", class: "status-message", role: "status" });
  private renderToken = 0;
  private statusTimer: number | undefined;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener("hashchange", () => void this.renderView(true));
  }

  private ctx: ViewContext = {
    rerender: () => void this.render(),
    announce: (message: string) => {
      this.live.textContent = message;
      this.status.textContent = message;
      // The visible copy fades after a while; the live region keeps it for screen readers.
      window.clearTimeout(this.statusTimer);
      this.statusTimer = window.setTimeout(() => {
        if (this.status.textContent === message) this.status.textContent = "";
      }, STATUS_VISIBLE_MS);
    },
    route: [],
    hasSection: (id: string) => findSection(id) !== undefined,
  };

  /** Builds header and navigation in the current language, then the current view. */
  async render(): Promise<void> {
    document.title = t("app.name");
    const skip = document.getElementById("skip-link");
    if (skip) skip.textContent = t("skip");
    const active = currentId();
    const nav = h(
      "nav",
      { class: "app-nav", "aria-label": t("nav.label") },
      h(
        "ul",
        {},
        ...sections.map((s) =>
          h(
            "li",
            {},
            h(
              "a",
              {
                href: `#/${s.id}`,
                id: `nav-${s.id}`,
                "data-section": s.id,
                "aria-current": s.id === active ? "page" : undefined,
              },
              t(s.navKey),
            ),
          ),
        ),
      ),
    );
    const header = h(
      "header",
      { class: "app-header" },
      h(
        "div",
        { class: "brand" },
        h("span", { class: "brand-name" }, t("app.name")),
        h("span", { class: "brand-tagline" }, t("app.tagline")),
      ),
      nav,
    );
    const main = h("main", { id: "main", tabindex: "-1", class: "container-fluid app-main" });
    this.root.replaceChildren(header, main, this.status, this.live);
    await this.renderView(false);
  }

  private async renderView(moveFocus: boolean): Promise<void> {
    const id = currentId();
    const token = ++this.renderToken;
    for (const a of this.root.querySelectorAll<HTMLAnchorElement>(".app-nav a")) {
      if (a.dataset.section === id) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    const main = this.root.querySelector<HTMLElement>("#main");
    if (!main) return;
    const view = findSection(id);
    const container = h("div", { class: "view", "data-view": id, "aria-busy": "true" });
    container.append(h("p", {}, t("loading")));
    main.replaceChildren(container);
    try {
      const content = h("div", {});
      await view?.render(content, { ...this.ctx, route: currentRest() });
      if (token !== this.renderToken) return; // a newer navigation won
      container.replaceChildren(...content.childNodes);
    } catch (e) {
      console.error(e);
      container.replaceChildren(
        h(
          "div",
          { class: "alert alert-danger", role: "alert" },
          h("h1", { class: "h4", tabindex: "-1" }, t("error.title")),
          h("p", {}, e instanceof ApiError ? errorText(e) : t("error.generic")),
        ),
      );
    }
    container.removeAttribute("aria-busy");
    document.body.dataset.ready = id;
    if (moveFocus) {
      // A view may name what gets the focus (a heading a link pointed at).
      const target =
        container.querySelector<HTMLElement>("[data-focus-target]") ?? container.querySelector<HTMLElement>("h1");
      target?.focus(); // focusing scrolls the element into view
    }
  }
}
