from __future__ import annotations

from typing import Any

from pydantic import Field

from mamori.api.schemas.common import StrictIn


class RightsholderPut(StrictIn):
    name: str


class WorkPut(StrictIn):
    rightsholder: str
    titles: list[str] = Field(default_factory=list)


class CharacterPut(StrictIn):
    work: str
    names: list[str]
    traits: list[str] = Field(default_factory=list)
    policy: dict[str, Any] | None = Field(
        default=None, description="A mamori-registry/1 policy; null: not opted in"
    )
    ambiguous: bool | None = Field(
        default=None, description="true: a name always needs character evidence; false: never another sense"
    )
    other_senses: list[str] = Field(
        default_factory=list,
        description="word[:lang], place, given-name, surname, person, brand, product, band, title",
    )


class PolicyPut(StrictIn):
    policy: dict[str, Any] | None = Field(
        description="A mamori-registry/1 policy; null removes it (generation blocked)"
    )
