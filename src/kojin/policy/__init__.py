"""The organization's personal-information handling policy as code.

Load and validate a policy file (:func:`load_policy`), compile it for the decision engine
(:func:`to_facts`) and render the published notice (:func:`render_notice`). Pure: standard
library, pydantic, PyYAML and Jinja2 only. The notice's modules load when first asked for, so
that loading and compiling a policy (``kojin decide``) never pays for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from kojin.policy.compile import to_facts
from kojin.policy.load import PolicyIssue, load_policy, parse_policy
from kojin.policy.model import Policy

if TYPE_CHECKING:
    from kojin.policy.notice import render_notice
    from kojin.policy.notice_blocks import AnonymizedDatasetNotice

#: the notice's names, with the module each is imported from on first use
_NOTICE: Mapping[str, str] = MappingProxyType(
    {
        "AnonymizedDatasetNotice": "kojin.policy.notice_blocks",
        "render_notice": "kojin.policy.notice",
    }
)


def __getattr__(name: str) -> object:
    module = _NOTICE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)


__all__ = [
    "AnonymizedDatasetNotice",
    "Policy",
    "PolicyIssue",
    "load_policy",
    "parse_policy",
    "render_notice",
    "to_facts",
]
