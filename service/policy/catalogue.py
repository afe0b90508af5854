"""The enforcement catalogue (行政执法事项清单): the items an agency may enforce, loaded strictly from YAML.

行政处罚法 第二十四条 lets a township exercise delegated powers only within the published scope, so a case
can be based only on an item of the loaded catalogue. Each item carries its legal basis, the penalty kinds
of 第九条, the discretion levels of the published standard (第三十四条; 重庆市规范行政处罚裁量权办法
第十一条), whether the summary procedure may apply (第五十一条), the hearing thresholds (第六十三条) and
the time bar (第三十六条). The file format is documented in policies/catalogue/README.md.

Loading is all or nothing: every problem in the file is collected and raised together as one
``CatalogueError``; no catalogue is returned from a file with any problem. A loaded catalogue is identified
by ``version``, the SHA-256 of the file's exact bytes.

Money is integer fen (1 yuan = 100 fen). Fine ranges are inclusive ``[min_fen, max_fen]``, and two
discretion levels must not share any amount for the same party type, so an amount names at most one level.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails


class PenaltyKind(StrEnum):
    """The kinds of administrative penalty of 行政处罚法 第九条.

    Orders to correct (责令改正, 第二十八条) and similar orders are not penalties; an item lists them
    as ``measures``.
    """

    WARNING = "warning"  # 警告
    PUBLIC_CRITICISM = "public_criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_ILLEGAL_GAINS = "confiscate_illegal_gains"  # 没收违法所得
    CONFISCATE_ILLEGAL_PROPERTY = "confiscate_illegal_property"  # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"  # 暂扣许可证件
    LOWER_QUALIFICATION = "lower_qualification"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    RESTRICT_PRODUCTION = "restrict_production"  # 限制开展生产经营活动
    ORDER_STOP_PRODUCTION = "order_stop_production"  # 责令停产停业
    ORDER_CLOSE = "order_close"  # 责令关闭
    RESTRICT_PRACTICE = "restrict_practice"  # 限制从业
    DETENTION = "detention"  # 行政拘留
    OTHER = "other"  # 法律、行政法规规定的其他行政处罚


class PowerHolding(StrEnum):
    """How the township holds the power to enforce an item."""

    STATUTORY = "statutory"  # 法定执法: a law or regulation names the township itself
    DELEGATED = "delegated"  # 赋权执法: a district power handed to the township (行政处罚法 第二十四条)
    SECONDED = "seconded"  # 派驻执法: a department's staff stationed in the township, acting in its name


PartyType = Literal["individual", "organisation"]  # 公民 / 法人或者其他组织
PARTY_TYPES: tuple[PartyType, ...] = ("individual", "organisation")

# 行政处罚法 第五十一条: on the spot only a warning, or a fine of at most 200 yuan for a citizen and
# 3,000 yuan for a legal person or other organisation.
SUMMARY_FINE_LIMIT_FEN: Mapping[PartyType, int] = {"individual": 20_000, "organisation": 300_000}
SUMMARY_PENALTY_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE})

# 行政处罚法 第六十三条第一款第三项、第四项: these kinds give a hearing right whatever their amount.
HEARING_ALWAYS_KINDS = frozenset(
    {
        PenaltyKind.LOWER_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.ORDER_STOP_PRODUCTION,
        PenaltyKind.ORDER_CLOSE,
        PenaltyKind.RESTRICT_PRACTICE,
    }
)
# 第六十三条第一款第二项: confiscation gives a hearing right from the same "large amount" as a fine.
CONFISCATION_KINDS = frozenset({PenaltyKind.CONFISCATE_ILLEGAL_GAINS, PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY})

TIME_BARS_YEARS = (2, 5)  # 行政处罚法 第三十六条

_MODEL = ConfigDict(frozen=True, extra="forbid")

_TEXT = r"\S"
_SLUG = r"^[a-z][a-z0-9_]*$"
_CODE = r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$"
_PATTERN_RULES = {
    _TEXT: "must not be blank",
    _SLUG: "must be a slug of lowercase letters, digits and _, starting with a letter",
    _CODE: "must be uppercase letters and digits in groups joined by single hyphens, e.g. CQ-TM-001",
}
Text = Annotated[StrictStr, Field(pattern=_TEXT)]
Slug = Annotated[StrictStr, Field(pattern=_SLUG, max_length=64)]
ItemCode = Annotated[StrictStr, Field(pattern=_CODE, max_length=64)]
Fen = Annotated[StrictInt, Field(ge=0)]
PositiveInt = Annotated[StrictInt, Field(gt=0)]


def _time_bar(years: int) -> int:
    if years not in TIME_BARS_YEARS:
        raise ValueError(f"{years} is not 2 or 5 (行政处罚法 第三十六条)")
    return years


class Name(BaseModel):
    model_config = _MODEL

    zh: Text
    en: Text


class Power(BaseModel):
    model_config = _MODEL

    holding: PowerHolding
    original_department: Text  # 原主管部门, in whose field (or name, when seconded) the power lies
    # A seconded item is decided and numbered in the department's name: the prefix of its case numbers.
    number_prefix: Text | None = None


class LegalBasis(BaseModel):
    """A provision: law, article (条), paragraph (款), item (项), and a verbatim excerpt of its text."""

    model_config = _MODEL

    law: Text
    law_version: Annotated[date, Strict()] | None = None
    article: PositiveInt
    paragraph: PositiveInt | None = None
    item: PositiveInt | None = None
    text: Text

    @model_validator(mode="after")
    def _item_within_paragraph(self) -> LegalBasis:
        if self.item is not None and self.paragraph is None:
            raise ValueError(f"item {self.item} is cited without its paragraph")
        return self

    def citation(self) -> str:
        parts = [f"{self.law} art. {self.article}"]
        if self.paragraph is not None:
            parts.append(f"§{self.paragraph}")
        if self.item is not None:
            parts.append(f"({self.item})")
        return " ".join(parts)


class Measure(BaseModel):
    """An order that is not a penalty under 行政处罚法 第九条, e.g. 责令改正 (第二十八条)."""

    model_config = _MODEL

    code: Slug
    zh: Text


class FineRange(BaseModel):
    """An inclusive range of fines in fen."""

    model_config = _MODEL

    min_fen: Fen
    max_fen: Fen

    @model_validator(mode="after")
    def _not_inverted(self) -> FineRange:
        if self.min_fen > self.max_fen:
            raise ValueError(f"min_fen {self.min_fen} > max_fen {self.max_fen}")
        return self

    def contains(self, amount_fen: int) -> bool:
        return self.min_fen <= amount_fen <= self.max_fen

    def __str__(self) -> str:
        return f"[{self.min_fen}, {self.max_fen}]"


class StatutoryFine(BaseModel):
    """The fines the legal basis allows, per party type; null where it fines no party of that type."""

    model_config = _MODEL

    individual: FineRange | None
    organisation: FineRange | None

    @model_validator(mode="after")
    def _fines_someone(self) -> StatutoryFine:
        if self.individual is None and self.organisation is None:
            raise ValueError("fines neither individuals nor organisations")
        return self


class DiscretionLevel(BaseModel):
    """A level (裁量阶次) of the discretion standard: when it applies and what it imposes."""

    model_config = _MODEL

    code: Slug
    level: Text  # e.g. 从轻, 一般, 从重 (重庆市规范行政处罚裁量权办法 第十六条)
    conditions: Text
    parties: tuple[PartyType, ...] = PARTY_TYPES
    penalty_kinds: tuple[PenaltyKind, ...]
    individual: FineRange | None = None
    organisation: FineRange | None = None

    def fine_range(self, party_type: PartyType) -> FineRange | None:
        """The fines this level allows for a party type; None when it fines no such party."""
        if party_type not in self.parties:
            return None
        return self.individual if party_type == "individual" else self.organisation


class HearingThreshold(BaseModel):
    """The "large amount" (较大数额) of 行政处罚法 第六十三条 from which a fine or a confiscation gives a
    hearing right, and the item's other kinds that always give one (第一款第五项、第六项)."""

    model_config = _MODEL

    individual_fen: PositiveInt
    organisation_fen: PositiveInt
    always_for: tuple[PenaltyKind, ...] = ()

    def for_party(self, party_type: PartyType) -> int:
        return self.individual_fen if party_type == "individual" else self.organisation_fen


class RequiredKinds(BaseModel):
    """The kinds every penalty on the item must include, per party type: where the law says 并处, or fines an
    organisation without the alternative of a warning, a penalty without them is not the law's penalty."""

    model_config = _MODEL

    individual: tuple[PenaltyKind, ...] = ()
    organisation: tuple[PenaltyKind, ...] = ()

    def for_party(self, party_type: PartyType) -> tuple[PenaltyKind, ...]:
        return self.individual if party_type == "individual" else self.organisation


class OwnExecution(BaseModel):
    """The compulsory execution a law lets the agency carry out itself (行政强制法 第十三条、第三十四条), e.g. the
    demolition a township may do after its order to correct is not performed (城乡规划法 第六十五条: 逾期不改正的，
    可以拆除). Without it the agency applies to the people's court (行政强制法 第五十三条)."""

    model_config = _MODEL

    manners: Annotated[tuple[Slug, ...], Field(min_length=1)]  # the item's measures executed this way, by code
    basis: LegalBasis  # the provision of law that grants the power


class CatalogueItem(BaseModel):
    """One enforcement item (执法事项). Only ``parse_catalogue`` builds valid ones."""

    model_config = _MODEL

    code: ItemCode
    name: Name
    category: Slug
    power: Power
    violation_basis: tuple[LegalBasis, ...]
    penalty_basis: tuple[LegalBasis, ...]
    penalty_kinds: tuple[PenaltyKind, ...]
    required_kinds: RequiredKinds = RequiredKinds()
    measures: tuple[Measure, ...] = ()
    statutory_fine: StatutoryFine | None = None
    discretion: tuple[DiscretionLevel, ...] = ()
    summary_procedure_allowed: StrictBool
    hearing_threshold: HearingThreshold
    time_bar_years: Annotated[StrictInt, AfterValidator(_time_bar)]
    time_bar_years_if_harm: StrictInt | None = None
    single_officer_allowed_by: LegalBasis | None = None
    urban_only: StrictBool = False
    # 行政处罚法 第三十三条第一款: “初次违法且危害后果轻微并及时改正的，可以不予行政处罚”. An item on the agency's
    # published first-violation no-penalty list (首违不罚清单) is not penalised in that case: the list makes the
    # law's “可以” the agency's rule (guard no_penalty_where_law_excludes).
    first_violation_no_penalty: StrictBool = False
    # 重庆市规范行政处罚裁量权办法 第十九条第二款: the body above the township that set the item's discretion standard
    # (for a delegated item, the district's department); departing from it needs that body's approval, not the
    # township's own head or collective discussion. None: the agency applies a standard of its own (第一款).
    discretion_set_by: Text | None = None
    # 行政强制法 第十三条: the power of compulsory execution is set by law; absent, the court executes (第五十三条).
    own_execution: OwnExecution | None = None
    note: Text | None = None


class _CatalogueFile(BaseModel):
    model_config = _MODEL

    format: StrictInt
    agency: Text
    items: Annotated[list[Any], Field(min_length=1)]


@dataclass(frozen=True)
class Catalogue:
    agency: str
    items: tuple[CatalogueItem, ...]
    version: str  # SHA-256 (hex) of the file's exact bytes
    source: str

    def item(self, code: str) -> CatalogueItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"no item {code!r} in catalogue {self.source} (version {self.version})")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)


@dataclass(frozen=True)
class Problem:
    """One defect of a catalogue file, located by file, item (code or index), field path and line."""

    file: str
    item: str | int | None  # the item's code, or its index in ``items`` when the code cannot name it
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.item is not None:
            place.append(f"items[{self.item}]" if isinstance(self.item, int) else f"item {self.item}")
        if self.field:
            place.append(self.field)
        return ": ".join([*place, self.message])


class CatalogueError(Exception):
    """A catalogue file was refused; ``problems`` lists every defect found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"catalogue refused, {count} problem{'s' if count != 1 else ''}:\n" + str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate one catalogue file; raises ``CatalogueError`` listing every problem."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CatalogueError([Problem(str(path), None, "", f"cannot read the file: {exc.strerror}")]) from exc
    return _parse(content, str(path))


def parse_catalogue(text: str, source: str) -> Catalogue:
    """Validate catalogue text; its version is the SHA-256 of the text encoded as UTF-8."""
    return _parse(text.encode("utf-8"), source)


# --- parsing ---------------------------------------------------------------------------------------------

_Location = tuple[str | int, ...]


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that records repeated mapping keys, which PyYAML would otherwise silently overwrite."""

    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Hashable, object]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable) and key in seen:
            loader.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
        if isinstance(key, Hashable):
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse(content: bytes, source: str) -> Catalogue:
    loader = _StrictLoader(content)
    try:
        root_node = loader.get_single_node()
        raw = loader.construct_document(root_node) if root_node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = "invalid YAML: " + ", ".join(part for part in (exc.context, exc.problem) if part)
        raise CatalogueError([Problem(source, None, "", message, line)]) from exc
    except yaml.YAMLError as exc:
        raise CatalogueError([Problem(source, None, "", f"invalid YAML: {exc}")]) from exc
    finally:
        loader.dispose()

    problems = [Problem(source, None, "", f"duplicate key {key!r}", line) for key, line in loader.duplicate_keys]
    catalogue = _build(raw, source, root_node, problems, content)
    if problems:
        raise CatalogueError(problems)
    assert catalogue is not None  # a catalogue is built whenever no problem was found
    return catalogue


def _build(
    raw: object, source: str, root: yaml.Node | None, problems: list[Problem], content: bytes
) -> Catalogue | None:
    def report(item: str | int | None, path: _Location, message: str) -> None:
        problems.append(Problem(source, item, _format_path(path), message, _line_of(root, path)))

    if not isinstance(raw, dict):
        report(None, (), "the document must be a mapping with the keys format, agency and items")
        return None
    try:
        header = _CatalogueFile.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            report(None, tuple(error["loc"]), _describe(error))
        return None
    if header.format != 1:
        report(None, ("format",), f"unsupported format {header.format}; this loader reads format 1")

    items: list[CatalogueItem] = []
    first_index_of: dict[str, int] = {}
    for index, raw_item in enumerate(header.items):
        label = _label(raw_item, index)
        base: _Location = ("items", index)
        code = raw_item.get("code") if isinstance(raw_item, dict) else None
        if isinstance(code, str):
            if code in first_index_of:
                report(
                    index,
                    (*base, "code"),
                    f"duplicate code {code!r}; items[{first_index_of[code]}] already uses it",
                )
            else:
                first_index_of[code] = index
        if not isinstance(raw_item, dict):
            report(label, base, "an item must be a mapping")
            continue
        try:
            item = CatalogueItem.model_validate(raw_item)
        except ValidationError as exc:
            for error in exc.errors():
                report(label, (*base, *error["loc"]), _describe(error))
            continue
        for path, message in _check_item(item):
            report(label, (*base, *path), message)
        items.append(item)

    if problems:
        return None
    return Catalogue(
        agency=header.agency,
        items=tuple(items),
        version=hashlib.sha256(content).hexdigest(),
        source=source,
    )


def _label(raw_item: object, index: int) -> str | int:
    code = raw_item.get("code") if isinstance(raw_item, dict) else None
    return code if isinstance(code, str) and code.strip() else index


def _format_path(path: _Location) -> str:
    # The item prefix ("items", i) is shown by the item label, not repeated in the field path.
    if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
        path = path[2:]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(root: yaml.Node | None, path: _Location) -> int | None:
    """The line of the deepest YAML node on ``path`` (1-based), so the reader finds the place."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        return f"{_PATTERN_RULES.get(pattern, 'does not match ' + pattern)} (got {error['input']!r})"
    if kind == "date_type":
        return f"must be a date written unquoted as YYYY-MM-DD (got {error['input']!r})"
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    if kind in ("enum", "literal_error"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"unknown value {error['input']!r}; expected one of {expected}"
    message = error["msg"]
    return f"{message[0].lower()}{message[1:]} (got {error['input']!r})"


# --- semantic checks -------------------------------------------------------------------------------------


def _check_item(item: CatalogueItem) -> Iterator[tuple[_Location, str]]:
    for field in ("violation_basis", "penalty_basis"):
        if not getattr(item, field):
            yield ((field,), "at least one provision is required")
    yield from _check_unique(("penalty_kinds",), item.penalty_kinds, "penalty kind")
    yield from _check_unique(("measures",), [m.code for m in item.measures], "measure code")
    if not item.penalty_kinds and not item.measures:
        yield (("penalty_kinds",), "an item needs at least one penalty kind or measure")

    yield from _check_fines(item)
    yield from _check_summary_procedure(item)
    yield from _check_required_kinds(item)
    if item.power.holding is PowerHolding.SECONDED and item.power.number_prefix is None:
        yield (
            ("power", "number_prefix"),
            "a seconded item is decided and numbered in the name of its department: give its number prefix",
        )
    if item.power.holding is not PowerHolding.SECONDED and item.power.number_prefix is not None:
        yield (("power", "number_prefix"), "only a seconded item is numbered in another body's name")

    if item.discretion_set_by is not None and (item.power.holding is not PowerHolding.DELEGATED or not item.discretion):
        yield (
            ("discretion_set_by",),
            "only a delegated item with a discretion standard applies a standard set by the district "
            "(重庆市规范行政处罚裁量权办法 第十九条第二款)",
        )

    for i, kind in enumerate(item.hearing_threshold.always_for):
        if kind not in item.penalty_kinds:
            yield (("hearing_threshold", "always_for", i), f"{kind} is not one of the item's penalty_kinds")
    yield from _check_unique(("hearing_threshold", "always_for"), item.hearing_threshold.always_for, "kind")

    yield from _check_own_execution(item)

    if item.time_bar_years_if_harm is not None and (item.time_bar_years_if_harm != 5 or item.time_bar_years != 2):
        yield (
            ("time_bar_years_if_harm",),
            f"{item.time_bar_years_if_harm} with time_bar_years {item.time_bar_years}: the extension of "
            "行政处罚法 第三十六条 is from 2 to 5 years",
        )


def _check_own_execution(item: CatalogueItem) -> Iterator[tuple[_Location, str]]:
    """What the agency executes itself is one of the item's measures, granted by a law (行政强制法 第十三条)."""
    if item.own_execution is None:
        return
    measures = {m.code for m in item.measures}
    yield from _check_unique(("own_execution", "manners"), item.own_execution.manners, "manner")
    for i, manner in enumerate(item.own_execution.manners):
        if manner not in measures:
            yield (("own_execution", "manners", i), f"{manner} is not one of the item's measures")
    if not item.own_execution.basis.law.endswith("法"):
        yield (
            ("own_execution", "basis", "law"),
            f"{item.own_execution.basis.law} is not a law: the power of compulsory execution is set by law "
            "(行政强制法 第十三条)",
        )


def _check_required_kinds(item: CatalogueItem) -> Iterator[tuple[_Location, str]]:
    for party in PARTY_TYPES:
        required = item.required_kinds.for_party(party)
        yield from _check_unique(("required_kinds", party), required, "kind")
        for j, kind in enumerate(required):
            if kind not in item.penalty_kinds:
                yield (("required_kinds", party, j), f"{kind} is not one of the item's penalty_kinds")
        for i, level in enumerate(item.discretion):
            missing = [k for k in required if party in level.parties and k not in level.penalty_kinds]
            if missing:
                yield (
                    ("discretion", i, "penalty_kinds"),
                    f"the level omits {', '.join(missing)}, which every penalty on {party} must include",
                )


def _check_unique(path: _Location, values: Sequence[object], what: str) -> Iterator[tuple[_Location, str]]:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield ((*path, i), f"{what} {value!s} is listed twice")
        seen.add(value)


def _check_fines(item: CatalogueItem) -> Iterator[tuple[_Location, str]]:
    fines = PenaltyKind.FINE in item.penalty_kinds
    statutory = item.statutory_fine
    if fines and statutory is None:
        yield (("statutory_fine",), "required when penalty_kinds includes fine")
    if not fines and statutory is not None:
        yield (("statutory_fine",), "given, but penalty_kinds does not include fine")
    if fines and not item.discretion:
        yield (("discretion",), "a fine needs discretion levels (重庆市规范行政处罚裁量权办法 第十一条)")

    yield from _check_unique(("discretion",), [level.code for level in item.discretion], "level code")
    for i, level in enumerate(item.discretion):
        yield from _check_level(("discretion", i), level, item, statutory)
    for party in PARTY_TYPES:
        yield from _check_overlap(item.discretion, party)


def _check_level(
    path: _Location, level: DiscretionLevel, item: CatalogueItem, statutory: StatutoryFine | None
) -> Iterator[tuple[_Location, str]]:
    if not level.penalty_kinds:
        yield ((*path, "penalty_kinds"), "a level imposes at least one penalty kind")
    for j, kind in enumerate(level.penalty_kinds):
        if kind not in item.penalty_kinds:
            yield ((*path, "penalty_kinds", j), f"{kind} is not one of the item's penalty_kinds")
    yield from _check_unique((*path, "penalty_kinds"), level.penalty_kinds, "penalty kind")
    if not level.parties:
        yield ((*path, "parties"), "names no party type")
    yield from _check_unique((*path, "parties"), level.parties, "party type")
    fines = PenaltyKind.FINE in level.penalty_kinds
    for party in PARTY_TYPES:
        given: FineRange | None = getattr(level, party)
        where = (*path, party)
        if given is None:
            if fines and party in level.parties:
                yield (where, f"a fine range is required: the level fines and applies to {party}")
            continue
        if not fines:
            yield (where, "a fine range is given but the level's penalty_kinds do not include fine")
        elif party not in level.parties:
            yield (where, f"a fine range is given but {party} is not in the level's parties")
        allowed = getattr(statutory, party) if statutory is not None else None
        if allowed is None:
            yield (where, f"the statutory_fine fines no {party}")
        elif not (allowed.min_fen <= given.min_fen and given.max_fen <= allowed.max_fen):
            yield (where, f"{given} fen is outside the statutory range {allowed} fen")


def _check_overlap(levels: Sequence[DiscretionLevel], party: PartyType) -> Iterator[tuple[_Location, str]]:
    ranged = sorted(
        ((fines, i) for i, level in enumerate(levels) if (fines := level.fine_range(party)) is not None),
        key=lambda entry: (entry[0].min_fen, entry[0].max_fen),
    )
    for (lower, i), (upper, j) in itertools.pairwise(ranged):
        if upper.min_fen <= lower.max_fen:
            yield (
                ("discretion", j, party),
                f"{upper} fen overlaps discretion[{i}].{party} {lower} fen; ranges are inclusive and "
                "levels of the same party type must not share an amount",
            )


def _check_summary_procedure(item: CatalogueItem) -> Iterator[tuple[_Location, str]]:
    if not item.summary_procedure_allowed:
        return
    for kind in item.penalty_kinds:
        if kind not in SUMMARY_PENALTY_KINDS:
            yield (
                ("summary_procedure_allowed",),
                f"penalty kind {kind} cannot be decided on the spot; 行政处罚法 第五十一条 allows only a "
                "warning or a fine",
            )
    statutory = item.statutory_fine
    if statutory is None:
        return
    for party in PARTY_TYPES:
        fines: FineRange | None = getattr(statutory, party)
        limit = SUMMARY_FINE_LIMIT_FEN[party]
        if fines is not None and fines.max_fen > limit:
            yield (
                ("summary_procedure_allowed",),
                f"true, but statutory_fine.{party}.max_fen is {fines.max_fen}; 行政处罚法 第五十一条 "
                f"limits a summary-procedure fine for "
                f"{'a citizen' if party == 'individual' else 'an organisation'} to {limit} fen "
                f"({limit // 100} yuan)",
            )
