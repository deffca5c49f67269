"""Content-addressed file store outside the web root: ``<root>/ab/cd/<sha256>``."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_HEX = frozenset("0123456789abcdef")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """The blob's path; the name is a hash we computed, never client text (no traversal)."""
        if len(sha256) != 64 or not set(sha256) <= _HEX:
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes durably (write, fsync, atomic rename); return their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
