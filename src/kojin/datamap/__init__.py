"""The data map: where the company's own personal data lives.

Systems hold datasets, datasets hold collections (tables, CSV or Parquet files), collections
hold fields. Each field says what it holds (discovery kinds, the policy's categories, Fides data
categories), whether it identifies a person, whether it is a key, what it references, and how it
is erased. Maps are written in kojin's YAML or brought unchanged as Fides dataset YAML.
Pure: no database, no connections; credentials never appear in a map.
"""
