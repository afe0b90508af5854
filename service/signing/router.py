"""``/api/v1/signing-keys``: reviewers and heads register public keys; an admin approves them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.signing import service as signing
from service.signing.schemas import (
    KeyIn,
    KeyOut,
)

router = APIRouter(prefix="/api/v1/signing-keys", tags=["signatures"])


@router.post("", response_model=KeyOut, status_code=201)
def register_key(
    body: KeyIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.SIGNING_KEY_REGISTER),
) -> KeyOut:
    """Register your Ed25519 public key (the private key never leaves your machine: `caseledger keygen`)."""
    return KeyOut.model_validate(
        signing.register_key(session, principal, body.public_key, runtime.clock.now()), from_attributes=True
    )


@router.get("", response_model=list[KeyOut])
def list_keys(session: ReadSession, principal: Principal = requires(Permission.SELF_READ)) -> list[KeyOut]:
    """Your keys; an admin sees every key of the agency."""
    return [KeyOut.model_validate(k, from_attributes=True) for k in signing.keys_visible_to(session, principal)]


@router.post("/{key_id}/approve", response_model=KeyOut)
def approve_key(
    key_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.SIGNING_KEY_APPROVE),
) -> KeyOut:
    """Approve a registered key (an admin other than its owner; recorded in the ledger)."""
    key = signing.decide_key(
        session,
        principal,
        signing.key_of(session, principal, key_id),
        True,
        runtime.clock.now(),
        duties=runtime.roles.duties,
    )
    return KeyOut.model_validate(key, from_attributes=True)


@router.post("/{key_id}/revoke", response_model=KeyOut)
def revoke_key(
    key_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.SIGNING_KEY_APPROVE),
) -> KeyOut:
    """Revoke a key: it signs nothing from now on."""
    key = signing.decide_key(
        session,
        principal,
        signing.key_of(session, principal, key_id),
        False,
        runtime.clock.now(),
        duties=runtime.roles.duties,
    )
    return KeyOut.model_validate(key, from_attributes=True)
