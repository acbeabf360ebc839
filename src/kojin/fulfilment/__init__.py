"""Fulfilment of data-subject requests in the company's own stores.

A request's fulfilment is a persisted job of per-collection tasks: locate the person's rows by
following the data map's references from the identities the request verified, then export,
correct or erase them, collection by collection, in an order that respects references. Jobs are
run by workers: in the server's own process on the embedded default, or by any number of
``kojin worker`` processes sharing a PostgreSQL registry.
"""
