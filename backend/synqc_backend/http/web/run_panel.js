// The run form: target with its readiness, preset, shot budget within the target's and the
// server's maxima, notes, mode and engineering controls; submits `POST /runs`.

import { ControlsForm } from "./controls_form.js";
import { el, replace } from "./dom.js";
import { showError } from "./error_box.js";
import { count } from "./format.js";

const PRESET_ABOUT = {
  hello_quantum_sim: "A Bell pair, scored by classical fidelity to the ideal distribution.",
  health: "T1, Ramsey T2*, Hahn-echo T2, readout, repeatability and single-qubit RB, with fits.",
  latency: "Small feed-forward probe jobs, each timed from submit to result.",
  backend_compare: "Bell, GHZ-3 and a short RB on every compared target, side by side.",
  dpd_demo: "Drive–probe–drive: what a weak probe learns vs. how much it disturbs.",
};

export class RunPanel {
  constructor(client, onSubmitted) {
    this.client = client;
    this.onSubmitted = onSubmitted;
    this.targets = [];
    this.health = null;
    this.form = document.getElementById("run-form");
    this.target = document.getElementById("run-target");
    this.preset = document.getElementById("run-preset");
    this.shots = document.getElementById("run-shots");
    this.error = document.getElementById("run-error");
    this.submit = document.getElementById("run-submit");
    this.controls = new ControlsForm(document.getElementById("controls-fields"));
    this.controlsMessage = document.getElementById("controls-message");
    this.shotsWarning = document.getElementById("run-shots-warning");
    this.target.addEventListener("change", () => this.describeTarget());
    this.shots.addEventListener("input", () => this.warnAboutShots());
    this.preset.addEventListener("change", () => this.describePreset());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    document.getElementById("controls-apply").addEventListener("click", () => this.applyControls());
    document.getElementById("controls-reset").addEventListener("click", () => this.loadControls());
  }

  /** Fill the form from `/health` and `/hardware/targets`; keeps the current choices. */
  setServer(health, targets) {
    const firstLoad = this.health === null;
    this.health = health;
    this.targets = targets;
    const chosenTarget = this.target.value || "sim_local";
    replace(this.target, targets.map((target) => el("option", {
      value: target.id,
      text: target.status === "ready" ? target.name : `${target.name} — ${target.status}`,
      selected: target.id === chosenTarget,
    })));
    const chosenPreset = this.preset.value || "health";
    replace(this.preset, health.presets.map((name) =>
      el("option", { value: name, text: name, selected: name === chosenPreset })));
    replace(document.getElementById("run-compare-options"), targets.map((target) => {
      const id = `compare-${target.id}`;
      return el("div", { class: "checkbox" },
        el("input", { id, type: "checkbox", value: target.id, checked: target.id === "sim_local" }),
        el("label", { for: id, text: target.status === "ready" ? target.name : `${target.name} (${target.status})` }));
    }));
    this.describeTarget();
    this.describePreset();
    if (firstLoad) this.controls.set(health.control_profile);
  }

  selectedTarget() {
    return this.targets.find((target) => target.id === this.target.value) ?? null;
  }

  /** The most a run may ask for: the server's per-run maximum (a target's limit is per circuit). */
  maxShots() {
    return this.health?.max_shots_per_experiment ?? Infinity;
  }

  /** The server's soft warning, shown before submitting: a large budget on hardware. */
  warnAboutShots() {
    const target = this.selectedTarget();
    const shots = Number(this.shots.value.trim() || this.health?.default_shot_budget);
    const threshold = this.health?.hardware_shot_warning ?? Infinity;
    const warn = Boolean(target) && target.kind !== "sim" && shots > threshold;
    this.shotsWarning.hidden = !warn;
    this.shotsWarning.textContent = warn
      ? `${count(shots)} shots is above ${count(threshold)} on ${target.name}, a non-simulator ` +
        "target: shots there cost money and queue time."
      : "";
  }

  describeTarget() {
    const target = this.selectedTarget();
    const status = document.getElementById("run-target-status");
    if (!target) return;
    replace(status,
      el("span", { class: `badge badge-${target.status}`, text: target.status }), " ", target.status_detail);
    const max = this.maxShots();
    this.shots.max = String(max);
    document.getElementById("run-shots-note").textContent =
      `1 to ${count(max)} shots per run; the target takes up to ` +
      `${count(target.capabilities.max_shots)} per circuit. Empty uses the preset's default ` +
      `(at least ${count(this.health.default_shot_budget)}).`;
    this.warnAboutShots();
  }

  describePreset() {
    document.getElementById("run-preset-about").textContent = PRESET_ABOUT[this.preset.value] ?? "";
    document.getElementById("run-compare").hidden = this.preset.value !== "backend_compare";
  }

  /** The RunExperimentRequest the form describes, or throws an Error saying what to fix. */
  request() {
    const body = {
      preset: this.preset.value,
      hardware_target: this.target.value,
      mode: document.getElementById("run-mode").value,
    };
    const shots = this.shots.value.trim();
    if (shots) {
      const value = Number(shots);
      const max = this.maxShots();
      if (!Number.isInteger(value) || value < 1 || value > max) {
        const problem = new Error(`the shot budget must be a whole number from 1 to ${count(max)}`);
        problem.hint = "lower the shot budget (the server's per-run maximum)";
        throw problem;
      }
      body.shot_budget = value;
    }
    const notes = document.getElementById("run-notes").value;
    if (notes) body.notes = notes;
    if (document.getElementById("controls-this-run").checked) body.control_overrides = this.controls.profile();
    if (body.preset === "backend_compare") {
      body.compare_targets = [...document.querySelectorAll("#run-compare-options input:checked")]
        .map((box) => box.value);
    }
    return body;
  }

  async send() {
    showError(this.error, null);
    let body;
    try {
      body = this.request();
    } catch (problem) {
      showError(this.error, problem);
      return;
    }
    this.submit.disabled = true;
    try {
      this.onSubmitted(await this.client.post("/runs", body));
    } catch (error) {
      showError(this.error, error);
    } finally {
      this.submit.disabled = false;
    }
  }

  async loadControls() {
    try {
      this.controls.set(await this.client.get("/controls/profile"));
      this.controlsMessage.textContent = "Controls loaded from the server.";
    } catch (error) {
      this.controlsMessage.textContent = error.hint ? `${error.message} — ${error.hint}` : error.message;
    }
  }

  async applyControls() {
    try {
      this.controls.set(await this.client.post("/controls/profile", this.controls.profile()));
      this.controlsMessage.textContent = "Applied: runs without their own controls use these.";
    } catch (error) {
      this.controlsMessage.textContent = error.hint ? `${error.message} — ${error.hint}` : error.message;
    }
  }
}
