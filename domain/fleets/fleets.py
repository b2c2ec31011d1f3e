"""A fleet: drivers and vehicles of one operator's customer, billed together, charging under one policy."""

from __future__ import annotations

from datetime import datetime

from attrs import define, field

from domain.errors import FieldErrors
from domain.fleets.policies import ChargingPolicy
from domain.ids import is_id
from domain.validation import name_problem


@define
class Fleet:
    id: str
    organization_id: str
    name: str
    created_at: datetime
    # Who pays for its drivers' sessions: the customer it names, else one of its own (``Customer.for_fleet``),
    # made the first time one of its sessions is billed.
    customer_id: str | None = None
    policy: ChargingPolicy = field(factory=ChargingPolicy)
    updated_at: datetime | None = None

    @staticmethod
    def validate(*, name: object, customer_id: object) -> None:
        errors = FieldErrors()
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        if customer_id is not None:
            errors.check("customer_id", isinstance(customer_id, str) and is_id(customer_id, "cus"),
                         "must be a customer id (cus_…)")
        errors.raise_if_any()
