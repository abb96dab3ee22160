"""Process environment without any provider credentials, for readiness tests."""

import pytest

PROVIDER_VARIABLES = (
    "QISKIT_IBM_TOKEN",
    "QISKIT_IBM_CHANNEL",
    "QISKIT_IBM_INSTANCE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_PROFILE",
    "IONQ_API_KEY",
    "IONQ_API_URL",
    "AZURE_QUANTUM_CONNECTION_STRING",
    "QCS_SECRETS_FILE_PATH",
    "QCS_SETTINGS_FILE_PATH",
    "QCS_PROFILE_NAME",
)


def clear_provider_credentials(monkeypatch: pytest.MonkeyPatch, home: str) -> None:
    """Unset every provider's variables and point HOME at an empty directory."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", home)
