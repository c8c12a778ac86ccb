"""The call context a reply is judged in (see the contract's `score` input)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class CallContext(BaseModel):
    """Who is on the line, what they know, and when the call happens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str = Field("zh", description="language of the rule pack: zh (default) or en")
    counterpart: Literal["debtor", "third_party"] = "debtor"
    third_party_informed: bool = Field(
        False, description="the third party is a guarantor or already knows of the loan")
    identity_verified: bool = Field(True, description="the debtor has confirmed who they are")
    clock: str = Field("10:30", description="local time of the call, 24h HH:MM")
    calls_today: int = Field(1, ge=1, description="calls to this person today, this one included")
    lawsuit_filed: bool = Field(False, description="is there really a lawsuit?")
    profile: str | None = Field(
        None, description="rule-pack profile for hours and call limits (default: the pack's)")

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        m = _CLOCK.match(value.strip())
        if not m:
            raise ValueError(f"clock must be HH:MM (24h), got {value!r}")
        return f"{int(m.group(1)):02d}:{m.group(2)}"

    @field_validator("profile")
    @classmethod
    def _profile_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A profile must be one the language's rule pack defines (an unknown language is refused
        where the pack is loaded, naming the languages there are)."""
        if value is None:
            return value
        from .rulepack import available_languages, get_pack

        lang = info.data.get("lang", "zh")
        if lang not in available_languages():
            return value
        profiles = get_pack(lang).pack.profiles
        if value not in profiles:
            raise ValueError(f"unknown profile {value!r} for the {lang!r} rule pack "
                             f"(known: {', '.join(sorted(profiles))})")
        return value

    @property
    def minutes(self) -> int:
        h, m = self.clock.split(":")
        return int(h) * 60 + int(m)
