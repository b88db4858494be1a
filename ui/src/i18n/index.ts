// The message catalogs and the current language.
import { en } from "./en";
import { it, type MessageKey } from "./it";

export type { MessageKey };
export type Language = "it" | "en";

export const catalogs: Record<Language, Record<MessageKey, string>> = { it, en };

let current: Language = "it";

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  if (typeof document !== "undefined") {
    document.documentElement.lang = lang;
  }
}

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[current][key] ?? catalogs.it[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The message for an API error: the domain's own sentence when it sent one, else the
 *  catalog entry for its code, else the generic one. */
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "code" in e) {
    const err = e as { code: string; userMessage?: string | null };
    return err.userMessage ?? errorMessage(err.code);
  }
  return t("error.generic");
}

/** The message for an API error code, falling back to the generic one. */
export function errorMessage(code: string): string {
  const key = `error.${code}`;
  return key in it ? t(key as MessageKey) : t("error.generic");
}
