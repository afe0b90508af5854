"""Procedures as data: the states and transitions of a case, loaded strictly from policies/workflows/*.yaml.

A workflow (普通程序, 简易程序) names its states, the transitions between them and the in-state acts
(an inquiry, a recusal decision, ...), each with the permission it needs, the guards it requires (named pure
rules of ``service.cases.guards``), the ledger entry type it records and the article of law behind it. The
format is documented in policies/workflows/README.md.

``check_transition`` is the one gate: it reports whether the case's state allows the transition and every
guard that fails — not only the first — each with its reason in English and Chinese and its article. A
refused check becomes a 409 (``TransitionRefused``) and nothing is written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, partial
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)

from service.auth.permissions import CASE_RECORD_WRITES, Permission
from service.cases.categories import StateCategory
from service.cases.deadlines import PERIOD_RULES, Periods
from service.cases.guards import GUARDS, CaseFacts, Refusal
from service.errors import Conflict, RuleOfLawRefusal
from service.legal import LegalBasis
from service.policy.calendar import CalendarRangeError
from service.policy.strict_yaml import load_strict, shape_problems

FORMAT = 1


class Procedure(StrEnum):
    GENERAL = "general"  # 普通程序 (行政处罚法 第五章第三节)
    SUMMARY = "summary"  # 简易程序 (第五章第二节)


class CaseState(StrEnum):
    """Every state a case can be in, in either procedure; a workflow file declares the ones it uses."""

    REGISTERED = "registered"  # 案件来源已登记
    NOT_FILED = "not_filed"  # 不予立案
    INVESTIGATING = "investigating"  # 已立案，调查取证
    INVESTIGATION_CLOSED = "investigation_closed"  # 调查终结
    PENALTY_INTENDED = "penalty_intended"  # 负责人审查，拟给予行政处罚
    NOTICE_SERVED = "notice_served"  # 已送达行政处罚事先告知书
    HEARING_REQUESTED = "hearing_requested"  # 当事人已要求听证
    HEARING_SCHEDULED = "hearing_scheduled"  # 已通知听证
    HEARING_HELD = "hearing_held"  # 已举行听证
    PARTY_HEARD = "party_heard"  # 陈述、申辩和听证程序终结
    DECIDED = "decided"  # 已作出处理决定
    SERVED = "served"  # 决定书已送达
    TRANSFERRED = "transferred"  # 已移送司法机关
    EXECUTED = "executed"  # 执行完毕
    EXECUTION_APPLIED = "execution_applied"  # 已申请人民法院强制执行 (行政强制法 第五十三条)
    EXECUTION_DECIDED = "execution_decided"  # 已作出行政强制执行决定 (行政强制法 第三十七条)
    EXECUTION_ENDED = "execution_ended"  # 已终结执行 (行政强制法 第四十条)
    CLOSED = "closed"  # 已结案
    WITHDRAWN = "withdrawn"  # 已撤销立案（终止调查）
    REVOKED = "revoked"  # 行政处罚决定已撤销
    ARCHIVED = "archived"  # 已归档
    SUMMARY_STARTED = "summary_started"  # 当场处罚：执法人员在现场
    SUMMARY_DECIDED = "summary_decided"  # 已当场作出并交付行政处罚决定书
    SUMMARY_FILED = "summary_filed"  # 已报所属行政机关备案
    SUMMARY_REFERRED = "summary_referred"  # 不当场处罚，转普通程序


# The failure reported when the case's state does not allow a transition; never a guard's name.
STATE_GUARD = "allowed_from_state"

F = TypeVar("F")


@dataclass(frozen=True)
class StateInfo:
    state: CaseState
    zh: str
    en: str
    category: StateCategory


@dataclass(frozen=True)
class Transition:
    """A transition, or an in-state act when ``to`` is None (the state stays as it is)."""

    name: str
    from_states: frozenset[CaseState]
    to: CaseState | None
    permission: Permission
    guards: tuple[str, ...]
    records: str  # the ledger entry type, "case:<object>:<action>"
    basis: LegalBasis

    @property
    def is_act(self) -> bool:
        return self.to is None

    def target(self, state: CaseState) -> CaseState:
        return state if self.to is None else self.to


class UnknownTransition(Conflict):
    code = "unknown_transition"
    title_zh = "程序不允许此操作"
    title_en = "The procedure has no such transition"


@dataclass(frozen=True)
class Workflow:
    procedure: Procedure
    name_zh: str
    name_en: str
    initial: CaseState
    terminal: frozenset[CaseState]
    states: tuple[StateInfo, ...]
    transitions: tuple[Transition, ...]  # transitions, then acts, in file order
    periods: Periods
    source: str
    version: str  # "sha256:" + the hex digest of the file's bytes

    def transition(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise UnknownTransition(
            f"The {self.name_en} has no transition or act {name!r}.",
            f"{self.name_zh}没有“{name}”这一环节。",
            extra={"transition": name, "procedure": self.procedure.value},
        )

    def allowed_from(self, state: CaseState) -> tuple[Transition, ...]:
        """What the procedure allows in ``state``, before any guard: the transitions and acts from it."""
        return self._allowed.get(state, ())

    @cached_property
    def _allowed(self) -> Mapping[CaseState, tuple[Transition, ...]]:
        """``allowed_from`` of every state some transition leaves, worked out once: every case view asks."""
        states = {state for transition in self.transitions for state in transition.from_states}
        return {state: tuple(t for t in self.transitions if state in t.from_states) for state in states}

    def in_category(self, *categories: StateCategory) -> frozenset[CaseState]:
        """The states of the workflow in ``categories``."""
        return frozenset(info.state for info in self.states if info.category in categories)

    def category_of(self, state: CaseState | str) -> StateCategory:
        return self.state_info(CaseState(state)).category

    def state_info(self, state: CaseState) -> StateInfo:
        for info in self.states:
            if info.state is state:
                return info
        raise KeyError(f"{state.value} is not a state of the {self.name_en}")

    def by_entry_type(self, records: str) -> Transition:
        """The transition that records ``records``: entry types are unique, so the ledger replays unambiguously."""
        for transition in self.transitions:
            if transition.records == records:
                return transition
        raise KeyError(f"no transition of the {self.name_en} records {records!r}")


# --- checking a transition ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardFailure:
    guard: str
    reason_en: str
    reason_zh: str
    basis: LegalBasis

    def to_record(self) -> dict[str, object]:
        return {
            "basis": self.basis.as_dict(),
            "guard": self.guard,
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
        }


@dataclass(frozen=True)
class TransitionCheck:
    procedure: Procedure
    workflow_version: str
    transition: Transition
    from_state: CaseState
    to_state: CaseState
    failures: tuple[GuardFailure, ...]  # every failure: the state first, then the guards in file order

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_record(self) -> dict[str, object]:
        """A JSON-ready ledger payload of what was checked, under which workflow version."""
        return {
            "failures": [f.to_record() for f in self.failures],
            "from": self.from_state.value,
            "guards": list(self.transition.guards),
            "ok": self.ok,
            "procedure": self.procedure.value,
            "to": self.to_state.value,
            "transition": self.transition.name,
            "workflow_version": self.workflow_version,
        }

    def raise_if_refused(self) -> None:
        if self.failures:
            raise TransitionRefused(self)


def by_reason(failures: Iterable[F], reason: Callable[[F], Hashable]) -> list[tuple[F, ...]]:
    """``failures`` grouped by their ``reason``, in the order each reason first comes: rules that refuse for the same
    reason (four rules of an on-the-spot decision all need the party's circumstances recorded) say it once."""
    groups: dict[Hashable, list[F]] = {}
    for failure in failures:
        groups.setdefault(reason(failure), []).append(failure)
    return [tuple(group) for group in groups.values()]


class TransitionRefused(RuleOfLawRefusal):
    """A 409 naming every failed guard and its article; the first failure's article is the headline. The detail
    gives each reason once, after the rules it refuses under; ``failures`` lists every rule with its reason."""

    code = "transition_refused"

    def __init__(self, check: TransitionCheck) -> None:
        name = check.transition.name
        groups = by_reason(check.failures, lambda f: (f.reason_en, f.reason_zh))
        super().__init__(
            f"{name} refused: "
            + " ".join(
                "[" + "; ".join(f"{f.guard}, {f.basis.cite()}" for f in group) + f"] {group[0].reason_en}"
                for group in groups
            ),
            f"不予办理“{name}”："
            + "".join(
                "【" + "；".join(f"{f.guard}，{f.basis.cite()}" for f in group) + f"】{group[0].reason_zh}"
                for group in groups
            ),
            basis=check.failures[0].basis,
            extra={
                "transition": name,
                "state": check.from_state.value,
                "failures": [f.to_record() for f in check.failures],
            },
        )
        self.check = check


def standing_refusals(workflow: Workflow, transition: Transition, facts: CaseFacts) -> tuple[GuardFailure, ...]:
    """The failures of ``transition``'s guards that the case as it stands decides (``Guard.standing``), and of the
    others' ``possible`` checks (nothing sealed or seized, for a step about a seizure): a step with any cannot be
    taken now, whoever takes it and with whatever data."""
    failures = []
    for name in transition.guards:
        guard = GUARDS[name]
        possible = guard.possible
        if guard.standing:
            refusal = _evaluate(partial(guard.check, facts, workflow.periods))
        elif possible is not None:
            refusal = _evaluate(partial(possible, facts, workflow.periods, transition.name))
        else:
            continue
        if refusal is not None:
            failures.append(GuardFailure(name, refusal.reason_en, refusal.reason_zh, refusal.basis or guard.basis))
    return tuple(failures)


def _evaluate(judge: Callable[[], Refusal | None]) -> Refusal | None:
    """A guard's check, or its precondition, judged: one that needs a day beyond the calendar cannot be decided."""
    try:
        return judge()
    except CalendarRangeError as exc:
        # A rule that cannot be decided does not hold; it says so under its own name and article.
        return Refusal(f"This rule cannot be decided: {exc}.", f"无法判断本项规则是否满足：{exc}。")


def check_transition(workflow: Workflow, state: CaseState, transition_name: str, facts: CaseFacts) -> TransitionCheck:
    """Whether ``transition_name`` may happen now: the state must allow it and every guard must hold.

    Guards are evaluated even when the state does not allow the transition, so the refusal names every rule
    the act would break. Raises ``UnknownTransition`` (409) for a name the workflow does not have.
    """
    transition = workflow.transition(transition_name)
    failures: list[GuardFailure] = []
    if state not in transition.from_states:
        allowed = ", ".join(sorted(s.value for s in transition.from_states))
        current = workflow.state_info(state).zh if any(i.state is state for i in workflow.states) else state.value
        failures.append(
            GuardFailure(
                STATE_GUARD,
                f"The {workflow.name_en} does not allow {transition.name} in state {state.value}; only in {allowed}.",
                f"{workflow.name_zh}中，案件处于“{current}”时不得进行“{transition.name}”。",
                transition.basis,
            )
        )
    for name in transition.guards:
        guard = GUARDS[name]
        refusal = _evaluate(partial(guard.check, facts, workflow.periods))
        if refusal is not None:
            failures.append(GuardFailure(name, refusal.reason_en, refusal.reason_zh, refusal.basis or guard.basis))
    return TransitionCheck(
        workflow.procedure, workflow.version, transition, state, transition.target(state), tuple(failures)
    )


# --- loading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowProblem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class WorkflowFileError(ValueError):
    """A workflow file was refused; ``problems`` lists every defect found, each with its file and field."""

    def __init__(self, problems: list[WorkflowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("workflow refused:\n" + "\n".join(str(p) for p in self.problems))


def load_workflow(path: Path | str) -> Workflow:
    path = Path(path)
    return _parse(path.read_bytes(), str(path))


def parse_workflow(text: str, source: str) -> Workflow:
    return _parse(text.encode("utf-8"), source)


def load_workflows(directory: Path | str) -> Mapping[Procedure, Workflow]:
    """Every ``*.yaml`` of ``directory``, one per procedure; both procedures must be present."""
    directory = Path(directory)
    found: dict[Procedure, Workflow] = {}
    problems: list[WorkflowProblem] = []
    for path in sorted(directory.glob("*.yaml")):
        workflow = load_workflow(path)
        if workflow.procedure in found:
            problems.append(
                WorkflowProblem(
                    str(path),
                    "procedure",
                    f"{workflow.procedure.value} is already defined by {found[workflow.procedure].source}",
                )
            )
        found[workflow.procedure] = workflow
    for procedure in Procedure:
        if procedure not in found:
            problems.append(
                WorkflowProblem(str(directory), "*.yaml", f"no workflow for the {procedure.value} procedure")
            )
    if problems:
        raise WorkflowFileError(problems)
    return found


# --- the file, as a strict model ------------------------------------------------------------------------------
#
# ``WorkflowFile`` declares the file's shape: unknown keys refused at every depth, a number is a number, a
# boolean is not an integer, every name, state, category, permission and guard one the service knows. What the
# shape cannot say — states declared before use, names unique, the periods a guard needs, every state reachable
# and leading to an end — is checked on the parsed model below, and every problem of both kinds is reported at
# once with its file and field.


def _problem(message: str) -> ValueError:
    return ValueError(message)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise _problem(f"must be non-empty text, got {value!r}")
    return value


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise _problem(f"must be a name of lowercase letters, digits and _, got {value!r}")
    return value


def _entry_type(value: str) -> str:
    if not _ENTRY_TYPE.match(value):
        raise _problem(f"must be an entry type 'case:<object>:<action>', got {value!r}")
    return value


def _state(value: str) -> str:
    if value not in CaseState.__members__.values():
        raise _problem(f"unknown state {value!r}; known states: {', '.join(s.value for s in CaseState)}")
    return value


def _category(value: str) -> str:
    if value not in StateCategory.__members__.values():
        raise _problem(f"must be one of {sorted(c.value for c in StateCategory)}, got {value!r}")
    return value


def _procedure(value: str) -> str:
    if value not in Procedure.__members__.values():
        raise _problem(f"must be one of {[p.value for p in Procedure]}, got {value!r}")
    return value


def _positive(value: int) -> int:
    if value < 1:
        raise _problem(f"must be a positive integer, got {value}")
    return value


def _case_permission(value: str) -> str:
    if value not in Permission.__members__.values():
        raise _problem(f"unknown permission {value!r} (policies/roles.yaml)")
    if Permission(value) not in CASE_RECORD_WRITES:
        allowed = ", ".join(sorted(p.value for p in CASE_RECORD_WRITES))
        raise _problem(f"{value} does not write case records; use one of {allowed}")
    return value


def _distinct_states(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise _problem("lists a state twice")
    return values


def _known_guard(value: str) -> str:
    if value not in GUARDS:
        raise _problem(f"unknown guard {value!r}; known guards: {', '.join(sorted(GUARDS))}")
    return value


def _distinct_guards(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise _problem("names a guard twice")
    return values


_Text = Annotated[StrictStr, AfterValidator(_non_empty)]
_Name = Annotated[StrictStr, AfterValidator(_name)]
_State = Annotated[StrictStr, AfterValidator(_state)]
_States = Annotated[list[_State], Field(min_length=1), AfterValidator(_distinct_states)]
_Guards = Annotated[list[Annotated[StrictStr, AfterValidator(_known_guard)]], AfterValidator(_distinct_guards)]
_Positive = Annotated[StrictInt, AfterValidator(_positive)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Names(_Part):
    zh: _Text
    en: _Text


class _StateEntry(_Part):
    zh: _Text
    en: _Text
    category: Annotated[StrictStr, AfterValidator(_category)]


class _Basis(_Part):
    law: _Text
    article: _Positive
    paragraph: _Positive | None = None
    by_analogy: StrictBool = False  # a rule of another sector's, cited where the law is silent (参照)


class _Step(_Part):
    name: _Name
    permission: Annotated[StrictStr, AfterValidator(_case_permission)]
    guards: _Guards
    records: Annotated[StrictStr, AfterValidator(_entry_type)]
    basis: _Basis


class _TransitionEntry(_Step):
    from_states: _States = Field(alias="from")
    to: _State


class _ActEntry(_Step):
    in_states: _States = Field(alias="in")


def _period_in_bounds(value: int, info: ValidationInfo) -> int:
    rule = _PERIOD_RULES[str(info.field_name)]
    if value < rule.minimum or (rule.maximum is not None and value > rule.maximum):
        bounds = f"at least {rule.minimum}" + (f" and at most {rule.maximum}" if rule.maximum is not None else "")
        raise _problem(f"{value} is out of bounds: must be {bounds} ({rule.basis.cite()}: {rule.why})")
    return value


_PERIOD_RULES = {rule.name: rule for rule in PERIOD_RULES}
# The periods a workflow may set, each bounded by the article behind it (service/cases/deadlines.py).
_PeriodsEntry = create_model(  # type: ignore[call-overload]
    "_PeriodsEntry",
    __base__=_Part,
    __validators__={"in_bounds": field_validator(*_PERIOD_RULES)(_period_in_bounds)},
    **{name: (StrictInt | None, None) for name in _PERIOD_RULES},
)


class WorkflowFile(_Part):
    """A workflow file (policies/workflows/*.yaml) as written; its format is policies/workflows/README.md."""

    format: StrictInt
    procedure: Annotated[StrictStr, AfterValidator(_procedure)]
    name: _Names
    initial: _State
    terminal: _States
    periods: _PeriodsEntry
    states: Annotated[dict[_State, _StateEntry], Field(min_length=1)]
    transitions: Annotated[list[_TransitionEntry], Field(min_length=1)]
    acts: list[_ActEntry] = []

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != FORMAT:
            raise _problem(f"must be {FORMAT}, got {value!r}")
        return value


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ENTRY_TYPE = re.compile(r"^case:[a-z][a-z_]*:[a-z][a-z_]*$")


class _Problems:
    """Every problem of one file, each with its field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[WorkflowProblem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(WorkflowProblem(self.source, field, message))

    def of_shape(self, error: ValidationError, raw: object) -> None:
        for field, message in shape_problems(error, raw, by_name=True):
            self.problem(field, message)


def _parse(content: bytes, source: str) -> Workflow:
    problems = _Problems(source)
    try:
        raw = load_strict(content)
    except yaml.YAMLError as exc:
        raise WorkflowFileError([WorkflowProblem(source, "<document>", f"not valid YAML: {exc}")]) from exc
    try:
        document = WorkflowFile.model_validate(raw)
    except ValidationError as exc:
        problems.of_shape(exc, raw)
        raise WorkflowFileError(problems.problems) from None
    states = {
        CaseState(key): StateInfo(CaseState(key), entry.zh, entry.en, StateCategory(entry.category))
        for key, entry in document.states.items()
    }
    transitions = _transitions(problems, document, states)
    initial, terminal = CaseState(document.initial), frozenset(CaseState(s) for s in document.terminal)
    for field, state in [("initial", initial), *((f"terminal[{i}]", s) for i, s in enumerate(document.terminal))]:
        if state not in states:
            problems.problem(field, f"state {state!r} is not declared under states")
    periods = Periods(**{k: v for k, v in document.periods.model_dump().items() if v is not None})
    if not problems.problems:
        _check_unique(problems, transitions)
        _check_periods_needed(problems, transitions, periods)
        _check_graph(problems, states, initial, terminal, transitions)
    if problems.problems:
        raise WorkflowFileError(problems.problems)
    return Workflow(
        procedure=Procedure(document.procedure),
        name_zh=document.name.zh,
        name_en=document.name.en,
        initial=initial,
        terminal=terminal,
        states=tuple(states.values()),
        transitions=tuple(t for t, _ in transitions),
        periods=periods,
        source=source,
        version="sha256:" + hashlib.sha256(content).hexdigest(),
    )


def _transitions(
    problems: _Problems, document: WorkflowFile, states: Mapping[CaseState, StateInfo]
) -> list[tuple[Transition, str]]:
    """The transitions, then the acts, in file order, each with the field that declares it."""
    parsed: list[tuple[Transition, str]] = []
    steps: list[tuple[str, _Step, list[str], str | None]] = [
        *((f"transitions[{t.name}]", t, t.from_states, t.to) for t in document.transitions),
        *((f"acts[{a.name}]", a, a.in_states, None) for a in document.acts),
    ]
    for field, step, sources, to in steps:
        key = "from" if to is not None else "in"
        undeclared = [(i, s) for i, s in enumerate(sources) if CaseState(s) not in states]
        for i, state in undeclared:
            problems.problem(f"{field}.{key}[{i}]", f"state {state!r} is not declared under states")
        if to is not None and CaseState(to) not in states:
            problems.problem(f"{field}.to", f"state {to!r} is not declared under states")
            continue
        from_states = frozenset(CaseState(s) for s in sources)
        target = CaseState(to) if to is not None else None
        if target is not None and target in from_states:
            problems.problem(f"{field}.to", f"{to} is also in from; an act that keeps the state belongs under acts")
            continue
        basis = LegalBasis(step.basis.law, step.basis.article, step.basis.paragraph, step.basis.by_analogy)
        transition = Transition(
            step.name, from_states, target, Permission(step.permission), tuple(step.guards), step.records, basis
        )
        parsed.append((transition, field))
    return parsed


def _check_unique(reader: _Problems, transitions: list[tuple[Transition, str]]) -> None:
    names: dict[str, str] = {}
    entry_types: dict[str, str] = {}
    for transition, field in transitions:
        if transition.name in names:
            reader.problem(f"{field}.name", f"duplicate name {transition.name!r}; {names[transition.name]} has it")
        names.setdefault(transition.name, field)
        if transition.records in entry_types:
            reader.problem(
                f"{field}.records",
                f"duplicate entry type {transition.records!r}; {entry_types[transition.records]} records it",
            )
        entry_types.setdefault(transition.records, field)


def _check_periods_needed(reader: _Problems, transitions: list[tuple[Transition, str]], periods: Periods) -> None:
    for transition, field in transitions:
        for i, name in enumerate(transition.guards):
            for period in sorted(GUARDS[name].needs):
                if getattr(periods, period) is None:
                    reader.problem(f"{field}.guards[{i}]", f"guard {name} needs periods.{period}, which is not set")


def _check_graph(
    reader: _Problems,
    states: Mapping[CaseState, StateInfo],
    initial: CaseState,
    terminal: frozenset[CaseState],
    transitions: list[tuple[Transition, str]],
) -> None:
    if initial in terminal:
        reader.problem("initial", f"{initial.value} is also terminal")
    moves = [(t, field) for t, field in transitions if t.to is not None]
    for transition, field in transitions:
        leaving = sorted(s.value for s in transition.from_states & terminal)
        if leaving:
            key = "in" if transition.is_act else "from"
            reader.problem(f"{field}.{key}", f"terminal state(s) {', '.join(leaving)} allow nothing further")
    reachable = _closure({initial}, {(s, t.to) for t, _ in moves for s in t.from_states if t.to is not None})
    for state in states:
        if state not in reachable:
            reader.problem(f"states.{state.value}", f"unreachable from the initial state {initial.value}")
    edges_back = {(t.to, s) for t, _ in moves for s in t.from_states if t.to is not None}
    reaches_end = _closure(set(terminal), edges_back)
    for state in states:
        if state not in reaches_end:
            reader.problem(
                f"states.{state.value}",
                "no terminal state can be reached from it: declare it terminal or add a transition out of it",
            )


def _closure(start: set[CaseState], edges: set[tuple[CaseState, CaseState]]) -> set[CaseState]:
    seen = set(start)
    frontier = list(start)
    while frontier:
        state = frontier.pop()
        for a, b in edges:
            if a is state and b not in seen:
                seen.add(b)
                frontier.append(b)
    return seen
