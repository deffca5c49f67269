"""The application's routes, walked through its included routers (FastAPI includes lazily)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _walk(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods - READ_METHODS):
                yield method, prefix + route.path


def write_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path template) that can change something."""
    return set(_walk(list(app.routes), ""))
