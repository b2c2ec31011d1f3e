"""The checked-in contract (contracts/openapi.json) is exactly what the server serves."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from entrypoints.rest.openapi import build_openapi
from entrypoints.rest.routes import ENDPOINTS

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "openapi.json"


async def test_the_served_document_is_the_checked_in_contract(client):
    served = await client.get("/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert CONTRACT.exists(), "contracts/openapi.json is missing: run `make openapi`"
    checked_in = CONTRACT.read_bytes()
    assert served.content == checked_in, (
        "contracts/openapi.json differs from the document the server serves: run `make openapi` and commit it")


def test_every_endpoint_is_documented_with_its_errors():
    document = build_openapi()
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        assert str(endpoint.status) in operation["responses"]
        for status in endpoint.error_statuses:
            name = operation["responses"][str(status)]["$ref"].rsplit("/", 1)[1]
            content = document["components"]["responses"][name]["content"]
            assert list(content) == ["application/problem+json"]
        if endpoint.body is not None:
            assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ("security" in operation) == endpoint.public


def test_every_schema_in_the_document_is_valid_json_schema():
    document = build_openapi()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearer"][
            "description"]}
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    json.dumps(document)  # serialisable as is
