// One target's qubits as runs last measured them: a grid coloured by status and a table with
// each qubit's T1, T2*, T2 echo, EPC, readout, score and the run that measured it.

import { el, replace, scroller, table } from "./dom.js";
import { DASH, quantity, shortId, sig, when } from "./format.js";

const QUANTITIES = [
  ["t1_s", "T1", "s"], ["t2_star_s", "T2*", "s"], ["t2_echo_s", "T2 echo", "s"],
  ["epc", "EPC", "1"], ["readout_assignment_fidelity", "Readout fidelity", "1"],
];

/** Render target `targetId`'s qubits into `container`; returns a handle with `stop()`. */
export function showDevice(client, targetId, container) {
  const controller = new AbortController();
  replace(container, el("p", { role: "status", text: `Loading the qubits of ${targetId}…` }));
  client.get(`/hardware/targets/${encodeURIComponent(targetId)}/qubits`, controller.signal).then(
    (found) => replace(container, device(found)),
    (error) => {
      if (error.name === "AbortError") return;
      replace(container, el("div", { class: "error-box", role: "alert" },
        el("p", { text: `Qubits of ${targetId}: ${error.message}` }),
        error.hint ? el("p", { text: `What to do: ${error.hint}` }) : null,
        el("p", {}, el("a", { href: "#/targets", text: "Back to targets" }))));
    });
  return { stop: () => controller.abort() };
}

function device(found) {
  const qubits = found.qubits;
  return el("section", { class: "panel device-view", "aria-labelledby": "device-heading" },
    el("h1", { id: "device-heading", text: `Qubits of ${found.hardware_target}` }),
    el("p", { class: "field-note" },
      `The latest value each qubit's runs measured; status by ${found.status_definition_id} `,
      "(degraded: out of spec; drifting: far from its own recent values), ",
      `score by ${found.score_definition_id} (lower is better). `,
      el("a", { href: "#/targets", text: "Back to targets" })),
    qubits.length === 0
      ? el("p", { class: "field-note", text: "No run has measured a qubit of this target yet: run health with qubits \"all\"." })
      : [grid(qubits), qubitTable(found.hardware_target, qubits)]);
}

/** A square per qubit, coloured by status, each linking to the run that last measured it. */
export function grid(qubits) {
  return el("ul", { class: "qubit-grid", "aria-label": "Qubits by status" }, qubits.map((q) => {
    const run = latestRun(q);
    const label = `qubit ${q.qubit}: ${q.status}${q.status_reasons.length ? ` (${q.status_reasons.join("; ")})` : ""}`;
    const cell = el("span", { text: String(q.qubit) });
    return el("li", { class: "qubit-cell", "data-status": q.status, title: label },
      run ? el("a", { href: `#/runs/${run}`, "aria-label": label }, cell) : cell);
  }));
}

function qubitTable(targetOf, qubits) {
  return scroller("Qubits table", table(null,
    ["Qubit", "Status", ...QUANTITIES.map(([, title]) => title), "Score", "Measured", "Run"],
    qubits.map((q) => {
      const run = latestRun(q);
      return [
        el("a", { href: `#/targets/${encodeURIComponent(targetOf)}/qubits/${q.qubit}`, class: "history-link", title: "history", text: String(q.qubit) }),
        el("span", { class: `badge badge-status-${q.status}`, text: q.status, title: q.status_reasons.join("; ") }),
        ...QUANTITIES.map(([name, , unit]) => cellOf(q[name], unit)),
        q.score === null ? DASH : sig(q.score, 3),
        when(latestTime(q)),
        run ? el("a", { href: `#/runs/${run}`, text: shortId(run) }) : DASH,
      ];
    }), { class: "qubit-table" }));
}

function cellOf(value, unit) {
  if (!value) return DASH;
  const text = quantity(value.value, value.stderr, unit);
  return value.quality === "good" ? text : el("span", { class: "bad-fit", title: "bad fit", text: `${text} (bad fit)` });
}

function latestRun(q) {
  const values = QUANTITIES.map(([name]) => q[name]).filter(Boolean);
  values.sort((a, b) => b.measured_at - a.measured_at);
  return values[0]?.run_id ?? null;
}

function latestTime(q) {
  return Math.max(...QUANTITIES.map(([name]) => q[name]?.measured_at ?? -Infinity));
}
