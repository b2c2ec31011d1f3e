"""A person who signs in: identified by email, authenticated by a password hash."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.errors import FieldErrors
from domain.validation import email_problem, name_problem, normalize_email

MIN_PASSWORD = 8
# A KDF over megabytes of input is a denial of service; no real password is this long.
MAX_PASSWORD = 1024


def check_password_strength(password: object, errors: FieldErrors, field: str = "password") -> None:
    if not isinstance(password, str):
        errors.add(field, "must be a string")
    elif len(password) < MIN_PASSWORD:
        errors.add(field, f"at least {MIN_PASSWORD} characters")
    elif len(password) > MAX_PASSWORD:
        errors.add(field, f"at most {MAX_PASSWORD} characters")


@define
class User:
    id: str
    email: str
    name: str
    password_hash: str
    created_at: datetime

    @classmethod
    def register(cls, *, id: str, email: str, name: str, password_hash: str, now: datetime) -> User:
        return cls(id=id, email=normalize_email(email), name=name.strip(), password_hash=password_hash,
                   created_at=now)

    @staticmethod
    def validate_signup(email: object, password: object, name: object) -> None:
        errors = FieldErrors()
        problem = email_problem(email)
        if problem:
            errors.add("email", problem)
        check_password_strength(password, errors)
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        errors.raise_if_any()
