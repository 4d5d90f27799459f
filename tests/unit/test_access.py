"""The access policy by itself: pure decisions, no store, no faces."""

from __future__ import annotations

from datetime import date

import pytest

from qcert.access import (
    ANONYMOUS,
    READ_ENTRY,
    EntryOwner,
    Forbidden,
    Principal,
    Resource,
    Unauthenticated,
    decide,
    read_scope,
)
from qcert.lifecycle import commands as c


def _p(account: str, *roles: str) -> Principal:
    return Principal(account, frozenset(tuple(r.split("@")) for r in roles))


ADMIN1 = _p("admin1", "cb-admin@body:cb1")
ROOT = _p("root", "platform-admin@platform")
SYSTEM = Principal.system("test")


def test_one_function_answers_commands_routes_operations_and_entries():
    suspend = c.SuspendCertificate("x", "r", date(2025, 1, 1))
    decider = _p("d", "decision-maker@body:cb1")
    decide(decider, suspend, Resource(bodies=frozenset({"cb1"})))
    with pytest.raises(Forbidden):
        decide(decider, suspend, Resource(bodies=frozenset({"cb2"})))
    decide(ADMIN1, "GET /ws/bodies/{body_id}", {"body_id": "cb1"})
    with pytest.raises(Forbidden):
        decide(ADMIN1, "GET /ws/bodies/{body_id}", {"body_id": "cb2"})
    with pytest.raises(Unauthenticated):
        decide(ANONYMOUS, "GET /api/v1/me", {})
    decide(ROOT, "ledger.audit", {})
    with pytest.raises(Forbidden):
        decide(ADMIN1, "ledger.audit", {})
    secret = EntryOwner("event", bodies=frozenset({"cb1"}))
    decide(ADMIN1, READ_ENTRY, secret)
    with pytest.raises(Forbidden):
        decide(ANONYMOUS, READ_ENTRY, secret)
    decide(ANONYMOUS, READ_ENTRY, EntryOwner("public"))


def test_a_route_or_command_without_a_rule_is_nobodys_but_the_platforms_own():
    with pytest.raises(Forbidden, match="no access rule"):
        decide(ROOT, "GET /nowhere", {})
    decide(SYSTEM, "GET /nowhere", {})

    class Unlisted:
        pass

    with pytest.raises(Forbidden, match="no access rule") as refused:
        decide(ROOT, Unlisted())
    assert refused.value.rule == "access.unlisted"


def test_an_unlisted_command_is_refused_in_words_not_by_its_class_name():
    class RenameEverything:
        pass

    with pytest.raises(Forbidden) as refused:
        decide(ROOT, RenameEverything())
    assert refused.value.zh == "该操作未列入访问策略"
    assert str(refused.value) == "this operation has no access rule (command RenameEverything)"


@pytest.mark.parametrize(
    ("who", "target", "before", "after", "allowed"),
    [
        (ADMIN1, "plan", {"planner@body:cb1"}, {"planner@body:cb1", "auditor@body:cb1"}, True),
        (ADMIN1, "plan", {"planner@body:cb1"}, set(), True),  # removing its own body's role
        (ADMIN1, "admin1", {"cb-admin@body:cb1"}, set(), False),  # nobody changes their own
        (ADMIN1, "dec2", {"decision-maker@body:cb2"}, set(), False),  # another body's
        (ADMIN1, "root", {"platform-admin@platform"}, set(), False),
        (ADMIN1, "plan", set(), {"client-user@client:c1"}, False),  # users join by invitation
        (ROOT, "new", set(), {"cb-admin@body:cb1"}, True),  # a body's first administrator
        (ROOT, "new", set(), {"client-admin@client:c1"}, True),  # an organisation's first
        (ROOT, "new", set(), {"planner@body:cb1"}, False),  # a body's staff: its own admin's
        (ROOT, "new", set(), {"client-user@client:c1"}, False),
        (_p("ca", "client-admin@client:c1"), "u", {"client-user@client:c1"}, set(), True),
        (_p("ca", "client-admin@client:c1"), "u", set(), {"client-user@client:c1"}, False),
        (_p("ca", "client-admin@client:c1"), "u", set(), {"client-admin@client:c1"}, True),
        (SYSTEM, "anyone", set(), {"client-user@client:c1"}, True),  # the demo, installation
    ],
)
def test_every_role_added_and_removed_must_be_the_callers_to_manage(
    who, target, before, after, allowed
):
    def parse(roles: set[str]) -> frozenset[tuple[str, str]]:
        return frozenset(tuple(r.split("@")) for r in roles)

    command = c.SetRoles(target, sorted(after))
    resource = Resource(account_roles=parse(before))
    if allowed:
        decide(who, command, resource)
    else:
        with pytest.raises(Forbidden):
            decide(who, command, resource)


def test_people_act_only_as_themselves():
    reviewer = _p("rev", "application-reviewer@body:cb1")
    here = Resource(bodies=frozenset({"cb1"}))
    decide(reviewer, c.ReviewContract("x", "rev"), here)
    with pytest.raises(Forbidden, match="only as yourself"):
        decide(reviewer, c.ReviewContract("x", "someone-else"), here)


def test_the_platforms_administrator_reads_everything_but_does_no_bodys_work():
    assert read_scope(ROOT).everything
    suspend = c.SuspendCertificate("x", "r", date(2025, 1, 1))
    with pytest.raises(Forbidden):
        decide(ROOT, suspend, Resource(bodies=frozenset({"cb1"})))
    scope = read_scope(_p("mixed", "auditor@body:cb1", "client-user@client:c9"))
    assert (scope.bodies, scope.clients, scope.everything) == (
        frozenset({"cb1"}),
        frozenset({"c9"}),
        False,
    )
    assert read_scope(ANONYMOUS).nothing


def test_the_clocks_enforce_on_any_bodys_records_and_nobody_else_gained_it():
    from qcert.clocks import ACTOR

    enforce = c.EnforceClocks(["x", "y"], date(2025, 1, 1))
    cb1, both = Resource(bodies=frozenset({"cb1"})), Resource(bodies=frozenset({"cb1", "cb2"}))
    for resource in (cb1, both, Resource(bodies=frozenset({"?"}))):
        decide(ACTOR, enforce, resource)
    decide(_p("d", "decision-maker@body:cb1"), enforce, cb1)  # as before
    with pytest.raises(Unauthenticated):
        decide(ANONYMOUS, enforce, cb1)
    refused = [
        _p("d", "decision-maker@body:cb1"),  # not the other body's certification too
        _p("d2", "decision-maker@body:cb2"),
        _p("a", "auditor@body:cb1"),
        ADMIN1,
        ROOT,
        _p("ca", "client-admin@client:c1"),
        # an account that calls itself the clocks is still just an account
        Principal(ACTOR.account_id, frozenset({("decision-maker", "body:cb2")})),
    ]
    for who in refused:
        with pytest.raises(Forbidden):
            decide(who, enforce, both)


def test_refusals_are_said_in_both_languages_from_the_catalogs():
    from qcert.access.refusals import MESSAGES, refusal

    assert Unauthenticated().zh == "请先登录" and str(Unauthenticated()) == "sign in first"
    en, zh = refusal("route.clients", param="body_id", roles="a, b", roles_zh="a、b")
    assert en == "body_id: only the body's a, b read its clients' records"
    assert zh == "body_id：仅该机构的 a、b 可查看其客户的记录"
    # A Chinese place without its own value takes the other's; a missing field is an error.
    assert refusal("route.clients", param="p", roles="x")[1] == "p：仅该机构的 x 可查看其客户的记录"
    with pytest.raises(KeyError):
        refusal("route.staff", param="p")
    assert len(MESSAGES) > 40
