"""De-identification: pseudonymized (APPI Art. 41) and anonymized (Art. 43) information.

- :mod:`kojin.deid.service` — what the interfaces call: anonymize, pseudonymize, re-key;
- :mod:`kojin.deid.anonymize` — full-domain generalization and suppression chosen by an optimal
  lattice search under k-anonymity, l-diversity and t-closeness, with a risk report;
- :mod:`kojin.deid.pseudonymize` — keyed tokens, deletions and coding down by column role;
- :mod:`kojin.deid.results` — the frozen results and :func:`published_items` for the notice.

A service package: it does not import the interfaces (api, cli, web). Importing the package,
the service, the choices or the results loads neither NumPy, PyArrow nor the law package.
"""
