"""The API's request and response models of auth: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.auth.duties import incompatible_holdings
from service.auth.models import User
from service.auth.permissions import SeparationOfDuties
from service.inputs import Line


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class AgencySummary(BaseModel):
    code: str
    name: str


class Me(BaseModel):
    user_id: str
    username: str
    display_name: str
    agency: AgencySummary
    roles: list[str]
    permissions: list[str]
    token_expires_at: str
    officer_id: str | None = Field(
        None,
        description="the enforcement officer this account is (GET /api/v1/officers): the id by which steps and "
        "cases name the officer, not the user id; null for an account that is no officer",
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    roles: list[str]
    disabled: bool
    created_at: datetime
    updated_at: datetime
    incompatible_roles: list[str] = Field(
        description="Roles this account holds that one person may not hold together (separation of duties in "
        "policies/roles.yaml), as 'admin+officer': granted before the rule, kept until the roles are next changed; "
        "give one of them to another person. Empty for an account the rule allows."
    )

    @classmethod
    def of(cls, user: User, duties: SeparationOfDuties) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=list(user.roles),
            disabled=user.disabled,
            created_at=user.created_at,
            updated_at=user.updated_at,
            incompatible_roles=incompatible_holdings(duties, user.roles),
        )


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Line = Field(min_length=2, max_length=64)
    display_name: Line = Field(default="", max_length=200)
    roles: list[str] = Field(min_length=1, max_length=5)
    password: str = Field(min_length=1, max_length=1024)


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[str] = Field(min_length=1, max_length=5)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)
