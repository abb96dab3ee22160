"""Device profiles from IBM calibration snapshots, and profile names as settings spell them.

The snapshots ship with qiskit-ibm-runtime's fake provider (`FakeManilaV2`, `FakeSherbrooke`,
…); the package is the optional `ibm` extra and is imported only when such a profile is asked
for.
"""

from collections import defaultdict
from collections.abc import Iterable
from statistics import median
from typing import Any

from synqc_backend.targets.device_profile import (
    PROFILES,
    TRANSMON_QUBIT,
    DeviceProfile,
    QubitParameters,
)

IBM_PREFIX = "ibm:"
INSTALL_HINT = "pip install 'synqc-backend[ibm]'"
# Calibration data has no thermal population; the default transmon's value stands in.
RESIDUAL_EXCITED_POPULATION = TRANSMON_QUBIT.residual_excited_population
_SINGLE_QUBIT_GATES = ("sx", "x", "u2", "u3")
_TWO_QUBIT_GATES = ("cx", "ecr", "cz")


def resolve_profile(spec: str) -> DeviceProfile:
    """A built-in profile by name, or `ibm:<FakeBackend>` (e.g. `ibm:FakeManilaV2`).

    - ValueError for an unknown name, listing the choices.
    - ImportError naming the `ibm` extra when qiskit-ibm-runtime is missing.
    """
    if spec in PROFILES:
        return PROFILES[spec]
    if spec.startswith(IBM_PREFIX):
        return profile_from_fake_backend(spec.removeprefix(IBM_PREFIX))
    choices = ", ".join(sorted(PROFILES))
    raise ValueError(
        f"unknown device profile {spec!r}: choose one of {choices}, or "
        f"'{IBM_PREFIX}<FakeBackend>' such as '{IBM_PREFIX}FakeManilaV2' (needs {INSTALL_HINT})"
    )


def profile_from_fake_backend(name: str) -> DeviceProfile:
    """A profile with one parameter set per qubit of the named fake IBM backend.

    - T1, T2 from `qubit_properties`; T2 is capped at 2·T1 and a missing value replaced by
      the device median (both noted in `source`), as Aer's device noise model does.
    - Single-qubit error and duration from sx (x, u2 or u3 on older devices); two-qubit
      error and duration as the mean over the qubit's cx/ecr/cz edges.
    - Readout p(1|0), p(0|1) from `prob_meas1_prep0` / `prob_meas0_prep1`, else the
      symmetric measure error.
    """
    backend = _fake_backend(name)
    count = backend.num_qubits
    coherence = [_coherence(backend, q) for q in range(count)]
    median_t1 = median(t1 for t1, _ in filter(None, coherence))
    median_t2 = median(t2 for _, t2 in filter(None, coherence))
    two_qubit = _two_qubit_by_qubit(backend.target)
    # Building the properties object walks the whole snapshot: once per profile, not per qubit.
    properties = backend.properties() if hasattr(backend, "properties") else None
    notes: list[str] = []
    qubits = []
    for q, found in enumerate(coherence):
        t1, t2 = found if found is not None else (median_t1, median_t2)
        if found is None:
            notes.append(f"q{q}: T1/T2 missing, device median used")
        if t2 > 2 * t1:
            notes.append(f"q{q}: T2 {t2:.3g} s capped at 2·T1")
            t2 = 2 * t1
        readout = _readout(properties, q, _probability(backend.target["measure"][(q,)].error))
        qubits.append(_qubit(backend.target, q, (t1, t2), readout, two_qubit[q]))
    source = f"qiskit-ibm-runtime fake backend {name} (calibration snapshot)"
    if notes:
        source += "; " + "; ".join(notes)
    return DeviceProfile(f"{IBM_PREFIX}{name}", source, tuple(qubits))


def _fake_backend(name: str) -> Any:
    try:
        from qiskit_ibm_runtime import fake_provider
        from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2
    except ImportError as error:
        raise ImportError(f"IBM device profiles need qiskit-ibm-runtime: {INSTALL_HINT}") from error
    backend_class = getattr(fake_provider, name, None)
    if not (isinstance(backend_class, type) and issubclass(backend_class, FakeBackendV2)):
        raise ValueError(
            f"{name!r} is not a fake backend of qiskit-ibm-runtime "
            f"(examples: FakeManilaV2, FakeSherbrooke)"
        )
    return backend_class()


def _coherence(backend: Any, qubit: int) -> tuple[float, float] | None:
    properties = backend.qubit_properties(qubit)
    if properties is None or not properties.t1 or not properties.t2:
        return None
    return float(properties.t1), float(properties.t2)


def _qubit(
    target: Any,
    qubit: int,
    coherence: tuple[float, float],
    readout: tuple[float, float],
    two_qubit: tuple[float, float],
) -> QubitParameters:
    gate = next(g for g in _SINGLE_QUBIT_GATES if g in target.operation_names)
    single = target[gate][(qubit,)]
    return QubitParameters(
        t1_s=coherence[0],
        t2_s=coherence[1],
        readout_p1_given_0=readout[0],
        readout_p0_given_1=readout[1],
        single_qubit_gate_error=_probability(single.error),
        single_qubit_gate_duration_s=float(single.duration or 0.0),
        two_qubit_gate_error=two_qubit[0],
        two_qubit_gate_duration_s=two_qubit[1],
        measurement_duration_s=float(target["measure"][(qubit,)].duration or 0.0),
        residual_excited_population=RESIDUAL_EXCITED_POPULATION,
    )


def _readout(properties: Any, qubit: int, symmetric: float) -> tuple[float, float]:
    found = properties.qubit_property(qubit) if properties is not None else {}
    p10 = found.get("prob_meas1_prep0", (symmetric,))[0]
    p01 = found.get("prob_meas0_prep1", (symmetric,))[0]
    return _probability(p10), _probability(p01)


def _two_qubit_by_qubit(target: Any) -> defaultdict[int, tuple[float, float]]:
    """Mean (error, duration) of each qubit's two-qubit gates; the device median otherwise."""
    edges: defaultdict[int, list[tuple[float, float]]] = defaultdict(list)
    for gate in (g for g in _TWO_QUBIT_GATES if g in target.operation_names):
        for pair, props in target[gate].items():
            if props is not None and props.error is not None and props.duration is not None:
                for qubit in pair:
                    edges[qubit].append((_probability(props.error), float(props.duration)))
    everything = [edge for found in edges.values() for edge in found]
    fallback = (_median(e for e, _ in everything), _median(d for _, d in everything))
    means: defaultdict[int, tuple[float, float]] = defaultdict(lambda: fallback)
    for qubit, found in edges.items():
        means[qubit] = (_mean(e for e, _ in found), _mean(d for _, d in found))
    return means


def _probability(value: float | None) -> float:
    return min(max(float(value or 0.0), 0.0), 1.0)


def _mean(values: Iterable[float]) -> float:
    found = list(values)
    return sum(found) / len(found)


def _median(values: Iterable[float]) -> float:
    found = list(values)
    return median(found) if found else 0.0
