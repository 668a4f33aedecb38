"""OpenAPI links (drf-spectacular post-processing hook): what a created record's id opens next.

A `201` of `POST /api/<things>/` links to every operation on `/api/<things>/{id}/...`, with `id` taken from
the answer's body. Clients can follow them, and the property-based test walks them (tests/test_schemathesis.py:
create a record, then read it, change it and run its steps), which generated ids alone rarely reach.
"""

from __future__ import annotations

import re

METHODS = ("get", "put", "patch", "post", "delete")


def _link_name(method: str, path: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path) if w and w != "id"]
    return method.capitalize() + "".join(w.capitalize() for w in words)


def add_links(result, generator, request, public):
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        detail = collection + "{id}/"
        links = {}
        for path, targets in paths.items():
            if not path.startswith(detail):
                continue
            for method in METHODS:
                target = targets.get(method)
                if target and "operationId" in target:
                    links[_link_name(method, path[len(collection) :])] = {
                        "operationId": target["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                    }
        if links:
            created["links"] = links
    return result
