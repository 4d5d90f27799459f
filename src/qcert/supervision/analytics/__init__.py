"""Risk analytics over the supervision hub's tables (国市监认证发〔2025〕72号 (十二): profiles,
risk research and early warning from the hub's data).

Pure analysis: the indicators and scores are ibis expressions over :class:`HubTables`, run on
whichever backend holds them (DuckDB in process by default, Spark at scale); nothing here opens
a database session of the application.
"""

from . import auditors, certificates, evidence, reporting  # noqa: F401  (they register)
from ._common import ROW
from .registry import INDICATORS, Indicator
from .tables import TABLES, HubTables, load

__all__ = ["INDICATORS", "ROW", "TABLES", "HubTables", "Indicator", "load"]
