"""The obligation tasks' services (see the package's docstring)."""

from __future__ import annotations

from kojin.registry.obligations.figures import task_figures

__all__ = ["task_figures"]
