// Engineering controls: one slider per bounded field of the ControlProfile (the contract's
// bounds), the thermal guard as a checkbox; read back as a full profile for a run or the server.

import { el, replace } from "./dom.js";

// [field, label, min, max, unit] — bounds from the API contract's ControlProfile.
const SLIDERS = [
  ["drive_bias", "Drive bias", 0.5, 1.5, ""],
  ["probe_window_ns", "Probe window", 10, 10000, "ns"],
  ["feedback_gain", "Feedback gain", 0, 3, ""],
  ["safety_clamp_ns", "Safety clamp", 0, 20000, "ns"],
  ["tracer_persistence_ms", "Tracer persistence", 50, 5000, "ms"],
];

export class ControlsForm {
  constructor(container) {
    this.inputs = new Map();
    this.notes = null;
    const rows = SLIDERS.map(([name, label, min, max, unit]) => {
      const id = `control-${name}`;
      const input = el("input", { id, type: "range", min, max, step: "any", name });
      const shown = el("output", { for: id, class: "control-value" });
      const show = () => { shown.textContent = `${Number(input.value).toPrecision(3).replace(/\.?0+$/, "")}${unit ? ` ${unit}` : ""}`; };
      input.addEventListener("input", show);
      this.inputs.set(name, { input, show });
      return el("div", { class: "field slider" },
        el("label", { for: id, text: `${label} (${min} to ${max}${unit ? ` ${unit}` : ""})` }),
        el("div", { class: "slider-row" }, input, shown));
    });
    this.guard = el("input", { id: "control-thermal_guard_enabled", type: "checkbox" });
    replace(container, rows,
      el("div", { class: "field checkbox" }, this.guard,
        el("label", { for: "control-thermal_guard_enabled", text: "Thermal guard enabled" })));
  }

  /** Show a ControlProfile. */
  set(profile) {
    for (const [name, { input, show }] of this.inputs) {
      input.value = String(profile[name]);
      show();
    }
    this.guard.checked = Boolean(profile.thermal_guard_enabled);
    this.notes = profile.notes ?? null;
  }

  /** The full ControlProfile the sliders show. */
  profile() {
    const profile = { thermal_guard_enabled: this.guard.checked, notes: this.notes };
    for (const [name, { input }] of this.inputs) profile[name] = Number(input.value);
    return profile;
  }
}
