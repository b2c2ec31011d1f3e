"""Adapters: implementations of the application's ports (SQL, mail, security, in-memory fakes)."""
