"""Read scoping: the rows of a table a :class:`qcert.access.ReadScope` lets its holder read.

The access policy says whose records a principal reads; this turns that into the WHERE
clause every read view adds, so no view decides tenancy on its own.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..access import ReadScope
from . import tables as t

__all__ = ["visible"]


def visible(scope: ReadScope, table: sa.Table) -> sa.ColumnElement[bool]:
    """The rows of ``table`` readable in ``scope``: a body's staff read their bodies' records
    and the organisations that applied or consented to them; an organisation's users read all
    of its records; the platform reads everything."""
    if scope.everything:
        return sa.true()
    bodies, clients = scope.bodies, scope.clients
    conds: list[sa.ColumnElement[bool]] = []
    certs = t.certifications
    if table is t.bodies:
        if bodies:
            conds.append(table.c.id.in_(bodies))
    elif table is t.clients:
        if clients:
            conds.append(table.c.id.in_(clients))
        if bodies:
            conds.append(
                table.c.id.in_(sa.select(certs.c.client_id).where(certs.c.body_id.in_(bodies)))
            )
            consents = t.consents
            conds.append(
                table.c.id.in_(
                    sa.select(consents.c.client_id).where(consents.c.body_id.in_(bodies))
                )
            )
    elif table is t.accounts:
        return sa.false()  # accounts are read through the identity views, never listed
    else:
        if bodies and "body_id" in table.c:
            conds.append(table.c.body_id.in_(bodies))
        elif bodies and "certification_id" in table.c:
            # Rows that belong to a certification (an organisation's documents, a
            # certificate's history): the body holding that certification reads them.
            conds.append(
                table.c.certification_id.in_(
                    sa.select(certs.c.id).where(certs.c.body_id.in_(bodies))
                )
            )
        if clients and "client_id" in table.c:
            conds.append(table.c.client_id.in_(clients))
        elif clients and "certification_id" in table.c:
            conds.append(
                table.c.certification_id.in_(
                    sa.select(certs.c.id).where(certs.c.client_id.in_(clients))
                )
            )
    return sa.or_(*conds) if conds else sa.false()
