// KPI tiles: fidelity, latency, backaction, shots and status, coloured by the run's KPI status;
// each tile's definition and CI show on hover or keyboard focus.

import { el, replace, uniqueId } from "./dom.js";
import { count, DASH, latency, sig } from "./format.js";

const SHOTS_DEFINITION = "shots_used_v1";

const TILES = [
  { name: "fidelity", title: "Fidelity", show: (kpis) => sig(kpis.fidelity) },
  { name: "latency_us", title: "Latency", show: (kpis) => latency(kpis.latency_us) },
  { name: "backaction", title: "Backaction", show: (kpis) => sig(kpis.backaction) },
  {
    name: "shots",
    title: "Shots used / budget",
    show: (kpis) => `${count(kpis.shots_used)} / ${count(kpis.shot_budget)}`,
    definition: () => SHOTS_DEFINITION,
  },
  {
    name: "status",
    title: "Status",
    show: (kpis) => kpis.status,
    definition: (kpis) => kpis.status_definition_id,
  },
];

/**
 * Fill `container` with the tiles of `result` (a RunExperimentResponse, or null while a run has
 * none); `definitions` maps a definition id to its KPI definition; `placeholder` says why the
 * tiles are empty.
 */
export function renderKpiTiles(container, result, definitions, placeholder = "no result yet") {
  const kpis = result?.kpis ?? null;
  const details = new Map((result?.kpi_details ?? []).map((detail) => [detail.name, detail]));
  const status = kpis ? kpis.status : "none";
  const tiles = TILES.map((spec) => tile(spec, kpis, details.get(spec.name), definitions, placeholder));
  replace(container, el("div", { class: `kpi-tiles status-${status}`, "data-status": status }, tiles));
}

function tile(spec, kpis, detail, definitions, placeholder) {
  const titleId = uniqueId("kpi-title");
  const tipId = uniqueId("kpi-tip");
  const value = kpis ? spec.show(kpis) : DASH;
  const definitionId = detail?.definition_id ?? (kpis && spec.definition ? spec.definition(kpis) : null);
  const sub = detail?.stderr != null ? `± ${sig(detail.stderr, 2)}` : kpis ? "" : placeholder;
  const node = el(
    "div",
    {
      class: "kpi-tile",
      role: "group",
      tabindex: "0",
      "aria-labelledby": titleId,
      "aria-describedby": tipId,
      "data-kpi": spec.name,
    },
    el("p", { id: titleId, class: "kpi-title", text: spec.title }),
    el("p", { class: "kpi-value", text: value }),
    el("p", { class: "kpi-sub", text: sub }),
    el("div", { id: tipId, role: "tooltip", class: "kpi-tip" }, tipLines(detail, definitionId, definitions)),
  );
  // Escape closes the definition without moving focus (WCAG 1.4.13); it shows again next time.
  node.addEventListener("keydown", (event) => {
    if (event.key === "Escape") node.classList.add("tip-closed");
  });
  for (const name of ["blur", "mouseleave"]) node.addEventListener(name, () => node.classList.remove("tip-closed"));
  return node;
}

function tipLines(detail, definitionId, definitions) {
  const definition = definitionId ? definitions.get(definitionId) : null;
  const lines = [];
  if (definition) {
    lines.push(el("p", {}, el("strong", { text: `${definition.id}: ` }), definition.formula));
    lines.push(el("p", { text: `units: ${definition.units}` }));
  } else {
    lines.push(el("p", { text: definitionId ? `definition ${definitionId}` : "no definition: no value yet" }));
  }
  if (detail?.ci95) lines.push(el("p", { text: `95 % CI: ${sig(detail.ci95[0])} to ${sig(detail.ci95[1])}` }));
  else if (detail) lines.push(el("p", { text: "95 % CI: not reported for this KPI" }));
  return lines;
}
