// The console's entry point: loads the server's facts, routes between views by the URL hash
// (`#/`, `#/runs/<id>`, `#/history?preset=…`, `#/targets`, `#/targets/<id>`: a target's qubits,
// `#/targets/<id>/qubits/<q>`: one qubit over time, `#/monitors`) and keeps the service strip fresh.

import { ApiClient, apiBase } from "./api_client.js";
import { showDevice } from "./device_view.js";
import { el, replace } from "./dom.js";
import { showHistory } from "./history_view.js";
import { showMonitors } from "./monitors_view.js";
import { showQubitHistory } from "./qubit_history_view.js";
import { renderKpiTiles } from "./kpi_tiles.js";
import { showRunDetail } from "./run_detail.js";
import { RunPanel } from "./run_panel.js";
import { watchRun } from "./run_watch.js";
import { showService } from "./service_strip.js";
import { showTargets } from "./targets_view.js";

const HEALTH_EVERY_MS = 10000;
const VIEWS = ["run", "detail", "history", "targets", "monitors"];
const TITLES = { run: "Run", detail: "Run detail", history: "History", targets: "Targets", monitors: "Monitors" };

const client = new ApiClient(apiBase(window.location));
const server = { health: null, targets: [], presets: [], definitions: new Map() };
const strip = document.getElementById("service-strip");
const summary = document.getElementById("service-summary");
const liveRun = document.getElementById("live-run");
const liveTiles = document.getElementById("live-tiles");
let viewHandle = null;
let liveWatch = null;
let routedOnce = false;

const panel = new RunPanel(client, (submission) => {
  liveWatch?.stop();
  renderKpiTiles(liveTiles, null, server.definitions, "run in progress");
  liveWatch = watchRun(client, submission, liveRun, (finished) => {
    renderKpiTiles(liveTiles, finished.result, server.definitions, "no result");
    liveRun.append(el("p", {}, el("a", {
      href: `#/runs/${finished.id}`, class: "detail-link", text: "Open the run's detail: figures, measurements, physics",
    })));
    refreshHealth();
  });
});

async function refreshHealth() {
  try {
    server.health = await client.get("/health");
    showService(strip, summary, server.health);
    showAuth();
  } catch (error) {
    showService(strip, summary, null, error);
  }
}

function showAuth() {
  const needed = server.health?.require_api_key;
  const authPanel = document.getElementById("auth-panel");
  authPanel.hidden = !needed;
  if (needed) {
    document.getElementById("auth-reason").textContent = client.key
      ? "This server needs an API key; one is set for this browser tab."
      : "This server needs an API key. It is kept for this browser tab only.";
  }
}

async function loadServer() {
  await refreshHealth();
  if (!server.health) return false;
  const [targets, definitions] = await Promise.all([
    client.get("/hardware/targets"), client.get("/physics/definitions"),
  ]);
  server.targets = targets.targets;
  server.presets = server.health.presets;
  server.definitions = new Map(definitions.definitions.map((d) => [d.id, d]));
  panel.setServer(server.health, server.targets);
  return true;
}

function navigate(hash) {
  window.location.hash = hash;
}

function showView(name) {
  for (const view of VIEWS) document.getElementById(`view-${view}`).hidden = view !== name;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === name || (name === "detail" && link.dataset.view === "history")) {
      link.setAttribute("aria-current", "page");
    } else link.removeAttribute("aria-current");
  }
  document.title = `${TITLES[name]} · SynQc TDS console`;
}

function route() {
  viewHandle?.stop();
  viewHandle = null;
  const [path, query = ""] = (window.location.hash || "#/").slice(1).split("?");
  const runMatch = path.match(/^\/runs\/([A-Za-z0-9-]+)$/);
  const qubitMatch = path.match(/^\/targets\/([^/]+)\/qubits\/(\d+)$/);
  if (runMatch) {
    showView("detail");
    viewHandle = showRunDetail(client, runMatch[1], document.getElementById("view-detail"), server.definitions);
  } else if (path === "/history") {
    showView("history");
    viewHandle = showHistory(client, document.getElementById("view-history"), new URLSearchParams(query), server, navigate);
  } else if (path === "/targets") {
    showView("targets");
    showTargets(document.getElementById("view-targets"), server.targets);
  } else if (qubitMatch) {
    showView("targets");
    const [, targetId, qubit] = qubitMatch;
    viewHandle = showQubitHistory(client, decodeURIComponent(targetId), qubit, document.getElementById("view-targets"));
  } else if (path.startsWith("/targets/")) {
    showView("targets");
    const targetId = decodeURIComponent(path.slice("/targets/".length));
    viewHandle = showDevice(client, targetId, document.getElementById("view-targets"));
  } else if (path === "/monitors") {
    showView("monitors");
    viewHandle = showMonitors(client, document.getElementById("view-monitors"));
  } else showView("run");
  if (routedOnce) {
    document.getElementById("main").focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  routedOnce = true;
}

function setUpAuthForm() {
  document.getElementById("auth-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("auth-key");
    client.setKey(input.value.trim());
    input.value = "";
    await start();
  });
  document.getElementById("auth-forget").addEventListener("click", () => {
    client.forgetKey();
    showAuth();
  });
}

async function start() {
  try {
    if (!(await loadServer())) return;
  } catch (error) {
    showService(strip, summary, null, error);
    return;
  }
  route();
}

document.getElementById("api-base").textContent = client.base;
document.getElementById("docs-link").href = `${client.base.replace(/\/api$/, "")}/docs`;
replace(liveRun, el("p", { class: "field-note", text: "No run started from this tab yet: choose a preset and press Run." }));
renderKpiTiles(liveTiles, null, server.definitions);
setUpAuthForm();
window.addEventListener("hashchange", route);
setInterval(refreshHealth, HEALTH_EVERY_MS);
start();
