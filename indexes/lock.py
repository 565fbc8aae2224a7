"""One refresh at a time per data directory, with a lock the kernel releases if we die.

``flock`` is dropped automatically when the process exits, even by SIGKILL, so a crashed run
never leaves a stale lock behind that blocks the next night's run.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from copilot.errors import CopilotError


class RefreshLockedError(CopilotError):
    """Another refresh holds the lock for this data directory."""


@contextmanager
def refresh_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "refresh.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshLockedError(
                f"another refresh is running on {data_dir} (pid {holder}); this run did "
                "nothing. Wait for it to finish, or check that process."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
