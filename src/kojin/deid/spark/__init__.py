"""De-identification on Spark: the rows stay in the executors, only aggregates reach the driver.

- :mod:`kojin.deid.spark.anonymize`: anonymized information (Art. 43) with the lattice search
  over per-node aggregates computed in Spark;
- :mod:`kojin.deid.spark.pseudonymize`: pseudonymized information (Art. 41) with keyed tokens
  computed in the executors.

Both give the same tables, levels, tokens, reports and registry records as the embedded engines.
"""
