import { beforeEach, expect, test, vi } from "vitest";

import type { AssessmentView, StoredAssessment } from "../src/api";

const { submit, forget } = vi.hoisted(() => ({ submit: vi.fn(), forget: vi.fn() }));

vi.mock("../src/api", async (orig) => {
  const real = await orig<typeof import("../src/api")>();
  return { ...real, api: { portal: { submitAssessment: submit, forgetAssessment: forget } } };
});

import { setLanguage } from "../src/i18n";
import { renderAssessment } from "../src/views/portal/assessment";

const view: AssessmentView = {
  version: 1,
  title: "Autovalutazione",
  intro: "Venti domande.",
  areas: [{ id: "dati", number: 1, title: "Dati", page: "competenze-digitali#dati" }],
  questions: [
    { id: "d1", area: "dati", text: "Che cos'è un dato aperto?", options: ["A", "B"] },
    { id: "d2", area: "dati", text: "Dove si salvano i file?", options: ["C", "D", "E"] },
  ],
  last: null,
};

const stored: StoredAssessment = {
  taken_at: "2026-11-26T09:00:00Z",
  result: {
    version: 1,
    correct: 1,
    total: 2,
    areas: [{ area: "dati", title: "Dati", total: 2, answered: 2, correct: 1, percent: 50, level: "base", page: "p" }],
    review: [{ question: "d2", chosen: 0, correct: 2, explanation: "Perché sì." }],
  },
};

const settled = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

beforeEach(() => {
  setLanguage("it");
  submit.mockReset();
  forget.mockReset();
  document.body.innerHTML = "";
});

test("answers are sent with their option index and the result is shown with levels and review", async () => {
  const root = document.createElement("div");
  document.body.append(root);
  const messages: string[] = [];
  renderAssessment(root, view, (m) => messages.push(m));
  expect(root.querySelectorAll("fieldset")).toHaveLength(2);
  expect(root.querySelector("#assessment-result")).toBeNull();

  root.querySelector<HTMLInputElement>("#q-d1-1")!.checked = true;
  root.querySelector<HTMLInputElement>("#q-d2-0")!.checked = true;
  submit.mockResolvedValueOnce(stored);
  root.querySelector<HTMLFormElement>("#assessment-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
  await settled();

  expect(submit).toHaveBeenCalledWith([
    { question: "d1", option: 1 },
    { question: "d2", option: 0 },
  ]);
  const result = root.querySelector("#assessment-result")!;
  expect(result.textContent).toContain("Risposte corrette: 1 su 2.");
  expect(result.querySelector('tr[data-area="dati"]')!.textContent).toContain("base");
  expect(result.textContent).toContain("Risposta corretta: E");
  expect(result.textContent).toMatch(/26 novembre 2026.*10:00/);
  expect(messages[messages.length - 1]).toBe("Risposte corrette: 1 su 2.");
});

test("a stored result is shown at once and can be deleted", async () => {
  const root = document.createElement("div");
  renderAssessment(root, { ...view, last: stored }, () => {});
  expect(root.querySelector("#assessment-result")).not.toBeNull();
  forget.mockResolvedValueOnce(undefined);
  root.querySelector<HTMLButtonElement>("#assessment-forget")!.click();
  await settled();
  expect(forget).toHaveBeenCalled();
  expect(root.querySelector("#assessment-result")).toBeNull();
});
