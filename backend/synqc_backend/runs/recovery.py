"""Runs a crash or a dead worker left behind: failed, re-dispatched or resent from the run
table, and the session budgets rebuilt from it (the table is the truth)."""

import logging
from collections.abc import Callable, Set
from dataclasses import astuple, dataclass

from synqc_backend.models import RunState
from synqc_backend.runs import failure as run_failure
from synqc_backend.runs.finish import RunFinish
from synqc_backend.storage.repository import RunAttempt, RunRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """What one pass of the sweep did, by run id, and the attempts it found no worker beating
    for (the suspects the next pass acts on if they are still unbeaten then)."""

    requeued: list[str]
    failed: list[str]
    resent: list[str]
    unbeaten: frozenset[RunAttempt]


class RunRecovery(RunFinish):
    """Start-up recovery (embedded) and the periodic sweep (production workers)."""

    def recover(self) -> None:
        """Embedded start-up: fail runs a crash left `running`, rebuild budgets, resend `queued`.

        In the embedded default this process was the only worker, so a `running` row is an
        interrupted run.
        """
        with self.database.unit_of_work() as session:
            running = RunRepository(session).running_attempts()
        for run in running:
            self._finish_failed(
                run, run_failure.interrupted("the server stopped mid-run"), refund=False
            )
        self.resume()
        for run_id in self._ids_in_state(RunState.QUEUED):
            self.queue.enqueue(run_id)

    def resume(self) -> None:
        """Rebuild the session budgets from the run table (the table is the truth)."""
        with self.database.unit_of_work() as session:
            since = self._clock() - self.settings.session_budget_ttl_seconds
            self.budget.restore(RunRepository(session).session_usage(since))

    def sweep(self, alive: Callable[[str], bool], suspects: Set[RunAttempt] = frozenset()) -> Sweep:
        """Production: give back to the queue the `running` attempts no worker beats for (failing
        those out of attempts), and resend `queued` runs older than the stale limit whose
        message may have been lost.

        - An attempt is given back only when it is unbeaten now and was among `suspects`, the
          previous pass's unbeaten ones: heartbeats lost with a Redis restart come back within
          one beat, before a second pass.
        - Every change is a compare-and-set on the run and its attempt number, so two sweeps,
          or a sweep and a claim, never both act on one attempt.
        - A resent message for a run that is already queued or taken is harmless: claiming is
          a compare-and-set on the run row.
        """
        stale_before = self._clock() - self.settings.stale_run_seconds
        with self.database.unit_of_work() as session:
            running = RunRepository(session).running_attempts(stale_before)
        unbeaten = frozenset(run for run in running if not alive(run.run_id))
        requeued, failed = [], []
        for run in sorted(unbeaten & suspects):
            if self._requeue(run):
                requeued.append(run.run_id)
            elif run.attempt >= self.settings.max_run_attempts and self._finish_failed(
                run, run_failure.interrupted("its workers stopped, attempts exhausted")
            ):
                log.warning("run %s: no worker beats for its last attempt; failed", run.run_id)
                failed.append(run.run_id)
        with self.database.unit_of_work() as session:
            resent = RunRepository(session).queued_before(stale_before)
        for run_id in dict.fromkeys([*requeued, *resent]):
            self.queue.enqueue(run_id)
        return Sweep(requeued, failed, resent, unbeaten)

    def _requeue(self, run: RunAttempt) -> bool:
        with self.database.unit_of_work() as session:
            back = RunRepository(session).requeue_attempt(run, self.settings.max_run_attempts)
        if back:
            log.warning("run %s: no worker beats for attempt %d; requeued", *astuple(run))
        return back

    def _ids_in_state(self, state: RunState) -> list[str]:
        with self.database.unit_of_work() as session:
            return RunRepository(session).ids_in_state(state.value)
