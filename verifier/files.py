"""Writing the verifier's own files (trust store, trusted lists, document cache) safely."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step: a crash leaves the old file intact."""
    import tempfile  # only writers need it (it imports shutil, random, bz2, lzma)

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
