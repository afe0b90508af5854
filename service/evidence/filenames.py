"""Evidence file names: what an uploader sends is a claim; what is stored, served and bundled is a safe name.

The name sent is recorded beside it only as a display string (``filename_as_sent`` in the entry's body, when
it differs), shown escaped. The safe name is one line that a file system, a shell, a zip reader and a person
read alike: NFC, no path separators (``../../etc/passwd`` names no directory), no control, format or bidi
characters (an RTL override turns ``gpj.exe`` into what reads as ``exe.jpg``), no leading dot (hidden files)
or trailing dot or space (Windows drops them), at most ``MAX_LENGTH`` characters with the extension kept.
Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_LENGTH = 120
EMPTY = "evidence.bin"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,15}")
# Characters no common file system takes in a name, path separators first.
_RESERVED = frozenset('/\\<>:"|?*')
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))})


def _safe_char(char: str) -> str:
    if char in _RESERVED:
        return "_"
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):  # controls, bidi and other format characters
        return ""
    if category == "Zs":  # every kind of space becomes a plain one
        return " "
    return char


def normalise_filename(sent: str) -> str:
    """The name an evidence file is stored and served under; ``EMPTY`` when nothing of ``sent`` remains."""
    name = "".join(_safe_char(char) for char in unicodedata.normalize("NFC", sent))
    name = re.sub(" {2,}", " ", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(f".{extension}") or not stem.strip(" ."):
        stem, extension = name, ""
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    suffix = f".{extension}" if extension else ""
    stem = stem[: MAX_LENGTH - len(suffix)].rstrip(" .")
    name = unicodedata.normalize("NFC", f"{stem}{suffix}") if stem else ""
    return name or EMPTY


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: ``filename*`` (RFC 8187, UTF-8) for every client that reads it, and an ASCII ``filename`` for
    those that do not; neither can carry a quote, a backslash or a line break."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
