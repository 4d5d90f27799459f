"""Projections: table rows computed from aggregates and events, and their replay check.

Rows are a pure function of an aggregate's state (plus, for the status
history, of its events and their ledger indices), so the live tables can be
rebuilt from the ledger and compared row by row. A unit of work writes only the
rows that changed since it loaded the aggregate, a few statements per table
(:class:`Batch`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import compress
from operator import attrgetter, is_not, itemgetter, ne
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..credentials.status_lists import PublishedStatusList
from ..exchange.certsearch import CERTSEARCH_STATUS
from ..ledger.canonical import canonical_json
from ..lifecycle import events as ev
from ..lifecycle.accounts import Account
from ..lifecycle.aggregate import Aggregate
from ..lifecycle.cases import Case
from ..lifecycle.certification import Certification
from ..lifecycle.cycle import Finding
from ..lifecycle.lines import ProcessLine
from ..lifecycle.parties import Auditor, Body, Client
from . import tables as t
from .evidence_projections import device_rows, window_rows
from .hub_projections import hub_record_rows, hub_registry_rows, hub_rows
from .notice_projections import notice_rows
from .watch_projections import stream_rows

__all__ = [
    "Batch",
    "Keyed",
    "Memo",
    "Rows",
    "document_rows",
    "history_rows",
    "hub_record_rows",
    "hub_registry_rows",
    "keyed",
    "rows_for",
    "window_rows",
    "write",
]

Rows = dict[sa.Table, list[dict[str, Any]]]
Keyed = dict[sa.Table, dict[Any, dict[str, Any]]]  # rows by table and primary key


def _json(value: Any) -> str:
    """RFC 8785 canonical JSON, as on the ledger: a replay of the ledger's events writes the
    same text (a latitude entered as 39.0 is 39 on both sides)."""
    return canonical_json(value).decode()


def _stage(c: Certification) -> str:
    if c.certificate is not None:
        return c.certificate.status.value
    if c.reviewer:
        return "reviewed"
    if c.audits:
        return "auditing"
    return "contract-reviewed" if c.contract else "applied"


def rows_for(agg: Aggregate, memo: Memo | None = None) -> Rows:
    """The projection rows of one aggregate, by table.

    With ``memo`` (kept with the aggregate from one unit of work to the next), the rows of the
    collections that grow with history (findings, credentials, status-list versions, line
    alarms) are built only for items whose values changed; the others are the very rows built
    before, found by the values they were built from.
    """
    if isinstance(agg, Body):
        scopes = [
            {
                "scheme": s.scheme_id,
                "sectors": sorted(s.sectors),
                "from": s.valid_from.isoformat(),
                "to": s.valid_to.isoformat() if s.valid_to else None,
            }
            for s in agg.scopes
        ]
        return {
            t.body_keys: [
                {"body_id": agg.id, "key_id": kid, **key} for kid, key in agg.keys.items()
            ],
            t.bodies: [
                {
                    "id": agg.id,
                    "approval_no": agg.approval_no,
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "scopes": _json(scopes),
                }
            ],
        }
    hub = hub_rows(agg)
    if hub is not None:
        return hub
    devices = device_rows(agg)
    if devices is not None:
        return devices
    streams = stream_rows(agg)
    if streams is not None:
        return streams
    notices = notice_rows(agg)
    if notices is not None:
        return notices
    if isinstance(agg, Auditor):
        quals = {k: sorted(v) for k, v in agg.qualifications.items()}
        return {
            t.auditors: [{"id": agg.id, "body_id": agg.body_id, "qualifications": _json(quals)}]
        }
    if isinstance(agg, Client):
        return {
            t.clients: [
                {
                    "id": agg.id,
                    "uscc": agg.uscc,
                    "personnel": agg.personnel,
                    "sites": _json(list(agg.sites.values())),
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "confidential": agg.confidential,
                }
            ],
            t.consents: [
                {"client_id": agg.id, "body_id": body, **given}
                for body, given in sorted(agg.consents.items())
            ],
            t.invitations: [
                {
                    "id": inv_id,
                    "client_id": agg.id,
                    "role": inv["role"],
                    "expires": inv["expires"],
                    "account_id": inv.get("account_id"),
                }
                for inv_id, inv in sorted(agg.invitations.items())
            ],
        }
    if isinstance(agg, Account):
        return {
            t.accounts: [
                {"id": agg.id, "display_name": agg.display_name, "roles": _json(agg.roles)}
            ],
            t.api_keys: [
                {"key_id": key_id, "account_id": agg.id, "label": agg.labels.get(key_id, "")}
                for key_id in sorted(agg.keys)
            ],
        }
    if isinstance(agg, Case):
        return {
            t.cases: [
                {
                    "id": agg.id,
                    "kind": agg.kind_,
                    "certification_id": agg.certification_id,
                    "body_id": agg.body_id,
                    "handler": agg.handler,
                    "resolved": agg.resolved,
                    "summary": agg.summary,
                    "outcome": agg.outcome,
                    "resolved_on": agg.resolved_on,
                }
            ]
        }
    if isinstance(agg, Certification):
        return _certification_rows(agg, memo)
    if isinstance(agg, ProcessLine):
        return {
            t.line_alarms: _collection(
                memo,
                t.line_alarms,
                (agg.id,),
                [a["reading"] for a in agg.alarms],
                # top_variables as a tuple: values are compared with the ones a row was built from
                [(*_ALARM(a), tuple(a["top_variables"])) for a in agg.alarms],
                _alarm_row,
            )
        }
    if isinstance(agg, PublishedStatusList):
        return {
            t.status_lists: _collection(
                memo,
                t.status_lists,
                (agg.id,),
                [v.version for v in agg.versions],
                list(map(_PUBLISHED, agg.versions)),
                _status_list_row,
            )
        }
    raise TypeError(f"no projection for {type(agg).__name__}")


def _certification_rows(c: Certification, memo: Memo | None) -> Rows:
    cid, body = c.id, c.body_id
    out: Rows = {
        t.certifications: [
            {
                "id": c.id,
                "body_id": c.body_id,
                "client_id": c.client_id,
                "scheme_id": c.scheme_id,
                "sectors": _json(c.sectors),
                "stage": _stage(c),
                "cycle": c.cycle,
                "initial_days": c.contract.initial_days if c.contract else None,
                "decided_on": c.decided_on.isoformat() if c.decided_on else None,
                "status_list": c.status_entry[0] if c.status_entry else None,
                "status_index": c.status_entry[1] if c.status_entry else None,
            }
        ],
        t.audits: _collection(
            memo,
            t.audits,
            (cid, body),
            list(c.audits),
            [(*_AUDIT(a), _frozen(a.team)) for a in c.audits.values()],
            _audit_row,
        ),
        # Findings are frozen and replaced when they change: the very objects are the values.
        t.findings: _collection(
            memo, t.findings, (cid, body), list(c.findings), list(c.findings.values()), _finding_row
        ),
        t.certificates: [],
        t.credentials: _collection(  # frozen events, like the findings
            memo,
            t.credentials,
            (cid, body),
            list(map(_LEDGER_INDEX, c.credentials)),
            list(c.credentials),
            _credential_row,
        ),
        t.programme: [
            {
                "certification_id": c.id,
                "item": row["item"],
                "body_id": c.body_id,
                "due_by": row["due_by"].isoformat(),
                "done_on": row["done_on"].isoformat() if row["done_on"] else None,
            }
            for row in c.programme()
        ],
    }
    cert = c.certificate
    if cert is not None:
        out[t.certificates].append(
            {
                "number": cert.number,
                "certification_id": c.id,
                "body_id": c.body_id,
                "client_id": c.client_id,
                "scheme_id": c.scheme_id,
                "status": cert.status.value,
                "certsearch_status": CERTSEARCH_STATUS[cert.status],
                "scope": cert.scope,
                "sites": _json([{"site": s, "scope": cert.scope_of(s)} for s in cert.sites]),
                "issue_date": cert.issue_date.isoformat(),
                "original_issue_date": cert.original_issue_date.isoformat(),
                "expiry_date": cert.expiry_date.isoformat(),
                "deadline": cert.deadline.isoformat() if cert.deadline else None,
                "transferred_to": cert.transferred_to,
            }
        )
    return out


class Memo:
    """The rows of an aggregate's growing collections (findings, credentials, status-list
    versions, line alarms) with what each row was built from, kept with the aggregate from one
    unit of work to the next so that only rows of changed items are built again."""

    __slots__ = ("patched", "tables")

    def __init__(self) -> None:
        self.tables: dict[sa.Table, _Built] = {}
        # from the last :func:`keyed`: tables whose rows by key were the ones before with
        # only these rows put in (none removed), so the changes are these rows at most
        self.patched: dict[sa.Table, tuple[dict[Any, dict[str, Any]], list[dict[str, Any]]]] = {}


@dataclass
class _Built:
    context: tuple[Any, ...]  # what every row of the table takes from the aggregate
    keys: list[Any]
    values: list[Any]
    rows: list[dict[str, Any]]
    keyed: dict[Any, dict[str, Any]] | None = None  # rows by primary key, once asked for
    # when only some rows were built again: the rows by key before, and the rows built
    base: dict[Any, dict[str, Any]] | None = None
    patch: list[dict[str, Any]] | None = None


def _collection(
    memo: Memo | None,
    table: sa.Table,
    context: tuple[Any, ...],
    keys: list[Any],
    values: list[Any],
    build: Callable[..., dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows ``build(*context, key, value)`` of a collection's items, given as parallel
    lists (made in C: ``list(d)``, ``list(d.values())``, ``map(attrgetter(...), ...)``).
    ``values`` must be immutable (strings, numbers, dates, None, tuples of them, frozen
    dataclasses of them), so that an equal value means an unchanged item. With ``memo``, the
    lists are compared in C with the ones the rows were built from, an item that is the very
    object it was by identity alone: an unchanged collection gives back the very list of
    rows, and only the rows of items that differ are built again."""
    built = memo.tables.get(table) if memo is not None else None
    if built is None or built.context != context:
        rows = [build(*context, k, v) for k, v in zip(keys, values, strict=True)]
        after = _Built(context, keys, values, rows)
    elif built.keys == keys and built.values == values:
        return built.rows
    else:
        n = min(len(keys), len(built.keys))
        rows = built.rows[:n]
        now, then = zip(keys, values, strict=True), zip(built.keys, built.values, strict=True)
        patch = []
        for i in compress(range(n), map(ne, now, then)):
            rows[i] = build(*context, keys[i], values[i])
            patch.append(rows[i])
        patch += [build(*context, k, v) for k, v in zip(keys[n:], values[n:], strict=True)]
        rows += patch[len(patch) - (len(keys) - n) :]
        # The rows by key can be patched when no item left and none changed its key.
        same_keys = len(keys) >= len(built.keys) and keys[:n] == built.keys
        base = built.keyed if same_keys else None
        after = _Built(context, keys, values, rows, None, base, patch if base else None)
    if memo is not None:
        memo.tables[table] = after
    return rows


_AUDIT = attrgetter("kind", "method", "start", "end", "planned_days", "actual_days", "last_day")
_LEDGER_INDEX = attrgetter("ledger_index")
_PUBLISHED = attrgetter("body_id", "purpose", "list_no", "valid_from", "ledger_index", "sha256")
_ALARM = itemgetter(
    "client_id", "line", "onset", "statistic", "value", "limit", "at", "cleared", "cleared_at"
)


def _frozen(team: list[dict[str, str]]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """A team as immutable values (its members' fields in order), to compare and rebuild."""
    return tuple(tuple(member.items()) for member in team)


def _audit_row(cid: str, body: str, aid: str, values: tuple[Any, ...]) -> dict[str, Any]:
    kind, method, start, end, planned, actual, last_day, team = values
    return {
        "certification_id": cid,
        "audit_id": aid,
        "body_id": body,
        "kind": kind,
        "method": method,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "planned_days": planned,
        "actual_days": actual,
        "last_day": last_day.isoformat() if last_day else None,
        "team": _json([dict(member) for member in team]),
    }


def _finding_row(cid: str, body: str, fid: str, f: Finding) -> dict[str, Any]:
    return {
        "certification_id": cid,
        "finding_id": fid,
        "body_id": body,
        "audit_id": f.audit_id,
        "grade": f.grade,
        "clause": f.clause,
        "status": f.status,
    }


def _credential_row(cid: str, body: str, index: int, e: ev.CredentialIssued) -> dict[str, Any]:
    return {
        "ledger_index": index,
        "certification_id": cid,
        "body_id": body,
        "number": e.number,
        "key_id": e.key_id,
        "sha256": e.sha256,
    }


def _status_list_row(list_id: str, version: int, values: tuple[Any, ...]) -> dict[str, Any]:
    names = ("body_id", "purpose", "list_no", "valid_from", "ledger_index", "sha256")
    return {"list_id": list_id, "version": version, **dict(zip(names, values, strict=True))}


def _alarm_row(line_id: str, reading: int, values: tuple[Any, ...]) -> dict[str, Any]:
    names = ("client_id", "line", "onset", "statistic", "value", "limit", "at", "cleared")
    row = dict(zip((*names, "cleared_at", "top_variables"), values, strict=True))
    row["top_variables"] = _json(list(row["top_variables"]))
    return {"line_id": line_id, "reading": reading, **row}


_STATUS_AFTER = {
    ev.CertificateIssued: "active",
    ev.CertificateSuspended: "suspended",
    ev.CertificateRestored: "active",
    ev.CertificateWithdrawn: "withdrawn",
    ev.CertificateExpired: "expired",
    ev.CertificateScopeChanged: "active",
    ev.CertificateTransferred: "withdrawn",
}


def history_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Certificate status-history rows from events and their ledger indices."""
    history = []
    for index, env in recorded:
        e = env.event
        if type(e) in _STATUS_AFTER:
            on = e.issue_date if isinstance(e, ev.CertificateIssued) else e.on  # type: ignore[attr-defined]
            history.append(
                {
                    "ledger_index": index,
                    "certification_id": env.aggregate.split(":", 1)[1],
                    "event": e.name,
                    "status": _STATUS_AFTER[type(e)],
                    "on": on,
                }
            )
    return history


def document_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Document rows (one per upload, with its ledger index) from events."""
    return [
        {
            "ledger_index": index,
            "client_id": env.aggregate.split(":", 1)[1],
            **env.event.data(),
            # Optional fields are absent from older events' data; every row names them all.
            "certification_id": env.event.certification_id,
            "sm3": env.event.sm3,
            "taken_at": env.event.taken_at,
            "taken_lat": env.event.taken_lat,
            "taken_lon": env.event.taken_lon,
            "at": env.at,
        }
        for index, env in recorded
        if isinstance(env.event, ev.DocumentUploaded)
    ]


# The tables written from aggregates' states (:class:`Batch`), with the columns their rows are
# grouped by; those written from events (history, documents, windows, the hub's records, alarm
# episodes) are not among them.
_KEYS = {
    t.bodies: ("id",),
    t.auditors: ("id",),
    t.clients: ("id",),
    t.certifications: ("id",),
    t.audits: ("certification_id",),
    t.findings: ("certification_id",),
    t.certificates: ("certification_id",),
    t.accounts: ("id",),
    t.api_keys: ("account_id",),
    t.consents: ("client_id",),
    t.invitations: ("client_id",),
    t.cases: ("id",),
    t.programme: ("certification_id",),
    t.body_keys: ("body_id",),
    t.credentials: ("certification_id",),
    t.status_lists: ("list_id",),
    t.line_alarms: ("line_id",),
    t.hub_bodies: ("id",),
    t.hub_draws: ("id",),
    t.hub_warnings: ("id",),
    t.hub_scans: ("as_of",),
    t.evidence_devices: ("id",),
    t.evidence_monitors: ("device_id",),
    t.notices: ("id",),
    t.notice_addresses: ("account_id",),
}


def keyed(rows: Rows, memo: Memo | None = None) -> Keyed:
    """Rows by table and primary key (a value for a one-column key, else a tuple); a
    collection that ``memo`` built and that did not change gives back the very same dict."""
    out = {}
    if memo is not None:
        memo.patched = {}
    for table, table_rows in rows.items():
        built = memo.tables.get(table) if memo is not None else None
        if built is None or built.rows is not table_rows:
            out[table] = _by_key(table, table_rows)
            continue
        if built.keyed is None and built.base is not None and built.patch is not None:
            pk = _pk(table)
            built.keyed = {**built.base, **{pk(row): row for row in built.patch}}
            memo.patched[table] = (built.base, built.patch)  # type: ignore[union-attr]
        elif built.keyed is None:
            built.keyed = _by_key(table, table_rows)
        built.base = built.patch = None
        out[table] = built.keyed
    return out


def _by_key(table: sa.Table, rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return dict(zip(map(_pk(table), rows), rows, strict=True))


@cache
def _pk(table: sa.Table) -> Any:
    return itemgetter(*[c.name for c in table.primary_key.columns])


class Batch:
    """The projection writes of one unit of work: the rows each changed aggregate gained, lost
    or changed since it was loaded, gathered per table, so each table costs at most one
    DELETE (by key), one UPDATE and one INSERT (each an executemany) however many rows and
    aggregates it touches. Rows that did not change are not written.

    Tables are written in a fixed order and rows in key order, so two transactions that
    touch the same rows take their locks in the same order. A DELETE or UPDATE that finds
    fewer rows than the state said were there (a table that is not as loaded) gives way to
    rewriting that table's rows of these aggregates whole.
    """

    def __init__(self) -> None:
        self.deletes: dict[sa.Table, list[Any]] = {}
        self.updates: dict[sa.Table, list[dict[str, Any]]] = {}
        self.inserts: dict[sa.Table, list[dict[str, Any]]] = {}
        self.after: dict[sa.Table, dict[str, dict[Any, dict[str, Any]]]] = {}  # by aggregate

    def add(self, agg_id: str, before: Keyed, after: Keyed, memo: Memo | None = None) -> None:
        """The changes from ``before`` (the aggregate's rows when loaded; empty when new)
        to ``after`` (its rows now); ``memo`` the one :func:`keyed` made ``after`` with."""
        patched = memo.patched if memo is not None else {}
        for table in before.keys() | after.keys():
            was, now = before.get(table, {}), after.get(table, {})
            self.after.setdefault(table, {})[agg_id] = now
            if was is now:
                continue
            base, patch = patched.get(table, (None, ()))
            if base is was:  # only these rows can differ: no need to look at the others
                self._put(table, was, patch)
                continue
            if was == now:
                continue
            # Set operations and maps, so a table of many rows is compared in C; a row built
            # from a memo is the very row it was, so only other rows are compared by value.
            same_keys = was.keys() == now.keys()
            gone = [] if same_keys else list(was.keys() - now.keys())
            common = list(now) if same_keys else list(was.keys() & now.keys())
            rebuilt = compress(
                common, map(is_not, map(was.__getitem__, common), map(now.get, common))
            )
            changed = [now[k] for k in rebuilt if now[k] != was[k]]
            added = [] if same_keys else list(map(now.__getitem__, now.keys() - was.keys()))
            if gone:
                self.deletes.setdefault(table, []).extend(gone)
            if changed:
                self.updates.setdefault(table, []).extend(changed)
            if added:
                self.inserts.setdefault(table, []).extend(added)

    def _put(
        self, table: sa.Table, was: dict[Any, dict[str, Any]], rows: list[dict[str, Any]]
    ) -> None:
        pk = _pk(table)
        for row in rows:
            old = was.get(pk(row))
            if old is None:
                self.inserts.setdefault(table, []).append(row)
            elif old != row:
                self.updates.setdefault(table, []).append(row)

    def write(self, conn: Connection) -> None:
        for table in _ORDER:
            if not (table in self.deletes or table in self.updates or table in self.inserts):
                continue
            if not (self._delete(conn, table) and self._update(conn, table)):
                self._rewrite(conn, table)  # the table was not as loaded: write it whole
                continue
            rows = self.inserts.get(table)
            if rows:
                conn.execute(_insert(table), sorted(rows, key=_pk_order(table)))

    def _delete(self, conn: Connection, table: sa.Table) -> bool:
        keys = sorted(self.deletes.get(table, []), key=_order_key)
        if not keys:
            return True
        cols = list(table.primary_key.columns)
        where = cols[0].in_(keys) if len(cols) == 1 else sa.tuple_(*cols).in_(keys)
        return conn.execute(table.delete().where(where)).rowcount == len(keys)

    def _update(self, conn: Connection, table: sa.Table) -> bool:
        rows = sorted(self.updates.get(table, []), key=_pk_order(table))
        if not rows:
            return True
        names = [c.name for c in table.primary_key.columns]
        statement = _update_by_key(table, tuple(rows[0]))
        params = [{**row, **{f"k_{n}": row[n] for n in names}} for row in rows]
        return conn.execute(statement, params).rowcount == len(rows)

    def _rewrite(self, conn: Connection, table: sa.Table) -> None:
        key = table.c[_KEYS[table][0]]
        conn.execute(table.delete().where(key.in_(sorted(self.after[table]))))
        rows = [row for rows in self.after[table].values() for row in rows.values()]
        if rows:
            conn.execute(_insert(table), sorted(rows, key=_pk_order(table)))


@cache
def _insert(table: sa.Table) -> sa.Insert:
    """INSERT into ``table``, built once (a unit of work inserts rows into a few tables)."""
    return table.insert()


@cache
def _update_by_key(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """UPDATE ``table`` SET ``columns`` (bound by name) WHERE its key is ``k_<key column>``."""
    keys = list(table.primary_key.columns)
    return (
        table.update()
        .where(*(c == sa.bindparam(f"k_{c.name}") for c in keys))
        .values({n: sa.bindparam(n) for n in columns if n not in {c.name for c in keys}})
    )


def _order_key(key: Any) -> tuple[Any, ...]:
    """A sort key for primary key values, None first (no key column here holds None today)."""
    values = key if isinstance(key, tuple) else (key,)
    return tuple((v is not None, v) for v in values)


def _pk_order(table: sa.Table) -> Any:
    pk = _pk(table)
    return lambda row: _order_key(pk(row))


def write(conn: Connection, changes: Iterable[tuple[str, Keyed, Keyed, Memo | None]]) -> None:
    """Bring the projections up to date: ``changes`` are ``(aggregate id, rows when loaded,
    rows now, the memo the rows now were keyed with)`` of each changed aggregate."""
    batch = Batch()
    for agg_id, before, after, memo in changes:
        batch.add(agg_id, before, after, memo)
    batch.write(conn)


_ORDER = [table for table in t.PROJECTIONS if table in _KEYS]
