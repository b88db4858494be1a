import { h } from "../../dom";
import { t, type MessageKey } from "../../i18n";
import type { ViewDef } from "../types";

/** Short descriptions of the sections that have landed, shown as cards on the home page. */
const cardText: Record<string, MessageKey> = {
  portale: "home.card.portal",
  vpn: "home.card.vpn",
  verifica: "home.card.verify",
  firma: "home.card.sign",
  settings: "home.card.settings",
  about: "home.card.about",
};

export function homeView(sections: () => ViewDef[]): ViewDef {
  return {
    id: "home",
    navKey: "nav.home",
    render(root) {
      const cards = sections()
        .filter((s) => s.id in cardText)
        .map((s) => {
          const key = cardText[s.id] as MessageKey;
          return h(
            "li",
            { class: "col-12 col-md-6 col-lg-4 mb-3" },
            h(
              "div",
              { class: "card card-bg h-100" },
              h(
                "div",
                { class: "card-body" },
                h("h3", { class: "card-title h5" }, t(s.navKey)),
                h("p", { class: "card-text" }, t(key)),
                h(
                  "a",
                  { class: "btn btn-outline-primary btn-sm", href: `#/${s.id}` },
                  t("home.card.open", { section: t(s.navKey) }),
                ),
              ),
            ),
          );
        });
      root.append(
        h("h1", { tabindex: "-1" }, t("home.title")),
        h("p", { class: "lead" }, t("home.intro")),
        h("h2", { class: "h4 mt-4" }, t("home.sections")),
        h("ul", { class: "row list-unstyled" }, ...cards),
      );
    },
  };
}
