import { describe, expect, it as test } from "vitest";

import { catalogs, errorMessage, setLanguage, t } from "../src/i18n";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogs", () => {
  test("english has exactly the italian keys", () => {
    expect(Object.keys(catalogs.en).sort()).toEqual(Object.keys(catalogs.it).sort());
  });

  test("no message is empty and placeholders match across languages", () => {
    for (const [key, it] of Object.entries(catalogs.it)) {
      const en = catalogs.en[key as keyof typeof catalogs.en];
      expect(it.trim(), key).not.toBe("");
      expect(en.trim(), key).not.toBe("");
      expect(placeholders(en), key).toEqual(placeholders(it));
    }
  });

  test("t fills placeholders and follows the current language", () => {
    setLanguage("it");
    expect(t("home.card.open", { section: "Informazioni" })).toBe("Apri Informazioni");
    setLanguage("en");
    expect(t("home.card.open", { section: "About" })).toBe("Open About");
    expect(document.documentElement.lang).toBe("en");
    setLanguage("it");
  });

  test("unknown error codes fall back to the generic message", () => {
    setLanguage("it");
    expect(errorMessage("io")).toContain("spazio libero");
    expect(errorMessage("no_such_code")).toBe(catalogs.it["error.generic"]);
  });
});
