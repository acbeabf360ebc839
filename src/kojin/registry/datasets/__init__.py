"""De-identified datasets: pseudonymized and anonymized information created by kojin.deid.

The package exports the schemas; the functions that use the database are in
:mod:`kojin.registry.datasets.service` (so that a command can name a dataset type without
loading the database layer).
"""

from kojin.registry.datasets.schemas import DatasetCreate, DatasetForm, DatasetOut

__all__ = ["DatasetCreate", "DatasetForm", "DatasetOut"]
