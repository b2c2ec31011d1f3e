"""A vehicle's odometer readings, and the distance they show it drove over a span of time.

An odometer only goes forward: a reading is refused when it is below one read earlier (or at the same instant)
or above one read later. Distances are whole metres (readings are kept to the metre), so both SQL engines
subtract them exactly.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import define

from domain.errors import FieldErrors, InvalidInput
from domain.money import parse_decimal

MAX_ODOMETER_KM = Decimal("9999999.999")   # ten million km: no vehicle drives so far; this stops nonsense
KM_DECIMALS = 3                            # to the metre
_M_PER_KM = 1000
_METRE = Decimal("0.001")


@define
class OdometerReading:
    id: str
    organization_id: str
    vehicle_id: str
    odometer_km: Decimal
    read_at: datetime          # when the odometer showed it (aware)
    recorded_at: datetime      # when it was told to Charge

    @property
    def odometer_m(self) -> int:
        return km_to_m(self.odometer_km)

    @staticmethod
    def validate(*, odometer_km: object, read_at: datetime, now: datetime) -> Decimal:
        """The reading read exactly (in km to three places), or ``InvalidInput`` naming ``odometer_km`` or
        ``read_at``."""
        errors = FieldErrors()
        km = None
        try:
            km = parse_decimal(odometer_km, "odometer_km", max_decimals=KM_DECIMALS, numbers=True,
                               maximum=MAX_ODOMETER_KM)
        except InvalidInput as error:
            errors.errors.extend(error.errors)
        if read_at.tzinfo is None or read_at.utcoffset() is None:
            errors.add("read_at", "must carry a UTC offset")
        elif read_at > now:
            errors.add("read_at", "is in the future")
        errors.raise_if_any()
        assert km is not None
        return km.quantize(_METRE)         # shown as stored: to the metre

    def check_order(self, before: OdometerReading | None, after: OdometerReading | None) -> None:
        """Refuses a reading that goes back against ``before`` (the vehicle's last reading at or before this one's
        instant) or forward past ``after`` (its first reading at or after it): odometers don't roll back, and two
        readings of one instant agree."""
        if before is not None and self.odometer_km < before.odometer_km:
            raise InvalidInput.field("odometer_km", f"is below {before.odometer_km} km, read at "
                                                    f"{before.read_at.isoformat()}: an odometer does not go back")
        if after is not None and self.odometer_km > after.odometer_km:
            raise InvalidInput.field("odometer_km", f"is above {after.odometer_km} km, read later at "
                                                    f"{after.read_at.isoformat()}: an odometer does not go back")


def km_to_m(km: Decimal) -> int:
    return int(km * _M_PER_KM)


def m_to_km(m: int) -> Decimal:
    return Decimal(m).scaleb(-KM_DECIMALS)


# A reading as the distance queries see it: its id and its odometer in metres.
Mark = tuple[str, int]


def bracketed_distance_m(before: Mark | None, first_inside: Mark | None, last: Mark | None) -> int | None:
    """The distance driven over a window ``[from, to)``: the last reading at or before ``to`` (``last``) minus
    the last at or before ``from`` (``before``), else the first read in the window (``first_inside``); None when
    these are fewer than two readings (one, or none)."""
    start = before if before is not None else first_inside
    if start is None or last is None or start[0] == last[0]:
        return None
    return last[1] - start[1]
