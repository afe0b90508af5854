"""The enforcement catalogue: the sample loads, checks against the legal texts, and every kind of defect is
refused with its file, item and field, with nothing loaded."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.cases.guards import Penalty, discretion_band, hearing_right
from service.cases.items import item_rules
from service.policy.catalogue import (
    PARTY_TYPES,
    Catalogue,
    CatalogueError,
    CatalogueItem,
    PartyType,
    PenaltyKind,
    Problem,
    load_catalogue,
    parse_catalogue,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "policies" / "catalogue" / "tiemen-sample.yaml"
LAW_DIR = ROOT.parent / "shared" / "reference" / "law"


@pytest.fixture(scope="module")
def sample() -> Catalogue:
    return load_catalogue(SAMPLE)


# --- a minimal valid item, and files built from it ---------------------------------------------------------


def minimal_item(code: str = "T-001") -> dict[str, Any]:
    return {
        "code": code,
        "name": {"zh": "测试事项", "en": "Test item"},
        "category": "noise",
        "power": {"holding": "delegated", "original_department": "区县测试部门"},
        "violation_basis": [{"law": "测试法", "article": 1, "text": "禁止测试。"}],
        "penalty_basis": [{"law": "测试法", "article": 2, "paragraph": 1, "text": "处罚款。"}],
        "penalty_kinds": ["fine"],
        "statutory_fine": {
            "individual": {"min_fen": 10_000, "max_fen": 50_000},
            "organisation": {"min_fen": 100_000, "max_fen": 500_000},
        },
        "discretion": [
            {
                "code": "lighter",
                "level": "从轻",
                "conditions": "情节较轻",
                "penalty_kinds": ["fine"],
                "individual": {"min_fen": 10_000, "max_fen": 20_000},
                "organisation": {"min_fen": 100_000, "max_fen": 200_000},
            },
            {
                "code": "heavier",
                "level": "从重",
                "conditions": "情节较重",
                "penalty_kinds": ["fine"],
                "individual": {"min_fen": 20_001, "max_fen": 50_000},
                "organisation": {"min_fen": 200_001, "max_fen": 500_000},
            },
        ],
        "summary_procedure_allowed": False,
        "hearing_threshold": {"individual_fen": 500_000, "organisation_fen": 5_000_000},
        "time_bar_years": 2,
    }


def catalogue_text(*items: dict[str, Any]) -> str:
    document = {"format": 1, "agency": "测试乡人民政府", "items": list(items)}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def write(tmp_path: Path, text: str, name: str = "agency.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return caught.value.problems


def refused_item(tmp_path: Path, item: dict[str, Any]) -> tuple[Problem, ...]:
    return refused(write(tmp_path, catalogue_text(item)))


def located(problems: tuple[Problem, ...], item: str | int | None, field: str) -> Problem:
    matches = [p for p in problems if p.item == item and p.field == field]
    assert matches, f"no problem at item {item} field {field}; got:\n" + "\n".join(map(str, problems))
    return matches[0]


# --- the sample ---------------------------------------------------------------------------------------------


def test_sample_catalogue_loads_fifteen_items(sample: Catalogue) -> None:
    assert sample.codes == tuple(f"CQ-TM-{n:03d}" for n in range(1, 16))
    assert sample.source == str(SAMPLE)


def test_catalogue_version_is_the_sha256_of_the_file_bytes(sample: Catalogue) -> None:
    assert sample.version == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_catalogue_version_changes_when_the_file_changes(tmp_path: Path, sample: Catalogue) -> None:
    changed = write(tmp_path, SAMPLE.read_text(encoding="utf-8") + "# reviewed again\n")
    reloaded = load_catalogue(changed)
    assert reloaded.version != sample.version
    assert reloaded.items == sample.items


def test_parsed_text_has_the_version_of_the_same_file(sample: Catalogue) -> None:
    parsed = parse_catalogue(SAMPLE.read_text(encoding="utf-8"), "sample")
    assert parsed.version == sample.version
    assert parsed.source == "sample"


def test_item_is_looked_up_by_code_and_an_unknown_code_raises(sample: Catalogue) -> None:
    assert sample.item("CQ-TM-009").category == "forest_fire"
    with pytest.raises(KeyError, match="CQ-TM-999"):
        sample.item("CQ-TM-999")


def test_summary_procedure_is_allowed_only_for_items_within_art51(sample: Catalogue) -> None:
    allowed = {item.code for item in sample.items if item.summary_procedure_allowed}
    assert allowed == {"CQ-TM-012", "CQ-TM-013", "CQ-TM-014", "CQ-TM-015"}


def test_only_the_city_appearance_items_are_urban_only(sample: Catalogue) -> None:
    assert {item.code for item in sample.items if item.urban_only} == {"CQ-TM-012", "CQ-TM-013"}


def test_statutory_items_are_the_townships_own_powers(sample: Catalogue) -> None:
    statutory = {item.code for item in sample.items if item.power.holding == "statutory"}
    assert statutory == {"CQ-TM-006", "CQ-TM-007"}
    assert all(sample.item(code).power.original_department == "乡（镇）人民政府" for code in statutory)


def art16_levels(low: int, high: int) -> dict[str, tuple[int, int]]:
    """重庆市规范行政处罚裁量权办法 第十六条 in fen: 从轻 up to 30 % of the range (inclusive), 一般 between
    30 % and 70 % (exclusive), 从重 from 70 %; with no statutory minimum, 减轻 below 10 % (from 1 yuan)."""
    span = high - low
    levels = {
        "lighter": (low, low + span * 3 // 10),
        "ordinary": (low + span * 3 // 10 + 1, low + span * 7 // 10 - 1),
        "heavier": (low + span * 7 // 10, high),
    }
    if low == 0:
        levels["mitigated"] = (100, high // 10 - 1)
        levels["lighter"] = (high // 10, high * 3 // 10)
    return levels


ART16_CODES = {"mitigated", "lighter", "ordinary", "heavier"}


def test_sample_discretion_levels_follow_chongqing_art16(sample: Catalogue) -> None:
    checked = 0
    for item in sample.items:
        for level in (level for level in item.discretion if level.code in ART16_CODES):
            for party in PARTY_TYPES:
                fines = level.fine_range(party)
                statutory = getattr(item.statutory_fine, party)
                if fines is None:
                    continue
                expected = art16_levels(statutory.min_fen, statutory.max_fen)[level.code]
                assert (fines.min_fen, fines.max_fen) == expected, f"{item.code} {level.code} {party}"
                checked += 1
    assert checked == 69


# --- the sample against the legal texts in ../shared/reference/law ----------------------------------------

_ARTICLE = re.compile(r"^第([零一二三四五六七八九十百]+)条\s*(.*)$")
_ITEM = re.compile(r"^（([一二三四五六七八九十]+)）")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_number(text: str) -> int:
    total, current = 0, 0
    for char in text:
        if char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        else:
            current = _DIGITS[char]
    return total + current


@dataclass
class Paragraph:
    lead: str
    items: dict[int, str]

    def whole(self) -> str:
        return self.lead + "".join(self.items.values())


def read_law(title: str) -> dict[int, list[Paragraph]]:
    """The articles of the reference text whose heading is ``title``: article → paragraphs (款) → items (项)."""
    for path in LAW_DIR.glob("*.md"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0].removeprefix("# ").strip() == title:
            break
    else:
        pytest.fail(f"no reference text for {title}")
    articles: dict[int, list[Paragraph]] = {}
    current: list[Paragraph] | None = None
    for line in (raw.strip() for raw in lines[1:]):
        if not line:
            continue
        if line.startswith("#"):
            current = None
        elif (heading := _ARTICLE.match(line)) is not None:
            current = articles.setdefault(chinese_number(heading.group(1)), [])
            current.append(Paragraph(heading.group(2), {}))
        elif current is not None and (item := _ITEM.match(line)) is not None:
            current[-1].items[chinese_number(item.group(1))] = line
        elif current is not None:
            current.append(Paragraph(line, {}))
    return articles


def sample_bases() -> list[tuple[str, str, int]]:
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return [
        (item["code"], field, i)
        for item in raw["items"]
        for field in ("violation_basis", "penalty_basis")
        for i in range(len(item[field]))
    ]


@pytest.mark.skipif(not LAW_DIR.is_dir(), reason="the reference legal texts are not checked out")
@pytest.mark.parametrize(("code", "field", "index"), sample_bases())
def test_sample_basis_quotes_the_cited_provision_verbatim(sample: Catalogue, code: str, field: str, index: int) -> None:
    basis = getattr(sample.item(code), field)[index]
    article = read_law(basis.law).get(basis.article)
    assert article, f"{basis.law} has no article {basis.article}"
    if basis.paragraph is None:
        scope = "".join(p.whole() for p in article)
    else:
        assert basis.paragraph <= len(article), f"{basis.citation()}: no such paragraph"
        paragraph = article[basis.paragraph - 1]
        if basis.item is None:
            scope = paragraph.whole()
        else:
            assert basis.item in paragraph.items, f"{basis.citation()}: no such item"
            scope = paragraph.lead + paragraph.items[basis.item]
    for excerpt in filter(None, basis.text.split("……")):
        assert excerpt in scope, f"{basis.citation()}: not in the text: {excerpt}"


# --- refusals -----------------------------------------------------------------------------------------------


def test_invalid_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "format: 1\nagency: 测试\nitems:\n  - code: [T-001\n    name: x\n")
    (problem,) = refused(path)
    assert problem.file == str(path)
    assert (problem.line or 0) >= 4
    assert problem.message.startswith("invalid YAML")
    assert str(problem).startswith(f"{path}:{problem.line}: invalid YAML")


def test_repeated_yaml_key_is_refused_with_its_line(tmp_path: Path) -> None:
    text = catalogue_text(minimal_item()).replace("time_bar_years: 2\n", "time_bar_years: 2\n  time_bar_years: 5\n")
    problems = refused(write(tmp_path, text))
    line = text.splitlines().index("  time_bar_years: 5") + 1
    assert [(p.message, p.line) for p in problems] == [("duplicate key 'time_bar_years'", line)]


def test_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    (problem,) = refused(write(tmp_path, "- just\n- a list\n"))
    assert "must be a mapping" in problem.message


def test_unsupported_format_is_refused(tmp_path: Path) -> None:
    text = catalogue_text(minimal_item()).replace("format: 1", "format: 2")
    assert located(refused(write(tmp_path, text)), None, "format").message.startswith("unsupported format 2")


def test_unreadable_file_is_refused_as_a_problem(tmp_path: Path) -> None:
    (problem,) = refused(tmp_path / "missing.yaml")
    assert "cannot read" in problem.message


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"][0]["max_fine"] = 1
    problem = located(refused_item(tmp_path, item), "T-001", "discretion[0].max_fine")
    assert problem.message == "unknown field"


def test_missing_field_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    del item["hearing_threshold"]
    assert located(refused_item(tmp_path, item), "T-001", "hearing_threshold").message == ("required field is missing")


def test_unknown_penalty_kind_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["penalty_kinds"] = ["fine", "public_shaming"]
    problem = located(refused_item(tmp_path, item), "T-001", "penalty_kinds[1]")
    assert "unknown value 'public_shaming'" in problem.message
    assert "'public_criticism'" in problem.message


def test_correction_order_is_not_a_penalty_kind(tmp_path: Path) -> None:
    # 责令改正 is a measure (行政处罚法 第二十八条), not one of the kinds of 第九条.
    item = minimal_item()
    item["penalty_kinds"] = ["fine", "order_correct"]
    located(refused_item(tmp_path, item), "T-001", "penalty_kinds[1]")


def test_inverted_fine_range_is_refused_with_file_item_and_field(tmp_path: Path) -> None:
    item = minimal_item("CQ-TM-003")
    item["discretion"][1]["individual"] = {"min_fen": 60_000, "max_fen": 50_000}
    path = write(tmp_path, catalogue_text(item), "tiemen-sample.yaml")
    problem = located(refused(path), "CQ-TM-003", "discretion[1].individual")
    assert problem.message == "min_fen 60000 > max_fen 50000"
    assert str(problem) == (
        f"{path}:{problem.line}: item CQ-TM-003: discretion[1].individual: min_fen 60000 > max_fen 50000"
    )


def test_inverted_statutory_range_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"]["organisation"] = {"min_fen": 500_000, "max_fen": 100_000}
    located(refused_item(tmp_path, item), "T-001", "statutory_fine.organisation")


def test_overlapping_discretion_levels_are_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"][1]["organisation"] = {"min_fen": 150_000, "max_fen": 500_000}
    problem = located(refused_item(tmp_path, item), "T-001", "discretion[1].organisation")
    assert "overlaps discretion[0].organisation" in problem.message


def test_levels_sharing_a_boundary_amount_overlap_because_ranges_are_inclusive(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"][1]["individual"] = {"min_fen": 20_000, "max_fen": 50_000}
    located(refused_item(tmp_path, item), "T-001", "discretion[1].individual")


def test_levels_may_overlap_across_party_types(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"]["organisation"] = {"min_fen": 10_000, "max_fen": 50_000}
    item["discretion"][0]["organisation"] = {"min_fen": 10_000, "max_fen": 20_000}
    item["discretion"][1]["organisation"] = {"min_fen": 20_001, "max_fen": 50_000}
    assert len(load_catalogue(write(tmp_path, catalogue_text(item))).items) == 1


def test_negative_amount_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"]["individual"]["min_fen"] = -100
    problem = located(refused_item(tmp_path, item), "T-001", "statutory_fine.individual.min_fen")
    assert "greater than or equal to 0" in problem.message


def test_amount_in_yuan_with_decimals_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"]["individual"]["max_fen"] = 500.0
    located(refused_item(tmp_path, item), "T-001", "statutory_fine.individual.max_fen")


def test_level_outside_the_statutory_range_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"][1]["individual"]["max_fen"] = 60_000
    problem = located(refused_item(tmp_path, item), "T-001", "discretion[1].individual")
    assert "outside the statutory range [10000, 50000]" in problem.message


def test_level_kind_that_the_item_does_not_provide_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"][0]["penalty_kinds"] = ["fine", "warning"]
    located(refused_item(tmp_path, item), "T-001", "discretion[0].penalty_kinds[1]")


def test_fining_level_without_a_range_for_its_party_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    del item["discretion"][0]["organisation"]
    problem = located(refused_item(tmp_path, item), "T-001", "discretion[0].organisation")
    assert "fine range is required" in problem.message


def test_fining_item_without_statutory_fine_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    del item["statutory_fine"]
    located(refused_item(tmp_path, item), "T-001", "statutory_fine")


def test_fining_item_without_discretion_levels_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["discretion"] = []
    located(refused_item(tmp_path, item), "T-001", "discretion")


@pytest.mark.parametrize(
    ("party", "max_fen"), [("individual", 20_001), ("organisation", 300_001)], ids=["citizen", "organisation"]
)
def test_summary_item_with_fine_above_art51_limit_is_refused(tmp_path: Path, party: str, max_fen: int) -> None:
    item = minimal_item()
    item["statutory_fine"] = {"individual": None, "organisation": None}
    item["statutory_fine"][party] = {"min_fen": 0, "max_fen": max_fen}
    item["discretion"] = [
        {"code": "only", "level": "一般", "conditions": "一般", "parties": [party], "penalty_kinds": ["fine"]}
    ]
    item["discretion"][0][party] = {"min_fen": 100, "max_fen": max_fen}
    item["summary_procedure_allowed"] = True
    problem = located(refused_item(tmp_path, item), "T-001", "summary_procedure_allowed")
    assert "行政处罚法 第五十一条" in problem.message
    assert f"statutory_fine.{party}.max_fen is {max_fen}" in problem.message


def test_summary_item_at_exactly_the_art51_limits_is_accepted(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"] = {
        "individual": {"min_fen": 5_000, "max_fen": 20_000},
        "organisation": {"min_fen": 5_000, "max_fen": 300_000},
    }
    item["discretion"] = [
        {
            "code": "only",
            "level": "一般",
            "conditions": "一般",
            "penalty_kinds": ["fine"],
            "individual": {"min_fen": 5_000, "max_fen": 20_000},
            "organisation": {"min_fen": 5_000, "max_fen": 300_000},
        }
    ]
    item["summary_procedure_allowed"] = True
    assert load_catalogue(write(tmp_path, catalogue_text(item))).item("T-001").summary_procedure_allowed


def test_summary_item_with_a_penalty_other_than_warning_or_fine_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["statutory_fine"] = {"individual": {"min_fen": 100, "max_fen": 20_000}, "organisation": None}
    item["discretion"] = [
        {
            "code": "only",
            "level": "一般",
            "conditions": "一般",
            "parties": ["individual"],
            "penalty_kinds": ["fine"],
            "individual": {"min_fen": 100, "max_fen": 20_000},
        }
    ]
    item["penalty_kinds"] = ["fine", "confiscate_illegal_property"]
    item["summary_procedure_allowed"] = True
    problem = located(refused_item(tmp_path, item), "T-001", "summary_procedure_allowed")
    assert "confiscate_illegal_property cannot be decided on the spot" in problem.message


def test_duplicate_code_is_refused(tmp_path: Path) -> None:
    problems = refused(write(tmp_path, catalogue_text(minimal_item("T-001"), minimal_item("T-001"))))
    problem = located(problems, 1, "code")
    assert problem.message == "duplicate code 'T-001'; items[0] already uses it"
    assert str(problem).split(": ", 2)[1] == "items[1]"


@pytest.mark.parametrize("years", [0, 1, 3, 10])
def test_time_bar_other_than_two_or_five_years_is_refused(tmp_path: Path, years: int) -> None:
    item = minimal_item()
    item["time_bar_years"] = years
    problem = located(refused_item(tmp_path, item), "T-001", "time_bar_years")
    assert "行政处罚法 第三十六条" in problem.message


def test_extended_time_bar_must_extend_two_years_to_five(tmp_path: Path) -> None:
    item = minimal_item()
    item["time_bar_years_if_harm"] = 3
    located(refused_item(tmp_path, item), "T-001", "time_bar_years_if_harm")


@pytest.mark.parametrize("article", [0, -3, "12", 1.5, True], ids=["zero", "negative", "string", "float", "bool"])
def test_basis_article_that_is_not_a_positive_integer_is_refused(tmp_path: Path, article: object) -> None:
    item = minimal_item()
    item["penalty_basis"][0]["article"] = article
    located(refused_item(tmp_path, item), "T-001", "penalty_basis[0].article")


def test_basis_item_without_its_paragraph_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["violation_basis"][0]["item"] = 2
    problem = located(refused_item(tmp_path, item), "T-001", "violation_basis[0]")
    assert problem.message == "item 2 is cited without its paragraph"


def test_item_without_a_penalty_basis_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["penalty_basis"] = []
    assert located(refused_item(tmp_path, item), "T-001", "penalty_basis").message == (
        "at least one provision is required"
    )


def test_item_with_neither_penalty_nor_measure_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["penalty_kinds"] = []
    del item["statutory_fine"]
    item["discretion"] = []
    located(refused_item(tmp_path, item), "T-001", "penalty_kinds")


def test_item_with_only_measures_has_no_penalty_and_no_discretion(sample: Catalogue) -> None:
    # 城乡规划法 第六十五条: stop, correct, else demolition — orders and execution, not penalties of 第九条.
    item = sample.item("CQ-TM-007")
    assert item.penalty_kinds == ()
    assert item.discretion == ()
    assert [m.code for m in item.measures] == ["order_stop_construction", "order_correct_within_time", "demolish"]


def test_hearing_kind_the_item_does_not_provide_is_refused(tmp_path: Path) -> None:
    item = minimal_item()
    item["hearing_threshold"]["always_for"] = ["revoke_licence"]
    located(refused_item(tmp_path, item), "T-001", "hearing_threshold.always_for[0]")


def test_item_without_a_code_is_located_by_its_index(tmp_path: Path) -> None:
    item = minimal_item()
    del item["code"]
    problems = refused(write(tmp_path, catalogue_text(minimal_item("T-000"), item)))
    assert str(located(problems, 1, "code")).endswith("items[1]: code: required field is missing")


def test_problem_line_points_at_the_faulty_field(tmp_path: Path) -> None:
    item = minimal_item()
    item["time_bar_years"] = 3
    text = catalogue_text(item)
    problem = located(refused(write(tmp_path, text)), "T-001", "time_bar_years")
    assert problem.line == text.splitlines().index("  time_bar_years: 3") + 1


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    first = minimal_item("T-001")
    first["penalty_kinds"] = ["fine", "flogging"]
    first["time_bar_years"] = 7
    second = minimal_item("T-002")
    second["discretion"][0]["individual"] = {"min_fen": 30_000, "max_fen": 20_000}
    second["hearing_threshold"]["organisation_fen"] = 0
    third = minimal_item("T-002")
    problems = refused(write(tmp_path, catalogue_text(first, second, third)))
    assert sorted((str(p.item), p.field) for p in problems) == [
        ("2", "code"),
        ("T-001", "penalty_kinds[1]"),
        ("T-001", "time_bar_years"),
        ("T-002", "discretion[0].individual"),
        ("T-002", "hearing_threshold.organisation_fen"),
    ]


def test_nothing_is_loaded_from_a_file_with_one_bad_item(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("time_bar_years: 2\n", "time_bar_years: 3\n", 1)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, "tiemen-sample.yaml")
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "item CQ-TM-001: time_bar_years: 3 is not 2 or 5 (行政处罚法 第三十六条)"
    ]
    assert "1 problem:" in str(caught.value.args[0])


# --- the discretion standard and the hearing right, as the guards apply them (service/cases/guards.py) -------


def level_code(item: CatalogueItem, party: PartyType, amount_fen: int) -> str | None:
    found = discretion_band(item_rules(item, party), party, Penalty(frozenset({PenaltyKind.FINE}), fine_fen=amount_fen))
    return found.code if found is not None else None


@pytest.mark.parametrize(
    ("amount_fen", "level"),
    [
        (19_999, None),
        (20_000, "lighter"),
        (44_000, "lighter"),
        (44_001, "ordinary"),
        (75_999, "ordinary"),
        (76_000, "heavier"),
        (100_000, "heavier"),
        (100_001, None),
    ],
)
def test_individual_fine_falls_in_the_level_whose_inclusive_range_holds_it(
    sample: Catalogue, amount_fen: int, level: str | None
) -> None:
    assert level_code(sample.item("CQ-TM-001"), "individual", amount_fen) == level


def test_organisation_fine_is_matched_against_organisation_ranges(sample: Catalogue) -> None:
    item = sample.item("CQ-TM-001")
    assert level_code(item, "organisation", 100_000) is None
    assert level_code(item, "organisation", 10_000_000) == "heavier"


def test_no_level_fines_a_party_type_outside_the_level(sample: Catalogue) -> None:
    # 重庆市公共场所控制吸烟条例 第十九条 fines the smoker, a natural person; no organisation level exists.
    item = sample.item("CQ-TM-014")
    assert level_code(item, "organisation", 5_000) is None
    assert level_code(item, "individual", 20_000) == "refuses_to_correct"


def test_one_thousand_yuan_for_unvaccinated_dogs_is_the_overdue_stage(sample: Catalogue) -> None:
    item = sample.item("CQ-TM-011")
    assert level_code(item, "individual", 99_999) == "in_time_heavier"
    assert level_code(item, "individual", 100_000) == "overdue_lighter"


@pytest.mark.parametrize("amount_fen", [0, -1])
def test_a_fine_that_is_not_positive_is_an_error(amount_fen: int) -> None:
    with pytest.raises(ValueError, match=r"does not match|not negative"):
        Penalty(frozenset({PenaltyKind.FINE}), fine_fen=amount_fen)


FINE = {PenaltyKind.FINE}


def gives_hearing(
    item: CatalogueItem, party: PartyType, fine_fen: int, kinds: set[PenaltyKind], confiscated_value_fen: int = 0
) -> bool:
    return hearing_right(
        item_rules(item, party), party, Penalty(frozenset(kinds), fine_fen, confiscated_value_fen=confiscated_value_fen)
    )


@pytest.mark.parametrize(
    ("party", "fine_fen", "expected"),
    [
        ("individual", 499_999, False),
        ("individual", 500_000, True),
        ("organisation", 4_999_999, False),
        ("organisation", 5_000_000, True),
    ],
)
def test_fine_gives_a_hearing_right_from_the_large_amount_on(
    sample: Catalogue, party: PartyType, fine_fen: int, expected: bool
) -> None:
    # 行政处罚法 第六十三条第一款第一项; Chongqing: 5,000 yuan for a citizen, 50,000 for an organisation.
    assert gives_hearing(sample.item("CQ-TM-003"), party, fine_fen, FINE) is expected


def test_warning_gives_no_hearing_right(sample: Catalogue) -> None:
    assert gives_hearing(sample.item("CQ-TM-009"), "individual", 0, {PenaltyKind.WARNING}) is False


def test_confiscation_of_a_large_value_gives_a_hearing_right(sample: Catalogue) -> None:
    item = sample.item("CQ-TM-010")
    kinds = {PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY}
    assert gives_hearing(item, "individual", 0, kinds, confiscated_value_fen=499_999) is False
    assert gives_hearing(item, "individual", 0, kinds, confiscated_value_fen=500_000) is True


def test_demolition_order_under_the_land_law_always_gives_a_hearing_right(sample: Catalogue) -> None:
    # 土地管理法 第八十三条 calls 限期拆除 a penalty; the item lists it in hearing_threshold.always_for.
    assert gives_hearing(sample.item("CQ-TM-008"), "individual", 0, {PenaltyKind.OTHER}) is True


def test_order_to_close_always_gives_a_hearing_right(tmp_path: Path) -> None:
    # 行政处罚法 第六十三条第一款第四项: whatever the amount of any fine with it.
    raw = minimal_item()
    raw["penalty_kinds"] = ["fine", "order_close"]
    item: CatalogueItem = parse_catalogue(catalogue_text(raw), "t").item("T-001")
    assert gives_hearing(item, "organisation", 0, {PenaltyKind.ORDER_CLOSE}) is True
    assert gives_hearing(item, "organisation", 100_000, FINE) is False


def test_a_penalty_naming_a_fine_without_the_fine_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="does not match the kinds"):
        Penalty(frozenset({PenaltyKind.WARNING}), fine_fen=20_000)


def test_catalogue_items_are_immutable(sample: Catalogue) -> None:
    item = sample.item("CQ-TM-001")
    with pytest.raises(Exception, match="frozen"):
        item.time_bar_years = 5
    assert copy.deepcopy(item) == item
