"""Evidence file names: normalised at upload (NFC, no separators, control or bidi characters, bounded), and
served under RFC 6266 ``filename*``."""

from __future__ import annotations

import unicodedata

import pytest

from service.evidence.filenames import EMPTY, MAX_LENGTH, content_disposition, normalise_filename


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("现场照片.jpg", "现场照片.jpg"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..\\..\\windows\\system.ini", "_.._windows_system.ini"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # the RTL override that made it read as "exe.jpg"
        ("a\u2066b\u2069\u200fc.pdf", "abc.pdf"),
        ("line\r\nbreak\t.txt", "linebreak.txt"),
        ("zero\u200bwidth\u00a0space.png", "zerowidth space.png"),
        (".bashrc", "bashrc"),
        ("name. . .", "name"),
        ("a  <b>:c|d?.doc", "a _b__c_d_.doc"),
        ("CON.txt", "_CON.txt"),
        ("", EMPTY),
        ("\u202e/..", "_"),
        (" . ", EMPTY),
        ("\x00\x01", EMPTY),
    ],
)
def test_a_name_is_stored_without_what_could_mislead_a_file_system_or_a_reader(sent: str, stored: str) -> None:
    assert normalise_filename(sent) == stored
    assert normalise_filename(stored) == stored  # already safe: kept as is


def test_a_name_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Café résumé.pdf")
    assert decomposed != "Café résumé.pdf"
    assert normalise_filename(decomposed) == "Café résumé.pdf"


def test_a_long_name_is_cut_to_the_bound_keeping_its_extension() -> None:
    name = normalise_filename("证" * 300 + ".jpeg")
    assert len(name) == MAX_LENGTH
    assert name.endswith("证.jpeg")
    odd = normalise_filename("x" * 300 + ".not an extension")
    assert len(odd) == MAX_LENGTH
    assert odd.startswith("x")


def test_the_download_names_the_file_in_both_forms_of_rfc_6266() -> None:
    assert content_disposition("attachment", "现场 照片.jpg") == (
        "attachment; filename=\"__ __.jpg\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.jpg"
    )
    assert (
        content_disposition("inline", 'a"b\\c%.pdf')
        == "inline; filename=\"a_b_c_.pdf\"; filename*=UTF-8''a%22b%5Cc%25.pdf"
    )
