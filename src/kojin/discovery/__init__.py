"""Discovery: finding personal information in text, files and databases (R-PM-1).

Detectors are data (``builtin_detectors.yaml``, extensible by YAML); one RE2 pass finds
candidates, validators and context words decide; findings carry masked values only.

Interfaces call :mod:`kojin.discovery.service` (build a scanner, scan, fold the results, compare
them with the ledger). This package itself imports nothing, so that a light module such as
:mod:`kojin.discovery.defaults` can be read without RE2, DuckDB or Arrow.
"""
