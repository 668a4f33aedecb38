"""A person's network at depth 1 and 2, every link with its source, and never a score (issue 20, part 2).

What ties people together is what the program already records as evidence: the influencers named on a
person's record, the people in the same shooting, the associates and influencers of an eligibility basis, the
groups (and their members), the GVIS meetings that identified people and groups, and the referrals. Each link
(`Edge`) carries its `Source`: which record, its date, and who recorded it (the record's own field, or the
audit trail's `create` row when the record has none).

What is left out follows the rules of every other page, written once elsewhere:
- a person the user may not see (a sealed record, for everyone but the Records Custodian) is not a node, and no
  link through them is drawn (`candidates_visible_to`);
- a membership awaiting the LE Lead's approval is not a fact for those who do not approve it
  (`selectors.membership_facts`); a membership or basis past its review date is not shown until it is kept
  (`retention.within_review`); a shooting, meeting or referral older than the review period ties nobody any
  more (`retention.review_horizon`).

No risk score, ranking, degree count or centrality is computed here or anywhere (SOP 2-64-2; the Chicago
Inspector General's findings on the Strategic Subject List): the nodes are ordered by kind, then by name.

Queries: one per kind of link for each depth, plus one for the audit trail, whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from candidates import models as m
from candidates.retention import review_horizon, within_review
from candidates.selectors import candidates_visible_to, membership_facts
from vip.models import AuditEvent

DEPTHS = (1, 2)
NO_SCORE_REASON = (
    "The network shows who is linked and by which record, never a score, a rank or a count of links: "
    "the program's policy (SOP 2-64-2) and the Chicago Inspector General's findings on the Strategic Subject "
    "List rule them out."
)

# The kinds of node, in the order the table and the drawing list them.
PERSON, OUTSIDE_PERSON, GROUP, MEETING, REFERRER = "person", "outside_person", "group", "meeting", "referrer"
NODE_KINDS = {
    PERSON: "Person on record",
    OUTSIDE_PERSON: "Person not on record",
    GROUP: "Group",
    MEETING: "GVIS meeting",
    REFERRER: "Referring person or agency",
}
# The kinds of source a link rests on.
SOURCE_KINDS = {
    "influencer": "Influencer record",
    "shooting": "Shooting",
    "basis": "Eligibility basis",
    "membership": "Group membership",
    "meeting": "GVIS meeting",
    "referral": "Referral",
}
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Node:
    key: str  # "person:12", "group:3", "meeting:4", "influencer:7", "participant:9", "referral:5"
    kind: str
    label: str
    depth: int
    candidate_id: int | None = None

    @property
    def kind_label(self) -> str:
        return NODE_KINDS[self.kind]


@dataclass(frozen=True)
class Source:
    kind: str
    record_id: int
    label: str
    date: dt.date | None
    recorded_by: str = NOT_RECORDED

    @property
    def kind_label(self) -> str:
        return SOURCE_KINDS[self.kind]


@dataclass(frozen=True)
class Edge:
    a: str  # node keys
    b: str
    relation: str
    source: Source


@dataclass
class Network:
    center: Node
    depth: int
    nodes: list[Node] = field(default_factory=list)  # the center first, then by depth, kind and name
    edges: list[Edge] = field(default_factory=list)

    def node(self, key: str) -> Node:
        return self._by_key[key]

    def __post_init__(self):
        self._by_key = {n.key: n for n in self.nodes}


def _person_key(candidate_id: int) -> str:
    return f"person:{candidate_id}"


def _who(user) -> str:
    if user is None:
        return NOT_RECORDED
    return user.get_full_name() or user.username


class _Builder:
    """Breadth-first from the person: each depth reads every kind of link of the frontier at once."""

    def __init__(self, user, center: m.Candidate, depth: int):
        self.user, self.depth = user, depth
        self.visible = candidates_visible_to(user).values("pk")
        self.horizon = review_horizon()
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple, Edge] = {}
        self.audited: dict[tuple[str, str], list] = {}  # (object_type, id) -> edges waiting for their recorder
        self.center = self._add(_person_key(center.pk), PERSON, center.full_name, 0, center.pk)

    def _add(self, key, kind, label, depth, candidate_id=None) -> Node:
        if key not in self.nodes:
            self.nodes[key] = Node(key, kind, label, depth, candidate_id)
        return self.nodes[key]

    def _person(self, candidate: m.Candidate, depth: int) -> str:
        return self._add(_person_key(candidate.pk), PERSON, candidate.full_name, depth, candidate.pk).key

    def _link(self, a: str, b: str, relation: str, source: Source, *, audited: str = "") -> None:
        if a == b:
            return
        ends = tuple(sorted((a, b)))
        key = (*ends, source.kind, source.record_id, relation)
        if key not in self.edges:
            self.edges[key] = Edge(ends[0], ends[1], relation, source)
            if audited:  # who recorded it is read from the audit trail, for every such link at once
                self.audited.setdefault((audited, str(source.record_id)), []).append(key)

    def build(self) -> Network:
        people, groups, meetings = {self.center.candidate_id}, set(), set()
        for level in range(1, self.depth + 1):
            before = set(self.nodes)
            self._influencers(people, level)
            self._shootings(people, level)
            self._bases(people, level)
            self._memberships(people, groups, level)
            self._meetings(people, groups, meetings, level)
            self._referrals(people, level)
            new = [self.nodes[k] for k in self.nodes.keys() - before]
            people = {n.candidate_id for n in new if n.kind == PERSON}
            groups = {int(n.key.split(":")[1]) for n in new if n.kind == GROUP}
            meetings = {int(n.key.split(":")[1]) for n in new if n.kind == MEETING}
        self._recorders()
        nodes = sorted(self.nodes.values(), key=lambda n: (n.depth, list(NODE_KINDS).index(n.kind), n.label, n.key))
        edges = sorted(
            self.edges.values(),
            key=lambda e: (self.nodes[e.a].label, self.nodes[e.b].label, e.source.date or dt.date.min, e.relation),
        )
        return Network(center=self.center, depth=self.depth, nodes=nodes, edges=edges)

    # --- one query per kind of link and depth --------------------------------------------------------------

    def _influencers(self, people, level):
        for inf in m.Influencer.objects.filter(candidate_id__in=people).order_by("id"):
            other = self._add(f"influencer:{inf.pk}", OUTSIDE_PERSON, inf.name, level).key
            source = Source("influencer", inf.pk, inf.name, None)
            self._link(
                _person_key(inf.candidate_id),
                other,
                f"Influencer ({inf.get_relationship_display()})",
                source,
                audited=m.Influencer._meta.label,
            )

    def _shootings(self, people, level):
        if not people:
            return
        involved = m.ShootingParticipant.objects.filter(candidate_id__in=people).values("shooting_id")
        rows = (
            m.ShootingParticipant.objects.filter(shooting_id__in=involved, shooting__occurred_on__gte=self.horizon)
            .filter(Q(candidate__isnull=True) | Q(candidate__in=self.visible))
            .select_related("shooting", "candidate")
            .order_by("shooting_id", "id")
        )
        by_shooting: dict[int, list[m.ShootingParticipant]] = {}
        for row in rows:
            by_shooting.setdefault(row.shooting_id, []).append(row)
        for participants in by_shooting.values():
            shooting = participants[0].shooting
            source = Source("shooting", shooting.pk, shooting.incident_number, shooting.occurred_on)
            for known in (p for p in participants if p.candidate_id in people):
                for other in participants:
                    if other is known:
                        continue
                    if other.candidate_id:
                        key = self._person(other.candidate, level)
                    else:
                        key = self._add(f"participant:{other.pk}", OUTSIDE_PERSON, other.name, level).key
                    self._link(
                        _person_key(known.candidate_id),
                        key,
                        f"In the same shooting ({other.get_role_display().split(' (')[0].lower()})",
                        source,
                        audited=m.Shooting._meta.label,
                    )

    def _bases(self, people, level):
        if not people:
            return
        k = m.EligibilityBasis.Kind
        rows = (
            within_review(m.EligibilityBasis.objects.filter(kind__in=[k.ASSOCIATE, k.INFLUENCER]))
            .filter(Q(candidate_id__in=people) | Q(related_person_id__in=people))
            .filter(candidate__in=self.visible)
            .filter(Q(related_person__isnull=True) | Q(related_person__in=self.visible))
            .filter(Q(shooting__isnull=True) | Q(shooting__occurred_on__gte=self.horizon))
            .select_related("candidate", "related_person", "shooting", "entered_by")
            .order_by("id")
        )
        for basis in rows:
            one = self._person(basis.candidate, level)
            if basis.related_person_id:
                other = self._person(basis.related_person, level)
            else:
                other = self._add(f"basis:{basis.pk}", OUTSIDE_PERSON, basis.related_person_name, level).key
            shooting = f" in shooting {basis.shooting.incident_number}" if basis.shooting_id else ""
            source = Source(
                "basis",
                basis.pk,
                f"{basis.get_kind_display().split(' of ')[0]}{shooting}",
                timezone.localdate(basis.entered_at),
                _who(basis.entered_by),
            )
            self._link(one, other, basis.get_kind_display(), source)

    def _memberships(self, people, groups, level):
        if not (people or groups):
            return
        qs = m.GroupMembership.objects.filter(Q(candidate_id__in=people) | Q(group_id__in=groups))
        rows = (
            within_review(membership_facts(self.user, qs))
            .filter(candidate__in=self.visible)
            .select_related("candidate", "group", "gvis_meeting", "added_by")
            .order_by("id")
        )
        for ms in rows:
            person = self._person(ms.candidate, level)
            group = self._add(f"group:{ms.group_id}", GROUP, ms.group.name, level).key
            where = str(ms.gvis_meeting) if ms.gvis_meeting_id else f"link analysis {ms.link_analysis_reference}"
            source = Source("membership", ms.pk, f"identified by {where}", ms.identified_on, _who(ms.added_by))
            self._link(person, group, "Member of the group", source)

    def _meetings(self, people, groups, meetings, level):
        horizon = self.horizon
        if people or meetings:
            through = m.GVISMeeting.individuals_identified.through
            rows = (
                through.objects.filter(Q(candidate_id__in=people) | Q(gvismeeting_id__in=meetings))
                .filter(gvismeeting__held_on__gte=horizon, candidate__in=self.visible)
                .select_related("gvismeeting", "candidate")
                .order_by("id")
            )
            for row in rows:
                meeting = row.gvismeeting
                person = self._person(row.candidate, level)
                node = self._add(f"meeting:{meeting.pk}", MEETING, str(meeting), level).key
                source = Source("meeting", meeting.pk, str(meeting), meeting.held_on)
                self._link(person, node, "Identified in the meeting", source, audited=m.GVISMeeting._meta.label)
        if groups or meetings:
            through = m.GVISMeeting.groups_identified.through
            rows = (
                through.objects.filter(Q(group_id__in=groups) | Q(gvismeeting_id__in=meetings))
                .filter(gvismeeting__held_on__gte=horizon)
                .select_related("gvismeeting", "group")
                .order_by("id")
            )
            for row in rows:
                meeting = row.gvismeeting
                group = self._add(f"group:{row.group_id}", GROUP, row.group.name, level).key
                node = self._add(f"meeting:{meeting.pk}", MEETING, str(meeting), level).key
                source = Source("meeting", meeting.pk, str(meeting), meeting.held_on)
                self._link(group, node, "Group identified in the meeting", source, audited=m.GVISMeeting._meta.label)

    def _referrals(self, people, level):
        if not people:
            return
        rows = (
            m.Referral.objects.filter(candidate_id__in=people, referred_on__gte=self.horizon)
            .select_related("created_by")
            .order_by("id")
        )
        for referral in rows:
            node = self._add(f"referral:{referral.pk}", REFERRER, referral.referred_by, level).key
            source = Source(
                "referral",
                referral.pk,
                f"by {referral.get_source_display()}",
                referral.referred_on,
                _who(referral.created_by),
            )
            self._link(_person_key(referral.candidate_id), node, "Referred the person", source)

    # --- who recorded the records that do not say it themselves: their `create` row, in one query ----------

    def _recorders(self) -> None:
        if not self.audited:
            return
        wanted = Q()
        for object_type, object_id in self.audited:
            wanted |= Q(object_type=object_type, object_id=object_id)
        rows = (
            AuditEvent.objects.filter(wanted, action=AuditEvent.Action.CREATE)
            .order_by("at")
            .values_list("object_type", "object_id", "actor_username", "actor__first_name", "actor__last_name", "at")
        )
        first: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
        for object_type, object_id, username, first_name, last_name, at in rows:
            name = " ".join(part for part in (first_name, last_name) if part) or username
            first.setdefault((object_type, object_id), (name, at))
        for found, edge_keys in self.audited.items():
            if found not in first:
                continue
            username, at = first[found]
            for key in edge_keys:
                edge = self.edges[key]
                recorded_by = username if username and not username.startswith("db:") else NOT_RECORDED
                date = edge.source.date or timezone.localdate(at)
                source = Source(edge.source.kind, edge.source.record_id, edge.source.label, date, recorded_by)
                self.edges[key] = Edge(edge.a, edge.b, edge.relation, source)


def network_of(user, candidate: m.Candidate, depth: int = 1) -> Network:
    """`candidate`'s network as `user` may see it, at `depth` 1 or 2. The candidate is one the user may see
    (`get_candidate_for_user`); who may see networks at all is `selectors.may_see_intelligence`."""
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {DEPTHS}")
    return _Builder(user, candidate, depth).build()


# --- the drawing: concentric circles by depth, computed here (no script, no library) ------------------------

DRAWING_SIZE = 720
RING_RADII = {0: 0, 1: 170, 2: 310}


@dataclass(frozen=True)
class Placed:
    node: Node
    x: float
    y: float


@dataclass(frozen=True)
class Line:
    edge: Edge
    one: Node
    other: Node
    x1: float
    y1: float
    x2: float
    y2: float


def layout(network: Network, size: int = DRAWING_SIZE) -> tuple[list[Placed], list[Line]]:
    """Where each node and link is drawn: the person in the middle, depth 1 on the inner ring in the nodes'
    order (kind, then name), depth 2 on the outer ring beside the depth-1 node that links them (then by kind
    and name), so the same network is always drawn the same way. The links are listed nearest end first."""
    middle = size / 2
    placed: dict[str, Placed] = {}
    slot: dict[str, int] = {}  # a depth-1 node's place on its ring, which its depth-2 neighbours follow
    neighbours: dict[str, set[str]] = {}
    for e in network.edges:
        neighbours.setdefault(e.a, set()).add(e.b)
        neighbours.setdefault(e.b, set()).add(e.a)
    kinds = list(NODE_KINDS)

    def beside(node: Node) -> tuple:  # a depth-2 node: after the first depth-1 node it is linked to
        parent = min((slot[k] for k in neighbours.get(node.key, ()) if k in slot), default=len(slot))
        return (parent, kinds.index(node.kind), node.label, node.key)

    for depth, radius in RING_RADII.items():
        ring = [n for n in network.nodes if n.depth == depth]
        if depth == 2:
            ring.sort(key=beside)
        for i, node in enumerate(ring):
            if depth == 1:
                slot[node.key] = i
            angle = -math.pi / 2 + 2 * math.pi * i / max(len(ring), 1)
            placed[node.key] = Placed(
                node, round(middle + radius * math.cos(angle), 1), round(middle + radius * math.sin(angle), 1)
            )
    lines = []
    for e in network.edges:
        if e.a not in placed or e.b not in placed:
            continue
        one, other = sorted((placed[e.a], placed[e.b]), key=lambda p: (p.node.depth, p.node.label, p.node.key))
        lines.append(Line(e, one.node, other.node, one.x, one.y, other.x, other.y))
    lines.sort(key=lambda ln: (ln.one.depth, ln.one.label, ln.other.label, ln.edge.source.date or dt.date.min))
    return list(placed.values()), lines
