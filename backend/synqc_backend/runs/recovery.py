"""Runs a crash or a dead worker left behind: failed, re-dispatched or resent from the run
table, and the session budgets rebuilt from it (the table is the truth)."""

from collections.abc import Callable

from synqc_backend.models import RunState
from synqc_backend.runs import failure as run_failure
from synqc_backend.runs.finish import RunFinish
from synqc_backend.storage.repository import RunRepository


class RunRecovery(RunFinish):
    """Start-up recovery (embedded) and the periodic sweep (production workers)."""

    def recover(self) -> None:
        """Embedded start-up: fail runs a crash left `running`, rebuild budgets, resend `queued`.

        In the embedded default this process was the only worker, so a `running` row is an
        interrupted run.
        """
        for run_id in self._ids_in_state(RunState.RUNNING):
            self._finish_failed(
                run_id, run_failure.interrupted("the server stopped mid-run"), refund=False
            )
        self.resume()
        for run_id in self._ids_in_state(RunState.QUEUED):
            self.queue.enqueue(run_id)

    def resume(self) -> None:
        """Rebuild the session budgets from the run table (the table is the truth)."""
        with self.database.unit_of_work() as session:
            since = self._clock() - self.settings.session_budget_ttl_seconds
            self.budget.restore(RunRepository(session).session_usage(since))

    def sweep(self, alive: Callable[[str], bool]) -> tuple[list[str], list[str]]:
        """Production: give back to the queue `running` runs no worker beats for any more
        (failing those out of attempts), and resend `queued` runs older than the stale limit
        whose message may have been lost. Returns (requeued, resent) run ids.

        A resent message for a run that is already queued or taken is harmless: claiming is a
        compare-and-set on the run row.
        """
        stale_before = self._clock() - self.settings.stale_run_seconds
        requeued = []
        with self.database.unit_of_work() as session:
            running = RunRepository(session).running_since(stale_before)
        for run_id in (run_id for run_id in running if not alive(run_id)):
            with self.database.unit_of_work() as session:
                back = RunRepository(session).requeue_if_running(
                    run_id, self.settings.max_run_attempts
                )
            if back:
                requeued.append(run_id)
            else:
                self._finish_failed(
                    run_id, run_failure.interrupted("its workers stopped, attempts exhausted")
                )
        with self.database.unit_of_work() as session:
            resent = RunRepository(session).queued_before(stale_before)
        for run_id in dict.fromkeys([*requeued, *resent]):
            self.queue.enqueue(run_id)
        return requeued, resent

    def _ids_in_state(self, state: RunState) -> list[str]:
        with self.database.unit_of_work() as session:
            return RunRepository(session).ids_in_state(state.value)
