"""Imports every module that registers projectors and projected tables, so the registry is complete."""

from __future__ import annotations


def load_all() -> None:
    import service.agencies.service
    import service.auth.users
    import service.catalogue.service
    import service.officers.service  # noqa: F401
