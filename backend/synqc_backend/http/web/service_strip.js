// `/health` in words: service state, queue depth, budget store and Redis, run store.

import { el, replace } from "./dom.js";

/** Where session budgets are counted; the in-memory fallback of a Redis deployment is named so. */
function budgetWords(budget, queueBackend) {
  if (budget.backend === "redis") return "budgets: Redis";
  if (queueBackend === "dramatiq-stub") return "budgets: in memory";
  return "budgets: in-memory fallback (Redis not connected)";
}

/** Describe `health` in the strip; `null` with an error says the API cannot be reached. */
export function showService(strip, summary, health, error = null) {
  if (!health) {
    strip.dataset.state = "down";
    replace(summary, el("strong", { text: "API unreachable" }), ` · ${error?.message ?? ""}`);
    return;
  }
  const queue = health.queue;
  const budget = health.budget_tracker;
  strip.dataset.state = health.status;
  const parts = [
    queue.queued == null
      ? "queue unknown (store unreadable)"
      : `queue: ${queue.queued} queued, ${queue.running} running, ${queue.max_workers} workers`,
    budgetWords(budget, queue.backend),
    `store: ${health.persistence.backend} ${health.persistence.ok ? "ok" : "unreachable"}`,
    `v${health.version} (${health.env})`,
  ];
  replace(summary,
    el("strong", { text: health.status === "ok" ? "Service ok" : "Service degraded" }),
    ...parts.map((part) => ` · ${part}`));
}
