"""Evidence files on disk, content-addressed by SHA-256 under the data directory.

An upload is streamed to a temporary file while its SHA-256 is computed, refused as soon as it crosses the
size limit (nothing is kept), and then moved to ``evidence/ab/cd/<sha256>``. Because the name is the content's
hash, a request that rolls back after storing a file leaves nothing that matters: the same bytes would land
at the same place, and no record points to them. Stored files are never modified; verification re-hashes them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 16


class EvidenceTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"evidence file larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _temporary(self) -> tuple[int, str]:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return tempfile.mkstemp(dir=self.root, prefix=".upload-")

    def _settle(self, temporary: str, digest: str) -> None:
        target = self.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():
            os.unlink(temporary)  # the same bytes are already stored
            return
        os.chmod(temporary, 0o400)
        os.replace(temporary, target)

    async def save_stream(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StoredFile:
        """Store an uploaded stream; refuse it, keeping nothing, beyond ``max_bytes``."""
        fd, temporary = self._temporary()
        hasher = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise EvidenceTooLarge(max_bytes)
                    hasher.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            os.unlink(temporary)
            raise
        digest = hasher.hexdigest()
        self._settle(temporary, digest)
        return StoredFile(digest, size)

    def save_bytes(self, chunks: Iterable[bytes], max_bytes: int) -> StoredFile:
        """The synchronous form, for the command line and tests."""
        fd, temporary = self._temporary()
        hasher = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise EvidenceTooLarge(max_bytes)
                    hasher.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            os.unlink(temporary)
            raise
        digest = hasher.hexdigest()
        self._settle(temporary, digest)
        return StoredFile(digest, size)

    def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of the stored file now, or None when it is missing."""
        path = self.path_of(sha256)
        try:
            with path.open("rb") as handle:
                return hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            return None

    def open(self, sha256: str) -> Iterable[bytes]:
        with self.path_of(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
