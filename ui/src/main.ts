import "bootstrap-italia/dist/css/bootstrap-italia.min.css";
import "./styles/fonts.css";
import "./styles/app.css";

import { api } from "./api";
import { setLanguage } from "./i18n";
import { Shell } from "./shell";
import { handleProfileFiles, isProfilePath } from "./views/vpn/open";
import { initVerify, VERIFY_ID, verifyPaths } from "./views/verify/verify";

// Content-security-policy violations are recorded as JSON in the root element's
// `data-csp-violations` attribute (the DOM, unlike page globals, is visible to WebDriver
// scripts), so the end-to-end tests and a developer in the inspector see anything refused.
const cspViolations: { directive: string; blocked: string }[] = [];
document.documentElement.dataset.cspViolations = "[]";
document.addEventListener("securitypolicyviolation", (e) => {
  cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
  document.documentElement.dataset.cspViolations = JSON.stringify(cspViolations);
  console.warn(`blocked by the content security policy: ${e.effectiveDirective} ${e.blockedURI}`);
});

async function start(): Promise<void> {
  try {
    const settings = await api.settings.get();
    setLanguage(settings.language);
  } catch (e) {
    console.error("settings unavailable, using Italian", e);
    setLanguage("it");
  }
  const root = document.getElementById("app");
  if (!root) return;
  await new Shell(root).render();
  // Files opened from the file manager: given at start, or handed over by a second launch.
  // VPN profiles go to the VPN section (views/vpn/open.ts); everything else is verified.
  void handleProfileFiles();
  const toVerify = () => {
    if (!location.hash.startsWith(`#/${VERIFY_ID}`)) location.hash = `#/${VERIFY_ID}`;
  };
  const verifyOpened = (args: string[]) => {
    const files = args.filter((a) => !isProfilePath(a));
    if (files.length > 0) {
      toVerify();
      void verifyPaths(files);
    }
  };
  await initVerify(toVerify);
  void api.events.onOpenArgs((args) => {
    console.info(`received ${args.length} argument(s)`);
    verifyOpened(args);
  });
  verifyOpened(await api.verify.takeOpenArgs().catch(() => []));
}

void start();
