"""The ``caseledger`` command. Its command names are a contract other tools use; keep them."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import projections
from service.agencies.models import Agency
from service.agencies.service import AGENCY_STREAM, create_agency, get_agency_by_code
from service.audit.case_data import verify_case_data, verify_case_paths
from service.auth.duties import incompatible_holdings
from service.auth.models import User
from service.auth.permissions import SeparationOfDuties, load_role_policy
from service.auth.throttle import unlock_account
from service.auth.tokens import generate_key_file
from service.auth.users import create_user, find_user, set_disabled, set_roles
from service.cases.deadline_revision import load_notice
from service.cases.service import NUMBERING_STREAMS
from service.catalogue.service import load_version
from service.clock import SystemClock
from service.config import Settings
from service.db import Database
from service.demo import DEMO_USERS, OTHER_OFFICERS, seed_agency
from service.errors import DomainError
from service.evidence.store import EvidenceStore
from service.keyfiles import write_private_file
from service.ledger.audit import agency_logs, verify_log, verify_replay
from service.ledger.errors import VerificationError
from service.ledger.incremental import verify_since
from service.ledger.integrator import CheckpointPolicy, SignerCache
from service.ledger.keys import load_agency_key
from service.ledger.note import NoteSigner, NoteVerifier
from service.ledger.projection import UnknownEntryType
from service.ledger.runner import IntegratorRunner
from service.ledger.verified_state import StateFileError, read_state, write_state
from service.logs import log_config
from service.migrations import upgrade_to_head
from service.officers.policy import load_officer_policy
from service.policy.calendar import CalendarNoticeError, local_date, read_notice_file
from service.policy.notices import (
    CALENDAR_STREAM,
    adopt_loaded_notices,
    agency_calendar,
    calendar_years,
    loaded_notices,
    missing_notice_warning,
)
from service.policy.versions import record_policy_versions
from service.runtime import TOKEN_KEY_FILE, load_case_context
from service.signing.client import fetch_statement, generate_key, load_key, statement_paths, submit

CLI_ACTOR = "system:cli"
DEMO_AGENCY = ("tiemen", "铁门乡人民政府")

app = typer.Typer(
    help="caseledger: enforcement case management with a tamper-evident ledger.",
    no_args_is_help=True,
    add_completion=False,
)
agency_app = typer.Typer(help="Agencies (执法主体): each has its own ledger and checkpoint key.", no_args_is_help=True)
user_app = typer.Typer(help="Users of an agency and their roles.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")
catalogue_app = typer.Typer(help="The enforcement catalogue (执法事项清单) of an agency.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(catalogue_app, name="catalogue")
calendar_app = typer.Typer(
    help="The national working-day calendar: the State Council's holiday notices (国务院办公厅部分节假日安排).",
    no_args_is_help=True,
)
app.add_typer(calendar_app, name="calendar")

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # a path or a message is never broken across lines


def _settings() -> Settings:
    return Settings()


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _database(settings: Settings) -> Database:
    projections.load_all()
    return Database(settings.resolved_database_url)


def _integrate(settings: Settings, database: Database) -> None:
    """Place what the command wrote in the Merkle log and sign a checkpoint, before the command returns."""
    IntegratorRunner(
        database,
        SignerCache(settings.keys_dir),
        CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_seconds),
        SystemClock(),
    ).run_once(force_checkpoint=True)


def initialise(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.evidence_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade_to_head(settings.resolved_database_url)
    token_key = settings.keys_dir / TOKEN_KEY_FILE
    if not token_key.exists():
        generate_key_file(token_key)


@app.command()
def init() -> None:
    """Create the data directory, run the migrations and generate the token-signing key (idempotent)."""
    settings = _settings()
    initialise(settings)
    console.print(f"data directory [bold]{settings.data_dir.resolve()}[/bold] ready; database at head")


@catalogue_app.command("load")
def catalogue_load(
    agency: Annotated[str, typer.Option(help="agency code")],
    file: Annotated[Path, typer.Argument(help="catalogue file (YAML, see policies/catalogue/README.md)")],
) -> None:
    """Load a catalogue version; it is refused, listing every problem, if the file has any error."""
    settings = _settings()
    database = _database(settings)
    try:
        content = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {file}: {exc}", 2) from None
    try:
        with database.transaction() as session:
            found = get_agency_by_code(session, agency)
            loaded = load_version(
                session, found, content=content, source=file.name, actor=CLI_ACTOR, at=SystemClock().now()
            )
    except DomainError as exc:
        for problem in exc.extra.get("problems", [exc.detail_en]):
            errors.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(1) from None
    _integrate(settings, database)
    console.print(f"catalogue version {loaded.version} loaded for {agency}: {len(loaded.items)} items")


@calendar_app.command("load")
def calendar_load(
    file: Annotated[Path, typer.Argument(help="the notice for one year (YAML; see policies/calendar/README.md)")],
) -> None:
    """Load the State Council's holiday notice for a year into every agency's ledger and recount the open
    deadlines it moves. Refused whole, listing every problem, if any date is wrong."""
    settings = _settings()
    database = _database(settings)
    try:
        notice = read_notice_file(file)
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc}", 2) from None
    except CalendarNoticeError as exc:
        for problem in exc.problems:
            errors.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(1) from None
    with database.transaction() as session:
        loaded = load_notice(session, load_case_context(settings), notice, CLI_ACTOR, SystemClock().now())
    _integrate(settings, database)
    if not loaded.recorded_in:
        console.print(f"the notice for {loaded.year} ({loaded.version}) was already in force: nothing recorded")
        return
    console.print(
        f"notice for {loaded.year} ({loaded.version}) recorded in {', '.join(loaded.recorded_in)}; "
        f"{loaded.deadlines_revised} deadline(s) recounted"
    )
    table = Table("agency", "case", "deadline", "before", "now")
    for code, revisions in loaded.revisions.items():
        for revision in revisions:
            for change in revision.changes:
                before = change["before"]
                table.add_row(
                    code,
                    revision.case_number or str(revision.case_id),
                    change["name"],
                    "—" if before is None else before["due_on"] + (" (provisional)" if before["provisional"] else ""),
                    change["due_on"] + (" (provisional)" if change["provisional"] else ""),
                )
    if loaded.deadlines_revised:
        console.print(table)


@calendar_app.command("show")
def calendar_show(
    agency: Annotated[str, typer.Option(help="agency code")],
    first: Annotated[int | None, typer.Option(help="first year (default: last year)")] = None,
    last: Annotated[int | None, typer.Option(help="last year (default: next year)")] = None,
) -> None:
    """Which years an agency's deadlines count on an official notice, and which provisionally."""
    settings = _settings()
    database = _database(settings)
    context = load_case_context(settings)
    today = local_date(SystemClock().now())
    with database.transaction() as session:
        try:
            found = get_agency_by_code(session, agency)
        except DomainError as exc:
            raise _fail(exc.detail_en) from None
        calendar = agency_calendar(session, context.calendar, found.id)
        years = calendar_years(
            calendar, loaded_notices(session, found.id), first or today.year - 1, last or today.year + 1
        )
        warning = missing_notice_warning(calendar, today)
    table = Table("year", "status", "notice", "source")
    for y in years:
        table.add_row(str(y.year), "official" if y.official else "provisional", y.notice or "—", y.source)
    console.print(table)
    if warning:
        errors.print(f"[yellow]warning:[/yellow] {warning['text_en']}")


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="short code, e.g. tiemen")],
    name: Annotated[str, typer.Argument(help="full name, e.g. 铁门乡人民政府")],
) -> None:
    """Add an agency, with its own ledger and Ed25519 checkpoint-signing key."""
    settings = _settings()
    database = _database(settings)
    try:
        with database.transaction() as session:
            agency = create_agency(
                session,
                code=code,
                name=name,
                keys_dir=settings.keys_dir,
                origin_base=settings.log_origin_base,
                actor=CLI_ACTOR,
                at=SystemClock().now(),
            )
            record_policy_versions(session, agency, settings.policies_dir, CLI_ACTOR, SystemClock().now())
            # The calendar is national: a new agency counts on the notices the others loaded.
            adopt_loaded_notices(session, agency, CLI_ACTOR, SystemClock().now())
            vkey = agency.checkpoint_vkey
    except DomainError as exc:
        raise _fail(exc.detail_en) from None
    _integrate(settings, database)
    console.print(f"agency [bold]{code}[/bold] added; checkpoint verifier key:\n{vkey}")


@user_app.command("add")
def user_add(
    agency: Annotated[str, typer.Option(help="agency code")],
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[list[str], typer.Option(help="officer, reviewer, head, supervisor or admin; repeatable")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    display_name: Annotated[str, typer.Option(help="name shown to people")] = "",
) -> None:
    """Add a user. The password is read from standard input, never from the command line.

    Roles one person may not hold together (policies/roles.yaml: separation_of_duties) are refused.
    """
    if not password_stdin:
        raise _fail("pass --password-stdin and give the password on standard input", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings()
    database = _database(settings)
    try:
        with database.transaction() as session:
            found = get_agency_by_code(session, agency)
            create_user(
                session,
                found,
                username=username,
                display_name=display_name or username,
                roles=role,
                password=password,
                duties=load_role_policy(settings.policies_dir / "roles.yaml").duties,
                actor=CLI_ACTOR,
                at=SystemClock().now(),
            )
    except DomainError as exc:
        raise _fail(exc.detail_en) from None
    _integrate(settings, database)
    console.print(f"user [bold]{username}[/bold] added to {agency} with roles {', '.join(sorted(role))}")


def _change_user(username: str, change: Callable[[Session, Agency, User, SeparationOfDuties], str]) -> None:
    """Apply ``change`` to ``username`` in one transaction, under the same rules as the API (the separation of
    duties of policies/roles.yaml); print what it says, or the rule that refused it."""
    settings = _settings()
    database = _database(settings)
    duties = load_role_policy(settings.policies_dir / "roles.yaml").duties
    try:
        with database.transaction() as session:
            user = find_user(session, username)
            agency = session.get(Agency, user.agency_id)
            assert agency is not None
            done = change(session, agency, user, duties)
    except DomainError as exc:
        raise _fail(exc.detail_en) from None
    _integrate(settings, database)
    console.print(done)


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user: their tokens stop working at once. The agency's last active admin is not disabled."""

    def disable(session: Session, agency: Agency, user: User, duties: SeparationOfDuties) -> str:
        set_disabled(session, agency, user, True, duties=duties, actor=CLI_ACTOR, at=SystemClock().now())
        return f"user [bold]{username}[/bold] disabled"

    _change_user(username, disable)


@user_app.command("enable")
def user_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled user; tokens issued before they were disabled stay refused."""

    def enable(session: Session, agency: Agency, user: User, duties: SeparationOfDuties) -> str:
        set_disabled(session, agency, user, False, duties=duties, actor=CLI_ACTOR, at=SystemClock().now())
        return f"user [bold]{username}[/bold] enabled"

    _change_user(username, enable)


@user_app.command("roles")
def user_roles(
    username: Annotated[str, typer.Argument()],
    role: Annotated[list[str], typer.Option(help="the user's roles from now on; repeatable")],
) -> None:
    """Replace a user's roles (their tokens stop working). Roles one person may not hold together, and taking the
    admin role from the agency's last active admin, are refused as through the API."""

    def change_roles(session: Session, agency: Agency, user: User, duties: SeparationOfDuties) -> str:
        set_roles(session, agency, user, role, duties=duties, acting_user=None, actor=CLI_ACTOR, at=SystemClock().now())
        return f"user [bold]{username}[/bold] now has roles {', '.join(sorted(set(role)))}"

    _change_user(username, change_roles)


@user_app.command("unlock")
def user_unlock(username: Annotated[str, typer.Argument()]) -> None:
    """Clear the failed sign-ins counted against a user's account, so that they can sign in from anywhere again
    (strangers' wrong passwords lock an account for a window). Recorded in the user's ledger stream."""

    def unlock(session: Session, agency: Agency, user: User, duties: SeparationOfDuties) -> str:
        had = unlock_account(session, agency, user, actor=CLI_ACTOR, at=SystemClock().now())
        return f"user [bold]{username}[/bold] unlocked" + ("" if had else " (no failed sign-ins were counted)")

    _change_user(username, unlock)


def _incompatible_accounts(session: Session, agency: str | None) -> list[tuple[str, User, list[str]]]:
    duties = load_role_policy(_settings().policies_dir / "roles.yaml").duties
    query = select(User, Agency.code).join(Agency, Agency.id == User.agency_id).order_by(Agency.code, User.username)
    if agency:
        query = query.where(Agency.code == agency)
    return [(code, user, incompatible_holdings(duties, user.roles)) for user, code in session.execute(query)]


def _warn_incompatible(flagged: list[tuple[str, User, list[str]]]) -> None:
    errors.print(
        f"[yellow]warning:[/yellow] {len(flagged)} account(s) hold roles one person may not hold together "
        "(policies/roles.yaml: separation_of_duties; granted before the rule was enforced):"
    )
    for code, user, pairs in flagged:
        errors.print(f"  {code}/{user.username}: {', '.join(pairs)}")
    errors.print("give one of each pair to another person: caseledger user roles USERNAME --role ROLE ...")


@user_app.command("list")
def user_list(agency: Annotated[str | None, typer.Option(help="only this agency")] = None) -> None:
    """List users with their agency, roles and status; accounts holding roles one person may not hold together
    are flagged."""
    settings = _settings()
    database = _database(settings)
    table = Table("agency", "username", "name", "roles", "status", "separation of duties")
    with database.transaction(write=False) as session:
        accounts = _incompatible_accounts(session, agency)
    for code, user, pairs in accounts:
        table.add_row(
            code,
            user.username,
            user.display_name,
            ", ".join(user.roles),
            "disabled" if user.disabled else "active",
            "[red]incompatible: " + ", ".join(pairs) + "[/red]" if pairs else "",
        )
    console.print(table)
    flagged = [account for account in accounts if account[2]]
    if flagged:
        _warn_incompatible(flagged)


@user_app.command("check")
def user_check(agency: Annotated[str | None, typer.Option(help="only this agency")] = None) -> None:
    """Exit 1, naming them, if any account holds roles one person may not hold together; 0 otherwise."""
    with _database(_settings()).transaction(write=False) as session:
        flagged = [account for account in _incompatible_accounts(session, agency) if account[2]]
    if flagged:
        _warn_incompatible(flagged)
        raise typer.Exit(1)
    console.print("every account holds roles one person may hold together")


def _listening_socket(host: str, port: int) -> socket.socket:
    """A listener whose accepted sockets get TCP_NODELAY.

    Stock uvicorn binds the multi-worker listener with proto 0; accepted sockets inherit it and asyncio
    then skips TCP_NODELAY, so every keep-alive request waits ~40 ms on a delayed ACK (Kludex/uvicorn#3149).
    Creating the socket with IPPROTO_TCP avoids it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run_server(host: str, port: int, workers: int, cert: Path | None = None, key: Path | None = None) -> None:
    import uvicorn  # only the serving commands need the server
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "service.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        # JSON lines with the request id; the access line's query values only for harmless parameters.
        log_config=log_config(),
        access_log=True,
        # A small office without a reverse proxy serves HTTPS itself: the console's browser signing needs a
        # secure context (WebCrypto), which anything but localhost only has over HTTPS.
        ssl_certfile=str(cert) if cert is not None else None,
        ssl_keyfile=str(key) if key is not None else None,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[_listening_socket(host, port)]).run()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    cert: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="TLS certificate chain (PEM): serve HTTPS")
    ] = None,
    key: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="TLS private key (PEM)")] = None,
) -> None:
    """Run the API server and the console (HTTPS with --cert and --key)."""
    if (cert is None) != (key is None):
        raise typer.BadParameter("--cert and --key go together")
    run_server(host, port, workers, cert, key)


def load_demo_data(settings: Settings) -> list[tuple[str, str, str]] | None:
    """Create the demo agency, users, catalogue, officers and certificates once; None if already there."""
    database = _database(settings)
    code, name = DEMO_AGENCY
    with database.transaction() as session:
        if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
            return None
        credentials = seed_agency(
            session,
            code=code,
            name=name,
            users=DEMO_USERS,
            password=None,
            keys_dir=settings.keys_dir,
            policies_dir=settings.policies_dir,
            officer_policy=load_officer_policy(settings.policies_dir / "officers.yaml"),
            origin_base=settings.log_origin_base,
            actor=CLI_ACTOR,
            at=SystemClock().now(),
            other_officers=OTHER_OFFICERS,
        )
    _integrate(settings, database)
    return credentials


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Initialise, load the demo agency 铁门乡人民政府 (tiemen) with one user per role, and serve."""
    settings = _settings()
    initialise(settings)
    credentials = load_demo_data(settings)
    if credentials is not None:
        table = Table(
            "username", "roles", "password", title="demo users (shown once; also in var/demo-credentials.txt)"
        )
        for row in credentials:
            table.add_row(*row)
        console.print(table)
        creds_file = settings.data_dir / "demo-credentials.txt"
        write_private_file(creds_file, "".join(f"{u}\t{r}\t{p}\n" for u, r, p in credentials).encode())
    else:
        console.print(f"demo data already loaded; credentials are in {settings.data_dir / 'demo-credentials.txt'}")
    console.print(f"API docs: [bold]http://{host}:{port}/docs[/bold]")
    run_server(host, port, 1)


def _trusted_verifier(settings: Settings, code: str, origin: str, vkey_file: Path | None) -> NoteVerifier:
    """The key checkpoints must be signed with: a verifier key the supervisor holds, or the key file."""
    if vkey_file is not None:
        return NoteVerifier.from_vkey(vkey_file.read_text().strip())
    try:
        return NoteSigner(origin, load_agency_key(settings.keys_dir, code)).verifier()
    except FileNotFoundError:
        raise _fail(
            f"no checkpoint key file for {code}: pass --vkey with the agency's published verifier key", 2
        ) from None


def _advancer(bar: Progress, task: TaskID) -> Callable[[str, int, int | None], None]:
    def advance(_phase: str, n: int, _total: int | None) -> None:
        bar.advance(task, n)

    return advance


@app.command()
def verify(
    agency: Annotated[str | None, typer.Option(help="verify only this agency's ledger")] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="a signed checkpoint kept outside the database, to hold the log to")
    ] = None,
    vkey: Annotated[Path | None, typer.Option(help="the agency's verifier key (default: from its key file)")] = None,
    replay_state: Annotated[
        bool, typer.Option("--replay/--no-replay", help="replay the ledger into current state")
    ] = True,
    since: Annotated[
        Path | None,
        typer.Option(
            help="verify only what was added since the checkpoint this state file records (written by "
            "--save-state or a previous --since run, which updates it); needs --agency"
        ),
    ] = None,
    save_state: Annotated[
        Path | None,
        typer.Option(help="after a full run that verifies, write the state --since starts from; needs --agency"),
    ] = None,
) -> None:
    """Verify the ledger: hashes, stream chains, Merkle roots, checkpoint signatures, heads, each case's path
    through its procedure, and the replay. With --since, only what was added since a verified checkpoint (the
    README says what that checks and what it leaves to a full run).

    Exit status 0 when everything holds, 1 on tampering (naming the first bad entry or row), 2 on usage errors
    (a state file missing or not this agency's included).
    """
    settings = _settings()
    database = _database(settings)
    if (since is not None or save_state is not None) and agency is None:
        raise _fail("--since and --save-state need --agency: a state belongs to one agency's log", 2)
    if since is not None:
        if save_state is not None or checkpoint is not None:
            raise _fail("--since updates its own state file; it takes neither --save-state nor --checkpoint", 2)
        assert agency is not None
        _verify_since(settings, database, agency, since, vkey)
        return
    external = None
    if checkpoint is not None:
        try:
            external = checkpoint.read_text()
        except OSError as exc:
            raise _fail(f"cannot read {checkpoint}: {exc}", 2) from None
    with database.transaction(write=False) as session:
        logs = agency_logs(session, agency)
    if not logs:
        raise _fail(f"no ledger for agency {agency!r}" if agency else "no agency has a ledger yet", 2)
    if external is not None and len(logs) != 1:
        raise _fail("--checkpoint needs --agency: a checkpoint belongs to one agency's log", 2)
    failed = False
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=errors
    ) as bar:
        for log in logs:
            task = bar.add_task(f"{log.code}: entries", total=log.size)
            try:
                trusted = _trusted_verifier(settings, log.code, log.origin, vkey)
                with database.transaction(write=False) as session:
                    recorded = session.scalar(select(Agency.checkpoint_vkey).where(Agency.id == log.agency_id))
                    if recorded != trusted.vkey():
                        raise VerificationError(
                            f"agency {log.code}: the verifier key recorded in the database is not the trusted key"
                        )
                    report = verify_log(
                        session,
                        log,
                        trusted,
                        external_checkpoint=external,
                        progress=_advancer(bar, task),
                        keep_state=save_state is not None,
                    )
                bar.update(task, completed=log.size)
            except VerificationError as exc:
                bar.stop()
                errors.print(f"[red]TAMPERING DETECTED[/red] in {log.code}: {exc.reason}")
                failed = True
                break
            try:
                with database.transaction(write=False) as session:
                    data = verify_case_data(session, log.agency_id, EvidenceStore(settings.evidence_dir))
                    paths = verify_case_paths(session, log.agency_id, log.code, settings.policies_dir)
            except VerificationError as exc:
                bar.stop()
                errors.print(f"[red]TAMPERING DETECTED[/red] in {log.code}: {exc.reason}")
                failed = True
                break
            console.print(
                f"{log.code}: {report.log_size} entries, {report.streams} streams, {report.checkpoints} signed "
                f"checkpoints (latest at size {report.latest_checkpoint_size}), {report.pending} pending, "
                f"{data.evidence_files} evidence files, {data.parties} parties — all verify"
            )
            console.print(
                f"{log.code}: {paths.streams} cases re-run through their procedure ({paths.steps} steps), "
                f"{len(paths.unchecked)} not checked against the procedure"
            )
            for note in data.erased:
                console.print(f"  erased: {note}")
            for note in paths.unchecked:
                console.print(f"  notice: {note}")
            for note in report.notes:
                console.print(f"  note: {note}")
        if not failed and replay_state:
            task = bar.add_task("replay", total=None)
            try:
                rows = verify_replay(
                    database,
                    logs,
                    only_agency=logs[0].agency_id if agency else None,
                    progress=_advancer(bar, task),
                )
            except VerificationError as exc:
                bar.stop()
                errors.print(f"[red]TAMPERING DETECTED[/red] in current state: {exc.reason}")
                failed = True
            except UnknownEntryType as exc:  # written by another version of caseledger, or by something else
                bar.stop()
                errors.print(f"[red]CANNOT REPLAY[/red]: {exc.args[0]} in this version of caseledger")
                failed = True
            else:
                console.print(f"replay: {rows} current-state rows equal the ledger's replay")
    if failed:
        raise typer.Exit(1)
    if save_state is not None and report.state is not None:
        write_state(save_state, report.state)
        console.print(f"state at the checkpoint of size {report.state.size} written to {save_state}")


# The streams `verify --since` replays besides those the new entries touch (see its use below).
REPLAY_CONTEXT = (AGENCY_STREAM, CALENDAR_STREAM, f"{NUMBERING_STREAMS}*")


def _verify_since(settings: Settings, database: Database, agency: str, state_file: Path, vkey: Path | None) -> None:
    with database.transaction(write=False) as session:
        logs = agency_logs(session, agency)
    if not logs:
        raise _fail(f"no ledger for agency {agency!r}", 2)
    log = logs[0]
    trusted = _trusted_verifier(settings, log.code, log.origin, vkey)
    try:
        state = read_state(state_file, agency=log.code, origin=log.origin, trusted=trusted)
    except StateFileError as exc:
        raise _fail(f"state file: {exc}", 2) from None
    try:
        with database.transaction(write=False) as session:
            recorded = session.scalar(select(Agency.checkpoint_vkey).where(Agency.id == log.agency_id))
            if recorded != trusted.vkey():
                raise VerificationError(
                    f"agency {log.code}: the verifier key recorded in the database is not the trusted key"
                )
            # The agency's row holds what its own stream and its calendar's record (the notices' versions): both
            # are replayed with the touched streams, and so are the agency's case numberings, whose entries give
            # the cases their numbers (those of the cases replayed are applied). Its officers' version, counted
            # over every officer's stream, is left to the whole replay (service/ledger/replay.py, ``_stream_local``).
            report, new_state = verify_since(session, log, trusted, state, REPLAY_CONTEXT)
    except VerificationError as exc:
        errors.print(f"[red]TAMPERING DETECTED[/red] in {log.code}: {exc.reason}")
        raise typer.Exit(1) from None
    except UnknownEntryType as exc:
        errors.print(f"[red]CANNOT REPLAY[/red]: {exc.args[0]} in this version of caseledger")
        raise typer.Exit(1) from None
    write_state(state_file, new_state)
    console.print(
        f"{log.code}: entries {report.old_size}–{report.new_size - 1} ({report.new_size - report.old_size} new, "
        f"{report.checkpoints} signed checkpoints) verify, consistent with the verified checkpoint at size "
        f"{report.old_size}; {report.streams} streams touched, their {report.replayed_entries} entries replayed, "
        f"{report.compared_rows} current-state rows equal; state updated in {state_file}"
    )


@app.command()
def keygen(out: Annotated[Path, typer.Option(help="where to write your private key (mode 0600)")]) -> None:
    """Make an Ed25519 signing key pair; register the printed public key at /api/v1/signing-keys."""
    try:
        public, kid = generate_key(out)
    except FileExistsError:
        raise _fail(f"{out} exists: a key is never overwritten", 2) from None
    console.print(f"private key written to {out} (keep it to yourself)\npublic key: {public}\nkey id: {kid}")


@app.command()
def sign(
    key: Annotated[Path, typer.Option(help="your Ed25519 private key file (caseledger keygen)")],
    case: Annotated[str, typer.Option(help="case id")],
    server: Annotated[str, typer.Option(help="the caseledger server")] = "http://127.0.0.1:8000",
    username: Annotated[str, typer.Option(help="your username (you are asked for the password)")] = "",
    review: Annotated[str | None, typer.Option(help="sign this legal review's opinion")] = None,
    decision: Annotated[bool, typer.Option("--decision", help="sign the case's decision (heads)")] = False,
    discussion: Annotated[
        bool, typer.Option("--discussion", help="sign the collective discussion (its chair)")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Sign a statement locally with your own key and submit the signature; the key never leaves this machine."""
    if sum([review is not None, decision, discussion]) != 1:
        raise _fail("say what to sign: exactly one of --review ID, --decision, --discussion", 2)
    try:
        private = load_key(key)
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot read the key: {exc}", 2) from None
    token = os.environ.get("CASELEDGER_TOKEN", "")
    with httpx.Client(base_url=server, timeout=30) as http:
        if not token:
            password = typer.prompt("password", hide_input=True)
            response = http.post("/api/v1/auth/token", data={"username": username, "password": password})
            if response.status_code != 200:
                raise _fail(f"sign-in refused: {response.text}")
            token = response.json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        purpose = "decision" if decision else "collective_discussion" if discussion else None
        statement_path, signature_path = statement_paths(case, review, purpose)
        try:
            statement, content = fetch_statement(http, statement_path)
        except (httpx.HTTPError, ValueError) as exc:
            raise _fail(f"cannot fetch the statement: {exc}") from None
        console.print_json(data=content)
        if not yes and not typer.confirm("sign this statement?"):
            raise typer.Exit(1)
        response = submit(http, signature_path, private, statement)
    if response.status_code >= 300:
        raise _fail(f"signature refused: {response.text}")
    console.print("signature accepted")


@app.command("verify-bundle")
def verify_bundle_command(
    file: Annotated[Path, typer.Argument(help="the exported bundle (.zip)")],
    vkey: Annotated[
        Path | None, typer.Option(help="the agency's published verifier key, to hold the bundle to")
    ] = None,
) -> None:
    """Verify an exported case bundle with no server and no database (exit 0 when it holds, 1 if not)."""
    from service.audit.bundle_cli import main as verify_bundle_main

    raise typer.Exit(verify_bundle_main([str(file), *(["--vkey", str(vkey)] if vkey else [])]))


@app.command("verify-document")
def verify_document_command(
    file: Annotated[Path, typer.Argument(help="the issued document (.pdf) or its proof-carrying copy")],
    proof: Annotated[
        Path | None, typer.Option(help="the JSON of the document's verification page, for a PDF without a proof")
    ] = None,
    vkey: Annotated[Path | None, typer.Option(help="the agency's published verifier key, to hold it to")] = None,
) -> None:
    """Verify a printed document's file offline against its entry, inclusion proof and signed checkpoint."""
    from service.documents.verify_cli import main as verify_document_main

    options = [*(["--proof", str(proof)] if proof else []), *(["--vkey", str(vkey)] if vkey else [])]
    raise typer.Exit(verify_document_main([str(file), *options]))


# Backup and restore (service/backup.py holds the logic) ---------------------------------------------------


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="the archive to write (a new file; mode 0600)")],
) -> None:
    """Write the database, the keys and the evidence into one archive, with a manifest of SHA-256s signed by every
    agency's checkpoint key.

    The archive holds the signing keys and personal data: store it as you would the keys themselves.
    """
    from service.backup import BackupError, write_backup

    try:
        report = write_backup(_settings(), file, now=SystemClock().now())
    except BackupError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"backup written to {file}: {report.engine} database at {report.revision}, {report.agencies} agencies, "
        f"{report.key_files} key files, {report.evidence_files} evidence files, {report.bytes} bytes"
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="an archive written by `caseledger backup`")],
    vkey: Annotated[
        list[Path] | None,
        typer.Option(help="a file holding the published verifier key(s) of the agencies, one a line; repeatable"),
    ] = None,
) -> None:
    """Rebuild an instance from a backup, into an empty database and data directory; then run `verify`.

    Refused, with nothing written, when the database holds rows, a file in the data directory differs from the
    archive's, a member of the archive does not match its manifest, or the manifest is not signed by every
    agency's checkpoint key (with --vkey: by keys you trust).
    """
    from service.backup import BackupError, restore_backup

    try:
        trusted = [line for path in vkey or [] for line in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read the verifier keys: {exc}", 2) from None
    if vkey and not any(line.strip() for line in trusted):
        raise _fail("the --vkey file(s) hold no verifier key", 2)
    try:
        report = restore_backup(_settings(), file, trusted)
    except BackupError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"restored {report.engine} database ({report.rows} rows, schema {report.revision}, now at head), "
        f"{report.key_files} key files, {report.evidence_files} evidence files; run `caseledger verify`"
    )


@app.command()
def openapi(
    output: Annotated[Path, typer.Option(help="where to write the document")] = Path("openapi/openapi.json"),
) -> None:
    """Write the OpenAPI document of the app (committed as openapi/openapi.json)."""
    from service.openapi_doc import openapi_document, render  # builds the whole app: only when asked

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(openapi_document()))
    console.print(f"wrote {output}")


# --- caseledger evidence: the evidence store's upkeep -----------------------------------------------------------

evidence_app = typer.Typer(help="The evidence files under the data directory.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("clean")
def evidence_clean(
    delete: Annotated[
        bool, typer.Option("--delete", help="remove the files listed (without it, only list them)")
    ] = False,
) -> None:
    """List (or with --delete remove) evidence files that no entry names and that are more than a day old: left by
    uploads whose transaction rolled back. A file any entry names is never touched."""
    from service.evidence.orphans import find_orphans, remove_orphans

    settings = _settings()
    store = EvidenceStore(settings.evidence_dir)
    with _database(settings).transaction(write=False) as session:
        orphans = find_orphans(session, store, SystemClock().now())
    removed = remove_orphans(orphans, SystemClock().now()) if delete else orphans
    for orphan in removed:
        stored = orphan.modified.isoformat(timespec="minutes")
        typer.echo(f"{'deleted' if delete else 'would delete'} {orphan.path} ({orphan.size} bytes, {stored})")
    total = sum(orphan.size for orphan in removed)
    verb = "deleted" if delete else "would delete (run again with --delete)"
    typer.echo(f"{len(removed)} orphaned files, {total} bytes: {verb}" if removed else "no orphaned evidence files")


if __name__ == "__main__":
    app()
