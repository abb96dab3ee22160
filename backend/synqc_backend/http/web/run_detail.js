// One run in full: KPIs with definitions, fit figures, measurements (per qubit for a run over
// several qubits, each qubit's fits shown on demand), comparison or trade-off tables, workflow
// trace, physics contract, errors with their hint, and the raw JSON.

import { el, replace, scroller, table } from "./dom.js";
import { count, DASH, duration, quantity, shortId, sig, when } from "./format.js";
import { renderKpiTiles } from "./kpi_tiles.js";
import { isFinished, watchRun } from "./run_watch.js";

const FIGURE_TITLES = {
  t1: "T1: excited-state population vs. delay",
  ramsey: "Ramsey: fringes vs. delay (T2*)",
  echo: "Hahn echo: coherence vs. delay (T2)",
  rb: "Randomized benchmarking: survival vs. sequence length",
  rb_compare: "Randomized benchmarking per target",
  dpd_tradeoff: "Trade-off: information gained vs. backaction",
  device_coherence: "T1, T2* and T2 echo per qubit",
  device_errors: "Error per Clifford and readout error per qubit",
};
const PER_QUBIT = /_q(\d+)$/;
const QUBIT_COLUMNS = [
  ["t1_s", "T1"], ["t2_star_s", "T2*"], ["t2_echo_s", "T2 echo"], ["epc", "EPC"],
  ["readout_assignment_fidelity", "Readout fidelity"],
];

/** Render run `runId` into `container`; returns a handle whose `stop()` ends any live watch. */
export function showRunDetail(client, runId, container, definitions) {
  let watch = null;
  const controller = new AbortController();
  replace(container, el("p", { role: "status", text: `Loading run ${shortId(runId)}…` }));
  const render = (run) => {
    if (controller.signal.aborted) return;
    replace(container, detail(client, run, definitions));
    if (!isFinished(run.status)) {
      const live = el("section", { class: "panel", "aria-label": "Live progress" });
      container.querySelector(".detail-head").after(live);
      watch = watchRun(client, run, live, render);
    }
  };
  client.get(`/runs/${encodeURIComponent(runId)}`, controller.signal).then(render, (error) => {
    if (error.name === "AbortError") return;
    replace(container, el("div", { class: "error-box", role: "alert" },
      el("p", { text: `Run ${runId}: ${error.message}` }),
      error.hint ? el("p", { text: `What to do: ${error.hint}` }) : null,
      el("p", {}, el("a", { href: "#/history", text: "Back to history" }))));
  });
  return { stop: () => { controller.abort(); watch?.stop(); } };
}

function detail(client, run, definitions) {
  const result = run.result;
  return el("article", { class: "run-detail", "aria-labelledby": "detail-heading" },
    head(client, run),
    errorSection(run),
    result?.warnings?.length ? section("Warnings", el("ul", {}, result.warnings.map((w) => el("li", { text: w })))) : null,
    section("Key figures", el("div", { class: "detail-tiles" }, tilesOf(result, definitions, run.status))),
    result?.figures?.length ? section("Fit figures", figures(client, result.figures.filter((p) => !PER_QUBIT.test(figureName(p))))) : null,
    result?.qubits_used?.length > 1 && result.measurements?.length ? section("Qubits", qubitTable(client, result)) : null,
    result?.comparison ? section("Targets side by side", comparison(result.comparison)) : null,
    result?.tradeoff ? section("Probe-strength sweep", tradeoff(result.tradeoff)) : null,
    result?.measurements?.length ? section("Measurements", measurements(result.measurements, result.qubits_used.length > 1)) : null,
    result?.kpi_details?.length ? section("KPIs and their definitions", kpiTable(result.kpi_details, definitions)) : null,
    result?.workflow_trace?.length ? section("Workflow trace", trace(result.workflow_trace)) : null,
    result?.physics_contract ? section("Physics contract", contract(result.physics_contract)) : null,
    result ? section("Controls as applied", controls(result.control_profile)) : null,
  );
}

function tilesOf(result, definitions, status) {
  const holder = el("div");
  renderKpiTiles(holder, result, definitions, isFinished(status) ? "no result" : "run not finished");
  return holder;
}

function section(title, body) {
  return el("section", { class: "panel detail-section" }, el("h2", { text: title }), body);
}

function head(client, run) {
  const result = run.result;
  const facts = [
    ["Status", el("span", { class: "run-state", "data-state": run.status, text: run.status })],
    ["Target", run.hardware_target],
    ["Created", when(run.created_at)],
    ["Started", when(run.started_at)],
    ["Finished", when(run.finished_at)],
    ["Qubits used", result ? result.qubits_used.join(", ") || DASH : DASH],
    ["Shots", result ? `${count(result.shots.executed)} executed of ${count(result.shots.requested)} requested` : DASH],
    ["Notes", el("span", { class: "run-notes", text: result?.notes ?? DASH })],
  ];
  return el("header", { class: "panel detail-head" },
    el("h1", { id: "detail-heading", text: `${run.preset} run ${shortId(run.id)}` }),
    el("dl", { class: "facts" }, facts.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)])),
    el("p", { class: "detail-links" },
      el("a", { href: client.url(`/runs/${encodeURIComponent(run.id)}`), text: "Raw JSON", target: "_blank", rel: "noopener" }),
      " · ", el("a", { href: "#/history", text: "Back to history" })),
  );
}

function errorSection(run) {
  if (!run.error_message && !run.error_code) return null;
  return el("section", { class: "panel error-box", "aria-label": "Run error" },
    el("p", { class: "error-message" },
      el("span", { class: "error-code", text: run.error_code ?? "ERROR" }), " ", run.error_message ?? ""),
    run.action_hint ? el("p", { class: "error-hint" }, el("strong", { text: "What to do: " }), run.action_hint) : null,
    run.error_detail && Object.keys(run.error_detail).length
      ? el("pre", { class: "error-detail", text: JSON.stringify(run.error_detail, null, 2) }) : null);
}

function figureName(path) {
  return path.split("/").pop().replace(/\.svg$/, "");
}

function figures(client, paths) {
  return el("div", { class: "figure-grid" }, paths.map((path) => {
    const name = figureName(path);
    const qubit = name.match(PER_QUBIT);
    const base = name.replace(PER_QUBIT, "");
    const title = `${FIGURE_TITLES[base] ?? base}${qubit ? `, qubit ${qubit[1]}` : ""}`;
    const image = el("img", { alt: title, width: "640", height: "400", "data-figure": name });
    const caption = el("figcaption", { text: title });
    client.figureUrl(path).then(
      (url) => {
        image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
        image.src = url;
      },
      (error) => { caption.textContent = `${title}: ${error.message}`; },
    );
    return el("figure", { class: "fit-figure" }, image, caption);
  }));
}

function comparison(compared) {
  const rows = compared.rows;
  const best = compared.best ?? {};
  const line = (label, key, show) => [label, ...rows.map((row) => {
    const text = show(row);
    return best[key] === row.hardware_target && text !== DASH ? `${text} (best)` : text;
  })];
  return scroller("Targets side by side table", table(null, ["KPI", ...rows.map((row) => row.hardware_target)], [
    line("Bell fidelity", "fidelity", (row) => quantity(row.fidelity, row.fidelity_stderr, "1")),
    line("GHZ-3 fidelity", "ghz_fidelity", (row) => sig(row.ghz_fidelity)),
    line("Error per Clifford", "epc", (row) => quantity(row.epc, row.epc_stderr, "1")),
    line("Latency per circuit", "latency_us", (row) => row.latency_us == null ? DASH : `${sig(row.latency_us / 1000, 3)} ms`),
    line("Status", "status", (row) => row.status),
  ], { class: "comparison-table" }));
}

function tradeoff(points) {
  return scroller("Probe-strength sweep table", table(null,
    ["Probe strength", "Information (bit)", "Backaction (trace distance)", "Theory backaction"],
    points.map((p) => [sig(p.strength, 3), quantity(p.information_bits, p.information_stderr, "1"),
      quantity(p.backaction, p.backaction_stderr, "1"), sig(p.theory_backaction)]),
    { class: "tradeoff-table" }));
}

/** One row per qubit with its fitted values; each qubit's fit figures load when opened. */
function qubitTable(client, result) {
  const byQubit = new Map(result.qubits_used.map((q) => [q, {}]));
  for (const m of result.measurements) if (byQubit.has(m.qubit)) byQubit.get(m.qubit)[m.name] = m;
  const paths = result.figures ?? [];
  return scroller("Qubits table", table(null, ["Qubit", ...QUBIT_COLUMNS.map(([, title]) => title), "Fits"],
    [...byQubit].map(([qubit, values]) => [
      String(qubit),
      ...QUBIT_COLUMNS.map(([name]) => {
        const m = values[name];
        if (!m) return DASH;
        const text = quantity(m.value, m.stderr, m.unit);
        return m.quality === "good" ? text : el("span", { class: "bad-fit", title: m.quality_reason ?? "bad fit", text: `${text} (bad fit)` });
      }),
      qubitFits(client, qubit, paths.filter((p) => figureName(p).endsWith(`_q${qubit}`))),
    ]), { class: "qubit-table" }));
}

function qubitFits(client, qubit, paths) {
  if (!paths.length) return DASH;
  const holder = el("div");
  const details = el("details", { class: "qubit-fits" }, el("summary", { text: `Fits of qubit ${qubit}` }), holder);
  details.addEventListener("toggle", () => {
    if (details.open && !holder.childElementCount) holder.append(figures(client, paths));
  });
  return details;
}

function measurements(items, severalQubits) {
  return scroller("Measurements table", table(null, ["Quantity", "Value ± stderr", "Fit quality"],
    items.map((m) => [severalQubits ? `${m.name} (qubit ${m.qubit})` : m.name, quantity(m.value, m.stderr, m.unit),
      m.quality_reason ? `${m.quality}: ${m.quality_reason}` : m.quality]),
    { class: "measurements-table" }));
}

function kpiTable(details, definitions) {
  return scroller("KPIs and their definitions table", table(null, ["KPI", "Value ± stderr", "95 % CI", "Definition"],
    details.map((d) => {
      const definition = definitions.get(d.definition_id);
      const over = d.aggregation ? ` (${d.aggregation}; worst: qubit ${d.worst_qubit})` : "";
      return [d.name, `${quantity(d.value, d.stderr, d.units)}${over}`,
        d.ci95 ? `${sig(d.ci95[0])} to ${sig(d.ci95[1])}` : DASH,
        definition ? `${definition.id}: ${definition.formula}` : d.definition_id];
    }), { class: "kpi-table" }));
}

function trace(stages) {
  return scroller("Workflow trace table", table(null, ["Stage", "What happened", "Time"],
    stages.map((s) => [s.label, s.description, duration(s.dwell_ms)])));
}

function contract(physics) {
  return el("dl", { class: "facts" },
    el("dt", { text: "Plant" }), el("dd", { text: physics.plant }),
    el("dt", { text: "Noise model" }), el("dd", { text: physics.noise_model }),
    el("dt", { text: "Measurement model" }), el("dd", { text: physics.measurement_model }),
    el("dt", { text: "Assumptions" }), el("dd", {}, el("ul", {}, physics.assumptions.map((a) => el("li", { text: a })))));
}

function controls(profile) {
  return el("dl", { class: "facts" }, Object.entries(profile).flatMap(([name, value]) =>
    [el("dt", { text: name }), el("dd", { text: value === null ? DASH : String(value) })]));
}
