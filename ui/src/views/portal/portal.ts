// The "Portale" section: the offline smart-working portal. The index lists the pages by
// section, with search as you type, the content version and an update check; a page shows
// its table of contents and its body (sanitised HTML from the portal crate).
import { ASSESSMENT_ANCHOR, renderAssessment } from "./assessment";
import {
  api,
  type PortalNewsItem,
  type PortalPage,
  type PortalPageSummary,
  type PortalSearchHit,
  type PortalStatus,
} from "../../api";
import { h } from "../../dom";
import { errorText, language, t } from "../../i18n";
import type { ViewContext, ViewDef } from "../types";
import { debounce, fixAppLinks, groupBySection, inertFragment, portalRoute } from "./html";

/** Delay between the last key press and the search. */
const SEARCH_DELAY_MS = 150;

/** A calendar date (`YYYY-MM-DD`) in words, in the user's language. */
export function formatDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "it-IT", {
    dateStyle: "long",
    timeZone: "UTC",
  }).format(d);
}

/** The line describing the content shown: version, date, origin. */
export function statusText(s: PortalStatus): string {
  const origin = s.bundled ? t("portal.status.bundled") : t("portal.status.pack");
  if (!s.info) return origin;
  return t("portal.status.version", {
    version: s.info.version,
    date: formatDay(s.info.published),
    origin,
  });
}

function pageLink(slug: string, anchor?: string): string {
  const base = `#/portale/${encodeURIComponent(slug)}`;
  return anchor ? `${base}/${encodeURIComponent(anchor)}` : base;
}

/** Renders search hits: title linking to the page and the snippet with matches marked. */
export function renderHits(list: HTMLElement, hits: PortalSearchHit[]): void {
  list.replaceChildren(
    ...hits.map((hit) =>
      h(
        "li",
        { class: "portal-hit mb-3", "data-slug": hit.slug },
        h("a", { href: pageLink(hit.slug), class: "portal-hit-title fw-semibold" }, hit.title),
        h("p", { class: "portal-snippet mb-0" }, inertFragment(hit.snippet_html)),
      ),
    ),
  );
}

function searchBox(ctx: ViewContext): HTMLElement {
  const input = h("input", {
    type: "search",
    id: "portal-search",
    class: "form-control",
    autocomplete: "off",
    "aria-describedby": "portal-search-help",
    "aria-controls": "portal-results",
  });
  const count = h("p", { id: "portal-results-count", class: "mt-2", role: "status" });
  const list = h("ol", { id: "portal-results", class: "list-unstyled mt-2" });
  let token = 0;
  const run = debounce(async (query: string) => {
    const mine = ++token;
    const q = query.trim();
    if (q === "") {
      list.replaceChildren();
      count.textContent = "";
      return;
    }
    try {
      const hits = await api.portal.search(q);
      if (mine !== token) return; // a newer query is on its way
      renderHits(list, hits);
      count.textContent =
        hits.length === 0 ? t("portal.search.none", { query: q }) : t("portal.search.count", { count: hits.length });
    } catch (e) {
      if (mine !== token) return;
      list.replaceChildren();
      count.textContent = errorText(e);
      ctx.announce(errorText(e));
    }
  }, SEARCH_DELAY_MS);
  input.addEventListener("input", () => run(input.value));
  return h(
    "div",
    { class: "portal-search mb-4", role: "search" },
    h("label", { for: "portal-search", class: "form-label fw-semibold" }, t("portal.search.label")),
    input,
    h("p", { id: "portal-search-help", class: "form-text" }, t("portal.search.help")),
    count,
    list,
  );
}

function updatePanel(status: PortalStatus, ctx: ViewContext): HTMLElement {
  const result = h("div", { id: "portal-update-result", class: "mt-2", role: "status" });
  const button = h(
    "button",
    { type: "button", class: "btn btn-outline-primary btn-sm", id: "portal-check" },
    t("portal.check"),
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const packs = await api.packs.status();
      if (packs.update_urls.length === 0) {
        result.textContent = t("portal.check.no_urls");
      } else if (await api.packs.checkNow()) {
        result.textContent = t("portal.check.started");
        const unlisten = await api.events.onPackUpdate((e) => {
          unlisten();
          if (!result.isConnected) return;
          if (e.outcome?.status === "installed" && e.outcome.installed.kind === "portal") {
            ctx.rerender();
            ctx.announce(t("portal.check.installed", { version: e.outcome.installed.version }));
          } else if (e.outcome === null) {
            result.textContent = (language() === "en" ? e.message_en : e.message_it) ?? t("error.generic");
          } else {
            result.textContent = t("portal.check.current");
          }
        });
      } else {
        result.textContent = t("portal.check.unavailable");
      }
    } catch (e) {
      result.textContent = errorText(e);
    } finally {
      button.disabled = false;
    }
  });
  const lines: HTMLElement[] = [h("p", { id: "portal-version", class: "mb-1" }, statusText(status))];
  if (status.fallback) {
    lines.push(h("p", { class: "text-danger mb-1" }, t("portal.status.fallback", { reason: status.fallback })));
  }
  return h("div", { class: "portal-update mb-4" }, ...lines, button, result);
}

function newsList(items: PortalNewsItem[]): HTMLElement[] {
  if (items.length === 0) return [];
  return [
    h("h2", { class: "h4 mt-4", id: "portal-news" }, t("portal.news")),
    h(
      "ul",
      { class: "list-unstyled" },
      ...items.map((n) =>
        h(
          "li",
          { class: "mb-3" },
          h(
            "details",
            {},
            h("summary", {}, `${formatDay(n.date)} — ${n.title}`),
            h("p", { class: "fst-italic" }, n.summary),
            h("div", { class: "portal-body" }, inertFragment(n.html)),
          ),
        ),
      ),
    ),
  ];
}

async function renderIndex(root: HTMLElement, ctx: ViewContext): Promise<void> {
  const [pages, status, news] = await Promise.all([api.portal.list(), api.portal.status(), api.portal.news()]);
  const groups = groupBySection<PortalPageSummary>(pages).map(([section, items]) =>
    h(
      "section",
      { class: "col-12 col-lg-6 mb-3" },
      h("h3", { class: "h5" }, section),
      h(
        "ul",
        { class: "portal-pages" },
        ...items.map((p) =>
          h(
            "li",
            { class: "mb-2" },
            h("a", { href: pageLink(p.slug), "data-slug": p.slug }, p.title),
            h("br", {}),
            h("span", { class: "small" }, p.summary),
          ),
        ),
      ),
    ),
  );
  root.append(
    h("h1", { tabindex: "-1" }, t("portal.title")),
    h("p", { class: "lead" }, t("portal.intro")),
    updatePanel(status, ctx),
    searchBox(ctx),
    h("h2", { class: "h4" }, t("portal.pages")),
    h("div", { class: "row" }, ...groups),
    ...newsList(news),
  );
}

/** Handles clicks on links of a page body: external addresses and attachments. */
function wireLinks(body: HTMLElement, ctx: ViewContext): void {
  body.addEventListener("click", async (ev) => {
    const target = ev.target instanceof Element ? ev.target.closest("a") : null;
    if (!target) return;
    if (target.dataset.external !== undefined) {
      ev.preventDefault();
      try {
        await api.portal.openExternal(target.getAttribute("href") ?? "");
        ctx.announce(t("portal.external.opened"));
      } catch (e) {
        ctx.announce(errorText(e));
      }
    } else if (target.dataset.attachment !== undefined) {
      ev.preventDefault();
      try {
        const out = await api.portal.saveAttachment(target.dataset.attachment, t("portal.attachment.title"));
        ctx.announce(out.outcome === "saved" ? t("portal.attachment.saved", { file: out.file }) : t("portal.attachment.cancelled"));
      } catch (e) {
        ctx.announce(errorText(e));
      }
    }
  });
}

/** Builds the page view; the heading an anchor in the route names gets the focus. */
export function buildPage(root: HTMLElement, page: PortalPage, anchor: string | null, ctx: ViewContext): void {
  const body = h("article", { class: "portal-body", id: "portal-body", "data-slug": page.slug });
  body.append(inertFragment(page.html));
  fixAppLinks(body, ctx.hasSection);
  wireLinks(body, ctx);
  if (anchor) {
    const heading = Array.from(body.querySelectorAll<HTMLElement>("[id]")).find((el) => el.id === anchor);
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.dataset.focusTarget = "";
    }
  }
  const toc =
    page.toc.length > 0
      ? h(
          "nav",
          { class: "portal-toc mb-4", "aria-labelledby": "portal-toc-title" },
          h("h2", { class: "h6", id: "portal-toc-title" }, t("portal.toc")),
          h(
            "ul",
            {},
            ...page.toc.map((e) =>
              h(
                "li",
                { class: e.level === 3 ? "ms-3" : undefined },
                h("a", { href: pageLink(page.slug, e.anchor) }, e.text),
              ),
            ),
          ),
        )
      : null;
  root.append(
    h(
      "nav",
      { "aria-label": t("portal.breadcrumb") },
      h("a", { href: "#/portale", id: "portal-back" }, t("portal.back")),
    ),
    h("h1", { tabindex: "-1", id: "portal-page-title" }, page.title),
    h("p", { class: "lead" }, page.summary),
    h("p", { class: "small" }, t("portal.reviewed", { date: formatDay(page.reviewed), section: page.section })),
    ...(toc ? [toc] : []),
    body,
  );
}

export const portalView: ViewDef = {
  id: "portale",
  navKey: "nav.portal",
  async render(root, ctx) {
    const { slug, anchor } = portalRoute(ctx.route);
    if (slug === null) {
      await renderIndex(root, ctx);
      return;
    }
    const page = await api.portal.page(slug);
    buildPage(root, page, anchor, ctx);
    // A page with an "Autovalutazione" section hosts the questionnaire, right after it.
    const host = root.querySelector<HTMLElement>(`#portal-body [id="${ASSESSMENT_ANCHOR}"]`);
    if (host) {
      const view = await api.portal.assessment();
      if (view) {
        const slot = h("div", {});
        renderAssessment(slot, view, ctx.announce);
        // Before the next section's heading, so it sits inside "Autovalutazione".
        let next = host.nextElementSibling;
        while (next && next.tagName !== "H2") next = next.nextElementSibling;
        if (next) next.before(...slot.childNodes);
        else host.parentElement?.append(...slot.childNodes);
      }
    }
  },
};
