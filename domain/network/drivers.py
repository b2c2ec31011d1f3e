"""A driver and the id tags (RFID UIDs, tokens) a charge point presents for them."""

from __future__ import annotations

import re
from datetime import datetime

from attrs import define, field

from domain.errors import FieldErrors
from domain.fleets.policies import ChargingPolicy
from domain.ids import is_id
from domain.validation import email_problem, name_problem

# OCPP 2.0.1 IdToken is at most 36 characters (1.6 idTag: 20); printable ASCII without spaces.
ID_TAG = re.compile(r"^[!-~]{1,36}\Z")
MAX_ID_TAGS = 20


@define
class Driver:
    id: str
    organization_id: str
    name: str
    created_at: datetime
    email: str | None = None
    fleet_id: str | None = None
    id_tags: list[str] = field(factory=list)
    active: bool = True
    customer_id: str | None = None      # who pays for its sessions; None: its fleet's, else a customer of its own
    # Its own charging policy, which replaces its fleet's whole; None: the fleet's applies.
    policy: ChargingPolicy | None = None
    vehicle_id: str | None = None       # the vehicle it drives now (``VehicleAssignment`` keeps the history)

    @staticmethod
    def validate(*, name: object, email: object, fleet_id: object, id_tags: list[object],
                 customer_id: object = None) -> None:
        errors = FieldErrors()
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        if email is not None:
            problem = email_problem(email)
            if problem:
                errors.add("email", problem)
        if fleet_id is not None:
            errors.check("fleet_id", isinstance(fleet_id, str) and is_id(fleet_id, "flt"), "must be a fleet id (flt_…)")
        if customer_id is not None:
            errors.check("customer_id", isinstance(customer_id, str) and is_id(customer_id, "cus"),
                         "must be a customer id (cus_…)")
        errors.check("id_tags", len(id_tags) <= MAX_ID_TAGS, f"at most {MAX_ID_TAGS} id tags")
        for i, tag in enumerate(id_tags):
            errors.check(f"id_tags[{i}]", isinstance(tag, str) and bool(ID_TAG.match(tag)),
                         "1 to 36 printable characters without spaces")
        errors.check("id_tags", len(set(id_tags)) == len(id_tags), "id tags must be unique")
        errors.raise_if_any()
