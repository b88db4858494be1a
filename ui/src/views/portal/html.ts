// Turning the portal crate's HTML into DOM nodes. The crate's output is already sanitised
// (ammonia); it is parsed here with DOMParser, which builds an inert document (no script
// runs, nothing loads), and checked once more before it joins the page.

/** Elements never kept, whatever the source says. */
const DROPPED = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "FORM", "LINK", "META", "BASE"]);

/** Addresses an `href` may have: in-app routes, web and mail addresses. */
const SAFE_HREF = /^(#\/|https?:\/\/|mailto:|tel:)/i;

/** Parses sanitised HTML into a fragment, dropping anything active that slipped through. */
export function inertFragment(html: string): DocumentFragment {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  for (const el of Array.from(doc.body.querySelectorAll("*"))) {
    if (DROPPED.has(el.tagName)) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || name === "style" || name === "srcdoc") {
        el.removeAttribute(attr.name);
      } else if (name === "href" && !SAFE_HREF.test(attr.value.trim())) {
        el.removeAttribute(attr.name);
      } else if (name === "src" && !/^data:image\//i.test(attr.value.trim())) {
        el.removeAttribute(attr.name);
      }
    }
  }
  const fragment = document.createDocumentFragment();
  for (const node of Array.from(doc.body.childNodes)) {
    fragment.append(document.importNode(node, true));
  }
  return fragment;
}

/** The app view each `app:` link of the content names, by our section ids. */
export const APP_VIEW_SECTIONS: Record<string, string> = {
  portale: "portale",
  impostazioni: "settings",
  pacchetti: "settings",
  verifica: "verify",
  vpn: "vpn",
};

/**
 * Points links into app views at the section that shows them; a link to a view this
 * version does not have becomes plain text.
 */
export function fixAppLinks(root: ParentNode, hasSection: (id: string) => boolean): void {
  for (const a of Array.from(root.querySelectorAll<HTMLAnchorElement>("a[data-app-view]"))) {
    const section = APP_VIEW_SECTIONS[a.dataset.appView ?? ""];
    if (section && hasSection(section)) {
      a.setAttribute("href", `#/${section}`);
    } else {
      const span = document.createElement("span");
      span.append(...Array.from(a.childNodes));
      a.replaceWith(span);
    }
  }
}

/** Splits a portal route (`#/portale/<slug>/<anchor>`) after the section id. */
export function portalRoute(rest: string[]): { slug: string | null; anchor: string | null } {
  const [slug, anchor] = rest;
  return { slug: slug ? slug : null, anchor: anchor ? anchor : null };
}

/** Groups page summaries by section, keeping the order in which sections first appear. */
export function groupBySection<T extends { section: string }>(items: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.section);
    if (list) list.push(item);
    else groups.set(item.section, [item]);
  }
  return Array.from(groups.entries());
}

/**
 * Calls `run` with the latest value once `wait` ms have passed without a new one; a
 * result that arrives after a newer call started is ignored by the caller via the token.
 */
export function debounce<A>(run: (value: A) => void, wait: number): (value: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (value: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => run(value), wait);
  };
}
