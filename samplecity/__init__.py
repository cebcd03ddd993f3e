"""The bundled sample city: a local portal with planted defects and their ground truth."""

from __future__ import annotations

from .server import SampleCity, start

__all__ = ["SampleCity", "start"]
