// Every target with its readiness, what is missing when it is not ready, its capabilities and
// a link to its qubits (device view).

import { el, replace } from "./dom.js";
import { count } from "./format.js";

export function showTargets(container, targets) {
  replace(container, el("section", { class: "panel", "aria-labelledby": "targets-heading" },
    el("h1", { id: "targets-heading", text: "Targets" }),
    el("ul", { class: "target-list" }, targets.map((target) =>
      el("li", { class: "target-card", "data-target": target.id, "data-status": target.status },
        el("h2", {}, target.name, " ", el("span", { class: `badge badge-${target.status}`, text: target.status })),
        el("p", { class: "target-detail", text: target.status_detail }),
        el("p", {}, el("a", { href: `#/targets/${encodeURIComponent(target.id)}`, class: "device-link", text: `Qubits of ${target.id}` })),
        el("dl", { class: "facts" },
          el("dt", { text: "Id" }), el("dd", {}, el("code", { text: target.id })),
          el("dt", { text: "Kind" }), el("dd", { text: target.kind }),
          el("dt", { text: "Vendor" }), el("dd", { text: target.vendor }),
          el("dt", { text: "Max shots" }), el("dd", { text: count(target.capabilities.max_shots) }),
          el("dt", { text: "Queue" }), el("dd", { text: target.capabilities.queue_behavior }),
          el("dt", { text: "Gates" }), el("dd", { text: target.capabilities.supported_gates.join(", ") }),
          el("dt", { text: "About" }), el("dd", { text: target.description })))))));
}
