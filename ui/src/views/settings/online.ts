// "Check revocation over the network": off by default, so that verification never needs
// the network; on, a signature that carries no revocation data makes the app ask the
// certifier's OCSP responder or CRL address (as `lavoro-agile-cli verify --online`).
import { api, type Settings } from "../../api";
import { h } from "../../dom";
import { errorText, t } from "../../i18n";

export function onlineSettings(current: Settings, announce: (m: string) => void): HTMLElement {
  const on = current.online_revocation === true;
  const box = h("input", {
    type: "checkbox",
    id: "settings-online-revocation",
    class: "form-check-input",
    role: "switch",
    "aria-describedby": "settings-online-revocation-help",
    checked: on,
  });
  box.addEventListener("change", async () => {
    const wanted = box.checked;
    box.disabled = true;
    try {
      const saved = await api.settings.setOnlineRevocation(wanted);
      box.checked = saved.online_revocation === true;
      announce(t("settings.saved"));
    } catch (e) {
      box.checked = !wanted;
      announce(errorText(e));
    } finally {
      box.disabled = false;
    }
  });
  return h(
    "fieldset",
    { class: "mt-4", id: "settings-online" },
    h("legend", { class: "h5" }, t("settings.online.legend")),
    h(
      "div",
      { class: "form-check form-switch" },
      box,
      h("label", { for: "settings-online-revocation", class: "form-check-label" }, t("settings.online.label")),
    ),
    h("p", { id: "settings-online-revocation-help", class: "form-text" }, t("settings.online.help")),
  );
}
