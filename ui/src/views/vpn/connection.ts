// Connecting a VPN profile: Connetti/Disconnetti on each profile, the live status, the last
// error in plain words, and the server's challenge (OTP) asked in a small form. The state
// handling is a pure function (`nextModel`) so it can be tested without a window.
import { api, type VpnChallenge, type VpnConnection, type VpnState } from "../../api";
import { h } from "../../dom";
import { errorText, t } from "../../i18n";

/** What the view knows about the connection. */
export interface ConnectionModel {
  /** The latest status, `null` when nothing is connected. */
  current: VpnConnection | null;
  /** The last failure, kept until the next successful connection. */
  lastError: string | null;
  /** A challenge waiting for the user's answer. */
  challenge: VpnChallenge | null;
  /** A connect or disconnect request is on its way. */
  busy: boolean;
}

export const emptyModel: ConnectionModel = { current: null, lastError: null, challenge: null, busy: false };

const FINAL: VpnState[] = ["auth_failed", "unreachable", "exited"];

/** `true` once a connection is over. */
export function isFinal(state: VpnState): boolean {
  return FINAL.includes(state);
}

export type ConnectionEvent =
  | { type: "status"; status: VpnConnection | null }
  | { type: "challenge"; challenge: VpnChallenge }
  | { type: "answered" }
  | { type: "request" }
  | { type: "failed"; message: string };

/** The model after `event`. */
export function nextModel(model: ConnectionModel, event: ConnectionEvent): ConnectionModel {
  switch (event.type) {
    case "status": {
      const s = event.status;
      if (s === null) return { ...model, current: null, challenge: null, busy: false };
      const lastError = s.is_error ? s.message : s.state === "connected" ? null : model.lastError;
      const challenge = s.state === "waiting_for_user" ? model.challenge : null;
      const busy = model.busy && !(s.state === "connected" || isFinal(s.state));
      return { current: s, lastError, challenge, busy };
    }
    case "challenge":
      return { ...model, challenge: event.challenge };
    case "answered":
      return { ...model, challenge: null };
    case "request":
      return { ...model, busy: true };
    case "failed":
      return { ...model, busy: false, lastError: event.message };
  }
}

/** `true` when `profileId`'s connection is up or on its way. */
export function isActive(model: ConnectionModel, profileId: string): boolean {
  const c = model.current;
  return c !== null && c.profile_id === profileId && !isFinal(c.state);
}

/** `true` when another profile's connection is up or on its way. */
export function otherActive(model: ConnectionModel, profileId: string): boolean {
  const c = model.current;
  return c !== null && c.profile_id !== profileId && !isFinal(c.state);
}

/** The status line. */
export function statusText(model: ConnectionModel): string {
  const c = model.current;
  if (c === null || (c.state === "exited" && !c.is_error)) return t("vpn.conn.none");
  return t("vpn.conn.status", { name: c.profile_name, message: c.message });
}

/** The connection panel shown above the profile list, and the buttons for each profile. */
export class ConnectionPanel {
  model: ConnectionModel = emptyModel;
  readonly root: HTMLElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly otp: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();

  constructor(private readonly announce: (m: string) => void) {
    this.status = h("p", { id: "vpn-conn-status", class: "mb-1", role: "status", "aria-live": "polite" });
    this.error = h("div", { id: "vpn-conn-error" });
    this.otp = h("div", { id: "vpn-conn-otp" });
    this.root = h("section", { id: "vpn-connection", class: "mb-3", "aria-label": t("vpn.conn.region") }, this.status, this.error, this.otp);
    this.render();
  }

  /** Applies an event and redraws. */
  apply(event: ConnectionEvent): void {
    const before = this.model;
    this.model = nextModel(this.model, event);
    this.render();
    const c = this.model.current;
    if (event.type === "status" && c && c.state !== before.current?.state) this.announce(statusText(this.model));
    if (event.type === "challenge") this.otp.querySelector("input")?.focus();
  }

  /** Connetti/Disconnetti for one profile. */
  button(profileId: string, usable: boolean): HTMLButtonElement {
    const b = h("button", { type: "button", class: "btn btn-sm mt-3 me-2 vpn-connect", "data-profile-id": profileId });
    b.dataset.usable = usable ? "true" : "false";
    b.addEventListener("click", () => void this.toggle(profileId));
    this.buttons.set(profileId, b);
    this.renderButton(profileId, b);
    return b;
  }

  private async toggle(profileId: string): Promise<void> {
    const active = isActive(this.model, profileId);
    this.apply({ type: "request" });
    try {
      const status = active ? await api.vpn.disconnect() : await api.vpn.connect(profileId);
      this.apply({ type: "status", status });
    } catch (err) {
      this.apply({ type: "failed", message: errorText(err) });
      this.announce(errorText(err));
    }
  }

  private render(): void {
    this.status.textContent = statusText(this.model);
    this.error.replaceChildren(
      ...(this.model.lastError
        ? [h("div", { class: "alert alert-danger mb-2", role: "alert" }, t("vpn.conn.last_error", { message: this.model.lastError }))]
        : []),
    );
    this.otp.replaceChildren(...(this.model.challenge ? [this.challengeForm(this.model.challenge)] : []));
    for (const [id, b] of this.buttons) this.renderButton(id, b);
  }

  private renderButton(profileId: string, b: HTMLButtonElement): void {
    const active = isActive(this.model, profileId);
    b.textContent = t(active ? "vpn.conn.disconnect" : "vpn.conn.connect");
    b.className = `btn btn-sm mt-3 me-2 vpn-connect ${active ? "btn-outline-primary" : "btn-primary"}`;
    b.disabled = this.model.busy || b.dataset.usable !== "true" || otherActive(this.model, profileId);
    b.title = otherActive(this.model, profileId) ? t("vpn.conn.other", { name: this.model.current?.profile_name ?? "" }) : "";
  }

  private challengeForm(c: VpnChallenge): HTMLElement {
    const input = h("input", { type: c.echo ? "text" : "password", id: "vpn-otp", class: "form-control", autocomplete: "one-time-code", inputmode: "numeric" });
    const send = h("button", { type: "submit", class: "btn btn-primary btn-sm me-2", id: "vpn-otp-send" }, t("vpn.conn.otp.send"));
    const cancel = h("button", { type: "button", class: "btn btn-outline-secondary btn-sm", id: "vpn-otp-cancel" }, t("vpn.conn.otp.cancel"));
    const form = h(
      "form",
      { class: "vpn-otp-form", novalidate: true },
      h("fieldset", {}, h("legend", { class: "h6" }, t("vpn.conn.otp.legend")),
        h("div", { class: "mb-2" }, h("label", { for: "vpn-otp", class: "form-label" }, t("vpn.conn.otp.label", { prompt: c.text })), input),
        h("p", { class: "form-text" }, t("vpn.conn.otp.help")),
        send,
        cancel,
      ),
    );
    const answer = async (value: string | null) => {
      this.apply({ type: "answered" });
      try {
        await api.vpn.answerChallenge(value);
      } catch (err) {
        this.apply({ type: "failed", message: errorText(err) });
      }
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (input.value.trim() === "") return;
      const value = input.value;
      input.value = "";
      void answer(value);
    });
    cancel.addEventListener("click", () => void answer(null));
    return form;
  }
}
