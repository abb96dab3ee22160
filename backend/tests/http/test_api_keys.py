"""API keys: presented by header, compared in constant time, named only by fingerprint."""

import hmac

import pytest

from synqc_backend.http import api_keys

KEYS = ("first-key-0123456789", "second-key-abcdefghij")


@pytest.mark.parametrize("presented", KEYS)
def test_each_configured_key_matches(presented: str) -> None:
    assert api_keys.key_matches(KEYS, presented)


@pytest.mark.parametrize(
    "presented",
    [None, "", "first-key-012345678", "first-key-0123456789x", "FIRST-KEY-0123456789", "ключ"],
)
def test_anything_else_does_not(presented: str | None) -> None:
    assert not api_keys.key_matches(KEYS, presented)


def test_every_comparison_is_of_two_equal_length_digests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Neither the presented key's length nor which key matches changes what is compared."""
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    for presented in ("x", "first-key-0123456789", "y" * 4096):
        api_keys.key_matches(KEYS, presented)

    assert compared == [(32, 32)] * 6


def test_bearer_and_header_forms() -> None:
    assert api_keys.presented_key("k1", "Bearer k2") == "k1"
    assert api_keys.presented_key(None, "bearer  k2 ") == "k2"
    assert api_keys.presented_key(None, "Basic k2") is None


def test_the_fingerprint_does_not_contain_the_key() -> None:
    name = api_keys.fingerprint(KEYS[0])
    assert len(name) == 12
    assert KEYS[0] not in name
