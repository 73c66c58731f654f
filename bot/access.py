"""Who may see what: the per-saksbehandler distribution of a unit goes to its leaders, leaders above it, and arkiv."""

from __future__ import annotations

from restanse_core.model import Organisation, Person, Rolle


def may_see_distribution(person: Person | None, unit: str, org: Organisation) -> bool:
    if person is None:
        return False
    if person.role == Rolle.ARKIV:
        return True
    leaders_above = {i for code in (unit, *org.ancestors(unit)) for i in org.leaders_of(code)}
    return person.initials in leaders_above
