// Dates and times are always shown in Europe/Rome, whatever the computer's time zone.
import type { Language } from "./i18n";

const locales: Record<Language, string> = { it: "it-IT", en: "en-GB" };

export function formatDateTime(unixSeconds: number, lang: Language): string {
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: "Europe/Rome",
    dateStyle: "long",
    timeStyle: "short",
  }).format(new Date(unixSeconds * 1000));
}

/** An RFC 3339 time, shown in Europe/Rome; the text itself if it cannot be read. */
export function formatIso(iso: string, lang: Language): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatDateTime(ms / 1000, lang);
}
