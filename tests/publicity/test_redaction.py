"""Redaction of what is published (国办发〔2018〕118号: personal data of natural persons is not published): resident ID
numbers, mobile and landline numbers, and the individual party's name, in free text."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.cases.models import Party
from service.privacy.identifiers import Identifier, find_identifiers, is_phone_number, is_resident_id
from service.privacy.redaction import KnownPerson, RedactionRules, mask_name, redact_strings, redact_text
from service.publicity.policy import PublicityPolicy
from service.publicity.service import known_persons

ID = "[身份证号码已隐去]"
PHONE = "[电话号码已隐去]"
ZHANG = KnownPerson("张晓明", "500228199003071231", "13812345678")


def gb11643_check(first17: str) -> str:
    """The check character by the standard's own description (an oracle independent of the module's table)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "X" if (12 - total % 11) % 11 == 10 else str((12 - total % 11) % 11)


def test_the_oracle_agrees_with_the_standards_example() -> None:
    assert gb11643_check("11010519491231002") == "X"


def test_valid_ids_with_and_without_check_character_x() -> None:
    assert is_resident_id("11010519491231002X")
    assert is_resident_id("11010519491231002x")
    assert is_resident_id("500228199003071231")
    assert not is_resident_id("500228199003071232")  # wrong check digit: not an ID number, strictly
    assert is_resident_id("500228199003071232", require_check=False)  # but a mistyped one is still withheld
    assert is_resident_id("500228900307123")  # first-generation, 15 digits: 1990-03-07
    assert not is_resident_id("500228901307123")  # no 13th month


def test_phone_forms() -> None:
    for number in ("13812345678", "8613812345678", "008613812345678", "02312345678", "07551234567", "862312345678"):
        assert is_phone_number(number), number
    for number in ("12812345678", "1381234567", "2312345678", "12345678"):
        assert not is_phone_number(number), number


FACTS_1 = (
    "经查，当事人张晓明（身份证号码：500228199003071231，联系电话13812345678）于2026年3月5日9时许，"
    "在铁门乡长岭村村道旁倾倒生活垃圾约2立方米。张晓明对上述事实供认不讳，晓明之妻亦在场。"
)


def test_a_facts_paragraph_loses_the_id_number_phone_and_every_form_of_the_name() -> None:
    published = redact_text(FACTS_1, [ZHANG])
    assert published == (
        f"经查，当事人张某某（身份证号码：{ID}，联系电话{PHONE}）于2026年3月5日9时许，"
        "在铁门乡长岭村村道旁倾倒生活垃圾约2立方米。张某某对上述事实供认不讳，某某之妻亦在场。"
    )


FACTS_2 = (
    "2026年4月1日，执法人员接群众举报（举报电话023-12345678）后到场检查，发现张 晓 明正在焚烧秸秆。"
    "经核实其身份证号为500228 19900307 1231，手机+86 138-1234-5678，另留有固定电话（023）5566 7788。"
    "当事人称其银行账号为623456789012345678，现场照片编号20260401001。"
)


def test_numbers_written_with_spaces_dashes_brackets_and_country_code() -> None:
    published = redact_text(FACTS_2, [ZHANG])
    assert published == (
        f"2026年4月1日，执法人员接群众举报（举报电话{PHONE}）后到场检查，发现张某某正在焚烧秸秆。"
        f"经核实其身份证号为{ID}，手机{PHONE}，另留有固定电话{PHONE}。"
        "当事人称其银行账号为623456789012345678，现场照片编号20260401001。"
    )


def test_a_wrong_checksum_18_digit_number_with_a_birth_date_is_withheld_one_without_is_published() -> None:
    # 500228199003071232 fails MOD 11-2 but reads as a person born 1990-03-07 in 梁平: a mistyped ID number
    # still identifies its holder, so it is withheld. 623456789012345678 has no date in it: an account number.
    text = "笔录记载身份证号500228199003071232（末位有误），账户623456789012345678。"
    assert redact_text(text) == f"笔录记载身份证号{ID}（末位有误），账户623456789012345678。"


def test_the_partys_own_recorded_values_are_withheld_whatever_their_form() -> None:
    # A number the patterns do not know (a short local number) is still the party's own, as recorded.
    person = KnownPerson("李娜", phone="8123 4567")
    assert redact_text("其家中电话81234567。李娜、李 娜均指同一人。", [person]) == (
        f"其家中电话{PHONE}。李某某、李某某均指同一人。"
    )


def test_a_one_character_given_name_alone_is_not_masked_but_the_full_name_is() -> None:
    assert redact_text("张三称三天前已清理，张三丰不是张三。", [KnownPerson("张三")]) == (
        "张某某称三天前已清理，张某某丰不是张某某。"
    )


def test_compound_family_names_and_already_masked_forms() -> None:
    assert mask_name("欧阳娜娜") == "欧阳某某"
    person = KnownPerson("欧阳娜娜")
    assert redact_text("欧阳娜娜（以下简称欧阳某）拒不改正，娜娜系其小名。", [person]) == (
        "欧阳某某（以下简称欧阳某）拒不改正，某某系其小名。"
    )


def test_dates_amounts_case_numbers_and_articles_are_left_alone() -> None:
    text = "铁门罚〔2026〕7号：依据《中华人民共和国固体废物污染环境防治法》第111条，罚款5000元，2026-12-02 14:30。"
    assert redact_text(text) == text


def test_two_numbers_separated_only_by_a_space_are_two_identifiers() -> None:
    found = find_identifiers("13812345678 500228199003071231")
    assert [f.kind for f in found] == [Identifier.PHONE, Identifier.ID_NUMBER]


def test_full_width_digits() -> None:
    assert redact_text("电话１３８１２３４５６７８。") == f"电话{PHONE}。"


def test_every_string_of_a_publication_is_redacted_and_other_values_kept() -> None:
    content = {"facts": FACTS_1, "penalty": {"fine_fen": 500000, "kinds": ["罚款"]}, "basis": ["第111条"]}
    out = redact_strings(content, [ZHANG])
    assert out["penalty"] == content["penalty"]
    assert out["basis"] == content["basis"]
    assert "500228199003071231" not in out["facts"]
    assert "张晓明" not in out["facts"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "500228", "440305", "652301", "310115"]))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + gb11643_check(first17)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    digits = (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    )
    style = draw(st.sampled_from(["plain", "spaced", "dashed", "country"]))
    return {
        "plain": digits,
        "spaced": f"{digits[:3]} {digits[3:7]} {digits[7:]}",
        "dashed": f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        "country": f"+86 {digits}",
    }[style]


# Text around an identifier: anything but digits, X and the separators that would join it to more digits.
SURROUNDINGS = st.text(
    st.characters(categories=["Lo", "Po", "Zs"], exclude_characters="０１２３４５６７８９"), max_size=30
)


@given(SURROUNDINGS, resident_ids(), SURROUNDINGS)
def test_any_valid_id_number_inside_any_text_is_redacted(before: str, number: str, after: str) -> None:
    published = redact_text(before + number + after)
    assert number not in published
    assert ID in published


@given(SURROUNDINGS, mobiles(), SURROUNDINGS)
def test_any_mobile_number_inside_any_text_is_redacted(before: str, number: str, after: str) -> None:
    published = redact_text(before + number + after)
    assert number not in published
    assert PHONE in published


@given(st.text(st.characters(categories=["Lo", "Po"]), max_size=40))
def test_text_without_digits_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize("name", ["张三", "欧阳娜娜", "买买提·艾力"])
def test_a_name_never_survives_redaction(name: str) -> None:
    assert name not in redact_text(f"当事人{name}，{name}称不知情。", [KnownPerson(name)])


def test_an_organisation_is_published_by_name_and_code_a_person_is_not() -> None:
    policy = PublicityPolicy(7, 3, RedactionRules(mask_person_name=True, address_levels=("村",)))
    company = Party(
        party_type="organisation", name="重庆某某保洁有限公司", id_number="91500228MA5U000000", phone="023-12345678"
    )
    facts = "重庆某某保洁有限公司（统一社会信用代码91500228MA5U000000，电话023-12345678）未按规定清运垃圾。"
    assert redact_text(facts, known_persons(company, policy)) == (
        f"重庆某某保洁有限公司（统一社会信用代码91500228MA5U000000，电话{PHONE}）未按规定清运垃圾。"
    )
    person = Party(party_type="individual", name="张晓明", id_number="500228199003071231", phone="13812345678")
    assert redact_text(FACTS_1, known_persons(person, policy)) == redact_text(FACTS_1, [ZHANG])


def test_a_one_character_name_is_not_masked_in_the_text() -> None:
    # It would garble every word holding the character; the structured field is still masked (张 → 张某某).
    assert redact_text("现场张贴整改通知。", [KnownPerson("张")]) == "现场张贴整改通知。"
    assert mask_name("张") == "张某某"
