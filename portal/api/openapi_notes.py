"""The OpenAPI description of staff notes (issue 15), merged into the document by
`portal.api.openapi`."""

from portal.api.openapi import IDEA_ID, PAGE_PARAMS, _body, _errors, _json, _list_of, _ref

SCHEMAS = {
    "StaffNote": {
        "type": "object",
        "description": "A staff-only note beside an idea's discussion: staff and admins only.",
        "required": ["id", "idea_id", "body", "body_html", "author", "created_at", "edited_at"],
        "properties": {
            "id": {"type": "integer"},
            "idea_id": {"type": "integer"},
            "body": {"type": "string"},
            "body_html": {"type": "string"},
            "author": _ref("UserBrief"),
            "created_at": {"type": "string", "format": "date-time"},
            "edited_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "NewStaffNote": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {
                "type": "string",
                "minLength": 1,
                "maxLength": 10000,
                "description": "Markdown; an @handle of a staff member tells them.",
            },
        },
    },
    "StaffNoteList": _list_of("StaffNote"),
}

_WHO = (
    "Staff and admins only. An idea the viewer may not read answers 404 (as its comments do); "
    "one they may read but whose notes are for staff only answers 403."
)


def paths() -> dict:
    return {
        "/ideas/{idea_id}/notes": {
            "get": {
                "summary": "An idea's staff notes, in the order written (staff only)",
                "description": _WHO,
                "parameters": [IDEA_ID] + PAGE_PARAMS,
                "responses": {
                    "200": _json(_ref("StaffNoteList")),
                    **_errors("400", "401", "403", "404", "422"),
                },
            },
            "post": {
                "summary": "Write a staff note on an idea (staff only)",
                "description": _WHO + " Staff members named by @handle are notified.",
                "parameters": [IDEA_ID],
                "requestBody": _body(_ref("NewStaffNote")),
                "responses": {
                    "201": _json(_ref("StaffNote"), "Created"),
                    **_errors("400", "401", "403", "404", "413", "422"),
                },
            },
        },
    }


_NOTE = {
    "id": 77,
    "idea_id": 128,
    "body": "Checked with @marco: the firmware team can do this in Q3.",
    "body_html": "<p>Checked with @marco: the firmware team can do this in Q3.</p>",
    "author": {"id": 7, "display_name": "Elena Rossi", "kind": "staff"},
    "created_at": "2026-11-23T14:05:09Z",
    "edited_at": None,
}

EXAMPLES = {
    ("get", "/ideas/{idea_id}/notes"): {
        "response": {"items": [_NOTE], "page": 1, "per_page": 20, "total": 1}
    },
    ("post", "/ideas/{idea_id}/notes"): {
        "request": {"body": _NOTE["body"]},
        "response": _NOTE,
    },
}
