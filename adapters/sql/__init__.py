"""The SQL storage adapter: SQLite (embedded default) and PostgreSQL behind one SQLAlchemy Core code path."""
