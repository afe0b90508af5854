"""C2SP signed notes with Ed25519, and tlog checkpoints carried in them.

Specifications: https://c2sp.org/signed-note (format, key IDs, verifier keys as used by
golang.org/x/mod/sumdb/note) and https://c2sp.org/tlog-checkpoint (the checkpoint body).

A checkpoint (origin, tree size, root hash) signed with a key kept outside the database is what lets
anyone holding it demand consistency and inclusion proofs later: whoever rewrites history would have
to produce a new signature over a root that is inconsistent with one already handed out.

Parsing (`SignedNote.parse`, `Checkpoint.parse`, `NoteVerifier.from_vkey`) is separate from
verifying; everything untrusted is refused with `VerificationError` naming what was wrong.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Self

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.ledger.errors import VerificationError
from service.ledger.merkle import HASH_SIZE, hash_from_base64

ED25519_ALGORITHM = 0x01  # signature type byte assigned to Ed25519 by signed-note "Signature types"
ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4

# signed-note: verifiers SHOULD cap the signature count and MUST accept at least 16; 100 is the cap of
# the reference implementation (golang.org/x/mod/sumdb/note), so notes it accepts are accepted here.
MAX_SIGNATURES = 100

_SIGNATURE_LINE_PREFIX = "\u2014 "  # em dash, space
_TREE_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")  # ASCII decimal, no leading zeros (tlog-checkpoint)
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_MAX_TREE_SIZE = 2**64 - 1  # tree sizes are uint64 in every tlog implementation


def ed25519_key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519_ALGORITHM]) + public_key).digest()
    return int.from_bytes(digest[:KEY_ID_SIZE], "big")


def _key_name_problem(name: str) -> str | None:
    # signed-note: key names are non-empty and contain no Unicode spaces and no '+'.
    if not name:
        return "key name is empty"
    if "+" in name:
        return f"key name {name!r} contains '+'"
    if any(char.isspace() or ord(char) < 0x20 for char in name):
        return f"key name {name!r} contains a space or control character"
    return None


def _text_problem(text: str, what: str) -> str | None:
    """Why `text` cannot be (part of) a note: signed-note requires UTF-8 without control characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} is not valid UTF-8"
    for offset, char in enumerate(text):
        if ord(char) < 0x20 and char != "\n":
            return f"{what} contains control character U+{ord(char):04X} at offset {offset}"
    return None


def _strict_b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error, or a non-ASCII character
        raise VerificationError(f"{what} is not valid base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: `— <name> base64(key ID || signature)`."""

    name: str
    key_id: int
    signature: bytes


@dataclass(frozen=True)
class SignedNote:
    """A note split into its text and its (unverified) signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]

    @classmethod
    def parse(cls, note: str) -> Self:
        problem = _text_problem(note, "note")
        if problem:
            raise VerificationError(problem)
        # The text runs to the last blank line; it may itself contain blank lines (signed-note "Format").
        split = note.rfind("\n\n")
        if split < 0:
            raise VerificationError("note has no blank line between its text and its signatures")
        text, signature_block = note[: split + 1], note[split + 2 :]
        if not signature_block:
            raise VerificationError("note has no signature lines")
        if not signature_block.endswith("\n"):
            raise VerificationError("note does not end in a newline")
        lines = signature_block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise VerificationError(f"note has {len(lines)} signatures, more than the {MAX_SIGNATURES} allowed")
        return cls(text, tuple(_parse_signature_line(number, line) for number, line in enumerate(lines, 1)))


def _parse_signature_line(number: int, line: str) -> NoteSignature:
    if not line.startswith(_SIGNATURE_LINE_PREFIX):
        raise VerificationError(f"signature line {number} does not start with an em dash and a space")
    name, space, encoded = line[len(_SIGNATURE_LINE_PREFIX) :].partition(" ")
    problem = _key_name_problem(name)
    if problem:
        raise VerificationError(f"signature line {number}: {problem}")
    if not space or not encoded:
        raise VerificationError(f"signature line {number} has no signature after the key name")
    raw = _strict_b64decode(encoded, f"signature line {number}")
    if len(raw) <= KEY_ID_SIZE:
        raise VerificationError(f"signature line {number} holds {len(raw)} bytes, too short for a key ID")
    return NoteSignature(name, int.from_bytes(raw[:KEY_ID_SIZE], "big"), raw[KEY_ID_SIZE:])


def _public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class NoteSigner:
    """Signs note text with an Ed25519 key under a key name."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        problem = _key_name_problem(name)
        if problem:
            raise ValueError(problem)
        self._name = name
        self._key = key
        self._public_key = _public_key_bytes(key.public_key())
        self._key_id = ed25519_key_id(name, self._public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    def vkey(self) -> str:
        """The verifier key `<name>+<hex8 key ID>+<base64(0x01 || public key)>` to publish."""
        encoded = _b64encode(bytes([ED25519_ALGORITHM]) + self._public_key)
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verifier(self) -> "NoteVerifier":
        return NoteVerifier(self.name, self._key.public_key())

    def sign(self, body: str) -> str:
        """The signed note: body, blank line, one signature line over the body's UTF-8 bytes."""
        if not body.endswith("\n"):
            raise ValueError("note text must end in a newline")
        problem = _text_problem(body, "note text")
        if problem:
            raise ValueError(problem)
        signature = self._key.sign(body.encode("utf-8"))
        encoded = _b64encode(self.key_id.to_bytes(KEY_ID_SIZE, "big") + signature)
        return f"{body}\n{_SIGNATURE_LINE_PREFIX}{self.name} {encoded}\n"


class NoteVerifier:
    """Verifies notes signed by one known Ed25519 key; signatures by other keys are ignored."""

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        problem = _key_name_problem(name)
        if problem:
            raise ValueError(problem)
        self._name = name
        self._public_key = public_key
        self._key_id = ed25519_key_id(name, _public_key_bytes(public_key))

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        # The base64 key may itself contain '+', so split at the first two only.
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise VerificationError("verifier key is not of the form <name>+<key ID>+<key>")
        name, key_id_hex, encoded = parts
        problem = _key_name_problem(name)
        if problem:
            raise VerificationError(f"verifier key: {problem}")
        if not _KEY_ID_HEX.fullmatch(key_id_hex):
            raise VerificationError(f"verifier key ID {key_id_hex!r} is not 8 lowercase hex digits")
        raw = _strict_b64decode(encoded, "verifier key")
        if len(raw) != 1 + ED25519_PUBLIC_KEY_SIZE:
            raise VerificationError(f"verifier key holds {len(raw)} bytes, expected 33 (0x01 || Ed25519 key)")
        if raw[0] != ED25519_ALGORITHM:
            raise VerificationError(f"verifier key algorithm is 0x{raw[0]:02x}, only Ed25519 (0x01) is supported")
        public_key = raw[1:]
        computed = ed25519_key_id(name, public_key)
        if computed != int(key_id_hex, 16):
            raise VerificationError(f"verifier key ID {key_id_hex} does not match its name and key ({computed:08x})")
        return cls(name, Ed25519PublicKey.from_public_bytes(public_key))

    def vkey(self) -> str:
        encoded = _b64encode(bytes([ED25519_ALGORITHM]) + _public_key_bytes(self._public_key))
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verify(self, note: str) -> str:
        """Return the note text if it carries a valid signature by this key and none invalid by it.

        signed-note "Signatures": signatures by unknown keys (another name, or another key ID under
        this name) are ignored; a failing signature by the known key rejects the whole note.
        """
        parsed = SignedNote.parse(note)
        mine = [s for s in parsed.signatures if s.name == self.name and s.key_id == self.key_id]
        if not mine:
            present = ", ".join(f"{s.name}+{s.key_id:08x}" for s in parsed.signatures)
            raise VerificationError(f"note has no signature by key {self.name}+{self.key_id:08x} (has: {present})")
        message = parsed.text.encode("utf-8")
        for signature in mine:
            if len(signature.signature) != ED25519_SIGNATURE_SIZE:
                raise VerificationError(
                    f"signature by key {self.name}+{self.key_id:08x} is {len(signature.signature)} bytes, "
                    f"expected {ED25519_SIGNATURE_SIZE}"
                )
            try:
                self._public_key.verify(signature.signature, message)
            except InvalidSignature:
                raise VerificationError(f"invalid signature by key {self.name}+{self.key_id:08x}") from None
        return parsed.text


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint body: the log's origin, its tree size and its RFC 9162 root hash.

    tlog-checkpoint allows opaque, non-empty extension lines after the root hash. We never write any,
    but a checkpoint that carries them is still valid, so `parse` keeps them verbatim in `extensions`
    (uninterpreted) and `body()` reproduces the signed text exactly.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lines_ok = all(line and "\n" not in line for line in (self.origin, *self.extensions))
        if not lines_ok or _text_problem(self.body(), "checkpoint"):
            raise ValueError("checkpoint origin and extension lines must be non-empty single lines of note text")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise ValueError(f"tree size {self.size} is out of range")
        if len(self.root) != HASH_SIZE:
            raise ValueError(f"root hash is {len(self.root)} bytes, expected {HASH_SIZE}")

    def body(self) -> str:
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Self:
        problem = _text_problem(body, "checkpoint")
        if problem:
            raise VerificationError(problem)
        if not body.endswith("\n"):
            raise VerificationError("checkpoint does not end in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise VerificationError(f"checkpoint has {len(lines)} lines, expected origin, tree size and root hash")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise VerificationError("checkpoint origin is empty")
        if not _TREE_SIZE.fullmatch(size_text) or int(size_text) > _MAX_TREE_SIZE:
            raise VerificationError(f"checkpoint tree size {size_text!r} is not a decimal uint64 without leading zeros")
        root = hash_from_base64(root_text, "checkpoint root hash")
        for number, line in enumerate(extensions, 4):
            if not line:
                raise VerificationError(f"checkpoint line {number} (an extension line) is empty")
        return cls(origin, int(size_text), root, tuple(extensions))


def open_checkpoint(note: str, verifier: NoteVerifier, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint and return it; its origin must be `origin`, by default the key name.

    tlog-checkpoint: the log's key name SHOULD match the origin. Defaulting to that match means a
    caller cannot accept another log's checkpoint signed by a shared key by forgetting to say which
    log it expects; a log whose origin differs from its key name is named explicitly.
    """
    checkpoint = Checkpoint.parse(verifier.verify(note))
    expected = verifier.name if origin is None else origin
    if checkpoint.origin != expected:
        raise VerificationError(f"checkpoint origin {checkpoint.origin!r} is not the expected {expected!r}")
    return checkpoint


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: protect the file (permissions, secret store), keep it out of the database."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not an unencrypted PKCS#8 PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"PEM holds a {type(key).__name__}, expected an Ed25519 private key")
    return key
