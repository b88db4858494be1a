// The only module that talks to the Rust side. Views call these typed functions.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { Language } from "../i18n";

export interface Settings {
  language: Language;
  /** The smart card's PKCS#11 module; null: the first usual one found. */
  sign_module?: string | null;
  /** A timestamp authority's address, offered when signing. */
  tsa_url?: string | null;
  /** Check revocation over the network when a signature carries no revocation data. */
  online_revocation?: boolean;
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

export type PackKind = "portal" | "trust" | "profiles";

export interface InstalledPack {
  kind: PackKind;
  version: number;
  created: string;
  installed_at: string;
  key_id: string;
  files: number;
}

export interface UpdateEvent {
  url: string;
  outcome:
    | { status: "not_modified" }
    | { status: "up_to_date"; version: number }
    | { status: "installed"; installed: InstalledPack }
    | null;
  code: string | null;
  message_it: string | null;
  message_en: string | null;
}

export interface PacksView {
  kinds: { kind: PackKind; installed: InstalledPack | null; problem: string | null }[];
  keys: { key_id: string; kinds: PackKind[]; comment: string }[];
  key_problems: string[];
  update_urls: string[];
  interval_hours: number;
  config_problem: string | null;
  last_updates: UpdateEvent[];
}

export type InstallOutcome =
  | { outcome: "cancelled" }
  | { outcome: "installed"; installed: InstalledPack };

export interface PortalPageSummary {
  slug: string;
  title: string;
  summary: string;
  section: string;
  reviewed: string;
}

export interface PortalTocEntry {
  level: number;
  text: string;
  anchor: string;
}

export interface PortalPage extends PortalPageSummary {
  order: number;
  tags: string[];
  sources: { title: string; url: string | null }[];
  /** Sanitised HTML produced by the portal crate. */
  html: string;
  toc: PortalTocEntry[];
  text: string;
}

export interface PortalSearchHit {
  slug: string;
  title: string;
  snippet: string;
  /** Escaped text with the matches in `<mark>`. */
  snippet_html: string;
  score: number;
}

export interface PortalNewsItem {
  id: string;
  title: string;
  date: string;
  summary: string;
  html: string;
}

export interface PortalStatus {
  info: { version: string; published: string; publisher: string } | null;
  bundled: boolean;
  fallback: string | null;
  pages: number;
}

export type SaveOutcome = { outcome: "cancelled" } | { outcome: "saved"; file: string };

export type SkillLevel = "da_approfondire" | "base" | "intermedio" | "avanzato";

export interface AssessmentView {
  version: number;
  title: string;
  intro: string;
  areas: { id: string; number: number; title: string; page: string }[];
  questions: { id: string; area: string; text: string; options: string[] }[];
  last: StoredAssessment | null;
}

export interface StoredAssessment {
  taken_at: string;
  result: {
    version: number;
    correct: number;
    total: number;
    areas: { area: string; title: string; total: number; answered: number; correct: number; percent: number; level: SkillLevel; page: string }[];
    review: { question: string; chosen: number | null; correct: number; explanation: string }[];
  };
}

export interface UpdateStatus {
  current_version: string;
  endpoints: string[];
  check_on_start: boolean;
  key_present: boolean;
  installer: "deb" | "rpm" | "app_image" | "nsis" | "msi" | "app" | null;
  config_problem: string | null;
}

export interface UpdateOffer {
  version: string;
  current_version: string;
  notes: string | null;
  date: string | null;
  source: "online" | "offline";
  package: string | null;
}

export type CheckOutcome =
  | { outcome: "up_to_date"; current_version: string }
  | { outcome: "offered"; offer: UpdateOffer }
  | { outcome: "cancelled" };

export type VpnProfileKind = "openvpn" | "wireguard";

export interface VpnFinding {
  line: number;
  directive: string;
  code: string;
  /** The reason in the user's language, with the line. */
  message: string;
}

export interface VpnLint {
  file: string;
  kind: VpnProfileKind;
  acceptable: boolean;
  refused: VpnFinding[];
  inlined: string[];
  remotes: string[];
  needs_credentials: boolean;
}

export type VpnCredentialState =
  | { state: "saved"; username: string }
  | { state: "none" }
  | { state: "unknown" };

export interface VpnProfile {
  id: string;
  name: string;
  kind: VpnProfileKind;
  origin: "imported" | "pack";
  read_only: boolean;
  source_file: string | null;
  imported_at: string | null;
  lint: VpnLint;
  credentials: VpnCredentialState;
}

export interface VpnList {
  profiles: VpnProfile[];
  keychain_problem: { code: string; detail: string; message: string | null } | null;
}

export type VpnImport =
  | { outcome: "imported"; profile: VpnProfile }
  | { outcome: "refused"; lint: VpnLint };

export type VpnState =
  | "connecting"
  | "waiting_for_user"
  | "connected"
  | "reconnecting"
  | "disconnecting"
  | "auth_failed"
  | "unreachable"
  | "exited";

/** A VPN connection's status (`api::vpn::connection::ConnectionView`). */
export interface VpnConnection {
  profile_id: string;
  profile_name: string;
  state: VpnState;
  tunnel_address: string | null;
  reason: string | null;
  /** The status in plain words, in the user's language. */
  message: string;
  /** A final state the user should read as an error. */
  is_error: boolean;
  holder_pid: number;
}

/** A server's question (an OTP code), answered once and never stored. */
export interface VpnChallenge {
  text: string;
  echo: boolean;
}

export type VpnPickImport = { outcome: "cancelled" } | { outcome: "checked"; result: VpnImport };

/** The verification report of one file (docs/report-format.md). Only the fields the view
 *  relies on are typed; the rest is rendered generically, so new facts show up as they land. */
export interface VerifyFileReport {
  path: string;
  sha256: string | null;
  format: string | null;
  error: { code: string; message: string } | null;
  signatures: VerifySignature[];
  timestamps: VerifyTimestamp[];
  [field: string]: unknown;
}

export type Bilingual = { it: string; en: string };
export type Indication = "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";

export interface VerifyCheck {
  name: string;
  outcome: "passed" | "failed" | "indeterminate" | "skipped";
  subindication: string | null;
  detail: Bilingual;
}

export interface VerifySignature {
  id: string;
  signer: Record<string, unknown> | null;
  signing_time: string | null;
  validation_time: { time: string; basis: string };
  indication: Indication;
  subindication: string | null;
  checks: VerifyCheck[];
  warnings: { code: string; message: Bilingual }[];
  explanation: Bilingual;
  /** Present when trusted lists were among the trust material. */
  qualification?: VerifyQualification;
  [field: string]: unknown;
}

/** The qualified status of a signature from the trusted lists (ETSI TS 119 615 in spirit). */
export interface VerifyQualification {
  /** `QES`, `QESeal`, `AdES_QC`, `AdESeal_QC`, `NOT_QUALIFIED` or `NOT_DETERMINED`. */
  level: string;
  label: Bilingual;
  reason: Bilingual;
  service: string | null;
}

export interface VerifyTimestamp {
  id: string;
  kind: string;
  gen_time: string | null;
  covers: string[];
  indication: Indication;
  subindication: string | null;
  checks: VerifyCheck[];
  [field: string]: unknown;
}

export type FileVerdict = "valid" | "invalid" | "indeterminate" | "not_checked";

export interface VerifyRow {
  index: number;
  verdict: FileVerdict;
  unsupported: string | null;
  report: VerifyFileReport;
}

export type VerifyProgress =
  | { type: "started"; batch: number; files: string[]; unreadable: string[]; truncated: boolean }
  | { type: "results"; batch: number; done: number; total: number; rows: VerifyRow[] }
  | { type: "finished"; batch: number; done: number; total: number; cancelled: boolean; millis: number };

export type AtChoice = { kind: "now" } | { kind: "signing_time" } | { kind: "given"; time: string };

export type OriginalOutcome =
  | { outcome: "cancelled" }
  | { outcome: "confirm"; risk: "executable" | "macros"; name: string }
  | { outcome: "opened"; file: string }
  | { outcome: "saved"; file: string };

/** What happened when the user asked to export the verification reports. */
export type ExportOutcome = { outcome: "cancelled" } | { outcome: "written"; folder: string; files: string[] };

/** A certificate on a smart card (`api::sign::CertificateView`). */
export interface SignCertificate {
  id: string;
  subject: string;
  issuer: string;
  not_after: string;
  signing: boolean;
}

/** A smart card or token (`api::sign::TokenView`). */
export interface SignToken {
  index: number;
  label: string;
  manufacturer: string;
  model: string;
  pin_warning: string | null;
  pin_locked: boolean;
  pin_pad: boolean;
  certificates: SignCertificate[];
}

export interface SignTokens {
  module: string;
  tokens: SignToken[];
  tsa: string | null;
}

/** How to sign (the PIN travels apart). */
export interface SignChoice {
  paths: string[];
  slot: number;
  cert: string | null;
  kind: "cades" | "pades";
  detached: boolean;
  add: boolean;
  timestamp: boolean;
}

export interface SignedFile {
  input: string;
  output: string | null;
  error: string | null;
  /** Our verifier's result on the file written. */
  check: VerifyRow | null;
  millis: number;
}

export interface SignOutcome {
  files: SignedFile[];
  remaining: string[];
  always_authenticate: boolean;
  notice: string | null;
  stopped: boolean;
}

/** What the user drags over the window. */
export type DragDrop = { type: "enter" | "over" | "leave" } | { type: "drop"; paths: string[] };

/** An error reported by the Rust side: a stable code and a technical detail. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    /** A sentence for the user from the domain, in their language, when there is one. */
    readonly userMessage: string | null = null,
  ) {
    super(`${code}: ${detail}`);
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (e && typeof e === "object" && "code" in e) {
      const p = e as { code: string; detail?: string; message?: string | null };
      throw new ApiError(p.code, p.detail ?? "", p.message ?? null);
    }
    throw new ApiError("generic", String(e));
  }
}

export const api = {
  settings: {
    get: () => call<Settings>("settings_get"),
    setLanguage: (language: Language) => call<Settings>("settings_set_language", { language }),
    setOnlineRevocation: (on: boolean) => call<Settings>("settings_set_online_revocation", { on }),
  },
  about: {
    info: () => call<AppInfo>("app_info"),
  },
  packs: {
    status: () => call<PacksView>("packs_status"),
    installPick: (title: string) => call<InstallOutcome>("packs_install_pick", { title }),
    checkNow: () => call<boolean>("packs_check_now"),
  },
  update: {
    status: () => call<UpdateStatus>("update_status"),
    check: () => call<CheckOutcome>("update_check"),
    openFile: (title: string) => call<CheckOutcome>("update_open_file", { title, folder: false }),
    /** An offline update from a folder the user picks (USB stick, share). */
    openFolder: (title: string) => call<CheckOutcome>("update_open_file", { title, folder: true }),
    pending: () => call<UpdateOffer | null>("update_pending"),
    install: () => call<{ version: string }>("update_install"),
    restart: () => call<void>("update_restart"),
  },
  portal: {
    list: () => call<PortalPageSummary[]>("portal_list"),
    page: (slug: string) => call<PortalPage>("portal_page", { slug }),
    search: (query: string) => call<PortalSearchHit[]>("portal_search", { query }),
    news: () => call<PortalNewsItem[]>("portal_news"),
    status: () => call<PortalStatus>("portal_status"),
    openExternal: (url: string) => call<void>("portal_open_external", { url }),
    saveAttachment: (path: string, title: string) =>
      call<SaveOutcome>("portal_attachment_save", { path, title }),
    assessment: () => call<AssessmentView | null>("portal_assessment"),
    submitAssessment: (answers: { question: string; option: number }[]) =>
      call<StoredAssessment>("portal_assessment_submit", { answers }),
    forgetAssessment: () => call<void>("portal_assessment_forget"),
  },
  vpn: {
    list: () => call<VpnList>("vpn_list"),
    importPick: (title: string, replace = false) =>
      call<VpnPickImport>("vpn_import_pick", { title, replace }),
    importPath: (path: string, replace = false) => call<VpnImport>("vpn_import_path", { path, replace }),
    launchFiles: () => call<string[]>("vpn_launch_files"),
    remove: (id: string) => call<void>("vpn_remove", { id }),
    setCredentials: (id: string, username: string, password: string) =>
      call<void>("vpn_credentials_set", { id, credentials: { username, password } }),
    forgetCredentials: (id: string) => call<boolean>("vpn_credentials_forget", { id }),
    connect: (id: string) => call<VpnConnection>("vpn_connect", { id }),
    disconnect: () => call<VpnConnection | null>("vpn_disconnect"),
    status: () => call<VpnConnection | null>("vpn_status"),
    answerChallenge: (answer: string | null) => call<boolean>("vpn_challenge_answer", { answer }),
  },
  verify: {
    pick: (title: string, folder: boolean) => call<string[]>("verify_pick", { title, folder }),
    takeOpenArgs: () => call<string[]>("verify_take_open_args"),
    start: (paths: string[], at: AtChoice) => call<number>("verify_start", { paths, at }),
    cancel: (batch: number) => call<boolean>("verify_cancel", { batch }),
    /** The original document; for a signed PDF, `signature` names the signature whose signed version is wanted. */
    original: (batch: number, index: number, target: "open" | "save", confirmed: boolean, title: string, signature: string | null = null) =>
      call<OriginalOutcome>("verify_original", { batch, index, target, confirmed, title, signature }),
    /** Writes the PDF, ETSI XML and JSON reports of one file (or the whole batch) to a folder the user picks. */
    /** The text of a PDF of the batch, extracted in a limited child process. */
    preview: (batch: number, index: number) => call<string>("verify_preview", { batch, index }),
    exportReports: (batch: number, index: number | null, title: string) =>
      call<ExportOutcome>("verify_export", { batch, index, title }),
  },
  sign: {
    tokens: () => call<SignTokens>("sign_tokens"),
    pick: (title: string) => call<string[]>("sign_pick", { title }),
    setSettings: (module: string | null, tsa: string | null) => call<Settings>("sign_settings_set", { module, tsa }),
    /** Signs with `pin`; the caller clears its copy at once. */
    run: (choice: SignChoice, pin: string) => call<SignOutcome>("sign_run", { choice, pin }),
    reveal: (path: string) => call<void>("sign_reveal", { path }),
  },
  events: {
    /** The outcome of each background check of a pack address. */
    onPackUpdate: (handler: (e: UpdateEvent) => void): Promise<UnlistenFn> =>
      listen<UpdateEvent>("app://pack-update", (e) => handler(e.payload)),
    /** Arguments forwarded by a second launch of the app (e.g. files to open). */
    onOpenArgs: (handler: (args: string[]) => void): Promise<UnlistenFn> =>
      listen<string[]>("app://open-args", (e) => handler(e.payload)),
    /** Files dropped on the window. */
    onFileDrop: (handler: (paths: string[]) => void): Promise<UnlistenFn> =>
      getCurrentWebview().onDragDropEvent((e) => {
        if (e.payload.type === "drop") handler(e.payload.paths);
      }),
    /** Each change of the VPN connection's status. */
    onVpnStatus: (handler: (c: VpnConnection) => void): Promise<UnlistenFn> =>
      listen<VpnConnection>("vpn://status", (e) => handler(e.payload)),
    /** A VPN server's challenge to ask the user. */
    onVpnChallenge: (handler: (c: VpnChallenge) => void): Promise<UnlistenFn> =>
      listen<VpnChallenge>("vpn://challenge", (e) => handler(e.payload)),
    /** Progress of a verification batch. */
    onVerifyProgress: (handler: (p: VerifyProgress) => void): Promise<UnlistenFn> =>
      listen<VerifyProgress>("app://verify-progress", (e) => handler(e.payload)),
    /** Files dragged over and dropped on the window. */
    onDragDrop: (handler: (d: DragDrop) => void): Promise<UnlistenFn> =>
      getCurrentWebview().onDragDropEvent((e) => {
        const p = e.payload;
        handler(p.type === "drop" ? { type: "drop", paths: p.paths } : { type: p.type });
      }),
  },
};
