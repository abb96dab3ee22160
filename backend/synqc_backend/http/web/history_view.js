// Recent runs, newest first, filtered by preset, target and status; the filters live in the URL.

import { el, replace, scroller } from "./dom.js";
import { count, DASH, shortId, sig, when } from "./format.js";

const STATES = ["queued", "running", "succeeded", "failed", "cancelled"];
const LIMIT = 50;
// URL parameter → `GET /runs` query parameter.
const FILTERS = [["preset", "preset"], ["target", "hardware_target"], ["status", "state"]];

/** Render the history for `filters` (a URLSearchParams); `navigate(hash)` changes the view. */
export function showHistory(client, container, filters, server, navigate) {
  const controller = new AbortController();
  const choose = (name, label, values) => {
    const id = `history-${name}`;
    const select = el("select", { id, name },
      el("option", { value: "", text: `all` }),
      values.map(([value, text]) => el("option", { value, text, selected: filters.get(name) === value })));
    select.addEventListener("change", () => {
      const next = new URLSearchParams(filters);
      if (select.value) next.set(name, select.value);
      else next.delete(name);
      navigate(`#/history${next.size ? `?${next}` : ""}`);
    });
    return el("div", { class: "field" }, el("label", { for: id, text: label }), select);
  };
  const body = el("div", { class: "history-body" }, el("p", { role: "status", text: "Loading runs…" }));
  replace(container,
    el("section", { class: "panel", "aria-labelledby": "history-heading" },
      el("h1", { id: "history-heading", text: "History" }),
      el("form", { class: "filters", "aria-label": "Filter runs", onsubmit: (event) => event.preventDefault() },
        choose("preset", "Preset", server.presets.map((p) => [p, p])),
        choose("target", "Target", server.targets.map((t) => [t.id, t.name])),
        choose("status", "Status", STATES.map((s) => [s, s]))),
      body));

  const query = new URLSearchParams({ limit: String(LIMIT) });
  for (const [name, param] of FILTERS) if (filters.get(name)) query.set(param, filters.get(name));
  client.get(`/runs?${query}`, controller.signal).then(
    ({ runs }) => replace(body, runs.length ? runsTable(runs, navigate) : el("p", { text: "No runs match these filters." })),
    (error) => {
      if (error.name === "AbortError") return;
      replace(body, el("div", { class: "error-box", role: "alert" },
        el("p", { text: error.message }), error.hint ? el("p", { text: `What to do: ${error.hint}` }) : null));
    },
  );
  return { stop: () => controller.abort() };
}

function runsTable(runs, navigate) {
  const head = ["Run", "Created", "Preset", "Target", "Status", "Fidelity", "Shots used"];
  return scroller("Recent runs table", el("table", { class: "history-table" },
    el("caption", { text: `${runs.length} most recent runs, newest first` }),
    el("thead", {}, el("tr", {}, head.map((title) => el("th", { scope: "col", text: title })))),
    el("tbody", {}, runs.map((run) => {
      const kpis = run.result?.kpis;
      const row = el("tr", { class: "clickable", "data-run-id": run.id },
        el("th", { scope: "row" }, el("a", { href: `#/runs/${run.id}`, text: shortId(run.id) })),
        el("td", { text: when(run.created_at) }),
        el("td", { text: run.preset }),
        el("td", { text: run.hardware_target }),
        el("td", {}, el("span", { class: "run-state", "data-state": run.status, text: run.status })),
        el("td", { text: kpis ? sig(kpis.fidelity) : DASH }),
        el("td", { text: kpis ? `${count(kpis.shots_used)} / ${count(kpis.shot_budget)}` : DASH }));
      row.addEventListener("click", (event) => {
        if (!event.target.closest("a")) navigate(`#/runs/${run.id}`);
      });
      return row;
    }))));
}
