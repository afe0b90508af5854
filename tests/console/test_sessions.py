"""Console sessions: a cookie naming a server-side row; HttpOnly, SameSite=Strict; 8 hours at most, 30 minutes
idle; every POST carries the session's form token; the changes that end tokens end console sessions too."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.clock import FixedClock

from .helpers import form, sign_in


def test_a_page_sends_an_anonymous_browser_to_sign_in_and_back(client: TestClient) -> None:
    answer = client.get("/cases/new", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcases%2Fnew"


def test_the_session_cookie_is_httponly_strict_and_lasts_8_hours_at_most(client: TestClient) -> None:
    sign_in(client, "officer1")
    page = client.get("/login")
    client.cookies.clear()
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    client.cookies.set("cl_signin", page.cookies.get("cl_signin") or "", path="/login")
    answer = client.post(
        "/login",
        files=form(username="officer1", password="correct horse battery staple", signin_token=token),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("cl_session=")]
    assert len(cookies) == 1
    attributes = cookies[0].lower()
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "max-age=28800" in attributes


def test_a_wrong_password_is_refused_on_the_page(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    answer = client.post("/login", files=form(username="officer1", password="wrong", signin_token=token))
    assert answer.status_code == 401
    assert "用户名或密码错误" in answer.text
    assert "cl_session" not in client.cookies


def test_sign_in_without_the_forms_own_token_is_refused(client: TestClient) -> None:
    answer = client.post("/login", files=form(username="officer1", password="x", signin_token="forged"))
    assert answer.status_code == 403
    assert "cl_session" not in client.cookies


def test_a_post_without_the_form_token_is_refused_and_writes_nothing(client: TestClient) -> None:
    sign_in(client, "officer1")
    answer = client.post(
        "/cases/new",
        files=form(item_code="CQ-TM-003", title="无令牌", party_type="individual", party_name="张三"),
    )
    assert answer.status_code == 403
    assert "表单已过期" in answer.text
    assert "无令牌" not in client.get("/").text


def test_thirty_minutes_without_a_request_end_the_session(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "officer1")
    clock.advance(minutes=29)
    assert client.get("/", follow_redirects=False).status_code == 200  # a request: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/", follow_redirects=False).status_code == 200
    clock.advance(minutes=31)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_eight_hours_end_the_session_however_busy(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "officer1")
    for _ in range(16):
        clock.advance(minutes=29)
        assert client.get("/", follow_redirects=False).status_code == 200
    clock.advance(minutes=29)  # 8 h 13 min after signing in
    assert client.get("/", follow_redirects=False).status_code == 303


def test_an_old_seen_cookie_cannot_be_forged_forward(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "officer1")
    clock.advance(minutes=31)
    client.cookies.set("cl_seen", f"{int(clock.now().timestamp())}.{'0' * 32}")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_on_the_server(client: TestClient) -> None:
    csrf = sign_in(client, "officer1")
    cookie = client.cookies.get("cl_session")
    assert client.post("/logout", files=form(csrf=csrf), follow_redirects=False).status_code == 303
    client.cookies.set("cl_session", cookie or "")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_password_change_ends_console_sessions(client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer1")
    changed = client.put(
        "/api/v1/auth/password",
        headers=auth("officer1"),
        json={"current_password": "correct horse battery staple", "new_password": "another long password"},
    )
    assert changed.status_code == 204, changed.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_console_pages_allow_only_their_own_scripts_and_styles(client: TestClient) -> None:
    page = client.get("/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "form-action 'self'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/api/v1/procedures/general").headers["content-security-policy"].startswith("default-src 'none'")


def test_english_on_request(client: TestClient) -> None:
    assert "登录" in client.get("/login").text
    client.get("/lang/en?next=/login")
    assert "Sign in" in client.get("/login").text
    assert "Sign in" in TestClient(client.app).get("/login", headers={"Accept-Language": "en-GB,en"}).text


def test_someone_else_signing_in_leaves_a_busy_session_alone(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "officer1")
    for _ in range(3):
        clock.advance(minutes=25)
        assert client.get("/", follow_redirects=False).status_code == 200
    sign_in(TestClient(client.app), "head")  # sweeps the sessions that ended
    assert client.get("/", follow_redirects=False).status_code == 200
