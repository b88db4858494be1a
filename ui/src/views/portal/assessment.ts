// The digital-skills self-assessment, shown in the portal page that has an
// "Autovalutazione" section. Scoring happens in Rust; the result stays on this computer.
import { api, type AssessmentView, type StoredAssessment } from "../../api";
import { h } from "../../dom";
import { formatIso } from "../../format";
import { errorText, language, t, type MessageKey } from "../../i18n";

/** The heading id that marks where the questionnaire goes. */
export const ASSESSMENT_ANCHOR = "autovalutazione";

function renderResult(view: AssessmentView, stored: StoredAssessment): HTMLElement {
  const r = stored.result;
  const questionText = (id: string) => view.questions.find((q) => q.id === id);
  return h(
    "section",
    { id: "assessment-result", class: "mt-4", "aria-labelledby": "assessment-result-title" },
    h("h3", { id: "assessment-result-title", class: "h5" }, t("assessment.result.title")),
    h("p", {}, t("assessment.result.when", { date: formatIso(stored.taken_at, language()) })),
    h("p", {}, t("assessment.result.total", { correct: r.correct, total: r.total })),
    h(
      "table",
      { class: "table table-sm" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("assessment.col.area")),
          h("th", { scope: "col" }, t("assessment.col.correct")),
          h("th", { scope: "col" }, t("assessment.col.level")),
        ),
      ),
      h(
        "tbody",
        {},
        ...r.areas.map((a) =>
          h(
            "tr",
            { "data-area": a.area },
            h("th", { scope: "row" }, a.title),
            h("td", {}, `${a.correct} / ${a.total}`),
            h("td", {}, t(`assessment.level.${a.level}` as MessageKey)),
          ),
        ),
      ),
    ),
    ...(r.review.length > 0
      ? [
          h("h4", { class: "h6" }, t("assessment.review")),
          h(
            "ul",
            {},
            ...r.review.map((rv) => {
              const q = questionText(rv.question);
              return h(
                "li",
                { class: "mb-2" },
                h("strong", {}, q?.text ?? rv.question),
                h("br"),
                t("assessment.review.right", { answer: q?.options[rv.correct] ?? String(rv.correct + 1) }),
                h("br"),
                rv.explanation,
              );
            }),
          ),
        ]
      : []),
  );
}

/** Builds the questionnaire (and the last result, if any) into `root`. */
export function renderAssessment(root: HTMLElement, view: AssessmentView, announce: (m: string) => void): void {
  const resultSlot = h("div", { id: "assessment-result-slot" });
  const show = (stored: StoredAssessment | null) => {
    resultSlot.replaceChildren(...(stored ? [renderResult(view, stored), forget] : []));
  };
  const forget = h("button", { type: "button", class: "btn btn-outline-secondary btn-sm", id: "assessment-forget" }, t("assessment.forget"));
  forget.addEventListener("click", async () => {
    try {
      await api.portal.forgetAssessment();
      show(null);
      announce(t("assessment.forgotten"));
    } catch (e) {
      announce(errorText(e));
    }
  });

  const form = h("form", { id: "assessment-form", class: "mt-3", novalidate: true });
  view.questions.forEach((q, i) => {
    const legendId = `q-${q.id}-legend`;
    form.append(
      h(
        "fieldset",
        { class: "mb-3", "aria-labelledby": legendId },
        h(
          "legend",
          { class: "h6", id: legendId },
          h("span", { class: "visually-hidden" }, t("assessment.question", { n: i + 1, total: view.questions.length }) + ": "),
          q.text,
        ),
        ...q.options.map((opt, j) => {
          const id = `q-${q.id}-${j}`;
          return h(
            "div",
            { class: "form-check" },
            h("input", { type: "radio", name: `q-${q.id}`, id, value: String(j), "data-question": q.id }),
            h("label", { for: id }, opt),
          );
        }),
      ),
    );
  });
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "assessment-submit" }, t("assessment.submit"));
  form.append(submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const answers = Array.from(form.querySelectorAll<HTMLInputElement>("input[type=radio]:checked")).map((input) => ({
      question: input.dataset.question ?? "",
      option: Number(input.value),
    }));
    submit.disabled = true;
    try {
      const stored = await api.portal.submitAssessment(answers);
      show(stored);
      resultSlot.querySelector<HTMLElement>("h3")?.setAttribute("tabindex", "-1");
      resultSlot.querySelector<HTMLElement>("h3")?.focus();
      announce(t("assessment.result.total", { correct: stored.result.correct, total: stored.result.total }));
    } catch (e) {
      announce(errorText(e));
    } finally {
      submit.disabled = false;
    }
  });

  root.append(h("section", { id: "assessment", class: "portal-assessment" }, h("p", {}, view.intro), form, resultSlot));
  show(view.last);
}
