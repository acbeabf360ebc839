"""Obligation tasks: the duties recorded decisions create, followed until evidence closes them.

One task per duty, recipient and purpose, however many decisions create it (R-SEC-4, R-TP-FX-3,
R-AN-3 and the other duties of :mod:`kojin.law.obligations`); provision records stay automatic
(:mod:`kojin.registry.provisions`).
"""
