"""C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint), Ed25519."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from service.ledger.errors import VerificationError
from service.ledger.merkle import leaf_hash
from service.ledger.note import (
    MAX_SIGNATURES,
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    open_checkpoint,
    private_key_from_pem,
    private_key_to_pem,
)

# The reference example of golang.org/x/mod/sumdb/note (note_test.go): Ed25519 signing is
# deterministic (RFC 8032), so signing its text with its key must reproduce its note byte for byte.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]  # 0x01 || seed
PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
PETER_NOTE = PETER_TEXT + "\n" + PETER_SIG
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

LOG = "caseledger.example/agency/370100"
ROOT = leaf_hash(b"root")


def peter() -> NoteSigner:
    return NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(PETER_SEED))


def log_signer() -> NoteSigner:
    return NoteSigner(LOG, Ed25519PrivateKey.generate())


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---- keys ------------------------------------------------------------------------------------------


def test_signing_reproduces_the_reference_note_byte_for_byte() -> None:
    assert peter().sign(PETER_TEXT) == PETER_NOTE


def test_vkey_and_key_id_of_the_reference_key() -> None:
    signer = peter()
    assert signer.key_id == 0xC74F20A3
    assert signer.vkey() == PETER_VKEY
    assert NoteVerifier.from_vkey(PETER_VKEY).vkey() == PETER_VKEY


def test_key_id_is_the_spec_formula_over_name_newline_algorithm_and_key() -> None:
    key = Ed25519PrivateKey.generate()
    signer = NoteSigner(LOG, key)
    # signed-note "Ed25519 signatures": SHA-256(key name || 0x0A || 0x01 || 32-byte key)[:4]
    expected = hashlib.sha256(LOG.encode() + b"\x0a" + b"\x01" + raw_public_key(key)).digest()[:4]
    assert signer.key_id.to_bytes(4, "big") == expected
    encoded_key = base64.b64encode(b"\x01" + raw_public_key(key)).decode()
    assert signer.vkey() == f"{LOG}+{expected.hex()}+{encoded_key}"
    assert NoteVerifier.from_vkey(signer.vkey()).key_id == signer.key_id == signer.verifier().key_id


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        ("PeterNeumann+c74f20a3", "not of the form"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "space"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "empty"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lowercase hex"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=", "base64"),
        # From note_test.go: wrong key length and unknown algorithm, each with its key ID adjusted.
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "algorithm is 0x65"),
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        NoteVerifier.from_vkey(vkey)


def test_wrong_algorithm_byte_or_key_length_is_refused_even_with_a_matching_key_id() -> None:
    key = raw_public_key(Ed25519PrivateKey.generate())
    key_id = hashlib.sha256(b"log\n\x01" + key).digest()[:4].hex()
    encoded = base64.b64encode(b"\x02" + key).decode()  # 0x02 is ECDSA in signed-note
    with pytest.raises(VerificationError, match="algorithm is 0x02"):
        NoteVerifier.from_vkey(f"log+{key_id}+{encoded}")
    with pytest.raises(VerificationError, match="holds 32 bytes, expected 33"):
        NoteVerifier.from_vkey(f"log+{key_id}+{base64.b64encode(key).decode()}")


def test_every_truncation_and_single_character_change_of_a_vkey_is_refused() -> None:
    # The exhaustive mangling of note_test.go TestNewVerifier.
    for begin in range(len(PETER_VKEY)):
        for end in range(begin + 1, len(PETER_VKEY) + 1):
            if (begin, end) != (0, len(PETER_VKEY)):
                with pytest.raises(VerificationError):
                    NoteVerifier.from_vkey(PETER_VKEY[begin:end])
    for position in range(len(PETER_VKEY)):
        changed = PETER_VKEY[:position] + chr(ord(PETER_VKEY[position]) + 1) + PETER_VKEY[position + 1 :]
        with pytest.raises(VerificationError):
            NoteVerifier.from_vkey(changed)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\tname", "nbsp\u00a0name", "ideographic\u3000space"])
def test_invalid_key_names_cannot_sign(name: str) -> None:
    with pytest.raises(ValueError, match="key name"):
        NoteSigner(name, Ed25519PrivateKey.generate())


def test_private_key_pem_roundtrip() -> None:
    key = Ed25519PrivateKey.generate()
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert raw_public_key(private_key_from_pem(pem)) == raw_public_key(key)


def test_private_key_from_pem_refuses_other_keys_and_garbage() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="expected an Ed25519 private key"):
        private_key_from_pem(ec_pem)
    with pytest.raises(ValueError, match="not an unencrypted PKCS#8 PEM"):
        private_key_from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


# ---- notes -----------------------------------------------------------------------------------------


@given(st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]) | st.just("\n")).map(lambda t: t + "\n"))
def test_any_note_text_roundtrips(body: str) -> None:
    signer = peter()
    assert signer.verifier().verify(signer.sign(body)) == body


def test_text_with_blank_lines_is_split_at_the_last_blank_line() -> None:
    body = "first\n\nthird\n\n"
    note = peter().sign(body)
    assert SignedNote.parse(note).text == body
    assert NoteVerifier.from_vkey(PETER_VKEY).verify(note) == body


def test_signatures_by_unknown_keys_are_ignored() -> None:
    note = PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert NoteVerifier.from_vkey(PETER_VKEY).verify(note) == PETER_TEXT
    assert NoteVerifier.from_vkey(ENOCH_VKEY).verify(note) == PETER_TEXT
    parsed = SignedNote.parse(note)
    assert [(s.name, s.key_id) for s in parsed.signatures] == [
        ("PeterNeumann", 0xC74F20A3),
        ("EnochRoot", 0xAF0CFE78),
    ]


def test_a_note_without_a_signature_by_the_key_is_refused() -> None:
    with pytest.raises(VerificationError, match=r"no signature by key PeterNeumann\+c74f20a3 \(has: EnochRoot"):
        NoteVerifier.from_vkey(PETER_VKEY).verify(PETER_TEXT + "\n" + ENOCH_SIG)


def test_a_same_named_key_with_another_id_is_an_unknown_key() -> None:
    impostor = NoteSigner("PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError, match="no signature by key PeterNeumann"):
        NoteVerifier.from_vkey(PETER_VKEY).verify(impostor.sign(PETER_TEXT))


def tamper_signature(line: str) -> str:
    """Insert four base64 characters (three bytes) inside the signature, as note_test.go does."""
    return line[:60] + "ABCD" + line[60:]


def flip_signature_bit(line: str) -> str:
    prefix, encoded = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 0x01
    return f"{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (PETER_TEXT.replace("cryptography", "cryptographY") + "\n" + PETER_SIG, "invalid signature by key"),
        (PETER_TEXT + "\n" + flip_signature_bit(PETER_SIG), "invalid signature by key"),
        (PETER_TEXT + "\n" + tamper_signature(PETER_SIG), "is 67 bytes, expected 64"),
        (PETER_TEXT + "\n" + PETER_SIG + flip_signature_bit(PETER_SIG), "invalid signature by key"),
        (PETER_TEXT + "\n" + PETER_SIG[:-1], "does not end in a newline"),
        (PETER_TEXT, "no blank line"),
        (PETER_TEXT + "\n", "no signature lines"),
        ("\x01" + PETER_NOTE, "control character U\\+0001 at offset 0"),
        (PETER_NOTE.replace("\n", "\r\n"), "control character U\\+000D"),
        ("\ud800" + PETER_NOTE, "not valid UTF-8"),
        (
            PETER_TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"),
            "signature line 1 is not valid base64",
        ),
        (PETER_TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"), "contains '\\+'"),
        (PETER_NOTE + "Unexpected line.\n", "signature line 2 does not start with an em dash"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("—", "-"), "signature line 1 does not start with an em dash"),
        (PETER_TEXT + "\n" + "— PeterNeumann\n", "no signature after the key name"),
        (PETER_TEXT + "\n" + "— PeterNeumann AAAA\n", "3 bytes, too short"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("AM=", "AN="), "not canonical base64"),
        (PETER_TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1), f"{MAX_SIGNATURES + 1} signatures, more than"),
    ],
)
def test_malformed_or_forged_notes_are_refused(note: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        NoteVerifier.from_vkey(PETER_VKEY).verify(note)


def test_repeated_valid_signatures_by_the_key_are_accepted_up_to_the_limit() -> None:
    assert NoteVerifier.from_vkey(PETER_VKEY).verify(PETER_TEXT + "\n" + PETER_SIG * MAX_SIGNATURES) == PETER_TEXT


@pytest.mark.parametrize("body", ["no trailing newline", "bell\x07\n", "lone surrogate \ud800\n"])
def test_text_that_is_not_note_text_cannot_be_signed(body: str) -> None:
    with pytest.raises(ValueError, match=r"newline|control character|UTF-8"):
        peter().sign(body)


# ---- checkpoints -----------------------------------------------------------------------------------


def test_checkpoint_body_is_origin_size_and_base64_root() -> None:
    checkpoint = Checkpoint(LOG, 20852163, ROOT)
    assert checkpoint.body() == f"{LOG}\n20852163\n{base64.b64encode(ROOT).decode()}\n"
    assert Checkpoint.parse(checkpoint.body()) == checkpoint


def test_the_spec_example_checkpoint_parses() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = Checkpoint.parse(body)
    assert (checkpoint.origin, checkpoint.size, checkpoint.extensions) == (
        "example.com/behind-the-sofa",
        20852163,
        (),
    )
    assert checkpoint.body() == body


def test_extension_lines_are_kept_verbatim_and_uninterpreted() -> None:
    body = Checkpoint(LOG, 5, ROOT).body() + "ext one\n— looks like a signature\n"
    checkpoint = Checkpoint.parse(body)
    assert checkpoint.extensions == ("ext one", "— looks like a signature")
    assert checkpoint.body() == body


ROOT_B64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"{LOG}\n5\n{ROOT_B64}", "does not end in a newline"),
        (f"{LOG}\n5\n", "has 2 lines"),
        (f"\n5\n{ROOT_B64}\n", "origin is empty"),
        (f"{LOG}\n05\n{ROOT_B64}\n", "tree size '05'"),
        (f"{LOG}\n00\n{ROOT_B64}\n", "tree size '00'"),
        (f"{LOG}\n+5\n{ROOT_B64}\n", "tree size"),
        (f"{LOG}\n 5\n{ROOT_B64}\n", "tree size"),
        (f"{LOG}\n5_0\n{ROOT_B64}\n", "tree size"),
        (f"{LOG}\n\u0665\n{ROOT_B64}\n", "tree size"),  # ARABIC-INDIC DIGIT FIVE: int() would take it
        (f"{LOG}\n\n{ROOT_B64}\n", "tree size ''"),
        (f"{LOG}\n{2**64}\n{ROOT_B64}\n", "uint64"),
        (f"{LOG}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes, expected 32"),
        (f"{LOG}\n5\n{ROOT_B64[:-2]}B=\n", "not canonical"),
        (f"{LOG}\n5\n{ROOT_B64[:-1]}\n", "not valid base64"),
        (f"{LOG}\n5\n{ROOT_B64}\n\n", "line 4 \\(an extension line\\) is empty"),
        (f"{LOG}\n5\n{ROOT_B64}\r\n", "control character U\\+000D"),
    ],
)
def test_malformed_checkpoints_are_refused(body: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        Checkpoint.parse(body)


def test_largest_and_smallest_tree_sizes_parse() -> None:
    assert Checkpoint.parse(f"{LOG}\n0\n{ROOT_B64}\n").size == 0
    assert Checkpoint.parse(f"{LOG}\n{2**64 - 1}\n{ROOT_B64}\n").size == 2**64 - 1


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        (LOG, -1, ROOT, ()),
        (LOG, 1, ROOT[:31], ()),
        (LOG, 1, ROOT, ("",)),
    ],
)
def test_invalid_checkpoints_cannot_be_built(origin: str, size: int, root: bytes, extensions: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"checkpoint|tree size|root hash"):
        Checkpoint(origin, size, root, extensions)


def test_open_checkpoint_returns_the_signed_checkpoint() -> None:
    signer = log_signer()
    checkpoint = Checkpoint(LOG, 42, ROOT)
    note = signer.sign(checkpoint.body())
    verifier = NoteVerifier.from_vkey(signer.vkey())
    assert open_checkpoint(note, verifier) == checkpoint
    assert open_checkpoint(note, verifier, origin=LOG) == checkpoint


def test_open_checkpoint_refuses_another_origin_than_expected() -> None:
    signer = NoteSigner("caseledger.example", Ed25519PrivateKey.generate())
    note = signer.sign(Checkpoint(LOG, 42, ROOT).body())
    # By default the origin must be the key name (tlog-checkpoint: the key name SHOULD match it).
    with pytest.raises(VerificationError, match=r"origin .* is not the expected 'caseledger\.example'"):
        open_checkpoint(note, signer.verifier())
    with pytest.raises(VerificationError, match=r"is not the expected 'caseledger\.example/agency/999'"):
        open_checkpoint(note, signer.verifier(), origin="caseledger.example/agency/999")
    assert open_checkpoint(note, signer.verifier(), origin=LOG).size == 42


def test_open_checkpoint_refuses_a_checkpoint_signed_by_another_key() -> None:
    note = log_signer().sign(Checkpoint(LOG, 42, ROOT).body())
    with pytest.raises(VerificationError, match="no signature by key"):
        open_checkpoint(note, log_signer().verifier())


def test_open_checkpoint_refuses_a_signed_note_that_is_not_a_checkpoint() -> None:
    signer = log_signer()
    with pytest.raises(VerificationError, match="tree size 'not a size'"):
        open_checkpoint(signer.sign(f"{LOG}\nnot a size\n{ROOT_B64}\n"), signer.verifier())


def test_a_tampered_checkpoint_is_refused() -> None:
    signer = log_signer()
    note = signer.sign(Checkpoint(LOG, 42, ROOT).body())
    with pytest.raises(VerificationError, match="invalid signature"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), signer.verifier())
