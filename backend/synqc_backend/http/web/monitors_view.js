// The monitors: what each watches and how often, its next run, its latest outcome and why it
// backs off; each can be paused or resumed.

import { el, replace, scroller, table } from "./dom.js";
import { DASH, shortId, when } from "./format.js";

/** Render the monitors into `container`; returns a handle with `stop()`. */
export function showMonitors(client, container) {
  const controller = new AbortController();
  const load = () => client.get("/monitors", controller.signal).then(
    (found) => replace(container, view(client, found.monitors, load)),
    (error) => {
      if (error.name === "AbortError") return;
      replace(container, el("div", { class: "error-box", role: "alert" },
        el("p", { text: `Monitors: ${error.message}` }),
        error.hint ? el("p", { text: `What to do: ${error.hint}` }) : null));
    });
  replace(container, el("p", { role: "status", text: "Loading monitors…" }));
  load();
  return { stop: () => controller.abort() };
}

function view(client, monitors, reload) {
  return el("section", { class: "panel monitors-view", "aria-labelledby": "monitors-heading" },
    el("h1", { id: "monitors-heading", text: "Monitors" }),
    monitors.length === 0
      ? el("p", { class: "field-note", text: "No monitor yet: POST /monitors with a target, qubits and how often (README, \"Monitoring\")." })
      : scroller("Monitors table", table(null,
        ["Monitor", "Target", "Qubits", "Preset", "Every", "Next run", "Last run", "Failures in a row", ""],
        monitors.map((m) => [
          shortId(m.id),
          el("a", { href: `#/targets/${encodeURIComponent(m.hardware_target)}`, text: m.hardware_target }),
          Array.isArray(m.qubits) ? m.qubits.join(", ") : m.qubits,
          m.preset,
          m.every,
          m.paused ? "paused" : when(m.next_run_at),
          m.last_run_id
            ? el("span", {}, el("a", { href: `#/runs/${m.last_run_id}`, text: shortId(m.last_run_id) }), ` ${m.last_status ?? ""}`)
            : DASH,
          m.consecutive_failures ? `${m.consecutive_failures}: ${m.status_reason ?? ""}` : "0",
          el("button", {
            type: "button", class: "secondary", "data-monitor": m.id,
            text: m.paused ? "Resume" : "Pause",
            onclick: async (event) => {
              event.currentTarget.disabled = true;
              await client.patch(`/monitors/${encodeURIComponent(m.id)}`, { paused: !m.paused });
              reload();
            },
          }),
        ]), { class: "monitors-table" })));
}
