"""SynQcEngine: submit a run (validate, reserve shots, store, enqueue) and execute it end to end.

The only place where presets, targets and analysis meet. Its halves live beside it: `submit`
(and the requests that act on a run), `execute` (claim to result), `recovery` (what a crash
left behind), `finish` (how a run ends).
"""

import time
from collections.abc import Callable

from synqc_backend.config import Settings
from synqc_backend.errors import ApiError, ErrorCode, run_not_found
from synqc_backend.figures.plot_data import figure_from_json
from synqc_backend.figures.svg import render_svg
from synqc_backend.limits.budgets import BudgetTracker
from synqc_backend.limits.session_gate import SessionGate
from synqc_backend.metrics import RunMetrics
from synqc_backend.models import (
    ControlProfile,
    HardwareTarget,
    QubitHistory,
    RunExperimentRequest,
    RunState,
    TargetQubits,
)
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.base import Preset
from synqc_backend.runs.batches import BatchRunner
from synqc_backend.runs.events import RunEvents
from synqc_backend.runs.execute import RunExecution, with_figures
from synqc_backend.runs.monitors import MonitorControl
from synqc_backend.runs.qubit_record import record_qubit_measurements
from synqc_backend.runs.qubit_states import (
    QUANTITIES,
    SCORE_DEFINITION,
    STATUS_DEFINITION,
    history_points,
    qubit_states,
)
from synqc_backend.runs.queue import RunQueue
from synqc_backend.runs.reanalysis import stored_outcomes
from synqc_backend.runs.recovery import RunRecovery
from synqc_backend.runs.report import build_result
from synqc_backend.runs.submit import RunSubmission
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from synqc_backend.targets.base import Target, hardware_target


class SynQcEngine(RunSubmission, RunExecution, RunRecovery, MonitorControl):
    """Validates and stores runs at submit; executes stored runs inside a job."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        budget: BudgetTracker,
        targets: dict[str, Target],
        presets: dict[PresetName, Preset],
        queue: RunQueue,
        events: RunEvents,
        metrics: RunMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.database = database
        self.budget = budget
        self.targets = targets
        self.presets = presets
        self.queue = queue
        self.events = events
        self.metrics = metrics
        self._clock = clock
        self._runner = BatchRunner(database, targets)
        self._submit_gate = SessionGate()

    def hardware_targets(self) -> list[HardwareTarget]:
        return [hardware_target(target) for target in self.targets.values()]

    def target_qubits(self, target_id: str, best: int | None = None) -> TargetQubits:
        """The latest measured values of the target's qubits (`qubit_states`)."""
        self._known_target(target_id)
        with self.database.unit_of_work() as session:
            rows = RunRepository(session).latest_qubit_measurements(target_id, QUANTITIES)
            states = qubit_states(rows, best)
        return TargetQubits(
            hardware_target=target_id,
            score_definition_id=SCORE_DEFINITION,
            status_definition_id=STATUS_DEFINITION,
            qubits=states,
        )

    def qubit_history(
        self, target_id: str, qubit: int, quantity: str, since: float | None, limit: int
    ) -> QubitHistory:
        """One quantity of one qubit over time, each point with its drift score."""
        self._known_target(target_id)
        with self.database.unit_of_work() as session:
            rows = RunRepository(session).qubit_history(target_id, qubit, quantity, since, limit)
            points = history_points(rows)
        return QubitHistory(
            hardware_target=target_id,
            qubit=qubit,
            quantity=quantity,
            drift_definition_id=STATUS_DEFINITION,
            points=points,
        )

    def _known_target(self, target_id: str) -> None:
        if target_id not in self.targets:
            raise ApiError(
                404,
                ErrorCode.NOT_FOUND,
                f"no hardware target '{target_id}'",
                hint="GET /hardware/targets lists the valid ids",
                detail={"hardware_target": target_id, "valid": sorted(self.targets)},
            )

    def preset_names(self) -> list[str]:
        return [name.value for name in self.presets]

    def is_finished(self, run_id: str) -> bool:
        with self.database.unit_of_work() as session:
            row = RunRepository(session).get(run_id)
            if row is None:
                raise run_not_found(run_id)
            return RunState(row.status).finished

    def wait_until_finished(self, run_id: str, timeout_s: float, poll_s: float = 0.05) -> bool:
        """Poll the run table until the run is final or `timeout_s` passes."""
        deadline = time.monotonic() + timeout_s
        while not self.is_finished(run_id):
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_s)
        return True

    def reanalyse(self, run_id: str) -> None:
        """Recompute a succeeded run's measurements, KPIs and figures from its stored counts.

        The target's current capabilities stand in for the ones at run time (status rules
        compare against reference values).
        """
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            row = repository.get(run_id)
            if row is None:
                raise run_not_found(run_id)
            if row.status != RunState.SUCCEEDED:
                raise ApiError(
                    409,
                    ErrorCode.INVALID_REQUEST,
                    f"run {run_id} is {row.status}; only succeeded runs are reanalysed",
                    hint="submit the run again",
                )
            request = RunExperimentRequest.model_validate(row.request)
            controls = ControlProfile.model_validate(row.control_profile)
            outcomes = stored_outcomes(row.batches, repository.counts_of(run_id))
            context = self._context(request, controls, row.shot_budget)
            outcome = self.presets[request.preset].analyse(context, outcomes)
            result = build_result(controls, context, outcome, outcomes)
            row.result = with_figures(run_id, result, outcome.figures)
            repository.clear_figures(run_id)
            record_qubit_measurements(repository, row)

    def figure_svg(self, run_id: str, name: str) -> str | None:
        """A run's figure as SVG, drawn from its stored figure data on first request."""
        with self.database.unit_of_work() as session:
            repository = RunRepository(session)
            svg = repository.figure(run_id, name)
            if svg is not None:
                return svg
            row = repository.get(run_id)
            data = ((row.result or {}) if row is not None else {}).get("figure_data", {})
        if name not in data:
            return None
        svg = render_svg(figure_from_json(data[name]))
        with self.database.unit_of_work() as session:
            RunRepository(session).add_figure(run_id, name, svg)
        return svg
