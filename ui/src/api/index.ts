// The only module that talks to the Rust side. Views call these typed functions.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { Language } from "../i18n";

export interface Settings {
  language: Language;
}

export interface Component {
  name: string;
  version: string;
  license: string;
  kind: "crate" | "npm" | "font";
}

export interface AppInfo {
  version: string;
  build: { commit: string; time: number | null };
  folders: { data: string; config: string; logs: string };
  components: Component[];
}

/** An error reported by the Rust side: a stable code and a technical detail. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (e && typeof e === "object" && "code" in e) {
      const p = e as { code: string; detail?: string };
      throw new ApiError(p.code, p.detail ?? "");
    }
    throw new ApiError("generic", String(e));
  }
}

export const api = {
  settings: {
    get: () => call<Settings>("settings_get"),
    setLanguage: (language: Language) => call<Settings>("settings_set_language", { language }),
  },
  about: {
    info: () => call<AppInfo>("app_info"),
  },
  events: {
    /** Arguments forwarded by a second launch of the app (e.g. files to open). */
    onOpenArgs: (handler: (args: string[]) => void): Promise<UnlistenFn> =>
      listen<string[]>("app://open-args", (e) => handler(e.payload)),
  },
};
