"""YAML for policy data: PyYAML silently keeps the last of two equal keys; in rules of law that is an error."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from pydantic import ValidationError

# libyaml's parser where PyYAML was built with it (its wheels are), the pure-Python one otherwise: the same safe
# constructors either way. Every worker and every test parses the policy files; libyaml does it ~10× faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A SafeLoader that refuses a mapping with a repeated key."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, object]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_strict(content: bytes | str) -> Any:
    """Parse YAML safely, refusing repeated keys (raises yaml.YAMLError)."""
    return yaml.load(content, Loader=UniqueKeyLoader)  # noqa: S506 -- a SafeLoader subclass


# How a model's errors read to the author of a policy file.
_KIND = {
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "list_type": "must be a list",
    "int_type": "must be an integer",
    "string_type": "must be text",
    "too_short": "must be a non-empty list",
}


def shape_problems(
    error: ValidationError, raw: object, root: str = "<document>", *, by_name: bool = False
) -> list[tuple[str, str]]:
    """A policy model's errors as (field, problem), fields as the author wrote the file —
    ``transitions[decide_penalty].guards[0]``, a list item named by its ``name`` with ``by_name`` — and the
    unknown and the missing keys of one mapping each gathered in one problem."""
    out: list[tuple[str, str]] = []
    unknown: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for e in error.errors():
        loc = tuple(part for part in e["loc"] if part != "[key]")
        if e["type"] == "extra_forbidden":
            unknown.setdefault(field_of(raw, loc[:-1], root, by_name), []).append(str(loc[-1]))
        elif e["type"] == "missing":
            missing.setdefault(field_of(raw, loc[:-1], root, by_name), []).append(str(loc[-1]))
        elif e["type"] == "value_error":
            out.append((field_of(raw, loc, root, by_name), str(e["ctx"]["error"])))
        elif e["type"] in _KIND:
            out.append((field_of(raw, loc, root, by_name), f"{_KIND[e['type']]}, got {e['input']!r}"))
        else:
            out.append((field_of(raw, loc, root, by_name), e["msg"]))
    out += [(field, f"unknown keys {sorted(keys)}") for field, keys in unknown.items()]
    out += [(field, f"missing keys {sorted(keys)}") for field, keys in missing.items()]
    return out


def field_of(raw: object, loc: tuple[int | str, ...], root: str = "<document>", by_name: bool = False) -> str:
    """``('transitions', 0, 'guards', 1)`` as ``transitions[decide_penalty].guards[1]``."""
    out, node = "", raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            label: object = part
            if 0 <= part < len(node):
                node = node[part]
                named = node.get("name") if by_name and isinstance(node, dict) else None
                label = named if isinstance(named, str) else part
            out += f"[{label}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            out += f".{part}" if out else str(part)
    if root != "<document>":
        return f"{root}.{out}" if out else root
    return out or root
