"""Evidence files on disk, content-addressed by SHA-256 under the data directory.

An upload is streamed to a temporary file while its SHA-256 is computed, refused as soon as it crosses the
size limit, or at its end if it has no bytes (nothing is kept), and then moved to ``evidence/ab/cd/<sha256>``.
Because the name is the content's hash, a request that rolls back after storing a file leaves nothing that
matters: the same bytes would land at the same place, and no record points to them. Such orphans are removed by
``caseledger evidence clean`` (service/evidence/orphans.py) once a day old. Stored files are never modified;
verification re-hashes them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from anyio import CancelScope, to_thread

CHUNK = 1 << 16


class EvidenceTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"evidence file larger than {limit} bytes")
        self.limit = limit


class EvidenceEmpty(Exception):
    """A file of no bytes: nothing was collected (a capture that failed, a form sent without its file)."""


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

    def _settle(self, temporary: str, digest: str) -> None:
        target = self.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():
            os.unlink(temporary)  # the same bytes are already stored
            # Young again: an orphan about to be referenced by this upload is not one the clean-up may take.
            os.utime(target)
            return
        os.chmod(temporary, 0o400)
        os.replace(temporary, target)

    async def save_stream(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StoredFile:
        """Store an uploaded stream; refuse it, keeping nothing, beyond ``max_bytes``. The file is written and
        fsync'd in worker threads: a blocking write never stalls the event loop and the other requests on it."""
        upload = await to_thread.run_sync(_Upload, self, max_bytes)
        try:
            async for chunk in chunks:
                await to_thread.run_sync(upload.write, chunk)
        except BaseException:
            with CancelScope(shield=True):  # a client that hangs up still leaves no partial file
                await to_thread.run_sync(upload.discard)
            raise
        return await to_thread.run_sync(upload.settle)

    def save_bytes(self, chunks: Iterable[bytes], max_bytes: int) -> StoredFile:
        """The synchronous form, for the command line and tests."""
        upload = _Upload(self, max_bytes)
        try:
            for chunk in chunks:
                upload.write(chunk)
        except BaseException:
            upload.discard()
            raise
        return upload.settle()

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


class _Upload:
    """One file being received: hashed and counted as it is written to a temporary file beside the store."""

    def __init__(self, store: EvidenceStore, max_bytes: int) -> None:
        store.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, self.path = tempfile.mkstemp(dir=store.root, prefix=".upload-")
        self.handle = os.fdopen(fd, "wb")
        self.store = store
        self.max_bytes = max_bytes
        self.hasher = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise EvidenceTooLarge(self.max_bytes)
        self.hasher.update(chunk)
        self.handle.write(chunk)

    def discard(self) -> None:
        self.handle.close()
        os.unlink(self.path)

    def settle(self) -> StoredFile:
        if self.size == 0:
            self.discard()
            raise EvidenceEmpty()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        digest = self.hasher.hexdigest()
        self.store._settle(self.path, digest)
        return StoredFile(digest, self.size)
