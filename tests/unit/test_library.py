"""The names a batch job imports from entrypoints.library are kept stable: removing or renaming one, or a
parameter of a ``Charge`` method, breaks this test (and should wait for a release that says so)."""

from __future__ import annotations

import inspect

from entrypoints import library

STABLE = {
    "Charge", "Conflict", "DomainError", "Forbidden", "InvalidInput", "InvoiceRun", "NotFound", "Report",
    "ReportName", "Role", "SchemaBehind", "TariffImport", "open_charge", "report_csv", "report_json",
}

METHODS = {
    "acting_in": ["organization_id", "role"],
    "import_tariffs": ["self", "organization_id", "documents"],
    "report": ["self", "organization_id", "name", "start", "end", "group_by", "location_id", "rank_by",
               "fleet_id"],
    "invoice_month": ["self", "organization_id", "month", "finalize"],
}


def test_every_stable_name_is_exported():
    assert set(library.__all__) >= STABLE
    assert all(hasattr(library, name) for name in library.__all__)


def test_the_methods_of_charge_keep_their_parameters():
    for name, parameters in METHODS.items():
        signature = inspect.signature(getattr(library.Charge, name))
        assert list(signature.parameters)[: len(parameters)] == parameters, name
        added = list(signature.parameters.values())[len(parameters):]
        assert all(p.default is not inspect.Parameter.empty for p in added), f"{name}: a new parameter needs a default"


def test_open_charge_takes_the_database_url_first():
    parameters = inspect.signature(library.open_charge).parameters
    assert list(parameters)[:2] == ["database_url", "migrate"]
    assert parameters["migrate"].default is False
