"""Registers the shared fixtures; the fixtures themselves live in tests/support."""

pytest_plugins = ["tests.support.databases"]
