"""The organization's personal-information handling policy as code.

Load and validate a policy file (:func:`load_policy`), compile it for the decision engine
(:func:`to_facts`) and render the published notice (:func:`render_notice`). Pure: standard
library, pydantic, PyYAML and Jinja2 only.
"""

from __future__ import annotations

from kojin.policy.compile import to_facts
from kojin.policy.load import PolicyIssue, load_policy, parse_policy
from kojin.policy.model import Policy
from kojin.policy.notice import render_notice
from kojin.policy.notice_blocks import AnonymizedDatasetNotice

__all__ = [
    "AnonymizedDatasetNotice",
    "Policy",
    "PolicyIssue",
    "load_policy",
    "parse_policy",
    "render_notice",
    "to_facts",
]
