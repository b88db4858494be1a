import { ApiError, api, type Settings } from "../../api";
import { h } from "../../dom";
import { errorMessage, language, setLanguage, t, type Language } from "../../i18n";
import type { ViewDef } from "../types";
import { renderPacks } from "./packs";
import { onlineSettings } from "./online";
import { signSettings } from "./sign";

export const settingsView: ViewDef = {
  id: "settings",
  navKey: "nav.settings",
  async render(root, ctx) {
    const options: Language[] = ["it", "en"];
    const radios = options.map((lang) => {
      const id = `lang-${lang}`;
      const input = h("input", {
        type: "radio",
        name: "language",
        id,
        value: lang,
        checked: language() === lang,
      });
      input.addEventListener("change", async () => {
        try {
          const saved = await api.settings.setLanguage(lang);
          setLanguage(saved.language);
          ctx.rerender();
          ctx.announce(t("settings.saved"));
        } catch (e) {
          ctx.announce(e instanceof ApiError ? errorMessage(e.code) : t("error.generic"));
        }
      });
      return h(
        "div",
        { class: "form-check" },
        input,
        h("label", { for: id }, t(lang === "it" ? "settings.language.it" : "settings.language.en")),
      );
    });
    root.append(
      h("h1", { tabindex: "-1" }, t("settings.title")),
      h(
        "fieldset",
        { class: "mt-4", "aria-describedby": "lang-help" },
        h("legend", { class: "h5" }, t("settings.language.legend")),
        ...radios,
        h("p", { id: "lang-help", class: "form-text" }, t("settings.language.help")),
      ),
    );
    // Read once for the sections below; unreadable, they start empty (saving still works).
    const current: Settings = await api.settings.get().catch(() => ({ language: language() }));
    root.append(signSettings(current, ctx.announce));
    await renderPacks(root, ctx.announce);
    root.append(onlineSettings(current, ctx.announce));
  },
};
