"""The catalogue's trust rules (issue 20), beyond what each field's schema says.

``valo-bot check``, start-up and every import (YAML, HSDS, PTV) apply them through
``loader.cross_check``; the HSDS and PTV importers also apply the per-card rules to each
record they build, so an error points at the record's line in the JSON.

1. access ``call`` needs ``contacts.phone``; access ``chat`` needs ``contacts.chat``.
2. a ``crisis-urgent`` card has a phone or a chat link, and the hours it answers
   (``phone_hours``/``phone_always`` or ``chat_hours``/``chat_always``).
3. phones are E.164 or a short service number (the schema's ``Contacts`` validator).
4. sources: a source on a host outside the organisation's ``domains`` is not ``organiser``
   (``news``, ``other``, or ``register`` on a register's host); a card whose sources are all
   news is an error, and so is a card with no ``organiser`` source (a suomi.fi register entry
   counts: the organisation writes its own PTV entry); a card none of whose sources was
   published or updated in the last three years is a warning ("stale").
5. suspected duplicates: two active cards of one organisation with the same phone or the
   same web address and overlapping areas are an error unless either declares the other in
   ``distinct_from``; ``distinct_from`` must name a card that exists. Two cards that are two
   records of the national service catalogue (different ``ptv_id``) are distinct by that
   register's own identity: a municipality gives many of its services one switchboard or web
   page, and a sync must not set them aside as duplicates.
6. cards tagged ``pregnancy-baby`` or ``child-health`` target families: target group KR1.2
   (or a subgroup) or an ``ages`` range.
7. shelters (``shelter: true``; their addresses are secret) have no street address, postal
   code or coordinates, no ``walk-in`` access, and a phone that answers around the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.catalog import vocab
from bot.catalog.schema import Organization, Service, host_of, on_domains, page_date_start

# Hosts of public registers a card may cite as kind ``register``, whoever the organiser is.
REGISTER_DOMAINS = ("suomi.fi", "kela.fi", "finlex.fi")
# Registers whose entries the organisation writes itself (PTV, shown on suomi.fi): such an
# entry stands in for the organiser's own page.
ORGANISER_REGISTERS = ("suomi.fi",)
STALE_SOURCES_AFTER = timedelta(days=3 * 365 + 1)
FAMILY_TAGS = ("pregnancy-baby", "child-health")
FAMILY_GROUP = "KR1.2"

Severity = Literal["error", "warning"]
PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A rule a card breaks: where in the card (``path`` under the service), and why."""

    rule: int
    path: PathKey
    reason: str
    severity: Severity = "error"


def service_problems(
    service: Service, organization: Organization | None, today: date
) -> list[Problem]:
    """Rules 1, 2, 4, 6 and 7 for one card. ``organization`` None: not known here (its
    domains cannot be checked, so host/kind consistency is left to the complete catalogue)."""
    return [
        *_access_lines(service),
        *_crisis_reachable(service),
        *_sources(service, organization, today),
        *_family_target(service),
        *_shelter(service),
    ]


def _access_lines(service: Service) -> list[Problem]:
    problems = []
    if "call" in service.access and service.contacts.phone is None:
        problems.append(
            Problem(1, ("access",), "access includes call but the card has no contacts.phone")
        )
    if "chat" in service.access and service.contacts.chat is None:
        problems.append(
            Problem(1, ("access",), "access includes chat but the card has no contacts.chat link")
        )
    return problems


def _crisis_reachable(service: Service) -> list[Problem]:
    if "crisis-urgent" not in service.needs:
        return []
    contacts = service.contacts
    if contacts.phone is None and contacts.chat is None:
        return [
            Problem(
                2,
                ("contacts",),
                "a crisis-urgent card needs a phone or a chat link (contacts.phone or "
                "contacts.chat)",
            )
        ]
    phone_hours = contacts.phone is not None and (contacts.phone_hours or contacts.phone_always)
    chat_hours = contacts.chat is not None and (contacts.chat_hours or contacts.chat_always)
    if not (phone_hours or chat_hours):
        return [
            Problem(
                2,
                ("contacts",),
                "a crisis-urgent card says when its line answers: give phone_hours or "
                "phone_always (or chat_hours or chat_always)",
            )
        ]
    return []


def _sources(service: Service, organization: Organization | None, today: date) -> list[Problem]:
    problems: list[Problem] = []
    domains = organization.domains if organization is not None else None
    for i, source in enumerate(service.sources):
        if domains is None or on_domains(source.url, domains):
            continue
        host = host_of(source.url)
        if source.kind == "organiser":
            problems.append(
                Problem(
                    4,
                    ("sources", i, "kind"),
                    f"{host} is not one of {service.organization}'s domains "
                    f"({', '.join(domains) or 'none declared'}): a page there is news, "
                    "register or other, not organiser",
                )
            )
        elif source.kind == "register" and not on_domains(source.url, REGISTER_DOMAINS):
            problems.append(
                Problem(
                    4,
                    ("sources", i, "kind"),
                    f"{host} is not a register's host ({', '.join(REGISTER_DOMAINS)}) nor "
                    f"{service.organization}'s own: say news or other",
                )
            )
    kinds = [s.kind for s in service.sources]
    if all(kind == "news" for kind in kinds):
        problems.append(
            Problem(
                4,
                ("sources",),
                "only news sources: news is never a card's only source; cite the organiser's "
                "own page",
            )
        )
    elif not any(
        s.kind == "organiser" or (s.kind == "register" and on_domains(s.url, ORGANISER_REGISTERS))
        for s in service.sources
    ):
        problems.append(
            Problem(
                4,
                ("sources",),
                "no source of kind organiser: cite the organiser's own page (or its suomi.fi "
                "entry)",
            )
        )
    # A page dated only "2023" counts from 1 January 2023: it may be that old.
    dated = {page_date_start(s.updated): s.updated for s in service.sources if s.updated}
    if not dated or today - max(dated) > STALE_SOURCES_AFTER:
        newest = f"the newest is from {dated[max(dated)]}" if dated else "none is dated"
        problems.append(
            Problem(
                4,
                ("sources",),
                f"stale: no source published or updated in the last three years ({newest})",
                "warning",
            )
        )
    return problems


def _family_target(service: Service) -> list[Problem]:
    tags = [tag for tag in FAMILY_TAGS if tag in service.needs]
    if not tags or service.ages is not None:
        return []
    if any(g == FAMILY_GROUP or g.startswith(FAMILY_GROUP + ".") for g in service.target_groups):
        return []
    return [
        Problem(
            6,
            ("target_groups",),
            f"tagged {', '.join(tags)}, so the card must target families: add target group "
            f"{FAMILY_GROUP} or an ages range for children",
        )
    ]


def _shelter(service: Service) -> list[Problem]:
    if not service.shelter:
        return []
    problems = []
    for i, location in enumerate(service.locations):
        for field in ("street", "postal_code", "lat", "lon"):
            if getattr(location, field) is not None:
                problems.append(
                    Problem(
                        7,
                        ("locations", i, field),
                        "a shelter's address is secret: no street address, postal code or "
                        "coordinates",
                    )
                )
    if "walk-in" in service.access:
        problems.append(Problem(7, ("access",), "a shelter is reached by phone first, not walk-in"))
    if service.contacts.phone is None or not service.contacts.phone_always:
        problems.append(
            Problem(
                7,
                ("contacts",),
                "a shelter needs a phone that answers around the clock (phone and "
                "phone_always: true; Nollalinja 080 005 005 where its own is not public)",
            )
        )
    return problems


@dataclass(frozen=True)
class Placed:
    """A card and where it sits (its file's index in the import, its index in the file)."""

    service: Service
    where: tuple[int, int]


def duplicate_problems(
    placed: Sequence[Placed], known_services: Iterable[str] = ()
) -> list[tuple[Placed, Problem]]:
    """Rule 5 across the cards given (``known_services``: other ids that exist elsewhere)."""
    problems: list[tuple[Placed, Problem]] = []
    ids = {p.service.id for p in placed} | set(known_services)
    for p in placed:
        for j, other in enumerate(p.service.distinct_from):
            if other.id not in ids:
                problems.append(
                    (p, Problem(5, ("distinct_from", j, "id"), f"unknown service {other.id!r}"))
                )
            elif other.id == p.service.id:
                problems.append(
                    (
                        p,
                        Problem(
                            5, ("distinct_from", j, "id"), "a card is not distinct from itself"
                        ),
                    )
                )
    by_key: dict[tuple[str, str, str], list[Placed]] = {}
    for p in placed:
        s = p.service
        if not s.active:
            continue
        for what, value in (("phone", s.contacts.phone), ("url", s.contacts.url)):
            if value is not None:
                by_key.setdefault((s.organization, what, _same(value)), []).append(p)
    reported: set[tuple[str, str]] = set()
    for (_, what, value), group in by_key.items():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                a, b = first.service, second.service
                pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if pair in reported or not _overlap(a, b) or _declared(a, b):
                    continue
                reported.add(pair)
                problems.append(
                    (
                        second,
                        Problem(
                            5,
                            ("id",),
                            f"suspected duplicate of {a.id!r}: same organisation, same "
                            f"{what} ({value}) and overlapping area; merge them, or declare "
                            "distinct_from with a reason",
                        ),
                    )
                )
    return problems


def _same(value: str) -> str:
    """A phone or URL as compared for duplicates (no scheme, www. or trailing slash)."""
    text = value.lower().removeprefix("https://").removeprefix("http://")
    return text.removeprefix("www.").rstrip("/")


def _overlap(a: Service, b: Service) -> bool:
    if vocab.NATIONWIDE in a.municipalities or vocab.NATIONWIDE in b.municipalities:
        return True
    return bool(set(a.municipalities) & set(b.municipalities))


def _declared(a: Service, b: Service) -> bool:
    if a.ptv_id is not None and b.ptv_id is not None and a.ptv_id != b.ptv_id:
        return True  # two PTV records: the register says they are two services
    return any(d.id == b.id for d in a.distinct_from) or any(d.id == a.id for d in b.distinct_from)


# Violations the catalogue had when these rules arrived, while the cards are being corrected
# (issue 20): reported as warnings so that `valo-bot check` stays green meanwhile. Every
# other violation is an error. tests/test_catalog_rules.py fails when an entry is no longer
# violated, so the list only shrinks; when it is empty, delete it.
KNOWN_VIOLATIONS: frozenset[tuple[str, int]] = frozenset(
    {
        # rule 4: no organiser source / only news
        ("eksote-children-youth-house", 4),
        ("etk-nuppu", 4),
        ("kaakon-monikkoperheet-peer", 4),
        ("kymenhva-childbirth-class", 4),
        ("kymenhva-family-counselling", 4),
        ("kymenhva-neuvola", 4),
        ("kymenhva-therapy-guarantee", 4),
        ("lpr-libraries", 4),
        ("lpr-parish-playhouse-sunday-school", 4),
        ("miehikkala-baby-bonus", 4),
        ("mll-jaala-family-cafe", 4),
        ("mll-kouvola-multicultural-cafe", 4),
        ("save-children-kotka-hamina", 4),
        ("save-children-south-karelia", 4),
        ("savitaipale-library", 4),
    }
)


def is_known_violation(service_id: str, problem: Problem) -> bool:
    return (service_id, problem.rule) in KNOWN_VIOLATIONS


def organizations_by_id(
    organizations: Iterable[Organization], known: Mapping[str, Organization] | None = None
) -> dict[str, Organization]:
    found = dict(known or {})
    found.update({o.id: o for o in organizations})
    return found
