"""A step's form, generated from its payload's JSON Schema, and the form's answer read back into the payload.

Pure: no web framework. Field names are the JSON path joined by dots (``penalty.fine_fen``). What a form
cannot say is never guessed: an empty optional field is left out (the payload's default applies), a number
that is not a whole number is sent as text so that the payload model refuses it with its own message, and the
payload model — the same one the API uses (service/cases/payloads.py) — decides what is valid. Money is typed in
yuan and sent in fen; numbers (a decision's evidence entries) are ticked or typed in a row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service.cases.payloads import FEN_DESCRIPTION

TEXTAREA_FROM = 200  # a string allowed longer than this is a paragraph
FEN_SUFFIX = "_fen"  # an amount of money, in fen (service/cases/payloads.py: ``Fen``)


@dataclass(frozen=True)
class Field:
    name: str  # dotted path
    label: str
    kind: str  # text, textarea, integer, yuan, numbers, checkbox, select, multiselect, date, datetime, lines, json
    required: bool
    description: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


@dataclass
class StepForm:
    fields: list[Field] = field(default_factory=list)


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = defs[str(schema["$ref"]).rsplit("/", 1)[-1]]
    return schema


def _non_null(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """The schema without its ``null`` alternative, and whether null was allowed."""
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(o, defs) for o in schema[key]]
            real = [o for o in options if o.get("type") != "null"]
            if len(real) == 1:
                merged = {**real[0], **{k: v for k, v in schema.items() if k not in (key,)}}
                return merged, len(real) < len(options)
    return _resolve(schema, defs), False


def form_of(schema: Mapping[str, Any]) -> StepForm:
    """The fields of a payload schema (``model_json_schema()``), nested objects flattened by dotted names."""
    form = StepForm()
    _walk(schema, schema.get("$defs", {}), "", form, required_parent=True)
    return form


def _walk(
    schema: Mapping[str, Any], defs: Mapping[str, Any], prefix: str, form: StepForm, required_parent: bool
) -> None:
    schema = _resolve(schema, defs)
    required = set(schema.get("required", []))
    for name, raw in schema.get("properties", {}).items():
        sub, _nullable = _non_null(raw, defs)
        path = f"{prefix}{name}"
        is_required = required_parent and name in required
        label = str(raw.get("title") or sub.get("title") or name)
        description = str(raw.get("description") or "")
        kind_of = sub.get("type")
        if kind_of == "object" and "properties" in sub:
            _walk(sub, defs, path + ".", form, is_required)
            continue
        form.fields.append(_field(path, label, description, sub, raw, defs, is_required))


def _field(
    path: str,
    label: str,
    description: str,
    sub: Mapping[str, Any],
    raw: Mapping[str, Any],
    defs: Mapping[str, Any],
    required: bool,
) -> Field:
    default = raw.get("default", sub.get("default"))
    kind_of = sub.get("type")
    common = {"name": path, "label": label, "required": required, "description": description, "default": default}
    if "enum" in sub:
        return Field(kind="select", choices=tuple(str(c) for c in sub["enum"]), **common)
    if kind_of == "boolean":
        return Field(kind="checkbox", **common)
    if kind_of == "integer" and path.endswith(FEN_SUFFIX):
        # Money is recorded in fen (分) and typed in yuan (元), as every document and receipt states it: an officer
        # typing 300 for a fine of 300 yuan must not record 3 yuan. The schema's word that it is in fen is not the
        # form's.
        typed = {**common, "description": "" if description == FEN_DESCRIPTION else description}
        return Field(kind="yuan", minimum=sub.get("minimum"), maximum=sub.get("maximum"), **typed)
    if kind_of == "integer":
        return Field(kind="integer", minimum=sub.get("minimum"), maximum=sub.get("maximum"), **common)
    if kind_of == "string":
        fmt = sub.get("format")
        if fmt == "date":
            return Field(kind="date", **common)
        if fmt == "date-time":
            return Field(kind="datetime", **common)
        max_length = sub.get("maxLength")
        kind = "textarea" if max_length is None or max_length > TEXTAREA_FROM else "text"
        return Field(kind=kind, max_length=max_length, **common)
    if kind_of == "array":
        items = _resolve(sub.get("items", {}), defs)
        if "enum" in items:
            return Field(kind="multiselect", choices=tuple(str(c) for c in items["enum"]), **common)
        if items.get("type") == "string":
            return Field(kind="lines", **common)
        if items.get("type") == "integer":  # numbers (a decision's evidence entries): several ticked, or typed
            return Field(kind="numbers", **common)
    # Anything else (a list of objects, a free mapping) is typed as JSON, checked by the payload model.
    return Field(kind="json", **common)


def read_answer(form: StepForm, values: Mapping[str, list[str]]) -> dict[str, Any]:
    """The payload data a submitted form says; ``values`` maps each name to every value sent for it."""
    data: dict[str, Any] = {}
    for f in form.fields:
        sent = [v for v in values.get(f.name, []) if v != ""]
        value: Any
        if f.kind == "checkbox":
            value = bool(sent)
        elif f.kind == "multiselect":
            if not sent:
                continue
            value = sent
        elif not sent:
            continue
        elif f.kind == "integer":
            text = sent[0].strip()
            value = int(text) if text.lstrip("-").isdigit() else text
        elif f.kind == "yuan":
            value = fen_of_yuan(sent[0])
        elif f.kind == "numbers":
            value = numbers_of(sent)
        elif f.kind == "lines":
            value = [line.strip() for line in sent[0].splitlines() if line.strip()]
        elif f.kind == "json":
            try:
                value = json.loads(sent[0])
            except ValueError:
                value = sent[0]
        elif f.kind == "datetime":
            # datetime-local has no zone: the officer's clock is Beijing time (the law's deadlines are too).
            text = sent[0]
            value = text if ("+" in text[10:] or text.endswith("Z")) else text + ":00+08:00"
        else:
            value = sent[0]
        _put(data, f.name.split("."), value)
    return data


YUAN = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")  # 300, 300.5, 300.50: at most two places, to the fen
SEPARATORS = re.compile(r"[\s,，、;；]+")


def fen_of_yuan(text: str) -> int | str:
    """An amount typed in yuan, in fen; anything else as typed, for the payload model to refuse (never guessed)."""
    found = YUAN.fullmatch(text.strip())
    if found is None:
        return text
    whole, cents = found.groups()
    return int(whole) * 100 + int((cents or "0").ljust(2, "0"))


def numbers_of(sent: list[str]) -> list[int] | str:
    """Whole numbers ticked (one value each) or typed (separated by spaces, commas or 、); anything else as typed."""
    parts = [p for value in sent for p in SEPARATORS.split(value.strip()) if p]
    if not all(p.isdigit() for p in parts):
        return " ".join(sent)
    return [int(p) for p in parts]


def _put(data: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value
