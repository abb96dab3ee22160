"""Cloud providers listed in the registry before their adapters exist: honest, never ready."""

from collections.abc import Sequence
from dataclasses import dataclass

from qiskit import QuantumCircuit

from synqc_backend.execution import Capabilities, ExecutionOptions, ExecutionResult
from synqc_backend.models import TargetStatus
from synqc_backend.targets.base import Readiness, TargetDescriptor


class ProviderNotReadyError(RuntimeError):
    """Raised when a circuit is sent to a provider that is not ready."""


@dataclass(frozen=True)
class PendingProvider:
    """A provider target whose SDK adapter is not part of this release.

    It reports `unconfigured` and names what an operator will need: the package extra and the
    environment variables of the provider's SDK.
    """

    descriptor: TargetDescriptor
    extra: str
    variables: tuple[str, ...]
    max_shots: int
    basis_gates: tuple[str, ...]

    def readiness(self) -> Readiness:
        needs = ", ".join(self.variables)
        return Readiness(
            TargetStatus.UNCONFIGURED,
            f"no adapter in this release; it will need the '{self.extra}' extra "
            f"(pip install 'synqc-backend[{self.extra}]') and {needs}",
        )

    def capabilities(self) -> Capabilities:
        return Capabilities(
            max_shots=self.max_shots,
            num_qubits=0,
            basis_gates=self.basis_gates,
            queue_behavior="provider queue (not connected)",
            notes="adapter not available in this release",
        )

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult:
        raise ProviderNotReadyError(self.readiness().detail)
