"""Helpers and fixtures shared by the test suites (registered by tests/conftest.py)."""
