"""The admin's desk: users and roles under the separation of duties, signing keys approved and revoked, catalogue
versions, the working-day calendar's notices and the principal head — each change a ledger entry, each refusal the
API's 409 shown on the page with its rule, and nothing written."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.models import User
from service.ledger.models import LedgerEntry
from service.runtime import Runtime
from tests.cases.test_year_boundary import NOTICE_2027

from .helpers import form, sign_in

SAMPLE = Path(__file__).resolve().parents[2] / "policies" / "catalogue" / "tiemen-sample.yaml"


def admin(app: FastAPI) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, sign_in(client, "admin")


def entry_count(runtime: Runtime) -> int:
    with runtime.database.transaction(write=False) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) or 0)


def user_row(runtime: Runtime, username: str) -> User | None:
    with runtime.database.transaction(write=False) as session:
        found = session.scalars(sa.select(User).where(User.username == username)).one_or_none()
        if found is not None:
            session.expunge(found)
        return found


def user_id(runtime: Runtime, username: str) -> str:
    found = user_row(runtime, username)
    assert found is not None
    return str(found.id)


def test_an_admin_adds_a_user_and_incompatible_roles_are_refused_with_nothing_written(
    app: FastAPI, runtime: Runtime
) -> None:
    browser, csrf = admin(app)
    page = browser.get("/admin/users")
    assert page.status_code == 200
    assert "系统管理员不得兼任执法人员" in page.text
    assert "built-in method" not in page.text  # the signing keys' link is a word, not dict.keys
    assert ">签名密钥</a>" in page.text

    before = entry_count(runtime)
    refused = browser.post(
        "/admin/users",
        files=form(
            csrf=csrf,
            username="dual",
            display_name="兼任者",
            password="a long enough pass 1",
            roles=["admin", "officer"],
        ),
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert "separation" in refused.text or "职责分离" in refused.text
    assert user_row(runtime, "dual") is None
    assert entry_count(runtime) == before

    added = browser.post(
        "/admin/users",
        files=form(
            csrf=csrf, username="newofficer", display_name="新队员", password="a long enough pass 1", roles="officer"
        ),
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    row = user_row(runtime, "newofficer")
    assert row is not None
    assert list(row.roles) == ["officer"]
    assert entry_count(runtime) > before
    assert "newofficer" in browser.get("/admin/users").text


def test_roles_change_but_never_ones_own_nor_the_last_admins(app: FastAPI, runtime: Runtime) -> None:
    browser, csrf = admin(app)
    own = browser.post(f"/admin/users/{user_id(runtime, 'admin')}/roles", files=form(csrf=csrf, roles="supervisor"))
    assert own.status_code == 409
    assert 'role="alert"' in own.text
    assert list(user_row(runtime, "admin").roles) == ["admin"]  # type: ignore[union-attr]

    changed = browser.post(
        f"/admin/users/{user_id(runtime, 'officer3')}/roles",
        files=form(csrf=csrf, roles=["officer", "reviewer"]),
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    assert sorted(user_row(runtime, "officer3").roles) == ["officer", "reviewer"]  # type: ignore[union-attr]


def test_a_disabled_user_is_signed_out_and_the_last_admin_cannot_be_disabled(app: FastAPI, runtime: Runtime) -> None:
    officer = TestClient(app)
    sign_in(officer, "officer3")
    browser, csrf = admin(app)
    disabled = browser.post(
        f"/admin/users/{user_id(runtime, 'officer3')}/disable", files=form(csrf=csrf), follow_redirects=False
    )
    assert disabled.status_code == 303, disabled.text
    assert user_row(runtime, "officer3").disabled  # type: ignore[union-attr]
    assert officer.get("/", follow_redirects=False).status_code == 303  # their session ended with the change

    last = browser.post(f"/admin/users/{user_id(runtime, 'admin')}/disable", files=form(csrf=csrf))
    assert last.status_code == 409
    assert not user_row(runtime, "admin").disabled  # type: ignore[union-attr]

    enabled = browser.post(
        f"/admin/users/{user_id(runtime, 'officer3')}/enable", files=form(csrf=csrf), follow_redirects=False
    )
    assert enabled.status_code == 303
    assert not user_row(runtime, "officer3").disabled  # type: ignore[union-attr]


def test_a_reviewers_key_is_approved_then_revoked_by_the_admin(app: FastAPI) -> None:
    public = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    reviewer = TestClient(app)
    reviewer_csrf = sign_in(reviewer, "reviewer")
    registered = reviewer.post(
        "/keys", files=form(csrf=reviewer_csrf, public_key=base64.b64encode(public).decode("ascii"))
    )
    assert registered.status_code == 201, registered.text
    key_id = registered.json()["key_id"]

    browser, csrf = admin(app)
    page = browser.get("/admin/keys").text
    row = page.split(f'id="key-{key_id}"')[1].split("</tr>")[0]
    assert "待批准" in row  # pending, in the page's language
    assert "赵敏（reviewer）" in row
    approve = re.search(r'action="(/admin/keys/[0-9a-f-]+/approve)"', row)
    assert approve is not None
    assert browser.post(approve.group(1), files=form(csrf=csrf), follow_redirects=False).status_code == 303
    row = browser.get("/admin/keys").text.split(f'id="key-{key_id}"')[1].split("</tr>")[0]
    assert "已批准" in row
    assert "系统管理员" in row  # who approved it, by name, not user:<id>
    revoke = re.search(r'action="(/admin/keys/[0-9a-f-]+/revoke)"', row)
    assert revoke is not None
    assert browser.post(revoke.group(1), files=form(csrf=csrf), follow_redirects=False).status_code == 303
    row = browser.get("/admin/keys").text.split(f'id="key-{key_id}"')[1].split("</tr>")[0]
    assert "已撤销" in row
    assert 'action="/admin/keys/' not in row

    officer = TestClient(app)
    officer_csrf = sign_in(officer, "officer1")
    assert officer.get("/admin/keys").status_code == 403
    assert officer.post(approve.group(1), files=form(csrf=officer_csrf)).status_code == 403


def test_a_catalogue_version_is_loaded_from_a_file_and_a_bad_one_loads_nothing(app: FastAPI, runtime: Runtime) -> None:
    browser, csrf = admin(app)
    assert browser.get("/admin/catalogue").text.count("<code>") == 1  # the demo's version
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "individual: {min_fen: 22001, max_fen: 37999}", "individual: {min_fen: 22001, max_fen: 25000}", 1
    )

    def upload(content: str) -> object:
        return browser.post(
            "/admin/catalogue",
            files=[("csrf", (None, csrf)), ("file", ("tiemen-2027.yaml", content.encode("utf-8"), "text/yaml"))],
            follow_redirects=False,
        )

    bad = upload("agency: tiemen\nitems: [")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "执法事项清单未载入" in bad.text  # type: ignore[attr-defined]
    assert browser.get("/admin/catalogue").text.count("<code>") == 1
    assert upload(text).status_code == 303  # type: ignore[attr-defined]
    page = browser.get("/admin/catalogue").text
    assert page.count("<code>") == 2
    assert "tiemen-2027.yaml" in page
    again = upload(text)
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "已是当前版本" in again.text  # type: ignore[attr-defined]


def test_a_holiday_notice_is_loaded_and_a_wrong_one_is_refused_whole(app: FastAPI, runtime: Runtime) -> None:
    browser, csrf = admin(app)
    page = browser.get("/admin/calendar").text
    row_2027 = page.split("<td>2027</td>")[1].split("</tr>")[0]
    assert "暂按周末推算" in row_2027
    before = entry_count(runtime)
    wrong = browser.post(
        "/admin/calendar",
        files=form(csrf=csrf, year="2027", notice=json.dumps({**NOTICE_2027, "year": 2028}, ensure_ascii=False)),
    )
    assert wrong.status_code == 422
    assert "通知年份2028与2027不符" in html.unescape(wrong.text)
    assert entry_count(runtime) == before

    loaded = browser.post(
        "/admin/calendar", files=form(csrf=csrf, year="2027", notice=json.dumps(NOTICE_2027, ensure_ascii=False))
    )
    assert loaded.status_code == 200, loaded.text
    assert 'id="notice-loaded"' in loaded.text
    row_2027 = loaded.text.split("<td>2027</td>")[1].split("</tr>")[0]
    assert "国办发明电〔2026〕99号" in row_2027
    assert "已按国务院通知" in row_2027
    assert entry_count(runtime) > before


def test_the_principal_head_is_one_of_the_active_heads(app: FastAPI, runtime: Runtime) -> None:
    browser, csrf = admin(app)
    page = browser.get("/admin/settings").text
    assert "林峰（head2）" in page
    refused = browser.post(
        "/admin/settings/principal-head", files=form(csrf=csrf, user_id=user_id(runtime, "officer1"))
    )
    assert refused.status_code == 409
    assert "主要负责人须为本机关在职的负责人" in refused.text
    assert "第19条" in refused.text
    designated = browser.post(
        "/admin/settings/principal-head",
        files=form(csrf=csrf, user_id=user_id(runtime, "head2")),
        follow_redirects=False,
    )
    assert designated.status_code == 303
    shown = browser.get("/admin/settings").text.split('id="principal-head">')[1].split("</dd>")[0]
    assert shown == "林峰（head2）"


def test_an_admin_reaches_no_user_of_another_agency(app: FastAPI, runtime: Runtime) -> None:
    stranger = user_id(runtime, "other-officer")
    browser, csrf = admin(app)
    before = entry_count(runtime)
    for action in ("disable", "enable", "roles"):
        answer = browser.post(f"/admin/users/{stranger}/{action}", files=form(csrf=csrf, roles="officer"))
        assert answer.status_code == 404, action
    assert not user_row(runtime, "other-officer").disabled  # type: ignore[union-attr]
    assert entry_count(runtime) == before
    assert "other-officer" not in browser.get("/admin/users").text


def test_the_admins_desk_speaks_english_when_asked(app: FastAPI) -> None:
    browser, _ = admin(app)
    browser.get("/lang/en")
    page = browser.get("/admin/settings").text
    assert "<h1>Agency settings</h1>" in page
    assert "Principal head" in page
    assert "林峰 (head2)" in page  # an aside in English punctuation, as the Chinese page puts it in （）
    assert "Signing keys" in browser.get("/admin/keys").text
    for path in ("/admin/settings", "/admin/keys", "/admin/users", "/"):
        text = browser.get(path).text
        for chinese in "（）：、":  # an aside, a label's colon, an enumeration's comma: the page's language's
            assert chinese not in text, (path, chinese)


def test_the_staff_register_lists_people_and_adds_one_without_an_account(app: FastAPI, runtime: Runtime) -> None:
    """Auxiliary staff who never sign in are added on the admin's desk, as users are, by the API's service function."""
    browser, csrf = admin(app)
    page = browser.get("/admin/staff")
    assert page.status_code == 200
    assert ">工作人员名册</a>" in page.text
    assert 'id="add-staff"' in page.text

    before = entry_count(runtime)
    refused = browser.post(
        "/admin/staff",
        files=form(csrf=csrf, name="孙协管", post="协管员", employment="volunteer", joined_on="2021-05-01"),
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert entry_count(runtime) == before

    added = browser.post(
        "/admin/staff",
        files=form(csrf=csrf, name="孙协管", post="协管员", employment="auxiliary", joined_on="2021-05-01", user_id=""),
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert entry_count(runtime) == before + 1
    row = re.search(r'<tr id="member-[^"]+">(.*?)</tr>', browser.get("/admin/staff").text, re.S)
    assert row is not None
    assert re.findall(r"<td>([^<]*)</td>", row.group(1)) == [
        "孙协管",
        "协管员",
        "辅助执法人员/协管员",
        "2021-05-01",
        "",
        "无",
    ]

    # The head keeps the register too (staff:manage) and reaches it from the navigation; an officer does not.
    head = TestClient(app)
    sign_in(head, "head")
    assert 'href="/admin/staff"' in head.get("/").text
    assert "孙协管" in head.get("/admin/staff").text
    officer = TestClient(app)
    sign_in(officer, "officer1")
    assert officer.get("/admin/staff").status_code == 403
