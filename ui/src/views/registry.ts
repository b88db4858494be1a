// The sections of the app, in navigation order. A section appears here only when its
// capability has landed: there are no placeholder pages.
import { aboutView } from "./about/about";
import { homeView } from "./home/home";
import { portalView } from "./portal/portal";
import { settingsView } from "./settings/settings";
import { signView } from "./sign/sign";
import { vpnView } from "./vpn/vpn";
import type { ViewDef } from "./types";
import { verifyView } from "./verify/verify";

export const sections: ViewDef[] = [];
sections.push(homeView(() => sections), portalView, verifyView, signView, vpnView, settingsView, aboutView);

export function findSection(id: string): ViewDef | undefined {
  return sections.find((s) => s.id === id);
}
