import { beforeEach, describe, expect, test, vi } from "vitest";

import type { PortalPage, PortalSearchHit } from "../src/api";

const { page, pages, search, openExternal, saveAttachment, packsStatus, checkNow } = vi.hoisted(() => ({
  page: {
    slug: "verifica-firma-digitale",
    title: "Verifica della firma digitale",
    summary: "Come controllare un documento firmato.",
    section: "Firma digitale",
    reviewed: "2026-11-20",
    order: 1,
    tags: [],
    sources: [],
    html:
      '<h2 id="passi">Passi</h2><p>Apri <a href="#/verifica" data-app-view="verifica">Verifica firma</a> o ' +
      '<a href="#/impostazioni" data-app-view="impostazioni">Impostazioni</a>, leggi ' +
      '<a href="#/portale/glossario/firma" data-portal-slug="glossario" data-portal-anchor="firma">il glossario</a>, ' +
      '<a href="https://www.agid.gov.it/" class="external" data-external="true">AgID</a> e ' +
      '<a href="#/portale-allegato/modelli/a.rtf" data-attachment="modelli/a.rtf">il modello</a>.</p>' +
      '<img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script>' +
      '<a href="javascript:alert(1)" onclick="window.__pwned = 3">x</a>' +
      '<h3 id="controlli">Controlli</h3><p>Fine.</p>',
    toc: [
      { level: 2, text: "Passi", anchor: "passi" },
      { level: 3, text: "Controlli", anchor: "controlli" },
    ],
    text: "",
  } as PortalPage,
  pages: [
    { slug: "lavoro-agile", title: "Lavoro agile", summary: "Che cos'è", section: "Regole", reviewed: "2026-11-20" },
    { slug: "sicurezza", title: "Sicurezza", summary: "Consigli", section: "Sicurezza", reviewed: "2026-11-20" },
    { slug: "normativa", title: "Normativa", summary: "Leggi", section: "Regole", reviewed: "2026-11-20" },
  ],
  search: vi.fn(async (query: string): Promise<PortalSearchHit[]> => [
    {
      slug: "verifica-firma-digitale",
      title: "Verifica della firma digitale",
      snippet: `la ${query} digitale`,
      snippet_html: `la <mark>${query}</mark> digitale &lt;b&gt;`,
      score: 3,
    },
  ]),
  openExternal: vi.fn(async () => undefined),
  saveAttachment: vi.fn(async () => ({ outcome: "saved", file: "/tmp/a.rtf" })),
  packsStatus: vi.fn(async () => ({ update_urls: [] as string[] })),
  checkNow: vi.fn(async () => true),
}));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return {
    ...real,
    api: {
      settings: { get: async () => ({ language: "it" }), setLanguage: async () => ({ language: "it" }) },
      about: { info: async () => ({}) },
      packs: { status: packsStatus, installPick: vi.fn(), checkNow },
      portal: {
        list: async () => pages,
        page: async () => page,
        search,
        news: async () => [
          { id: "n1", title: "Nuova guida", date: "2026-11-10", summary: "In breve", html: "<p>Testo</p>" },
        ],
        status: async () => ({
          info: { version: "2026.11.1", published: "2026-11-26", publisher: "IT" },
          bundled: true,
          fallback: null,
          pages: 3,
        }),
        openExternal,
        saveAttachment,
      },
      events: { onOpenArgs: async () => () => {}, onPackUpdate: async () => () => {} },
    },
  };
});

import { setLanguage } from "../src/i18n";
import { Shell } from "../src/shell";
import { debounce, groupBySection, inertFragment, portalRoute } from "../src/views/portal/html";

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

async function open(hash: string): Promise<HTMLElement> {
  document.body.innerHTML = '<a id="skip-link" href="#main"></a><div id="app"></div>';
  const root = document.getElementById("app")!;
  location.hash = hash;
  await settled();
  await new Shell(root).render();
  return root;
}

describe("portal helpers", () => {
  test("route splits slug and anchor", () => {
    expect(portalRoute([])).toEqual({ slug: null, anchor: null });
    expect(portalRoute(["glossario", "firma"])).toEqual({ slug: "glossario", anchor: "firma" });
  });

  test("groups keep the order sections first appear in", () => {
    const groups = groupBySection(pages);
    expect(groups.map(([s, items]) => [s, items.map((i) => i.slug)])).toEqual([
      ["Regole", ["lavoro-agile", "normativa"]],
      ["Sicurezza", ["sicurezza"]],
    ]);
  });

  test("inert fragment drops scripts, handlers and unsafe addresses", () => {
    const host = document.createElement("div");
    host.append(inertFragment(page.html));
    expect(host.querySelector("script")).toBeNull();
    expect(host.querySelector("[onerror], [onclick]")).toBeNull();
    expect(host.querySelector('a[href^="javascript"]')).toBeNull();
    expect(host.querySelector("img")?.hasAttribute("src")).toBe(false);
    expect(host.querySelector("#passi")?.textContent).toBe("Passi");
  });

  test("debounce runs once with the latest value", async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const run = debounce((v: string) => seen.push(v), 100);
    run("f");
    run("fi");
    run("firma");
    vi.advanceTimersByTime(99);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(["firma"]);
    vi.useRealTimers();
  });
});

describe("portal view", () => {
  beforeEach(() => {
    setLanguage("it");
    search.mockClear();
    openExternal.mockClear();
  });

  test("index lists pages by section, the content version and news", async () => {
    const root = await open("#/portale");
    expect(document.body.dataset.ready).toBe("portale");
    const headings = [...root.querySelectorAll(".view h3")].map((e) => e.textContent);
    expect(headings).toEqual(["Regole", "Sicurezza"]);
    expect(root.querySelector('a[data-slug="normativa"]')?.getAttribute("href")).toBe("#/portale/normativa");
    expect(root.querySelector("#portal-version")?.textContent).toBe(
      "Versione dei contenuti 2026.11.1 del 26 novembre 2026 (contenuto incluso nell'applicazione).",
    );
    expect(root.textContent).toContain("Nuova guida");
  });

  test("typing searches once after a pause and shows highlighted snippets as markup-free text", async () => {
    const root = await open("#/portale");
    const input = root.querySelector<HTMLInputElement>("#portal-search")!;
    for (const q of ["f", "fi", "firma"]) {
      input.value = q;
      input.dispatchEvent(new Event("input"));
    }
    await new Promise((r) => setTimeout(r, 250));
    await settled();
    expect(search).toHaveBeenCalledTimes(1);
    expect(search).toHaveBeenCalledWith("firma");
    const hit = root.querySelector("#portal-results li")!;
    expect(hit.querySelector("a")?.getAttribute("href")).toBe("#/portale/verifica-firma-digitale");
    expect(hit.querySelector("mark")?.textContent).toBe("firma");
    expect(hit.querySelector("b")).toBeNull();
    expect(root.querySelector("#portal-results-count")?.textContent).toBe("Risultati: 1.");
  });

  test("check for updates without addresses says so", async () => {
    const root = await open("#/portale");
    root.querySelector<HTMLButtonElement>("#portal-check")!.click();
    await settled();
    expect(root.querySelector("#portal-update-result")?.textContent).toContain("Nessun indirizzo");
    expect(checkNow).not.toHaveBeenCalled();
  });

  test("page shows toc, keeps links to existing views only and routes external links to the system", async () => {
    const root = await open("#/portale/verifica-firma-digitale");
    expect(root.querySelector("h1")?.textContent).toBe("Verifica della firma digitale");
    const toc = [...root.querySelectorAll(".portal-toc a")].map((a) => a.getAttribute("href"));
    expect(toc).toEqual(["#/portale/verifica-firma-digitale/passi", "#/portale/verifica-firma-digitale/controlli"]);
    // No "verify" section in this build: the link is plain text; settings exists.
    expect(root.querySelector("a[data-app-view=verifica]")).toBeNull();
    expect(root.querySelector("#portal-body")?.textContent).toContain("Apri Verifica firma");
    expect(root.querySelector("a[data-app-view=impostazioni]")?.getAttribute("href")).toBe("#/settings");
    root.querySelector<HTMLAnchorElement>("a[data-external]")!.click();
    await settled();
    expect(openExternal).toHaveBeenCalledWith("https://www.agid.gov.it/");
    root.querySelector<HTMLAnchorElement>("a[data-attachment]")!.click();
    await settled();
    expect(saveAttachment).toHaveBeenCalledWith("modelli/a.rtf", "Salva l'allegato");
    expect(root.querySelector("#status")?.textContent).toBe("Allegato salvato in /tmp/a.rtf.");
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test("an anchor in the route focuses that heading", async () => {
    const root = await open("#/portale/verifica-firma-digitale");
    location.hash = "#/portale/verifica-firma-digitale/controlli";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await settled();
    expect(document.activeElement?.id).toBe("controlli");
    expect(root.querySelector("h1")?.textContent).toBe("Verifica della firma digitale");
  });
});
