"""A real, tiny filesystem for store faults: a size-limited tmpfs that can be filled up or
remounted read-only while the service uses it.

Mounting needs root (CAP_SYS_ADMIN): without it the test skips, except under `CI=true`.
"""

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.redis_server import in_ci

CHUNK = b"\0" * 65_536


class SmallFilesystem:
    """A tmpfs of `size_kib` at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler.bin"

    def fill(self) -> None:
        """Write a filler file until the filesystem has no byte left."""
        with self.filler.open("ab") as out:
            try:
                while True:
                    out.write(CHUNK)
                    out.flush()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
        # Single bytes too, so not even a partial page fits.
        with self.filler.open("ab", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0")
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        _mount("-o", "remount,ro", str(self.path))

    def writable(self) -> None:
        _mount("-o", "remount,rw", str(self.path))


@contextmanager
def small_filesystem(path: Path, size_kib: int = 2048) -> Iterator[SmallFilesystem]:
    path.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(path))
    except (OSError, subprocess.CalledProcessError) as error:
        message = f"cannot mount a tmpfs here (needs root): {error}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield SmallFilesystem(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)
