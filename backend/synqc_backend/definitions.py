"""KPI definitions: every formula a reported number is computed with, versioned by id."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """`id` ends in `_v<version>`; a changed formula gets a new version and a new id."""

    id: str
    name: str
    version: int
    formula: str
    units: str
    kind: str


DIST_FIDELITY = KpiDefinition(
    id="dist_fidelity_v1",
    name="fidelity",
    version=1,
    formula=(
        "classical fidelity F = (sum_x sqrt(p(x) q(x)))^2 between measured frequencies p and the "
        "ideal distribution q; 95 % CI by multinomial bootstrap of the counts"
    ),
    units="1",
    kind="fidelity",
)
EXEC_LATENCY_PER_CIRCUIT = KpiDefinition(
    id="exec_latency_per_circuit_v1",
    name="latency_us",
    version=1,
    formula=(
        "median over the run's target calls of the measured execution time (monotonic clock "
        "around the target's execute call) divided by the number of circuits in the call"
    ),
    units="us",
    kind="latency",
)
SHOTS_USED = KpiDefinition(
    id="shots_used_v1",
    name="shots_used",
    version=1,
    formula=(
        "sum over every circuit the target executed of its shots, retries included; a circuit "
        "that measures several qubits at once (health on many qubits) counts its shots once"
    ),
    units="shots",
    kind="count",
)
BELL_STATUS = KpiDefinition(
    id="bell_status_v1",
    name="status",
    version=1,
    formula=(
        "ok when the upper end of the fidelity CI95 is >= 0.95, warn when it is >= 0.85, else fail"
    ),
    units="ok|warn|fail",
    kind="status",
)

AVG_CLIFFORD_FIDELITY = KpiDefinition(
    id="avg_clifford_fidelity_v1",
    name="fidelity",
    version=1,
    formula=(
        "1 - EPC with EPC = (1 - p)/2, p from a weighted fit of A*p^m + B to the mean survival "
        "probability of random single-qubit Clifford sequences of length m plus their inverse; "
        "stderr propagated from the fit, ci95 = value +/- 1.96 stderr"
    ),
    units="1",
    kind="fidelity",
)
MEASUREMENT_BACKACTION = KpiDefinition(
    id="measurement_backaction_v1",
    name="backaction",
    version=1,
    formula=(
        "1 - QND repeatability, where repeatability = P(two consecutive measurements of |+> "
        "agree); binomial stderr"
    ),
    units="1",
    kind="backaction",
)
HEALTH_STATUS = KpiDefinition(
    id="health_status_v1",
    name="status",
    version=1,
    formula=(
        "fail if any fit is bad, EPC > 1e-2 or readout assignment < 0.8; warn if EPC > 2e-3, "
        "T1 or T2 more than 30 % below the target's reference, or readout assignment < 0.95; "
        "else ok"
    ),
    units="ok|warn|fail",
    kind="status",
)
E2E_LATENCY_P50 = KpiDefinition(
    id="e2e_latency_p50_v1",
    name="latency_us",
    version=1,
    formula=(
        "median over the probe jobs of the submit-to-result time, measured with a monotonic "
        "clock around each job's target call"
    ),
    units="us",
    kind="latency",
)
FEEDFORWARD_FIDELITY = KpiDefinition(
    id="feedforward_fidelity_v1",
    name="fidelity",
    version=1,
    formula=(
        "fraction of shots of the measure / conditional-X / measure probe whose second outcome "
        "is 0, as feed-forward intends; binomial stderr"
    ),
    units="1",
    kind="fidelity",
)
LATENCY_STATUS = KpiDefinition(
    id="latency_status_v1",
    name="status",
    version=1,
    formula="warn when p95 > 10 x p50 of the end-to-end latency, else ok",
    units="ok|warn|fail",
    kind="status",
)
PROBE_BACKACTION = KpiDefinition(
    id="probe_backaction_trace_distance_v1",
    name="backaction",
    version=1,
    formula=(
        "trace distance 1/2 ||rho_probe - rho_no_probe||_1 between single-qubit states "
        "reconstructed by X/Y/Z tomography (readout-corrected, projected onto the Bloch ball); "
        "stderr and ci95 by multinomial bootstrap"
    ),
    units="1",
    kind="backaction",
)
STATE_FIDELITY = KpiDefinition(
    id="state_fidelity_v1",
    name="fidelity",
    version=1,
    formula=(
        "Uhlmann fidelity of the reconstructed probed state with the ideal no-probe pure state; "
        "stderr and ci95 by multinomial bootstrap"
    ),
    units="1",
    kind="fidelity",
)
DPD_STATUS = KpiDefinition(
    id="dpd_status_v1",
    name="status",
    version=1,
    formula=(
        "fail if the measured backaction is more than 3 stderr away from the theory value "
        "|rho01|(1 - sqrt(1 - eps^2)) for feedback-free probes; warn if feedback was skipped "
        "by the safety clamp; else ok"
    ),
    units="ok|warn|fail",
    kind="status",
)
COMPARE_STATUS = KpiDefinition(
    id="compare_status_v1",
    name="status",
    version=1,
    formula="the worst status over the compared targets (each by bell_status_v1)",
    units="ok|warn|fail",
    kind="status",
)
CRB_STDERR = KpiDefinition(
    id="crb_stderr_v2",
    name="crb_stderr",
    version=2,
    formula=(
        "Cramer-Rao bound on a fitted quantity's stderr for the design that was run: "
        "sqrt((I^-1)_kk) with Fisher information I = sum_i n_i grad P(x_i) grad P(x_i)^T / "
        "(P(x_i)(1 - P(x_i))) over every circuit i (x value x_i, n_i shots), P the fitted model "
        "at the fitted values; for EPC half the bound on p, from per-sequence binomial counts "
        "(so it leaves out the spread between random sequences); a parameter fitted with a value "
        "measured elsewhere (RB's asymptote from the readout part) adds 1/stderr^2 of that value "
        "to its diagonal of I. A fitted stderr near it means the design and the fit use the "
        "counts fully"
    ),
    units="unit of the quantity",
    kind="uncertainty",
)
QUBIT_AGGREGATE = KpiDefinition(
    id="qubit_aggregate_v1",
    name="aggregation",
    version=1,
    formula=(
        "a run over several qubits measures them simultaneously, in the same circuits (one "
        "design for all, chosen from the spread of their references and estimates), and "
        "analyses each from its own bits; a run KPI is the median over the qubits of each "
        "qubit's value by the KPI's own definition, its stderr that of the qubit at the median "
        "(the lower middle one for an even count), worst_qubit the qubit with the worst value; "
        "the status is the worst qubit's. Simultaneous single-qubit characterisation ignores "
        "crosstalk: under the simulator's noise model the qubits are independent, on hardware "
        "the parallel result can differ from one qubit at a time (parallel: false)"
    ),
    units="unit of the KPI",
    kind="aggregation",
)
QUBIT_SCORE = KpiDefinition(
    id="qubit_score_v1",
    name="score",
    version=1,
    formula=(
        "EPC + (1 - readout_assignment_fidelity) + 1 us / T2 echo, from the qubit's latest "
        "measurements: the error of one single-qubit Clifford, one readout and a 1 us idle, "
        "lower is better; none when any of the three is missing or its fit was bad"
    ),
    units="1",
    kind="score",
)
QUBIT_DRIFT = KpiDefinition(
    id="qubit_drift_v1",
    name="status",
    version=1,
    formula=(
        "per qubit and quantity (T1, T2 echo, EPC, readout fidelity), each value x +/- s "
        "against the inverse-variance mean mu +/- s_mu of up to 10 earlier good values (at "
        "least 3), both scaled by the Birge ratio r = max(1, sqrt(chi2/dof)) of those values: "
        "z = (x - mu) / sqrt((r s)^2 + (r s_mu)^2). A qubit is degraded when its latest values "
        "are out of spec by health_status_v1 (a bad fit, EPC > 2e-3, readout < 0.95, T1 or T2 "
        "over 30 % below the target's reported value), drifting when any latest |z| > 4, else ok"
    ),
    units="ok|drifting|degraded",
    kind="status",
)

DEFINITIONS: dict[str, KpiDefinition] = {
    definition.id: definition
    for definition in (
        DIST_FIDELITY,
        EXEC_LATENCY_PER_CIRCUIT,
        SHOTS_USED,
        BELL_STATUS,
        AVG_CLIFFORD_FIDELITY,
        MEASUREMENT_BACKACTION,
        HEALTH_STATUS,
        E2E_LATENCY_P50,
        FEEDFORWARD_FIDELITY,
        LATENCY_STATUS,
        PROBE_BACKACTION,
        STATE_FIDELITY,
        DPD_STATUS,
        COMPARE_STATUS,
        CRB_STDERR,
        QUBIT_AGGREGATE,
        QUBIT_SCORE,
        QUBIT_DRIFT,
    )
}
