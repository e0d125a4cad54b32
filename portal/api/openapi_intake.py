"""The OpenAPI description of intake, routing rules, teams and responsiveness (SPEC 12, 13),
merged into the document by `portal.api.openapi`."""

from portal.accounts.models import ASSIGNMENT_MODES, KINDS
from portal.api.openapi import (
    IDEA_KINDS,
    NULLABLE_STRING,
    PAGE_PARAMS,
    _body,
    _errors,
    _json,
    _list_of,
    _query,
    _ref,
)
from portal.intake.models import SOURCES, STATUSES

DATE_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
TEAM_BRIEF = {
    "oneOf": [
        {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        {"type": "null"},
    ]
}
ASSIGNEE = {
    "oneOf": [
        {
            "type": "object",
            "required": ["id", "display_name"],
            "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
        },
        {"type": "null"},
    ],
    "description": "Shown to staff only; null for everyone else.",
}

# What routing adds to an idea object (and an intake message).
WORK_PROPERTIES = {
    "team": TEAM_BRIEF,
    "assignee": ASSIGNEE,
    "first_answer_due_at": DATE_TIME_OR_NULL,
    "first_answered_at": DATE_TIME_OR_NULL,
}
IDEA_PROPERTIES = {
    **WORK_PROPERTIES,
    "evidence": {"type": "integer", "description": "Intake messages attached as evidence."},
    "on_behalf_of": {
        **NULLABLE_STRING,
        "description": "Posted by staff from a message whose sender has no account.",
    },
}
IDEA_PATCH_PROPERTIES = {
    "category": {
        "type": "string",
        "description": "Move a misfiled idea (staff, moderators; the author until others "
        "have voted or commented): a category's slug.",
    },
    "kind": {"type": "string", "enum": list(IDEA_KINDS), "description": "Move to another kind."},
    "team_id": {"type": "integer", "description": "Staff: give the idea to another team."},
    "assignee_id": {
        "type": ["integer", "null"],
        "description": "Staff: give the idea to a staff member; null takes it off them.",
    },
}

# Staff hear of their work (SPEC 13); such a notification may name an intake message.
STAFF_EVENTS = ["assigned", "answer_due", "answer_overdue"]
NOTIFICATION_PROPERTIES = {"intake_message_id": {"type": ["integer", "null"]}}

BUSINESS_HOURS = {
    "type": "object",
    "properties": {
        "timezone": {"type": "string", "description": "IANA time zone, e.g. Europe/Berlin."},
        "days": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 6},
            "description": "Monday is 0.",
        },
        "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        "end": {"type": "string", "description": "After start; 24:00 is the end of the day."},
    },
}
CONDITIONS = {
    "type": "object",
    "description": "Every condition given must hold; `words`: any of them, whole words, any "
    "case, in the title, subject or body.",
    "properties": {
        "category": {"type": "string", "description": "A category's slug."},
        "kind": {"type": "string", "enum": list(IDEA_KINDS)},
        "author_kind": {"type": "string", "enum": list(KINDS)},
        "organization": {"type": "integer", "description": "An organization's id."},
        "source": {"type": "string", "enum": ["portal", *SOURCES]},
        "words": {"type": "array", "items": {"type": "string"}},
    },
}

SCHEMAS = {
    "IntakeMessage": {
        "type": "object",
        "required": [
            "id",
            "source",
            "sender",
            "subject",
            "body",
            "received_at",
            "team",
            "assignee",
            "status",
            "idea_id",
            "external_ref",
            "replies",
            "url",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "source": {"type": "string", "enum": list(SOURCES)},
            "sender": {
                "type": "object",
                "required": ["email", "name", "user_id", "organization"],
                "properties": {
                    "email": {"type": "string"},
                    "name": {"type": "string"},
                    "user_id": {"type": ["integer", "null"]},
                    "verified": {
                        "type": "boolean",
                        "description": "Something vouches that the sender owns the address; "
                        "only then does attach add their vote, and convert make them author.",
                    },
                    "organization": NULLABLE_STRING,
                },
            },
            "subject": {"type": "string"},
            "body": {"type": "string"},
            "attachments": {"type": "array", "items": {"type": "string"}},
            "received_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "idea_id": {"type": ["integer", "null"]},
            "external_ref": NULLABLE_STRING,
            "dismissed_reason": NULLABLE_STRING,
            "replies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "body": {"type": "string"},
                        "by": {"oneOf": [_ref("UserBrief"), {"type": "null"}]},
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            **WORK_PROPERTIES,
            "url": {"type": "string", "format": "uri"},
        },
    },
    "IntakeMessageList": _list_of("IntakeMessage"),
    "NewIntakeMessage": {
        "type": "object",
        "required": ["sender_email", "body"],
        "properties": {
            "sender_email": {"type": "string"},
            "sender_name": {"type": "string", "maxLength": 120},
            "subject": {"type": "string", "maxLength": 300},
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "category": {"type": "string", "description": "A category's slug (routing)."},
            "external_ref": {
                "type": "string",
                "maxLength": 200,
                "description": "Your own id: posting it again answers 200 with the first message.",
            },
            "sender_verified": {
                "type": "boolean",
                "description": "Your system checked that the sender owns the address (default "
                "false): their vote is then added on attach, and they author a converted idea.",
            },
        },
        "example": {
            "sender_email": "jane@example.com",
            "sender_name": "Jane Doe",
            "subject": "Invoice",
            "body": "My invoice shows the wrong VAT.",
            "category": "billing",
            "external_ref": "zendesk-4711",
        },  # fmt: skip
    },
    "IntakeAction": {
        "type": "object",
        "required": ["action"],
        "description": "attach {idea_id}; convert {title, category, kind?}; reply {body}; "
        "dismiss {reason}; assign {team_id?, assignee_id?}.",
        "properties": {
            "action": {
                "type": "string",
                "enum": ["attach", "convert", "reply", "dismiss", "assign"],
            },  # fmt: skip
            "idea_id": {"type": "integer"},
            "title": {"type": "string", "minLength": 5, "maxLength": 150},
            "category": {"type": "string"},
            "kind": {"type": "string", "enum": list(IDEA_KINDS)},
            "body": {
                "type": "string",
                "minLength": 1,
                "maxLength": 20000,
                "description": "reply: the answer; convert: the idea's text, if edited",
            },
            "reason": {"type": "string", "minLength": 1, "maxLength": 500},
            "team_id": {"type": "integer"},
            "assignee_id": {"type": ["integer", "null"]},
            "confidential": {
                "type": "boolean",
                "description": "convert: a supplier's idea "
                "confidential to their organization (default for suppliers)",
            },
        },
        "example": {"action": "attach", "idea_id": 42},
    },
    "RoutingRule": {
        "type": "object",
        "required": ["id", "position", "name", "conditions", "team_id", "assignee_id"],
        "properties": {
            "id": {"type": "integer"},
            "position": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "conditions": CONDITIONS,
            "team_id": {"type": "integer"},
            "assignee_id": {"type": ["integer", "null"]},
        },
    },
    "RoutingRuleList": _list_of("RoutingRule"),
    "NewRoutingRule": {
        "type": "object",
        "required": ["name", "team_id"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "conditions": CONDITIONS,
            "team_id": {"type": "integer"},
            "assignee_id": {"type": ["integer", "null"]},
            "position": {"type": "integer", "minimum": 1, "description": "1 is tried first."},
        },
        "example": {
            "name": "Refunds",
            "conditions": {"words": ["refund", "chargeback"]},
            "team_id": 2,
        },  # fmt: skip
    },
    "RoutingRulePatch": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "conditions": CONDITIONS,
            "team_id": {"type": "integer"},
            "assignee_id": {"type": ["integer", "null"]},
            "position": {"type": "integer", "minimum": 1},
        },
        "example": {"position": 1},
    },
    "Team": {
        "type": "object",
        "required": ["id", "name", "assignment", "answer_target_hours", "business_hours"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "assignment": {"type": "string", "enum": list(ASSIGNMENT_MODES)},
            "answer_target_hours": {"type": ["number", "null"]},
            "business_hours": BUSINESS_HOURS,
            "members": {"type": "array", "items": _ref("UserBrief")},
        },
    },
    "TeamList": _list_of("Team"),
    "TeamPatch": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "assignment": {"type": "string", "enum": list(ASSIGNMENT_MODES)},
            "answer_target_hours": {"type": ["number", "null"], "exclusiveMinimum": 0},
            "business_hours": {**BUSINESS_HOURS, "type": ["object", "null"]},
        },
        "example": {
            "assignment": "round_robin",
            "answer_target_hours": 8,
            "business_hours": {
                "timezone": "Europe/Berlin",
                "days": [0, 1, 2, 3, 4],
                "start": "09:00",
                "end": "17:00",
            },
        },  # fmt: skip
    },
    "Responsiveness": {
        "type": "object",
        "required": [
            "team",
            "target_hours",
            "answered",
            "median_hours_to_first_answer",
            "within_target_pct",
            "waiting",
            "oldest_waiting_hours",
        ],  # fmt: skip
        "properties": {
            "team": TEAM_BRIEF,
            "target_hours": {"type": ["number", "null"]},
            "answered": {"type": "integer"},
            "median_hours_to_first_answer": {"type": ["number", "null"]},
            "within_target_pct": {"type": ["number", "null"]},
            "waiting": {"type": "integer"},
            "oldest_waiting_hours": {"type": ["number", "null"]},
        },
    },
    "ResponsivenessList": _list_of("Responsiveness"),
}

MESSAGE_ID = {"name": "message_id", "in": "path", "required": True, "schema": {"type": "integer"}}
RULE_ID = {"name": "rule_id", "in": "path", "required": True, "schema": {"type": "integer"}}
TEAM_ID = {"name": "team_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def paths() -> dict:
    return {
        "/intake": {
            "get": {
                "summary": "Intake messages (staff): open ones of every team by default",
                "parameters": [
                    _query("status", {"type": "string", "enum": list(STATUSES)}),
                    _query("team", {"type": "integer"}, "A team's id."),
                    _query("assignee", {"type": "string", "enum": ["me"]}),
                    *PAGE_PARAMS,
                ],
                "responses": {
                    "200": _json(_ref("IntakeMessageList")),
                    **_errors("400", "401", "403", "422"),
                },
            },
            "post": {
                "summary": "A message from a help desk, CRM or script (staff token)",
                "description": "Routed by the routing rules at once. Idempotent on "
                "`external_ref`: the same reference again answers 200 with the first message.",
                "requestBody": _body(_ref("NewIntakeMessage")),
                "responses": {
                    "201": _json(_ref("IntakeMessage"), "Created"),
                    "200": _json(_ref("IntakeMessage"), "Already received"),
                    **_errors("400", "401", "403", "413", "422", "429"),
                },
            },
        },
        "/intake/{message_id}": {
            "get": {
                "summary": "One intake message (staff)",
                "parameters": [MESSAGE_ID],
                "responses": {
                    "200": _json(_ref("IntakeMessage")),
                    **_errors("401", "403", "404"),
                },
            }
        },
        "/intake/{message_id}/actions": {
            "post": {
                "summary": "Attach, convert, reply, dismiss or assign a message (staff)",
                "description": "Answers the message as it now is. An action that does not "
                "fit the message's state (attaching one already dismissed) answers 409.",
                "parameters": [MESSAGE_ID],
                "requestBody": _body(_ref("IntakeAction")),
                "responses": {
                    "200": _json(_ref("IntakeMessage")),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            }
        },
        "/routing-rules": {
            "get": {
                "summary": "Routing rules in the order they are tried (admins)",
                "responses": {"200": _json(_ref("RoutingRuleList")), **_errors("401", "403")},
            },
            "post": {
                "summary": "Add a routing rule (admins): last unless `position` says where",
                "requestBody": _body(_ref("NewRoutingRule")),
                "responses": {
                    "201": _json(_ref("RoutingRule"), "Created"),
                    **_errors("400", "401", "403", "413", "422"),
                },
            },
        },
        "/routing-rules/{rule_id}": {
            "patch": {
                "summary": "Change a routing rule or move it (admins)",
                "parameters": [RULE_ID],
                "requestBody": _body(_ref("RoutingRulePatch")),
                "responses": {
                    "200": _json(_ref("RoutingRule")),
                    **_errors("400", "401", "403", "404", "413", "422"),
                },
            },
            "delete": {
                "summary": "Delete a routing rule (admins)",
                "parameters": [RULE_ID],
                "responses": {"204": {"description": "Deleted"}, **_errors("401", "403", "404")},
            },
        },
        "/teams": {
            "get": {
                "summary": "Teams with their assignment mode, answer target and members (staff)",
                "responses": {"200": _json(_ref("TeamList")), **_errors("401", "403")},
            }
        },
        "/teams/{team_id}": {
            "patch": {
                "summary": "A team's name, assignment mode, answer target, business hours",
                "parameters": [TEAM_ID],
                "requestBody": _body(_ref("TeamPatch")),
                "responses": {
                    "200": _json(_ref("Team")),
                    **_errors("400", "401", "403", "404", "413", "422"),
                },
            }
        },
        "/responsiveness": {
            "get": {
                "summary": "Per team over 90 days: time to a first answer, and who waits",
                "description": "Counts only the ideas the caller may see.",
                "security": [{}, {"bearer": []}],
                "responses": {"200": _json(_ref("ResponsivenessList")), **_errors("401")},
            }
        },
    }


# -- an example per operation, shown by the reference at /api --------------------------------

_AT = "2026-11-23T14:05:09Z"
_TEAM = {"id": 3, "name": "Customer Care"}
_MESSAGE = {
    "id": 57,
    "source": "email",
    "sender": {"email": "jane@example.com", "name": "Jane Doe", "user_id": 42,
               "verified": True, "organization": None},
    "subject": "Invoice shows the wrong VAT",
    "body": "The invoice for my Northwind Combi shows 19% VAT although I ordered to Italy.",
    "attachments": ["invoice-2026-1187.pdf"],
    "received_at": _AT,
    "status": "open",
    "idea_id": None,
    "external_ref": None,
    "dismissed_reason": None,
    "replies": [],
    "team": _TEAM,
    "assignee": {"id": 7, "display_name": "Elena Rossi"},
    "first_answer_due_at": "2026-11-23T19:05:09Z",
    "first_answered_at": None,
    "url": "https://portal.example.com/staff/inbox/57",
}  # fmt: skip
_RULE = {"id": 4, "position": 1, "name": "Refunds", "conditions": {"words": ["refund"]},
         "team_id": 3, "assignee_id": None}  # fmt: skip
_HOURS = {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
_TEAM_OBJECT = {"id": 3, "name": "Customer Care", "assignment": "least_loaded",
                "answer_target_hours": 8, "business_hours": _HOURS,
                "members": [{"id": 7, "display_name": "Elena Rossi", "kind": "staff"}]}  # fmt: skip


def _page(items: list) -> dict:
    return {"items": items, "page": 1, "per_page": 20, "total": len(items)}


EXAMPLES = {
    ("get", "/intake"): {"response": _page([_MESSAGE])},
    ("post", "/intake"): {
        "request": SCHEMAS["NewIntakeMessage"]["example"],
        "response": {
            **_MESSAGE,
            "source": "api",
            "external_ref": "zendesk-4711",
            "attachments": [],
        },  # fmt: skip
    },
    ("get", "/intake/{message_id}"): {"response": _MESSAGE},
    ("post", "/intake/{message_id}/actions"): {
        "request": {"action": "attach", "idea_id": 128},
        "response": {**_MESSAGE, "status": "attached", "idea_id": 128},
    },
    ("get", "/routing-rules"): {"response": _page([_RULE])},
    ("post", "/routing-rules"): {
        "request": SCHEMAS["NewRoutingRule"]["example"],
        "response": {
            **_RULE,
            "conditions": {"words": ["refund", "chargeback"]},
            "team_id": 2,
        },  # fmt: skip
    },
    ("patch", "/routing-rules/{rule_id}"): {"request": {"position": 1}, "response": _RULE},
    ("get", "/teams"): {"response": _page([_TEAM_OBJECT])},
    ("patch", "/teams/{team_id}"): {
        "request": {
            "assignment": "least_loaded",
            "answer_target_hours": 8,
            "business_hours": _HOURS,
        },  # fmt: skip
        "response": _TEAM_OBJECT,
    },
    ("get", "/responsiveness"): {
        "response": _page(
            [
                {
                    "team": _TEAM,
                    "target_hours": 8,
                    "answered": 41,
                    "median_hours_to_first_answer": 5.5,
                    "within_target_pct": 78.0,
                    "waiting": 3,
                    "oldest_waiting_hours": 6.2,
                }
            ]
        )  # fmt: skip
    },
}
