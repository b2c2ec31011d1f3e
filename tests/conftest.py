"""Registers the shared fixtures; the fixtures themselves live in tests/support."""

pytest_plugins = ["tests.support.databases", "tests.support.localstripe_process"]


def pytest_collection_modifyitems(config, items):
    """A test marked ``postgres_only`` says something only PostgreSQL can show (a dropped connection):
    its SQLite parametrizations are deselected, so they neither run nor count as skipped."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "id", "")
        if item.get_closest_marker("postgres_only") and "sqlite" in params.split("-"):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
