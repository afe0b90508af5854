"""The lawful path, proven from the ledger: each case stream re-run through the state graph of its procedure.

A step's entry records the transition it took, the states it went ``from`` and ``to``, and under which
workflow version and procedure it was checked (``check.workflow_version`` is the SHA-256 of the workflow file,
as ``Workflow.version``). Starting from the state the case was registered in, each step must leave the state
the stream is in, must be one that procedure allows there, and must lead where that transition leads. Entries
that are not steps (registration, evidence, legal-review steps, revised deadlines, erasure ...) do not move the
state. Guards that depend on facts outside the stream (certificates, the calendar ...) are not re-evaluated:
what is proven is the order, not the facts each guard weighed.

The workflows come from the ledger itself (each policy version entry carries the files' contents), or, for
ledgers written before it did, from workflow files at hand whose hash is the recorded version; a stream whose
version is in neither is still checked for continuity (each step leaves the state the one before reached) and
is reported as not checked against the procedure. Pure: no database, no web; the offline bundle verifier uses
it as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.cases.workflow import CaseState, Procedure, Transition, Workflow, WorkflowFileError, parse_workflow
from service.ledger.errors import VerificationError
from service.policy.recorded import file_hash, recorded_contents

REGISTERED = "case:case:registered"
WORKFLOW_FILES = "workflows/"  # the policy files that are workflows, by their name in a policy version entry


def workflow_version(content: bytes) -> str:
    """The version a step records for the workflow file ``content`` (as ``Workflow.version``)."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


class Procedures:
    """The workflow versions at hand, by version: recorded in the ledger, or from files whose hash matches."""

    def __init__(self, looked_in: str) -> None:
        self.looked_in = looked_in  # where a version was looked for, to say so when it was not found
        self._workflows: dict[str, Workflow] = {}
        self._unreadable: dict[str, str] = {}
        self._steps: dict[str, dict[str, Transition]] = {}  # by version, by the entry type that records it
        self._entry_types: frozenset[str] = frozenset()

    def add_recorded(self, body: Mapping[str, Any], place: str) -> None:
        """The workflows a policy version entry's ``body`` carries, each checked against the hash the entry names;
        a content that is not its file raises ``VerificationError`` at ``place``."""
        files = body.get("files")
        try:
            contents = recorded_contents(body)
        except ValueError as exc:
            raise VerificationError(f"{place}: {exc}") from None
        if not isinstance(files, dict):
            raise VerificationError(f"{place}: names no policy files")
        for name, content in sorted(contents.items()):
            if files.get(name) != file_hash(content):
                raise VerificationError(f"{place}: the recorded content of {name} is not the file its hash names")
            if name.startswith(WORKFLOW_FILES):
                self.add(content, f"{name} as recorded in {place}")

    def add(self, content: bytes, source: str) -> None:
        """A workflow file's content from ``source`` (a ledger entry, or a file); a version already known is
        kept (equal versions are equal bytes). Content this version of caseledger cannot read is remembered
        with the reason, so that a stream under it is reported as not checked, with that reason."""
        version = workflow_version(content)
        if version in self._workflows:
            return
        try:
            workflow = parse_workflow(content.decode("utf-8"), source)
        except (UnicodeDecodeError, WorkflowFileError) as exc:
            self._unreadable.setdefault(version, f"{source} cannot be read by this version of caseledger: {exc}")
            return
        self._workflows[version] = workflow
        self._steps[version] = {t.records: t for t in workflow.transitions}  # entry types are unique in a workflow
        self._unreadable.pop(version, None)
        self._entry_types = self._entry_types | set(self._steps[version])

    def get(self, version: str) -> Workflow | None:
        return self._workflows.get(version)

    def step(self, version: str, entry_type: str) -> Transition | None:
        """The transition or act of workflow ``version`` that records ``entry_type`` (None if it has none)."""
        return self._steps[version].get(entry_type)

    def why_missing(self, version: str) -> str:
        return self._unreadable.get(version, f"workflow version {version} is not among {self.looked_in}")

    def entry_types(self) -> frozenset[str]:
        """Every entry type that records a step in a workflow at hand."""
        return self._entry_types


@dataclass(frozen=True)
class StreamEntry:
    """What the check reads of one entry of a case stream, and how a problem names it."""

    seq: int
    type: str
    body: Mapping[str, Any]
    place: str  # e.g. "agency tiemen, stream case:…, position 3, entry id …, type case:filing:approved"


@dataclass
class PathReport:
    streams: int = 0
    steps: int = 0
    unchecked: list[str] = field(default_factory=list)  # "stream case:…: not checked against the procedure: why"


def check_case_stream(
    stream: str, entries: Iterable[StreamEntry], procedures: Procedures, report: PathReport | None = None
) -> None:
    """Re-run one case stream (its entries in stream order) through its procedure; raise VerificationError
    naming the first entry that the procedure does not allow where it stands. Steps under a workflow version
    not at hand are checked for continuity only, and the stream is listed in ``report.unchecked``."""
    step_types = procedures.entry_types()
    state: CaseState | None = None
    procedure: Procedure | None = None
    missing: str | None = None
    steps = 0
    for entry in entries:
        if not isinstance(entry.body, Mapping):
            raise VerificationError(f"{entry.place}: its body is not an object")
        if state is None or procedure is None:
            procedure, state = _registration(entry)
            continue
        body = entry.body
        if entry.type not in step_types and not ("transition" in body and "check" in body):
            continue  # not a step: it does not move the state
        state, why = _step(entry, procedure, state, procedures)
        missing = missing or why
        steps += 1
    if report is not None:
        report.streams += 1
        report.steps += steps
        if missing is not None:
            report.unchecked.append(f"stream {stream}: not checked against the procedure: {missing}")


def _registration(entry: StreamEntry) -> tuple[Procedure, CaseState]:
    if entry.seq != 0 or entry.type != REGISTERED:
        raise VerificationError(f"{entry.place}: a case stream must begin with the case's registration ({REGISTERED})")
    try:
        return Procedure(entry.body["procedure"]), CaseState(entry.body["state"])
    except (KeyError, TypeError, ValueError) as exc:
        raise VerificationError(f"{entry.place}: the registration names no known procedure and state ({exc})") from None


def _step(
    entry: StreamEntry, procedure: Procedure, state: CaseState, procedures: Procedures
) -> tuple[CaseState, str | None]:
    """The state after the step ``entry``, and why it could not be checked against the procedure (or None)."""
    body, place = entry.body, entry.place
    check = body.get("check")
    name, was, now = body.get("transition"), body.get("from"), body.get("to")
    if not isinstance(check, Mapping) or not all(isinstance(v, str) for v in (name, was, now)):
        raise VerificationError(f"{place}: a step without its transition, from, to and check")
    version, recorded_procedure = check.get("workflow_version"), check.get("procedure")
    if not isinstance(version, str):
        raise VerificationError(f"{place}: a step whose check names no workflow version")
    if recorded_procedure != procedure.value:
        raise VerificationError(
            f"{place}: checked under the {recorded_procedure} procedure, but the case is in the {procedure.value} "
            "procedure"
        )
    if check.get("ok") is not True:
        raise VerificationError(f"{place}: recorded although its own check refused it")
    if was != state.value:
        raise VerificationError(
            f"{place}: says {name} went from {was} to {now}, but the case was in {state.value} at that point"
        )
    workflow = procedures.get(version)
    if workflow is None:
        try:
            return CaseState(str(now)), procedures.why_missing(version)
        except ValueError:
            raise VerificationError(f"{place}: says it led to {now}, which is no state of a case") from None
    if workflow.procedure is not procedure:
        raise VerificationError(
            f"{place}: names workflow version {version}, which is the {workflow.procedure.value} procedure, but the "
            f"case is in the {procedure.value} procedure"
        )
    transition = procedures.step(version, entry.type)
    if transition is None:
        raise VerificationError(
            f"{place}: the {workflow.name_en} (version {version}) has no step recorded as {entry.type}"
        )
    if transition.name != name:
        raise VerificationError(f"{place}: {entry.type} records {transition.name}, but the entry says {name}")
    if state not in transition.from_states:
        allowed = ", ".join(sorted(s.value for s in transition.from_states))
        raise VerificationError(
            f"{place}: the {workflow.name_en} (version {version}) does not allow {name} in state {state.value} "
            f"(only in {allowed})"
        )
    target = transition.target(state)
    if now != target.value:
        raise VerificationError(f"{place}: says {name} led to {now}, but from {state.value} it leads to {target.value}")
    return target, None
