"""Connectors to the company's own stores: SQLAlchemy databases and CSV/Parquet files (DuckDB).

Every connector works on sets: one query fetches the rows of a collection whose fields hold any
of the given values; updates and deletions are guarded so that applying the same change twice
changes nothing the second time. Credentials come from settings or the environment, never from
the map, and never appear in a message or a log line.
"""
