"""What the browser tests do on every page: sign in as a person would, and run axe-core over what is shown."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

from service.ledger.models import LedgerEntry

SERIOUS = ("serious", "critical")
_AXE = Axe()


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + "/")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each."""
    results = _AXE.run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def case_entry_types(runtime: Any, case_id: str) -> list[str]:
    import sqlalchemy as sa

    with runtime.database.transaction(write=False) as session:
        return list(
            session.scalars(
                sa.select(LedgerEntry.type)
                .where(LedgerEntry.stream == f"case:{case_id}")
                .order_by(LedgerEntry.stream_seq)
            )
        )
