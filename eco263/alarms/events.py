"""What the alarm pipeline announces (pure): a tampering alarm's evidence pack was sealed.

The pipeline does not hand anything to the police: a higher domain (eco263.transfers)
listens and proposes a transfer, which people decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TamperingSealed:
    alarm_id: int
    problem_id: int | None
    enterprise_id: int | None
    division_code: str
    point_mn: str
    point_name: str
    pollutant: str
    rule_label: str
    detected_at: datetime
    pack_sha256: str
    pack_size: int
    #: The agency answerable for the point (its bureau, else its 263办); None: nobody to decide.
    agency_org_id: int | None
    #: The factor's name (总铜 for w20122), what people read.
    pollutant_label: str = ""


@dataclass(frozen=True, slots=True)
class AlarmRaised:
    """A new alarm episode was raised on a monitoring point (not an extension of one)."""

    alarm_id: int
    point_name: str
    division_code: str
    enterprise_id: int | None
    pollutant: str
    rule: str
    category: str
