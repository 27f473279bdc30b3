"""What the gate reports: one Finding per way a change breaks Onyx in production."""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_FINDING = "ONYX-SCHEMA-001"
RENDER_FINDING = "ONYX-RENDER-001"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    title: str
    overlay: str
    kind: str
    name: str
    field: str
    file: str
    message: str
    scope: str = "overlay"
    waived: str = ""  # the live waiver's reason, owner and expiry; a waived finding is reported but passes  # "repo": about a repository-level object, reported once

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)
