"""The PasswordHasher contract on the real Argon2id adapter (and the test fake that stands in for it)."""

from __future__ import annotations

import pytest

from adapters.security.argon2_hasher import Argon2PasswordHasher
from tests.fakes import FastHasher


@pytest.fixture(params=["argon2", "fake"])
def hasher(request):
    if request.param == "argon2":
        return Argon2PasswordHasher(time_cost=1, memory_kib=1024, parallelism=1)
    return FastHasher()


async def test_verifies_the_right_password_only(hasher):
    stored = await hasher.hash("correct horse")
    assert "correct horse" not in stored
    assert await hasher.verify(stored, "correct horse")
    assert not await hasher.verify(stored, "correct horsf")
    assert not await hasher.verify("not-a-hash", "correct horse")


async def test_argon2_is_salted_and_memory_hard():
    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=1024, parallelism=1)
    a, b = await hasher.hash("same"), await hasher.hash("same")
    assert a != b and a.startswith("$argon2id$") and "m=1024" in a
