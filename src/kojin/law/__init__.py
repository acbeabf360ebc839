"""The law as code: APPI and the My Number Act as data and pure rule functions.

Standard library and pydantic only. The organization's policy reaches this layer as
:class:`kojin.law.policy_facts.PolicyFacts`, built by ``kojin.policy``; nothing here imports it.
"""
