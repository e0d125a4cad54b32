"""Schemathesis against /api/v1/openapi.json, in-process (WSGI): no 500s, answers as documented.

Every operation of the served document gets positive cases (valid by the schema), negative
ones (not), and valid ones aimed at records that exist, sent as anonymous and as each kind of
token. The short variant runs in the normal suite with a fixed seed and a few examples per
operation; the long one is opt-in: `make fuzz` (PORTAL_FUZZ=long, PORTAL_FUZZ_EXAMPLES=n).
"""

import os
import random

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from portal.api.openapi import openapi_document
from portal.extensions import db
from portal.ideas import discussion
from portal.tracking import service as tracking

API = "/api/v1"
LONG = os.environ.get("PORTAL_FUZZ") == "long"
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "300")) if LONG else 10
ROLES = ("anonymous", "customer", "supplier", "staff", "moderator")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
SLUGS = ("public", "customers", "suppliers")
SMALL_ID = st.integers(min_value=1, max_value=4)
# Body fields that name another record.
ID_FIELDS = ("target_id", "parent_id", "into_id", "duplicate_of", "owner_id")
OPERATIONS = [
    (method.upper(), path)
    for path, operations in openapi_document()["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture
def fuzz_tokens(make, token_for):
    """A small portal to aim at (ids 1, 2, 3… exist) and a token per role."""
    public, customers, suppliers = (make.category(a, slug=a) for a in SLUGS)
    customer = make.user("customer")
    supplier = make.user("supplier", org=make.org("Acme"))
    staff = make.user("staff")
    moderator = make.user("customer", role="moderator")
    first = make.idea(author=customer, category=public)
    make.idea(author=customer, category=customers)
    make.idea(author=supplier, category=suppliers, confidential=True)
    promoted = make.idea(author=supplier, category=public)
    tracking.promote(staff, [promoted.id])
    discussion.add_comment(customer, first, "A first comment", parent_id=None, official=False)
    db.session.commit()
    tokens = {"anonymous": {}}
    for role, user in zip(ROLES[1:], (customer, supplier, staff, moderator), strict=True):
        tokens[role] = token_for(user)
    return tokens


def aimed(operation):
    """Valid cases whose ids and category slugs name records of the small portal.

    Generated integers and strings almost never name an existing idea or category: without
    these, most requests would stop at a 404 or 422 before the code that does the work.
    """
    names = [parameter.name for parameter in operation.path_parameters]
    cases = st.fixed_dictionaries({name: SMALL_ID for name in names}).flatmap(
        lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)
    )

    def aim(case, slug, number):
        if isinstance(case.body, dict):
            if "category" in case.body:
                case.body["category"] = slug
            for name in ID_FIELDS:
                if isinstance(case.body.get(name), int):
                    case.body[name] = number
        return case

    return st.builds(aim, cases, st.sampled_from(SLUGS), SMALL_ID)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_answers_as_documented(app, fuzz_tokens, method, path):
    operation = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        aimed(operation),
        aimed(operation),
    )

    @given(case=cases, role=st.sampled_from(ROLES))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case, role):
        # Hypothesis seeds `random` alike for every example, and Whoosh names its segments
        # with it: the same names twice break its writer. Entropy for Whoosh, then.
        random.seed()
        # On the case itself, so that negative cases are judged by what was really sent.
        case.headers = {**(case.headers or {}), **fuzz_tokens[role]}
        response = case.call()
        # The test keeps one app context, so nothing ends a request's session as production
        # does: without this, a write transaction left open would hold SQLite's lock.
        db.session.rollback()
        case.validate_response(response, checks=CHECKS)

    call()
