// One qubit's history on a target: T1, T2*, T2 echo, EPC and readout over time as plots with
// error bars, the target's reported value and drift markers, and each series as CSV.

import { el, replace } from "./dom.js";

const QUANTITIES = [
  ["t1_s", "T1"], ["t2_echo_s", "T2 echo"], ["t2_star_s", "T2*"], ["epc", "Error per Clifford"],
  ["readout_assignment_fidelity", "Readout assignment fidelity"],
];

/** Render qubit `qubit` of `targetId` into `container`; returns a handle with `stop()`. */
export function showQubitHistory(client, targetId, qubit, container) {
  const base = `/hardware/targets/${encodeURIComponent(targetId)}/qubits/${encodeURIComponent(qubit)}`;
  const urls = [];
  const plots = QUANTITIES.map(([quantity, title]) => {
    const image = el("img", { alt: `${title} of qubit ${qubit} over time`, width: "640", height: "400", "data-history": quantity });
    const caption = el("figcaption", {}, `${title} over time · `,
      el("a", { href: client.url(`${base}/history?quantity=${quantity}`), text: "JSON", target: "_blank", rel: "noopener" }));
    client.figureUrl(`${base}/history.svg?quantity=${quantity}`).then(
      (url) => { urls.push(url); image.src = url; },
      (error) => { caption.textContent = `${title}: ${error.message}`; },
    );
    return el("figure", { class: "fit-figure" }, image, caption);
  });
  replace(container, el("section", { class: "panel", "aria-labelledby": "history-heading" },
    el("h1", { id: "history-heading", text: `Qubit ${qubit} of ${targetId} over time` }),
    el("p", { class: "field-note" },
      "Every succeeded run's value ± stderr; the line is what the target reports; orange marks a value the drift test flagged (qubit_drift_v1). ",
      el("a", { href: `#/targets/${encodeURIComponent(targetId)}`, text: "Back to the device" })),
    el("div", { class: "figure-grid" }, plots)));
  return { stop: () => urls.forEach((url) => URL.revokeObjectURL(url)) };
}
