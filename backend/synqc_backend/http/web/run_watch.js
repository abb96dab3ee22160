// Following one run live: its stage, progress and a cancel button, from the run's Server-Sent
// Events, or by polling `GET /runs/{id}` when the event stream cannot be used.

import { el, replace } from "./dom.js";
import { duration, shortId } from "./format.js";

const POLL_MS = 1000;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
// The contract's workflow stages, in order (the labels of `workflow_trace`).
const STAGES = [
  ["validate", "Validate"], ["queue", "Queue"], ["compile", "Compile"],
  ["execute", "Execute"], ["analyse", "Analyse"], ["store", "Store"],
];
const STAGE_WORDS = { done: "done", active: "in progress", pending: "pending", unreached: "not reached" };
// The engine reports progress 0.1 once circuits are planned and 0.9 once they are executed.
const PLANNED = 0.1;
const EXECUTED = 0.9;

export function isFinished(status) {
  return FINISHED.has(status);
}

/** Index of the stage a live run is in, from its status and progress. */
function liveStage(status, progress) {
  if (status === "queued") return 1;
  if (progress < PLANNED) return 2;
  if (progress < EXECUTED) return 3;
  return 4;
}

/**
 * Show `run` (a RunSubmission or RunStatus) in `container` and follow it until it finishes;
 * `onFinished(runStatus)` gets the finished run with its result. `stop()` ends the watch.
 */
export function watchRun(client, run, container, onFinished) {
  const controller = new AbortController();
  let done = false;
  // A cancel answered with `cancelled` is reported at once, as an event would be.
  const view = buildView(client, run, controller.signal, (status) => onEvent(status));
  replace(container, view.root);

  const finish = async () => {
    if (done || controller.signal.aborted) return;
    done = true;
    try {
      const finished = await client.get(`/runs/${encodeURIComponent(run.id)}`, controller.signal);
      view.showFinished(finished);
      onFinished(finished);
    } catch (error) {
      if (error.name !== "AbortError") view.message(error.message);
    }
  };
  function onEvent(event) {
    view.showLive(event.status, event.progress);
    if (isFinished(event.status)) finish();
  }
  const poll = async () => {
    while (!done && !controller.signal.aborted) {
      try {
        const status = await client.get(`/runs/${encodeURIComponent(run.id)}`, controller.signal);
        onEvent(status);
      } catch (error) {
        if (error.name === "AbortError") return;
        view.message(`${error.message}; retrying`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  view.showLive(run.status, run.progress ?? 0);
  if (isFinished(run.status)) finish();
  else {
    client.streamRunEvents(run.id, onEvent, controller.signal).then(
      () => { if (!done) poll(); },
      (error) => {
        if (error.name === "AbortError") return;
        view.source("polling (event stream unavailable)");
        poll();
      },
    );
  }
  return { stop: () => controller.abort() };
}

function buildView(client, run, signal, onCancelled) {
  const state = el("span", { class: "run-state", "data-state": run.status, text: run.status });
  const bar = el("progress", { max: "100", value: "0", "aria-label": "Run progress" });
  const source = el("span", { class: "field-note", text: "live events" });
  const stages = el("ol", { class: "stages", "aria-label": "Workflow stages" });
  const note = el("p", { class: "field-note", role: "status" });
  const cancel = el("button", { type: "button", class: "danger", text: "Cancel run" });
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try {
      const status = await client.post(`/runs/${encodeURIComponent(run.id)}/cancel`);
      if (status.status === "cancelled") onCancelled(status);
      else note.textContent = "Cancel requested; the run stops at its next checkpoint.";
    } catch (error) {
      cancel.disabled = false;
      note.textContent = error.hint ? `${error.message} — ${error.hint}` : error.message;
    }
  });
  const root = el(
    "div",
    { class: "run-watch", "data-run-id": run.id },
    el("p", { class: "run-title" },
      el("a", { href: `#/runs/${run.id}`, text: `${run.preset} on ${run.hardware_target}` }),
      ` · run ${shortId(run.id)} · `, state),
    el("div", { class: "progress-line" }, bar, source),
    stages,
    el("div", { class: "run-actions" }, cancel),
    note,
    run.warnings?.length
      ? el("ul", { class: "run-warnings", "aria-label": "Warnings" },
        run.warnings.map((warning) => el("li", { text: warning })))
      : null,
  );

  const drawStages = (entries) => replace(stages, entries.map(([label, status, extra]) =>
    el("li", { class: `stage stage-${status}`, "data-stage-status": status },
      el("span", { class: "stage-label", text: label }),
      el("span", { class: "stage-status", text: extra ? `${STAGE_WORDS[status]} · ${extra}` : STAGE_WORDS[status] }))));

  return {
    root,
    message: (text) => { note.textContent = text; },
    source: (text) => { source.textContent = text; },
    showLive(status, progress) {
      if (signal.aborted) return;
      state.textContent = status;
      state.dataset.state = status;
      bar.value = Math.round(100 * progress);
      if (isFinished(status)) return;
      const active = liveStage(status, progress);
      drawStages(STAGES.map(([, label], index) =>
        [label, index < active ? "done" : index === active ? "active" : "pending"]));
    },
    showFinished(finished) {
      state.textContent = finished.status;
      state.dataset.state = finished.status;
      bar.value = 100;
      cancel.hidden = true;
      const trace = new Map((finished.result?.workflow_trace ?? []).map((stage) => [stage.id, stage]));
      drawStages(STAGES.map(([id, label]) => {
        const stage = trace.get(id);
        return stage ? [stage.label, "done", duration(stage.dwell_ms)] : [label, "unreached"];
      }));
      if (finished.error_message) {
        note.textContent = finished.action_hint
          ? `${finished.error_message} — ${finished.action_hint}` : finished.error_message;
      }
    },
  };
}
