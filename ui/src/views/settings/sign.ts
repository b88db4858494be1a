// The signing settings: the smart card's PKCS#11 module and the timestamp authority,
// stored with the other settings (settings.json).
import { api, type Settings } from "../../api";
import { h } from "../../dom";
import { errorText, t } from "../../i18n";

export function signSettings(current: Settings, announce: (m: string) => void): HTMLElement {
  const module = h("input", { type: "text", id: "settings-sign-module", class: "form-control", "aria-describedby": "settings-sign-module-help", spellcheck: "false" });
  module.value = current.sign_module ?? "";
  const tsa = h("input", { type: "url", id: "settings-sign-tsa", class: "form-control", "aria-describedby": "settings-sign-tsa-help", spellcheck: "false" });
  tsa.value = current.tsa_url ?? "";
  const result = h("div", { id: "settings-sign-result", class: "mt-2", role: "status" });
  const save = h("button", { type: "button", class: "btn btn-primary mt-2", id: "settings-sign-save" }, t("settings.sign.save"));
  save.addEventListener("click", async () => {
    save.disabled = true;
    try {
      const saved = await api.sign.setSettings(module.value.trim() || null, tsa.value.trim() || null);
      module.value = saved.sign_module ?? "";
      tsa.value = saved.tsa_url ?? "";
      result.replaceChildren(h("div", { class: "alert alert-success" }, t("settings.saved")));
      announce(t("settings.saved"));
    } catch (e) {
      const msg = errorText(e);
      result.replaceChildren(h("div", { class: "alert alert-danger" }, msg));
      announce(msg);
    } finally {
      save.disabled = false;
    }
  });
  return h(
    "fieldset",
    { class: "mt-4", id: "settings-sign" },
    h("legend", { class: "h5" }, t("settings.sign.legend")),
    h("label", { for: "settings-sign-module", class: "form-label" }, t("settings.sign.module")),
    module,
    h("p", { id: "settings-sign-module-help", class: "form-text" }, t("settings.sign.module.help")),
    h("label", { for: "settings-sign-tsa", class: "form-label" }, t("settings.sign.tsa")),
    tsa,
    h("p", { id: "settings-sign-tsa-help", class: "form-text" }, t("settings.sign.tsa.help")),
    save,
    result,
  );
}
