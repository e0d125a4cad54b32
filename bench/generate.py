"""A fast, reproducible corpus for benchmarks: users, categories, ideas, comments and votes.

    python bench/generate.py --database-url URL --ideas 100000 --comments 300000 \
        --users 20000 --votes 1000000 [--seed 1] [--migrate]

Fills an EMPTY database (migrated already, or with `--migrate`) through bulk inserts
(SQLAlchemy Core in batches on SQLite, COPY on PostgreSQL), not through the services, so
100,000 ideas, 300,000 comments and 1,000,000 votes take a few minutes at most. The same
seed and `--now` give the same corpus on any database. Counters are kept consistent with
the inserted rows: `comments_count` counts an idea's comments that are not deleted, `hot` is
`portal.ideas.service.hot_score(votes_count, comments_count, created_at)`.

No search_task rows are written (a benchmark builds the index with `rebuild`). Vote rows
are: each idea gets exactly `votes_count` distinct voters (its author first, as posting
does), drawn from the users who may see it (`Generator.readers`), the most active users
most often. How many votes an idea gets is heavy-tailed (Pareto: most ideas a handful, a
few thousands); `--votes N` scales that plan to N votes in all (1,000,000 for the full
portal), otherwise the plan's own total is kept (about five per idea). An idea merged into
another has none (merging moves its votes to the original).

Everything is planned in memory first (who wrote what, when, how many comments), then
inserted table by table; the text is generated while inserting, one batch at a time.
"""

import argparse
import random
import sys
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate, chain

BATCH = 5000
BENCH_PASSWORD = "bench-password"

# -- vocabulary ---------------------------------------------------------------------------------

PRODUCTS = [
    "SmartOven S3", "FrostLine fridge", "DishPro dishwasher", "K2 kettle", "AirCrisp air fryer",
    "ChefPad hub", "Northwind Home app", "FrostLine freezer", "SmartOven S2", "DishPro Compact",
    "BrewMate coffee machine", "SteamChef oven", "InductaPlate hob", "Breeze range hood",
    "MixMaster blender", "ToastPro toaster", "CoolBox wine cooler", "CleanAir purifier",
    "FrostLine Duo", "K2 Mini kettle",
]  # fmt: skip
COMPONENTS = [
    "door", "door seal", "hinge", "thermostat", "display", "compressor", "fan", "filter",
    "heating element", "touchscreen", "control board", "water tank", "temperature sensor",
    "drain pump", "handle", "lid", "power cable", "firmware", "oven rack", "crumb tray",
    "crisper drawer", "glass shelf", "control knob", "door latch", "spray arm", "timer",
    "interior light", "ice tray", "detergent dispenser", "cutlery basket", "wifi module",
    "power supply", "wiring harness", "insulation", "enamel coating", "glass panel",
    "cooling duct", "steam vent", "frying basket", "spout", "meat probe", "inlet hose",
    "water valve", "gasket", "motor", "connector", "fuse", "feet", "condenser", "drip tray",
]  # fmt: skip
SUPPLY = [
    "delivery", "shipment", "pallet", "lead time", "forecast", "purchase order", "invoice",
    "packaging", "shipping label", "warehouse", "carrier", "customs clearance", "barcode",
    "freight", "batch", "tracking number", "carton", "specification", "technical drawing",
    "lot number", "tolerance", "quality audit", "first article sample", "supplier portal",
    "certificate of conformity", "advance shipping notice", "loading dock", "delivery slot",
    "safety stock", "minimum order quantity", "payment terms", "price list", "rework",
    "inspection report", "corrective action", "spare parts", "material shortage", "container",
    "returns process", "stretch wrap", "pallet height", "booking window", "EDI message",
    "recycled plastic", "cardboard inserts",
]  # fmt: skip
PROBLEMS = [
    "stops working", "leaks", "makes a loud noise", "overheats", "rattles", "takes ages to heat up",
    "loses its wifi connection", "shows error E4", "beeps constantly", "does not close properly",
    "gets stuck", "cracks", "drips water", "smells of plastic", "resets itself", "flickers",
    "trips the fuse", "freezes up", "drains slowly", "rusts", "makes a grinding noise",
    "shows the wrong temperature", "turns off by itself", "vibrates",
]  # fmt: skip
FEATURES = [
    "a delay start timer", "an eco mode", "a quiet mode", "a child lock", "remote preheat",
    "push notifications", "a self-cleaning cycle", "a filter reminder", "recipe sync",
    "energy usage graphs", "voice control", "a keep-warm setting", "a holiday mode",
    "a descaling reminder", "a door-open alarm", "dark mode", "multi-user accounts",
    "a rinse-only program", "a bigger water tank", "firmware release notes", "a night light",
    "an express cycle", "shared shopping lists", "a favourites button",
]  # fmt: skip
STATES = ["open", "hot", "cold", "full", "empty", "wet", "locked", "running", "paused", "new"]
UNITS = ["days", "weeks", "months", "uses", "cycles", "hours"]
PERIODS = ["week", "month", "quarter", "shift", "season"]
CHANGES = [
    "shorter", "more reliable", "easier to read", "cheaper", "faster", "consolidated",
    "split into two", "earlier", "planned weekly", "digital", "standardised", "simpler",
]  # fmt: skip
TEAMS_SAID = ["quality", "product", "supply chain", "customer care", "engineering", "logistics"]
ADJECTIVES = [
    "great", "annoying", "small", "big", "simple", "useful", "confusing", "slow", "quick",
    "reliable", "noisy", "expensive", "helpful", "strange", "serious", "minor", "clear",
]  # fmt: skip
# Each appears in a few dozen documents: what a "rare word" query looks for.
RARE = [
    "galvanic", "thixotropic", "hygrometer", "desiccant", "borosilicate", "magnetron",
    "solenoid", "capacitor", "thermistor", "bimetal", "potentiometer", "elastomer",
    "polycarbonate", "anodised", "passivation", "ultrasonic", "condensate", "limescale",
    "incoterms", "demurrage", "consignment", "palletiser", "kanban", "ergonomics", "torque",
    "calibration", "serialisation", "traceability", "hydrophobic", "oleophobic", "enthalpy",
    "viscosity", "refractometer", "photometer", "microswitch", "optocoupler", "varistor",
    "electrolytic", "silicone", "fluoropolymer", "ceramic", "stainless", "aluminium",
    "magnesium", "bakelite", "nylon", "acetal", "copolymer", "gravimetric", "pneumatic",
    "hydraulic", "laminate", "extrusion", "moulding", "stamping", "brazing", "soldering",
    "riveting", "welding", "grommet",
]  # fmt: skip
REFERENCES = ["Ticket NW-{}.", "Order {}.", "Serial number {}.", "PO {}.", "See case {}."]
RARE_CONTEXT = [
    "part needs a second source", "issue showed up in the last audit", "spec is unclear",
    "change would help", "question came up again", "supplier quoted a long lead time",
    "test failed twice", "should be documented",
]  # fmt: skip
FIRST_NAMES = [
    "Alex", "Sam", "Maria", "Jonas", "Aisha", "Chen", "Olga", "Pedro", "Fatima", "Liam",
    "Noor", "Kenji", "Elena", "Tomas", "Priya", "Ivan", "Grace", "Omar", "Lena", "Diego",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Novak", "Garcia", "Chen", "Okafor", "Berg", "Rossi", "Kowalski", "Haddad",
    "Tanaka", "Silva", "Meyer", "Ivanova", "Larsen", "Patel", "Dubois", "Moreau", "Khan",
]  # fmt: skip

IDEA_TITLES = [
    "{Component} on the {product} {problem}",
    "Add {feature} to the {product}",
    "{Product}: {feature}",
    "Make the {supply} {change}",
    "{Product} {component} {problem} after {n} {units}",
    "Better {component} for the {product}",
    "{Component} {problem} again",
    "{Supply} for {component} parts",
    "Please make the {component} {change}",
    "Improve the {supply} process",
    "{Product} {component}",
    "Quieter {component}",
    "{Feature} please",
    "{Adj} idea: {feature} on the {product}",
]  # fmt: skip
SHORT_TITLES = ["Dark mode", "K2 lid", "Eco mode", "Fan noise", "Door seal", "Timer", "Wifi drops"]
IDEA_SENTENCES = [
    "The {component} on my {product} {problem} after {n} {units}.",
    "It would be great if the {product} had {feature}.",
    "Please add {feature} to the {product}, it would save a lot of time.",
    "Our {product} {problem} whenever the {component2} is {state}.",
    "We see the same issue with the {component} on {n} units from the last {supply}.",
    "Could the {supply} for the {component} be {change}?",
    "Every {period} we lose time because the {supply} is not {change}.",
    "The {component} is {adj} but the {component2} {problem}.",
    "I use the {product} every day and the {component} {problem}.",
    "A {adj} fix would be to make the {component} {change}.",
    "Customers keep asking for {feature} on the {product}.",
    "The {supply} and the {supply2} do not match for {n} of our orders.",
    "Right now the {supply} takes {n} {units}, which is too long.",
    "The app should show when the {component} {problem}.",
    "Last {period} the {supply} was late {n} times.",
    "Other brands already offer {feature}.",
]  # fmt: skip
COMMENT_SENTENCES = [
    "Same here, my {product} {problem} too.",
    "+1, {feature} would really help.",
    "Have you tried resetting the {component}?",
    "Thanks, we are looking into the {supply}.",
    "Our {team} team confirmed that the {component} {problem} on about {n} percent of units.",
    "This happens to me every {period}.",
    "Agreed, the {component} is {adj}.",
    "We changed the {supply} last {period}, does it look better now?",
    "The new firmware should fix the {component}.",
    "Could you share the {supply} number so we can check?",
    "I would rather have {feature} first.",
    "The {supply} for this part is {change} since the last {period}.",
    "My {product} is {n} {units} old and the {component} {problem}.",
    "Good point about the {supply2}.",
    "Not sure this is a {adj} idea, the {component} works fine for me.",
]  # fmt: skip
STATUS_NOTES = [
    "Thanks, our {team} team is reviewing this.",
    "Planned for the next {product} update.",
    "We will change the {supply} from next {period}.",
    "Fixed in the latest firmware for the {component}.",
    "Not something we can do with the current {component}, sorry.",
    "Merged with an existing idea about the {component}.",
]  # fmt: skip

# Categories: 8, of all three audiences (slug, name, audience, team).
CATEGORIES = [
    ("ovens-and-hobs", "Ovens and hobs", "public", "Product"),
    ("cooling", "Fridges and freezers", "public", "Product"),
    ("home-app", "Northwind Home app", "public", "Product"),
    ("small-appliances", "Kettles, blenders and fryers", "customers", "Product"),
    ("dishwashers", "Dishwashers", "customers", "Quality"),
    ("service-and-repairs", "Service and repairs", "customers", "Customer Care"),
    ("components", "Components and quality", "suppliers", "Quality"),
    ("logistics", "Logistics and deliveries", "suppliers", "Supply Chain"),
]
TEAMS = ["Product", "Supply Chain", "Customer Care", "Quality"]
ORGANIZATIONS = [
    "Acme Components", "Baltic Logistics", "Nordic Plastics", "Rhine Electronics",
    "Iberia Metals", "Danube Packaging", "Vistula Freight", "Adriatic Glass",
]  # fmt: skip
KINDS_BY_AUDIENCE = {
    "public": (
        ("idea", 40), ("problem", 25), ("question", 15), ("improvement", 10), ("praise", 10),
    ),
    "customers": (
        ("problem", 35), ("idea", 30), ("question", 20), ("praise", 10), ("improvement", 5),
    ),
    "suppliers": (("improvement", 45), ("problem", 25), ("question", 20), ("idea", 10)),
}  # fmt: skip
STATUS_WEIGHTS = (
    ("open", 55), ("under_review", 12), ("planned", 8), ("in_progress", 6), ("done", 8),
    ("declined", 7), ("duplicate", 4),
)  # fmt: skip


class Zipf:
    """Picks from a list, the first items far more often than the last (rank ** -s)."""

    def __init__(self, items, s: float = 1.0):
        self.items = list(items)
        self.cum = list(accumulate(1.0 / (rank + 1) ** s for rank in range(len(self.items))))

    def __call__(self, rng: random.Random):
        index = bisect(self.cum, rng.random() * self.cum[-1])
        return self.items[min(index, len(self.items) - 1)]


def weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(accumulate(weights))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Text:
    """Sentences from templates whose slots are filled with Zipf-distributed words."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pickers = {
            "product": Zipf(PRODUCTS),
            "component": Zipf(COMPONENTS),
            "supply": Zipf(SUPPLY),
            "problem": Zipf(PROBLEMS, 0.8),
            "feature": Zipf(FEATURES, 0.8),
            "state": Zipf(STATES, 0.5),
            "units": Zipf(UNITS, 0.5),
            "period": Zipf(PERIODS, 0.5),
            "change": Zipf(CHANGES, 0.7),
            "team": Zipf(TEAMS_SAID, 0.5),
            "adj": Zipf(ADJECTIVES, 0.7),
        }
        self.title_templates = Zipf(IDEA_TITLES, 0.6)
        self.idea_templates = Zipf(IDEA_SENTENCES, 0.5)
        self.comment_templates = Zipf(COMMENT_SENTENCES, 0.5)

    def _slot(self, name: str) -> str:
        base = name.rstrip("0123456789").lower()
        if base == "n":
            return str(int(self.rng.paretovariate(1.2)) + 1)
        value = self.pickers[base](self.rng)
        return _cap(value) if name[:1].isupper() else value

    def fill(self, template: str) -> str:
        slots = _Slots(self)
        return template.format_map(slots)

    def _rare_sentence(self) -> str:
        rng = self.rng
        return f"The {rng.choice(RARE)} {rng.choice(RARE_CONTEXT)}."

    def _sentences(self, templates: Zipf, low: int, high: int) -> str:
        rng = self.rng
        parts = [self.fill(templates(rng)) for _ in range(rng.randint(low, high))]
        if rng.random() < 0.02:
            parts.insert(rng.randrange(len(parts) + 1), self._rare_sentence())
        if rng.random() < 0.08:  # a long tail of one-off terms, as real tickets have
            parts.append(rng.choice(REFERENCES).format(rng.randrange(10_000, 100_000)))
        return " ".join(_cap(p) for p in parts)

    def title(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return rng.choice(SHORT_TITLES)
        title = _cap(self.fill(self.title_templates(rng)))
        if rng.random() < 0.12:  # long titles: a whole sentence more, cut at 150 characters
            title += " because " + self.fill(self.idea_templates(rng)).rstrip(".?")
            if len(title) > 150:
                title = title[:150].rsplit(" ", 1)[0]
        return title

    def idea_body(self) -> str:
        return self._sentences(self.idea_templates, 1, 4)

    def comment_body(self) -> str:
        return self._sentences(self.comment_templates, 1, 3)

    def status_note(self) -> str:
        return self.fill(self.rng.choice(STATUS_NOTES))


class _Slots(dict):
    def __init__(self, text: Text):
        super().__init__()
        self.text = text

    def __missing__(self, key: str) -> str:
        value = self.text._slot(key)
        self[key] = value
        return value


def html_of(text: str) -> str:
    """What portal.markdown.render gives for one plain paragraph (no Markdown in the corpus)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "<p>" + escaped.replace('"', "&quot;") + "</p>\n"


# -- the plan ---------------------------------------------------------------------------------


@dataclass
class IdeaPlan:
    id: int
    category: int  # index into CATEGORIES
    audience: str
    author: int
    kind: str
    status: str
    confidential: bool
    organization: int | None
    hidden: bool
    locked: bool
    merged_into: int | None
    votes: int
    created: datetime
    comments: int = 0
    first_staff_answer: datetime | None = None


@dataclass
class CommentPlan:
    idea: int
    author: int
    created: datetime
    reply: bool
    hidden: bool
    deleted: bool
    id: int = 0
    parent: int | None = None
    official: bool = False


@dataclass
class Generator:
    ideas: int
    comments: int
    users: int
    seed: int = 1
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 1))
    echo: object = print
    # Votes in all (None: the per-idea plan as drawn, about five per idea).
    total_votes: int | None = None

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.text = Text(random.Random(self.seed + 1))
        self.user_rows: list[dict] = []
        self.idea_plans: list[IdeaPlan] = []
        self.comment_plans: list[CommentPlan] = []

    # -- people and places --------------------------------------------------------------------

    def plan_users(self, password_hash: str) -> None:
        """~2% staff (a few admins), ~8% suppliers over the organizations, the rest customers."""
        rng = self.rng
        orgs = Zipf(range(1, len(ORGANIZATIONS) + 1), 0.7)
        start = self.now - timedelta(days=1100)
        self.staff, self.customers = [], []
        self.suppliers_by_org: dict[int, list[int]] = {}
        for user_id in range(1, self.users + 1):
            draw = rng.random()
            kind = "staff" if draw < 0.02 else "supplier" if draw < 0.10 else "customer"
            organization = orgs(rng) if kind == "supplier" else None
            approved = not (kind == "supplier" and rng.random() < 0.05)
            role = "member"
            if user_id <= 3:
                kind, organization, approved, role = "staff", None, True, "admin"
            elif kind != "supplier" and rng.random() < 0.002:
                role = "moderator"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            handle = f"{first.lower()}-{last.lower()}-{user_id}"
            domain = f"org{organization}.example.com" if organization else "example.com"
            self.user_rows.append(
                dict(
                    id=user_id,
                    email=f"{handle}@{domain}",
                    handle=handle,
                    display_name=f"{first} {last}",
                    password_hash=password_hash,
                    kind=kind,
                    role=role,
                    organization_id=organization,
                    approved=approved,
                    email_preference=rng.choice(("instant", "instant", "daily", "off")),
                    suspended_until=None,
                    created_at=(joined := start + timedelta(seconds=rng.randrange(300 * 86400))),
                    # Accounts that confirmed their address when they joined: they may write.
                    email_verified_at=joined,
                    session_token=f"{rng.getrandbits(128):032x}",
                )  # fmt: skip
            )
            if kind == "staff":
                self.staff.append(user_id)
            elif kind == "supplier":
                if approved:
                    self.suppliers_by_org.setdefault(organization, []).append(user_id)
            else:
                self.customers.append(user_id)
        self.suppliers = [u for members in self.suppliers_by_org.values() for u in members]

    def _active(self, pool: list[int]) -> int:
        """A user from a pool, the first ones far more active than the last."""
        return pool[int(len(pool) * self.rng.random() ** 2)]

    def readers(self, idea: IdeaPlan) -> tuple[list[int], list[int]]:
        """(non-staff users, staff) who may see an idea: where voters and commenters come from."""
        if idea.confidential:
            return self.suppliers_by_org[idea.organization], self.staff
        if idea.audience == "customers":
            return self.customers, self.staff
        if idea.audience == "suppliers":
            return self.suppliers, self.staff
        return self._public_pool, self.staff

    # -- ideas and comments -------------------------------------------------------------------

    def plan_ideas(self) -> None:
        rng = self.rng
        self._public_pool = self.customers + self.suppliers
        category_pick = Zipf(range(len(CATEGORIES)), 0.4)
        kinds = {a: weighted(pairs) for a, pairs in KINDS_BY_AUDIENCE.items()}
        statuses, status_cum = weighted(STATUS_WEIGHTS)
        span = 730 * 86400
        offsets = sorted(rng.randrange(3600, span) for _ in range(self.ideas))
        by_category: dict[int, list[int]] = {}
        for idea_id, offset in zip(range(1, self.ideas + 1), reversed(offsets), strict=True):
            category = category_pick(rng)
            audience = CATEGORIES[category][2]
            draw = rng.random()
            if draw < (0.10 if audience == "suppliers" else 0.04):
                author = self._active(self.staff)
            elif audience == "suppliers" or (audience == "public" and draw < 0.18):
                author = self._active(self.suppliers)
            else:
                author = self._active(self.customers)
            row = self.user_rows[author - 1]
            organization = row["organization_id"] if row["kind"] == "supplier" else None
            confidential = audience == "suppliers" and organization and rng.random() < 0.25
            values, cum = kinds[audience]
            status = rng.choices(statuses, cum_weights=status_cum)[0]
            merged_into = None
            earlier = by_category.setdefault(category, [])
            if status == "duplicate" and earlier and rng.random() < 0.5:
                merged_into = rng.choice(earlier)
            earlier.append(idea_id)
            votes = 1 + min(int(rng.paretovariate(1.1)) - 1, 3000)
            if audience != "public":
                votes = max(1, votes // 3)
            self.idea_plans.append(
                IdeaPlan(
                    id=idea_id,
                    category=category,
                    audience=audience,
                    author=author,
                    kind=rng.choices(values, cum_weights=cum)[0],
                    status=status,
                    confidential=bool(confidential),
                    organization=organization,
                    hidden=rng.random() < 0.01,
                    locked=rng.random() < 0.01,
                    merged_into=merged_into,
                    votes=votes,
                    created=self.now - timedelta(seconds=offset),
                )  # fmt: skip
            )

    def plan_comments(self) -> None:
        """Skewed over ideas (most get a few, some hundreds), in time order, replies one deep."""
        rng = self.rng
        if not self.idea_plans:
            return
        # Pareto weights, capped: the busiest threads get a hundred-odd comments.
        cum = list(accumulate(min(rng.paretovariate(1.3), 50.0) for _ in self.idea_plans))
        plans = []
        for _ in range(self.comments):
            idea = self.idea_plans[min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)]
            others, staff = self.readers(idea)
            author = self._active(staff) if rng.random() < 0.08 or not others else None
            if author is None:
                author = idea.author if rng.random() < 0.1 else self._active(others)
            age = (self.now - idea.created).total_seconds()
            delay = age * rng.random() ** 3  # most comments come soon after the idea
            plans.append(
                CommentPlan(
                    idea=idea.id,
                    author=author,
                    created=idea.created + timedelta(seconds=max(60.0, delay)),
                    reply=rng.random() < 0.3,
                    hidden=rng.random() < 0.01,
                    deleted=rng.random() < 0.02,
                )  # fmt: skip
            )
        plans.sort(key=lambda c: c.created)
        top_level: dict[int, list[int]] = {}
        staff = set(self.staff)
        for comment_id, comment in enumerate(plans, start=1):
            comment.id = comment_id
            idea = self.idea_plans[comment.idea - 1]
            parents = top_level.setdefault(comment.idea, [])
            if comment.reply and parents:
                comment.parent = rng.choice(parents)
            else:
                parents.append(comment_id)
            first_staff = idea.first_staff_answer is None and comment.author in staff
            if first_staff and not comment.deleted:
                idea.first_staff_answer = comment.created
                comment.official = rng.random() < 0.6
            if not comment.deleted:
                idea.comments += 1
        self.comment_plans = plans

    def plan_votes(self) -> None:
        """Final per-idea vote counts: the plan, scaled to `total_votes` when given.

        Scaling keeps the plan's heavy tail (each idea's share stays proportional to its
        planned count), keeps at least the author's vote, and never asks for more voters than
        the users who may see the idea; rounding is settled one vote at a time so the total is
        exact whenever the audiences are large enough. Own random stream: the rest of the
        corpus does not change with the number of votes.
        """
        rng = random.Random(self.seed + 2)
        live = [idea for idea in self.idea_plans if idea.merged_into is None]
        for idea in self.idea_plans:
            if idea.merged_into is not None:
                idea.votes = 0
        caps = {}
        for idea in live:
            others, staff = self.readers(idea)
            caps[idea.id] = max(1, len(others) + len(staff))
        if self.total_votes is None or not live:
            # Unscaled, the plan's tail can still ask a small audience (one supplier
            # organization) for more voters than it has.
            for idea in live:
                idea.votes = min(idea.votes, caps[idea.id])
            return
        planned = sum(idea.votes for idea in live)
        factor = self.total_votes / planned
        for idea in live:
            share = idea.votes * factor
            whole = int(share) + (rng.random() < share - int(share))
            idea.votes = min(max(1, whole), caps[idea.id])
        missing = self.total_votes - sum(idea.votes for idea in live)
        step = 1 if missing > 0 else -1
        stuck = 0
        while missing and stuck < 100 * len(live):
            # More votes go where there are votes already (the tail stays heavy).
            idea = live[int(len(live) * rng.random() ** 2)] if step > 0 else rng.choice(live)
            if 1 <= idea.votes + step <= caps[idea.id]:
                idea.votes += step
                missing -= step
                stuck = 0
            else:
                stuck += 1

    def plan(self, password_hash: str) -> None:
        self.plan_users(password_hash)
        self.plan_ideas()
        self.plan_comments()
        self.plan_votes()

    # -- rows ------------------------------------------------------------------------------

    def organization_rows(self):
        start = self.now - timedelta(days=1200)
        return [dict(id=i, name=name, created_at=start) for i, name in enumerate(ORGANIZATIONS, 1)]

    def team_rows(self):
        start = self.now - timedelta(days=1200)
        return [dict(id=i, name=name, created_at=start) for i, name in enumerate(TEAMS, 1)]

    def team_member_rows(self):
        return [dict(team_id=1 + i % len(TEAMS), user_id=u) for i, u in enumerate(self.staff)]

    def category_rows(self):
        return [
            dict(
                id=i,
                slug=slug,
                name=name,
                description=f"{name}: ideas, problems and questions.",
                audience=audience,
                team_id=TEAMS.index(team) + 1,
                position=i,
            )
            for i, (slug, name, audience, team) in enumerate(CATEGORIES, 1)
        ]

    def idea_rows(self):
        from portal.ideas.service import hot_score

        text = self.text
        rng = self.rng
        for idea in self.idea_plans:
            body = text.idea_body()
            note = text.status_note() if idea.status != "open" and rng.random() < 0.7 else None
            answered = idea.first_staff_answer
            if note and (answered is None or rng.random() < 0.5):
                answered = idea.created + (self.now - idea.created) * rng.random() ** 2
            yield dict(
                id=idea.id,
                title=text.title(),
                body=body,
                body_html=html_of(body),
                kind=idea.kind,
                status=idea.status,
                status_note=note,
                category_id=idea.category + 1,
                author_id=idea.author,
                audience=idea.audience,
                confidential=idea.confidential,
                organization_id=idea.organization,
                hidden=idea.hidden,
                locked=idea.locked,
                merged_into_id=idea.merged_into,
                votes_count=idea.votes,
                comments_count=idea.comments,
                hot=hot_score(idea.votes, idea.comments, idea.created),
                created_at=idea.created,
                updated_at=idea.created,
                first_staff_answer_at=answered,
            )

    def comment_rows(self):
        text = self.text
        for comment in self.comment_plans:
            body = "" if comment.deleted else text.comment_body()
            yield dict(
                id=comment.id,
                idea_id=comment.idea,
                author_id=comment.author,
                parent_id=comment.parent,
                body=body,
                body_html=html_of(body) if body else "",
                official=comment.official,
                hidden=comment.hidden,
                created_at=comment.created,
                edited_at=None,
                deleted_at=comment.created + timedelta(hours=1) if comment.deleted else None,
            )

    def votes(self):
        """Exactly `idea.votes` vote rows per idea, distinct users who may see it (`readers`),
        the author first (as post_idea does), then mostly active users (3% staff); votes come
        in soon after the idea more often than late."""
        rng = random.Random(self.seed + 3)
        vote_id = 0
        for idea in self.idea_plans:
            wanted = idea.votes
            if wanted <= 0:
                continue
            others, staff = self.readers(idea)
            voters = [idea.author]
            if wanted - 1 > (len(others) + len(staff)) // 3:
                # Most of the audience votes: draw uniformly, without replacement.
                everyone = [u for u in chain(others, staff) if u != idea.author]
                voters.extend(rng.sample(everyone, wanted - 1))
            else:
                chosen = {idea.author}
                while len(voters) < wanted:
                    pool = staff if rng.random() < 0.03 or not others else others
                    user = pool[int(len(pool) * rng.random() ** 2)]
                    if user not in chosen:
                        chosen.add(user)
                        voters.append(user)
            span = (self.now - idea.created).total_seconds()
            for position, user in enumerate(voters):
                vote_id += 1
                later = 0.0 if position == 0 else span * rng.random() ** 3
                yield dict(
                    id=vote_id,
                    idea_id=idea.id,
                    user_id=user,
                    created_at=idea.created + timedelta(seconds=later),
                )


# -- writing ---------------------------------------------------------------------------------


def _batches(rows, size=BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(connection, table, rows) -> int:
    """Bulk insert: COPY on PostgreSQL, Core executemany in batches elsewhere."""
    from sqlalchemy import insert

    if connection.dialect.name == "postgresql":
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in chain([first], rows):
                copy.write_row([row[c] for c in columns])
                count += 1
        return count
    count = 0
    for batch in _batches(rows):
        connection.execute(insert(table), batch)
        count += len(batch)
    return count


def _reset_sequences(connection, tables) -> None:
    from sqlalchemy import text

    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )
        )


def generate(
    database_url: str,
    *,
    ideas: int,
    comments: int,
    users: int,
    seed: int = 1,
    now: datetime | None = None,
    migrate: bool = False,
    votes: int | None = None,
    echo=print,
) -> dict[str, int]:
    """Fill an empty database; returns the number of rows written per table."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from config import DevelopmentConfig
    from portal import create_app
    from portal.accounts.models import Organization, Team, User, team_members
    from portal.accounts.service import hash_password
    from portal.extensions import db
    from portal.ideas.models import Category, Comment, Idea, Vote
    from portal.search.models import SearchTask
    from portal.timeutil import utcnow

    if users < 100:
        raise SystemExit("--users: at least 100 (staff, suppliers of every organization)")

    app = create_app(
        DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, PASSWORD_HASH_FAST=False
    )
    counts = {}
    with app.app_context():
        if migrate:
            upgrade()
        for model in (User, Organization, Category, Idea, Comment, Vote):
            if db.session.scalar(select(func.count()).select_from(model)):
                raise SystemExit(f"The database is not empty ({model.__tablename__} has rows).")
        db.session.remove()
        started = time.perf_counter()
        if now is None:
            now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        generator = Generator(ideas, comments, users, seed, now, echo, total_votes=votes)
        generator.plan(hash_password(BENCH_PASSWORD))
        echo(f"planned in {time.perf_counter() - started:.1f}s")
        steps = [
            (Organization.__table__, generator.organization_rows),
            (Team.__table__, generator.team_rows),
            (User.__table__, lambda: generator.user_rows),
            (team_members, generator.team_member_rows),
            (Category.__table__, generator.category_rows),
            (Idea.__table__, generator.idea_rows),
            (Comment.__table__, generator.comment_rows),
            (Vote.__table__, generator.votes),
        ]
        with db.engine.begin() as connection:
            for table, rows in steps:
                step = time.perf_counter()
                counts[table.name] = insert_rows(connection, table, rows())
                echo(
                    f"{table.name}: {counts[table.name]} rows in {time.perf_counter() - step:.1f}s"
                )
            _reset_sequences(
                connection,
                ["organization", "team", "user", "category", "idea", "comment", "vote"],
            )
        queued = db.session.scalar(select(func.count()).select_from(SearchTask))
        if queued:
            raise RuntimeError(f"the generator queued {queued} search tasks")
        db.session.remove()
        db.engine.dispose()
    echo(f"generated in {time.perf_counter() - started:.1f}s")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument(
        "--votes",
        type=int,
        help="votes in all, spread over the ideas (default: as planned, about five per idea)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="the corpus's present (ISO date, default: today 00:00 UTC); ideas span the two "
        "years before it",
    )
    parser.add_argument("--migrate", action="store_true", help="run the migrations first")
    args = parser.parse_args(argv)
    generate(
        args.database_url,
        ideas=args.ideas,
        comments=args.comments,
        users=args.users,
        seed=args.seed,
        now=args.now,
        migrate=args.migrate,
        votes=args.votes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
