import type { MessageKey } from "../i18n";

/** What a view may ask of the shell. */
export interface ViewContext {
  /** Re-render the whole shell (after a language change). */
  rerender(): void;
  /** Announce a short message to screen readers and show it. */
  announce(message: string): void;
  /** The rest of the route after the section id (`#/portale/a/b` gives `["a", "b"]`). */
  route: string[];
  /** Whether the app has a section with this id. */
  hasSection(id: string): boolean;
}

/** A section of the app, shown in the navigation. */
export interface ViewDef {
  /** Route id: the view is at `#/<id>`. */
  id: string;
  /** Label in the navigation. */
  navKey: MessageKey;
  /** Builds the view into `root` (an empty `<div>`). */
  render(root: HTMLElement, ctx: ViewContext): Promise<void> | void;
}
