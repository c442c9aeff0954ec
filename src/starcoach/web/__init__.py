"""The web app (``starcoach serve``): FastAPI, Jinja2 templates, vendored htmx and Chart.js."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(store_url: str | None = None, **options: object) -> FastAPI:
    """See :func:`starcoach.web.app.create_app`."""
    from starcoach.web.app import create_app as build

    return build(store_url, **options)  # type: ignore[arg-type]
