"""Certification schemes as data, and the reference tables they use.

A scheme is a versioned YAML file validated against :class:`Scheme` (JSON Schema
in ``docs/scheme.schema.json``). No scheme is written into code: a new scheme
is a new file. Reference tables (IAF MD 5 audit time, IAF MD 1 sampling, IAF
sector codes, audit method codes) are data too, each naming its source.
"""

from .audit_time import (
    AuditTime,
    Reason,
    SampleSizes,
    audit_time,
    random_sites,
    round_half_day,
    sample_sizes,
    scheme_audit_time,
)
from .calculations import footprint, maturity
from .errors import RuleViolation, SchemeError, SchemeNotFound
from .loader import bundled, get, json_schema, load, parse
from .model import Scheme
from .reference import audit_methods, md5_table, sectors

__all__ = [
    "AuditTime",
    "Reason",
    "RuleViolation",
    "SampleSizes",
    "Scheme",
    "SchemeError",
    "SchemeNotFound",
    "audit_methods",
    "audit_time",
    "bundled",
    "footprint",
    "get",
    "json_schema",
    "load",
    "maturity",
    "md5_table",
    "parse",
    "random_sites",
    "round_half_day",
    "sample_sizes",
    "scheme_audit_time",
    "sectors",
]
