// The "Aggiornamenti" part of the about view: the installed version, where IT publishes
// updates, look for one (online or in a folder), see what is offered and decide.
import { api, type CheckOutcome, type UpdateOffer, type UpdateStatus } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { errorText, language, t } from "../../i18n";

function offerBox(
  offer: UpdateOffer,
  onInstall: (button: HTMLButtonElement) => void,
  onDismiss: () => void,
  canInstall: boolean,
): HTMLElement {
  const lines: HTMLElement[] = [
    h(
      "p",
      { class: "fw-semibold", id: "update-offer-version" },
      t("update.offer", { version: offer.version, current: offer.current_version }),
    ),
  ];
  if (offer.date) lines.push(h("p", {}, t("update.offer.date", { date: formatIso(offer.date, language()) })));
  lines.push(
    h("p", {}, offer.source === "offline" ? t("update.offer.offline", { file: offer.package ?? "" }) : t("update.offer.online")),
  );
  if (offer.notes) {
    lines.push(h("h3", { class: "h6" }, t("update.offer.notes")), h("p", { class: "update-notes" }, offer.notes));
  }
  const install = h(
    "button",
    { type: "button", class: "btn btn-primary me-2", id: "update-install" },
    t("update.install"),
  ) as HTMLButtonElement;
  install.disabled = !canInstall;
  install.addEventListener("click", () => onInstall(install));
  const dismiss = h("button", { type: "button", class: "btn btn-outline-secondary", id: "update-dismiss" }, t("update.dismiss"));
  dismiss.addEventListener("click", onDismiss);
  const box = h("div", { class: "callout", id: "update-offer" }, ...lines, h("div", { class: "mt-2" }, install, dismiss));
  if (!canInstall) box.append(h("p", { class: "form-text" }, t("update.not_packaged")));
  return box;
}

export async function renderUpdates(root: HTMLElement, announce: (m: string) => void): Promise<void> {
  const status: UpdateStatus = await api.update.status();
  const canInstall = status.installer !== null;
  const area = h("div", { id: "update-result", class: "mt-3", role: "status" });
  const say = (message: string, kind: "ok" | "error" | "info") => {
    const cls = kind === "ok" ? "alert-success" : kind === "error" ? "alert-danger" : "alert-info";
    area.replaceChildren(h("div", { class: `alert ${cls}` }, message));
    announce(message);
  };

  const install = async (button: HTMLButtonElement) => {
    button.disabled = true;
    area.replaceChildren(h("p", {}, t("update.installing")));
    try {
      const done = await api.update.install();
      const restart = h("button", { type: "button", class: "btn btn-primary", id: "update-restart" }, t("update.restart"));
      restart.addEventListener("click", () => void api.update.restart());
      const message = t("update.installed", { version: done.version });
      area.replaceChildren(h("div", { class: "alert alert-success" }, message), restart);
      announce(message);
    } catch (e) {
      say(errorText(e), "error");
    }
  };
  const show = (offer: UpdateOffer) => {
    area.replaceChildren(offerBox(offer, install, () => area.replaceChildren(h("p", {}, t("update.dismissed"))), canInstall));
    announce(t("update.offer", { version: offer.version, current: offer.current_version }));
  };
  const handle = (out: CheckOutcome) => {
    if (out.outcome === "offered") show(out.offer);
    else if (out.outcome === "up_to_date") say(t("update.up_to_date", { version: out.current_version }), "ok");
    else area.replaceChildren(h("p", {}, t("update.cancelled")));
  };
  const run = async (button: HTMLButtonElement, action: () => Promise<CheckOutcome>) => {
    button.disabled = true;
    area.replaceChildren(h("p", {}, t("update.checking")));
    try {
      handle(await action());
    } catch (e) {
      say(errorText(e), "error");
    } finally {
      button.disabled = false;
    }
  };

  const notes: HTMLElement[] = [h("p", {}, t("update.current", { version: status.current_version }))];
  if (!status.key_present) {
    notes.push(h("div", { class: "alert alert-warning", id: "update-no-key" }, t("update.no_key")));
  }
  if (status.config_problem) notes.push(h("p", { class: "text-danger" }, status.config_problem));
  notes.push(
    status.endpoints.length > 0
      ? h("p", { id: "update-address" }, t("update.address", { urls: status.endpoints.join(", ") }))
      : h("p", { class: "form-text", id: "update-address" }, t("update.no_address")),
  );

  const controls = h("div", { class: "mt-2" });
  if (status.endpoints.length > 0) {
    const check = h("button", { type: "button", class: "btn btn-outline-primary me-2", id: "update-check" }, t("update.check")) as HTMLButtonElement;
    check.addEventListener("click", () => void run(check, () => api.update.check()));
    controls.append(check);
  }
  const fromFile = h("button", { type: "button", class: "btn btn-outline-primary", id: "update-file" }, t("update.from_file")) as HTMLButtonElement;
  fromFile.addEventListener("click", () => void run(fromFile, () => api.update.openFile(t("update.from_file.title"))));
  const fromFolder = h("button", { type: "button", class: "btn btn-outline-primary ms-2", id: "update-folder" }, t("update.from_folder")) as HTMLButtonElement;
  fromFolder.addEventListener("click", () => void run(fromFolder, () => api.update.openFolder(t("update.from_folder.title"))));
  controls.append(fromFile, fromFolder);

  root.append(
    h("h2", { class: "h4 mt-4", id: "updates" }, t("update.title")),
    ...notes,
    h("p", { class: "form-text" }, t("update.from_file.help")),
    controls,
    area,
  );
  const pending = await api.update.pending();
  if (pending) show(pending);
}
