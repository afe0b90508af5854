"""A small driver for the case API, speaking as the demo users; the ``cases`` fixture is in conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

Auth = Callable[[str], dict[str, str]]


class Cases:
    """A small driver for the case API, speaking as the demo users."""

    def __init__(self, client: TestClient, auth: Auth) -> None:
        self.client = client
        self.auth = auth
        self._officers: dict[str, str] = {}

    def officer(self, username: str) -> str:
        if not self._officers:
            me = {
                u: self.client.get("/api/v1/auth/me", headers=self.auth(u)).json()["user_id"]
                for u in ("officer1", "officer2", "officer3", "reviewer", "head")
            }
            for officer in self.client.get("/api/v1/officers", headers=self.auth("head")).json():
                for username_, user_id in me.items():
                    if officer["user_id"] == user_id:
                        self._officers[username_] = officer["id"]
        return self._officers[username]

    def open(self, who: str = "officer1", **body: Any) -> dict[str, Any]:
        payload = {
            "procedure": "general",
            "item_code": "CQ-TM-003",
            "title": "在村道旁倾倒生活垃圾",
            "party": {
                "party_type": "individual",
                "name": "张三",
                "id_number": "500228199001011234",
                "phone": "13800000000",
                "address": "重庆市梁平区铁门乡某村三组12号",
            },
            "source_kind": "inspection",
            "source_description": "日常巡查发现",
            "officers": [self.officer("officer2")],
        } | body
        response = self.client.post("/api/v1/cases", headers=self.auth(who), json=payload)
        assert response.status_code == 201, response.text
        return response.json()

    def step(
        self, case: dict[str, Any], step: str, who: str = "officer1", *, expect: int = 200, **body: Any
    ) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/cases/{case['id']}/steps/{step}", headers=self.auth(who), json=body)
        assert response.status_code == expect, response.text
        return response.json()

    def with_second(self) -> list[str]:
        return [self.officer("officer2")]
