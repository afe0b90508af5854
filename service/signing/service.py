"""Registering public signing keys (approved by an admin) and accepting signatures made with them.

Each step is a ledger entry in the key owner's stream, so which key was valid when — and who approved it —
is part of the verifiable record, and a bundle can carry the entries that make a signature checkable offline.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of, agency_ref, entry_agency_id
from service.auth.duties import check_not_own_key
from service.auth.permissions import Permission, SeparationOfDuties
from service.auth.principal import Principal
from service.errors import AlreadyExists, Conflict, Forbidden, InvalidInput, NotFound
from service.ledger.canonical import EntryContent
from service.ledger.errors import VerificationError
from service.ledger.projection import projector, record
from service.signing.models import SigningKey
from service.signing.statements import key_id as key_id_of
from service.signing.statements import public_key_from_text, verify_signature


def _stream(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def register_key(session: Session, principal: Principal, public_key: str, now: datetime) -> SigningKey:
    try:
        raw = public_key_from_text(public_key)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not an Ed25519 public key: {exc}", "不是有效的 Ed25519 公钥") from None
    kid = key_id_of(raw)
    if session.scalar(select(SigningKey.id).where(SigningKey.key_id == kid)) is not None:
        raise AlreadyExists("this key is already registered", "该公钥已登记", extra={"field": "public_key"})
    agency = agency_of(session, principal.agency_id)
    key_uuid = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream=_stream(principal.user_id),
        type="agency:signing_key:registered",
        actor=principal.actor,
        at=now,
        body={
            "key": key_uuid,
            "user_id": principal.user_id,
            "key_id": kid,
            "public_key": base64.b64encode(raw).decode("ascii"),
        },
    )
    found = session.get(SigningKey, key_uuid)
    assert found is not None
    return found


def decide_key(
    session: Session,
    principal: Principal,
    key: SigningKey,
    approve: bool,
    now: datetime,
    *,
    duties: SeparationOfDuties,
) -> SigningKey:
    """Approve or revoke ``key``. Nobody approves their own key (409 ``separation_of_duties``); anyone
    holding the permission may revoke any key, their own included."""
    if key.agency_id != principal.agency_id:
        raise NotFound("no such key", "公钥不存在")
    if approve:
        check_not_own_key(duties, principal.user_id, key.user_id)
    wanted = "approved" if approve else "revoked"
    if key.status == wanted or key.status == "revoked":
        raise Conflict(f"the key is already {key.status}", f"该公钥已处于{key.status}状态")
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=_stream(key.user_id),
        type=f"agency:signing_key:{wanted}",
        actor=principal.actor,
        at=now,
        body={"key": key.id, "key_id": key.key_id},
    )
    return key


@projector("agency:signing_key:registered")
def _registered(session: Session, entry: EntryContent) -> None:
    body = entry.body
    agency_id = entry_agency_id(session, entry)
    session.add(
        SigningKey(
            id=uuid.UUID(body["key"]),
            agency_id=agency_id,
            user_id=uuid.UUID(body["user_id"]),
            key_id=body["key_id"],
            public_key=body["public_key"],
            status="pending",
            registered_at=entry.recorded_at,
            decided_at=None,
            decided_by=None,
        )
    )


@projector("agency:signing_key:approved", "agency:signing_key:revoked")
def _decided(session: Session, entry: EntryContent) -> None:
    key = session.get(SigningKey, uuid.UUID(entry.body["key"]))
    assert key is not None
    key.status = entry.type.rsplit(":", 1)[1]
    key.decided_at = entry.recorded_at
    key.decided_by = entry.actor


def check_signature(session: Session, principal: Principal, statement: bytes, kid: str, signature_b64: str) -> str:
    """The caller's approved key ``kid`` signed ``statement``; returns the signature, normalised. 4xx otherwise."""
    key = session.scalars(select(SigningKey).where(SigningKey.key_id == kid)).one_or_none()
    if key is None or key.user_id != principal.user_id:
        raise Forbidden("that key is not one of your registered keys", "该密钥不是您登记的签名密钥")
    if key.status != "approved":
        raise Forbidden(
            f"your key is {key.status}: an admin must approve it first",
            f"您的签名密钥状态为{key.status}，须经管理员批准",
        )
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        raise InvalidInput("the signature is not base64", "签名不是有效的 base64") from None
    try:
        verify_signature(base64.b64decode(key.public_key), statement, signature)
    except VerificationError as exc:
        raise InvalidInput(
            f"signature refused: {exc.reason}", "签名无效：与所登记的公钥不符，或所签内容不是本声明"
        ) from None
    return base64.b64encode(signature).decode("ascii")


def keys_visible_to(session: Session, principal: Principal) -> list[SigningKey]:
    """The principal's own keys; for an admin (who approves keys), every key of the agency."""
    query = select(SigningKey).where(SigningKey.agency_id == principal.agency_id)
    if not principal.has(Permission.SIGNING_KEY_APPROVE):
        query = query.where(SigningKey.user_id == principal.user_id)
    return list(session.scalars(query.order_by(SigningKey.registered_at)))


def key_of(session: Session, principal: Principal, key_id: uuid.UUID) -> SigningKey:
    """A key of the principal's agency; another agency's answers 404."""
    key = session.get(SigningKey, key_id)
    if key is None or key.agency_id != principal.agency_id:
        raise NotFound("no such key", "公钥不存在")
    return key
