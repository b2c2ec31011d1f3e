"""Checks answers against the OpenAPI document: the status is documented and the body fits its schema."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from entrypoints.rest.openapi import build_openapi


class Conformance:
    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document or build_openapi()
        self._routes = [(re.compile("^" + re.sub(r"{\w+}", "[^/]+", path) + "$"), path)
                        for path in self.document["paths"]]
        self.checked = 0

    def _operation(self, method: str, path: str) -> dict[str, Any] | None:
        # Literal paths win over templated ones, as in the router (".../invitations/accept").
        matches = [template for pattern, template in self._routes if pattern.match(path)]
        matches.sort(key=lambda template: template.count("{"))
        for template in matches:
            operation = self.document["paths"][template].get(method.lower())
            if operation is not None:
                return operation
        return None

    def problems(self, method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
        operation = self._operation(method, path)
        if operation is None or status == 405:  # undocumented routes and methods are the router's business
            return []
        self.checked += 1
        documented = operation["responses"].get(str(status))
        if documented is None and status >= 500:
            documented = operation["responses"].get("default")
        if documented is None:
            return [f"{method} {path}: status {status} is not documented ({sorted(operation['responses'])})"]
        if "$ref" in documented:
            documented = self.document["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        content = documented.get("content")
        if content is None:
            return [] if not body else [f"{method} {path}: {status} should have no body"]
        media_type = content_type.split(";")[0].strip()
        if media_type not in content:
            return [f"{method} {path}: {status} answered {media_type}, documented {sorted(content)}"]
        if not media_type.endswith("json"):      # a document or a CSV: its media type is what is documented
            return []
        schema = {**content[media_type]["schema"], "components": self.document["components"]}
        errors = Draft202012Validator(schema).iter_errors(json.loads(body))
        return [f"{method} {path}: {status} body does not fit: {e.message} at {list(e.absolute_path)}"
                for e in errors]

    async def hook(self, response: httpx.Response) -> None:
        """An httpx response hook: fails the request that got an undocumented answer."""
        await response.aread()
        found = self.problems(response.request.method, response.request.url.path, response.status_code,
                              response.headers.get("content-type", ""), response.content)
        assert not found, "\n".join(found)
