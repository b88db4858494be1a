import "bootstrap-italia/dist/css/bootstrap-italia.min.css";
import "./styles/fonts.css";
import "./styles/app.css";

import { api } from "./api";
import { setLanguage } from "./i18n";
import { Shell } from "./shell";
import { handleProfileFiles } from "./views/vpn/open";

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
  // A second launch hands its arguments over; views that open files subscribe as they land.
  void api.events.onOpenArgs((args) => console.info(`received ${args.length} argument(s)`));
  // VPN profiles given at launch, forwarded or dropped go to the VPN section.
  void handleProfileFiles();
}

void start();
