// The "Firma" view's decisions, apart from the page so that they can be tested alone:
// which certificates to offer and in which order, what is missing before signing, what
// the token's PIN flags mean, and the request sent to the Rust side.
import type { SignChoice, SignToken } from "../../api";
import type { MessageKey } from "../../i18n";

/** One certificate the user can pick: `value` is `<slot>:<id>`. */
export interface CertOption {
  value: string;
  slot: number;
  cert: string;
  token: SignToken;
  subject: string;
  issuer: string;
  notAfter: string;
  signing: boolean;
}

/** Every certificate of every token, signing (nonRepudiation) ones first, then the
 *  others, keeping the order `list_tokens` gave within each group. */
export function certificateOptions(tokens: SignToken[]): CertOption[] {
  const all: CertOption[] = [];
  for (const token of tokens) {
    for (const c of token.certificates) {
      all.push({
        value: `${token.index}:${c.id}`,
        slot: token.index,
        cert: c.id,
        token,
        subject: c.subject,
        issuer: c.issuer,
        notAfter: c.not_after,
        signing: c.signing,
      });
    }
  }
  return [...all.filter((o) => o.signing), ...all.filter((o) => !o.signing)];
}

/** What the page holds when the user presses "Firma". */
export interface SignForm {
  files: string[];
  option: CertOption | null;
  kind: "cades" | "pades";
  detached: boolean;
  add: boolean;
  timestamp: boolean;
  tsa: string | null;
  pinLength: number;
}

/** The first thing missing before signing, as a catalog key, or null when all is there. */
export function missing(form: SignForm): MessageKey | null {
  if (form.files.length === 0) return "sign.missing.files";
  if (!form.option) return "sign.missing.cert";
  if (form.option.token.pin_locked) return "sign.missing.locked";
  if (form.kind === "pades" && form.files.some((f) => !/\.pdf$/i.test(f))) return "sign.missing.pdf";
  if (form.timestamp && !form.tsa) return "sign.missing.tsa";
  if (form.pinLength === 0 && !form.option.token.pin_pad) return "sign.missing.pin";
  return null;
}

/** Several files are signed with one PIN only after the user confirms the list. */
export function needsConfirmation(files: string[]): boolean {
  return files.length > 1;
}

/** The request for `files` (the PIN travels apart). */
export function choiceFor(form: SignForm, files: string[]): SignChoice {
  const cades = form.kind === "cades";
  return {
    paths: files,
    slot: form.option?.slot ?? 0,
    cert: form.option?.cert ?? null,
    kind: form.kind,
    detached: cades && form.detached && !form.add,
    add: cades && form.add,
    timestamp: form.timestamp && form.tsa !== null,
  };
}

/** The files added to the list, without duplicates, in the order given. */
export function addFiles(list: string[], more: string[]): string[] {
  const out = [...list];
  for (const p of more) if (p.trim() !== "" && !out.includes(p)) out.push(p);
  return out;
}
