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
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from service.auth.permissions import CASE_RECORD_WRITES, Permission
from service.cases.categories import StateCategory
from service.cases.deadlines import PERIOD_RULES, Periods
from service.cases.guards import GUARDS, CaseFacts, Guard, Refusal
from service.errors import Conflict, RuleOfLawRefusal
from service.legal import LegalBasis
from service.policy.calendar import CalendarRangeError
from service.policy.strict_yaml import load_strict

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
        return tuple(t for t in self.transitions if state in t.from_states)

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


class TransitionRefused(RuleOfLawRefusal):
    """A 409 naming every failed guard and its article; the first failure's article is the headline."""

    code = "transition_refused"

    def __init__(self, check: TransitionCheck) -> None:
        name = check.transition.name
        super().__init__(
            f"{name} refused: " + " ".join(f"[{f.guard}, {f.basis.cite()}] {f.reason_en}" for f in check.failures),
            f"不予办理“{name}”：" + "".join(f"【{f.guard}，{f.basis.cite()}】{f.reason_zh}" for f in check.failures),
            basis=check.failures[0].basis,
            extra={
                "transition": name,
                "state": check.from_state.value,
                "failures": [f.to_record() for f in check.failures],
            },
        )
        self.check = check


def standing_refusals(workflow: Workflow, transition: Transition, facts: CaseFacts) -> tuple[GuardFailure, ...]:
    """The failures of ``transition``'s guards that the case as it stands decides (``Guard.standing``): a step
    with any cannot be taken now, whoever takes it and with whatever data."""
    failures = []
    for name in transition.guards:
        guard = GUARDS[name]
        if not guard.standing:
            continue
        refusal = _evaluate(guard, facts, workflow)
        if refusal is not None:
            failures.append(GuardFailure(name, refusal.reason_en, refusal.reason_zh, refusal.basis or guard.basis))
    return tuple(failures)


def _evaluate(guard: Guard, facts: CaseFacts, workflow: Workflow) -> Refusal | None:
    try:
        return guard.check(facts, workflow.periods)
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
        refusal = _evaluate(guard, facts, workflow)
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


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ENTRY_TYPE = re.compile(r"^case:[a-z][a-z_]*:[a-z][a-z_]*$")
_TOP_KEYS = {"format", "procedure", "name", "initial", "terminal", "periods", "states", "transitions", "acts"}
_TRANSITION_KEYS = {"name", "from", "to", "permission", "guards", "records", "basis"}
_ACT_KEYS = {"name", "in", "permission", "guards", "records", "basis"}


class _Reader:
    """Collects every problem of one file; each parse helper returns None where the value is unusable."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[WorkflowProblem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(WorkflowProblem(self.source, field, message))

    def mapping(
        self, raw: object, field: str, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
    ) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.problem(field, "must be a mapping")
            return None
        unknown = sorted(str(k) for k in raw if k not in required | optional)
        if unknown:
            self.problem(field, f"unknown keys {unknown}; expected {sorted(required | optional)}")
        missing = sorted(required - set(raw))
        if missing:
            self.problem(field, f"missing keys {missing}")
        return None if unknown or missing else {str(k): v for k, v in raw.items()}

    def text(self, raw: object, field: str) -> str | None:
        if not isinstance(raw, str) or not raw.strip():
            self.problem(field, f"must be non-empty text, got {raw!r}")
            return None
        return raw

    def name(self, raw: object, field: str) -> str | None:
        if not isinstance(raw, str) or not _NAME.match(raw):
            self.problem(field, f"must be a name of lowercase letters, digits and _, got {raw!r}")
            return None
        return raw

    def integer(self, raw: object, field: str) -> int | None:
        if type(raw) is not int:
            self.problem(field, f"must be an integer, got {raw!r}")
            return None
        return raw

    def category(self, raw: object, field: str) -> StateCategory | None:
        if raw not in {c.value for c in StateCategory}:
            self.problem(field, f"must be one of {sorted(c.value for c in StateCategory)}")
            return None
        return StateCategory(str(raw))

    def state(self, raw: object, field: str, declared: Mapping[CaseState, StateInfo] | None = None) -> CaseState | None:
        if not isinstance(raw, str) or raw not in CaseState.__members__.values():
            self.problem(field, f"unknown state {raw!r}; known states: {', '.join(s.value for s in CaseState)}")
            return None
        state = CaseState(raw)
        if declared is not None and state not in declared:
            self.problem(field, f"state {state.value!r} is not declared under states")
            return None
        return state

    def states(self, raw: object, field: str, declared: Mapping[CaseState, StateInfo]) -> frozenset[CaseState] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(field, "must be a non-empty list of states")
            return None
        parsed = [self.state(item, f"{field}[{i}]", declared) for i, item in enumerate(raw)]
        if any(s is None for s in parsed):
            return None
        if len(set(parsed)) != len(parsed):
            self.problem(field, "lists a state twice")
            return None
        return frozenset(s for s in parsed if s is not None)

    def basis(self, raw: object, field: str) -> LegalBasis | None:
        entry = self.mapping(raw, field, {"law", "article"}, {"paragraph"})
        if entry is None:
            return None
        law = self.text(entry["law"], f"{field}.law")
        article = self.integer(entry["article"], f"{field}.article")
        paragraph = self.integer(entry["paragraph"], f"{field}.paragraph") if "paragraph" in entry else None
        for value, key in ((article, "article"), (paragraph, "paragraph")):
            if value is not None and value < 1:
                self.problem(f"{field}.{key}", f"must be a positive integer, got {value}")
                return None
        if law is None or article is None or ("paragraph" in entry and paragraph is None):
            return None
        return LegalBasis(law, article, paragraph)


def _parse(content: bytes, source: str) -> Workflow:
    reader = _Reader(source)
    try:
        raw = load_strict(content)
    except yaml.YAMLError as exc:
        raise WorkflowFileError([WorkflowProblem(source, "<document>", f"not valid YAML: {exc}")]) from exc
    document = reader.mapping(raw, "<document>", _TOP_KEYS - {"acts"}, {"acts"})
    if document is None:
        raise WorkflowFileError(reader.problems)
    if document["format"] != FORMAT or type(document["format"]) is not int:
        reader.problem("format", f"must be {FORMAT}, got {document['format']!r}")
    procedure = _procedure(reader, document["procedure"])
    names = reader.mapping(document["name"], "name", {"zh", "en"})
    name_zh = reader.text(names["zh"], "name.zh") if names else None
    name_en = reader.text(names["en"], "name.en") if names else None
    states = _states(reader, document["states"])
    periods = _periods(reader, document["periods"])
    initial = reader.state(document["initial"], "initial", states)
    terminal = reader.states(document["terminal"], "terminal", states)
    transitions = _transitions(reader, document["transitions"], "transitions", states)
    transitions += _transitions(reader, document.get("acts", []), "acts", states)
    if (
        reader.problems
        or procedure is None
        or name_zh is None
        or name_en is None
        or initial is None
        or terminal is None
        or periods is None
    ):
        raise WorkflowFileError(reader.problems)
    _check_unique(reader, transitions)
    _check_periods_needed(reader, transitions, periods)
    _check_graph(reader, states, initial, terminal, transitions)
    if reader.problems:
        raise WorkflowFileError(reader.problems)
    return Workflow(
        procedure=procedure,
        name_zh=name_zh,
        name_en=name_en,
        initial=initial,
        terminal=terminal,
        states=tuple(states.values()),
        transitions=tuple(t for t, _ in transitions),
        periods=periods,
        source=source,
        version="sha256:" + hashlib.sha256(content).hexdigest(),
    )


def _procedure(reader: _Reader, raw: object) -> Procedure | None:
    if not isinstance(raw, str) or raw not in Procedure.__members__.values():
        reader.problem("procedure", f"must be one of {[p.value for p in Procedure]}, got {raw!r}")
        return None
    return Procedure(raw)


def _states(reader: _Reader, raw: object) -> dict[CaseState, StateInfo]:
    if not isinstance(raw, dict) or not raw:
        reader.problem("states", "must be a non-empty mapping of state to {zh, en}")
        return {}
    states: dict[CaseState, StateInfo] = {}
    for key, value in raw.items():
        field = f"states.{key}"
        state = reader.state(key, field)
        names = reader.mapping(value, field, {"zh", "en", "category"})
        if state is None:
            continue
        # A state whose names are faulty is still declared, so transitions citing it raise no further problem.
        zh = reader.text(names["zh"], f"{field}.zh") if names is not None else None
        en = reader.text(names["en"], f"{field}.en") if names is not None else None
        category = reader.category(names["category"], f"{field}.category") if names is not None else None
        states[state] = StateInfo(state, zh or "", en or "", category or StateCategory.ENDED)
    return states


def _periods(reader: _Reader, raw: object) -> Periods | None:
    rules = {rule.name: rule for rule in PERIOD_RULES}
    entry = reader.mapping(raw, "periods", set(), set(rules))
    if entry is None:
        return None
    values: dict[str, int] = {}
    for key, value in entry.items():
        field, rule = f"periods.{key}", rules[key]
        number = reader.integer(value, field)
        if number is None:
            continue
        if number < rule.minimum or (rule.maximum is not None and number > rule.maximum):
            bounds = f"at least {rule.minimum}" + (f" and at most {rule.maximum}" if rule.maximum is not None else "")
            reader.problem(field, f"{number} is out of bounds: must be {bounds} ({rule.basis.cite()}: {rule.why})")
            continue
        values[key] = number
    return Periods(**values)


def _transitions(
    reader: _Reader, raw: object, section: str, states: Mapping[CaseState, StateInfo]
) -> list[tuple[Transition, str]]:
    if not isinstance(raw, list) or (section == "transitions" and not raw):
        reader.problem(section, "must be a non-empty list" if section == "transitions" else "must be a list")
        return []
    is_act = section == "acts"
    parsed: list[tuple[Transition, str]] = []
    for i, item in enumerate(raw):
        label = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else i
        field = f"{section}[{label}]"
        entry = reader.mapping(item, field, _ACT_KEYS if is_act else _TRANSITION_KEYS)
        if entry is None:
            continue
        name = reader.name(entry["name"], f"{field}.name")
        from_states = reader.states(entry["in" if is_act else "from"], f"{field}.{'in' if is_act else 'from'}", states)
        to = None if is_act else reader.state(entry["to"], f"{field}.to", states)
        permission = _permission(reader, entry["permission"], f"{field}.permission")
        guards = _guards(reader, entry["guards"], f"{field}.guards")
        records = entry["records"]
        if not isinstance(records, str) or not _ENTRY_TYPE.match(records):
            reader.problem(f"{field}.records", f"must be an entry type 'case:<object>:<action>', got {records!r}")
        basis = reader.basis(entry["basis"], f"{field}.basis")
        if name is None or from_states is None or permission is None or guards is None or basis is None:
            continue
        if not isinstance(records, str) or not _ENTRY_TYPE.match(records) or (not is_act and to is None):
            continue
        if to is not None and to in from_states:
            reader.problem(f"{field}.to", f"{to.value} is also in from; an act that keeps the state belongs under acts")
            continue
        parsed.append((Transition(name, from_states, to, permission, guards, records, basis), field))
    return parsed


def _permission(reader: _Reader, raw: object, field: str) -> Permission | None:
    if not isinstance(raw, str) or raw not in Permission.__members__.values():
        reader.problem(field, f"unknown permission {raw!r} (policies/roles.yaml)")
        return None
    permission = Permission(raw)
    if permission not in CASE_RECORD_WRITES:
        allowed = ", ".join(sorted(p.value for p in CASE_RECORD_WRITES))
        reader.problem(field, f"{permission.value} does not write case records; use one of {allowed}")
        return None
    return permission


def _guards(reader: _Reader, raw: object, field: str) -> tuple[str, ...] | None:
    if not isinstance(raw, list):
        reader.problem(field, "must be a list of guard names ([] for none)")
        return None
    ok = True
    for i, name in enumerate(raw):
        if name not in GUARDS:
            reader.problem(f"{field}[{i}]", f"unknown guard {name!r}; known guards: {', '.join(sorted(GUARDS))}")
            ok = False
    if ok and len(set(raw)) != len(raw):
        reader.problem(field, "names a guard twice")
        ok = False
    return tuple(raw) if ok else None


def _check_unique(reader: _Reader, transitions: list[tuple[Transition, str]]) -> None:
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


def _check_periods_needed(reader: _Reader, transitions: list[tuple[Transition, str]], periods: Periods) -> None:
    for transition, field in transitions:
        for i, name in enumerate(transition.guards):
            for period in sorted(GUARDS[name].needs):
                if getattr(periods, period) is None:
                    reader.problem(f"{field}.guards[{i}]", f"guard {name} needs periods.{period}, which is not set")


def _check_graph(
    reader: _Reader,
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
