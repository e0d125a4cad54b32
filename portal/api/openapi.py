"""The OpenAPI 3 description of API v1, kept next to the routes it describes."""

from portal.api.openapi_guide import INTRODUCTION, add_examples
from portal.ideas.models import AUDIENCES, IDEA_KINDS, STATUSES
from portal.pagination import MAX_PER_PAGE


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _error_response("Malformed request (not JSON, not an object, bad parameter)"),
    "401": _error_response("Missing, malformed, unknown or revoked token"),
    "403": _error_response("Not allowed (for example a suspended account)"),
    "404": _error_response("Not found, or not visible to you"),
    "405": _error_response("Method not allowed"),
    "409": _error_response("Conflict with the current state"),
    "413": _error_response("Body larger than 1 MiB"),
    "422": _error_response("Validation failed; `fields` names the fields"),
    "429": _error_response("Rate limited; see Retry-After"),
}


def _errors(*codes: str) -> dict:
    return {code: ERRORS[code] for code in codes}


def _query(name: str, schema: dict, description: str | None = None) -> dict:
    """A query parameter; an empty value (`?status=`) means the same as leaving it out."""
    parameter = {"name": name, "in": "query", "schema": schema, "allowEmptyValue": True}
    if description:
        parameter["description"] = description
    return parameter


PAGE_PARAMS = [
    _query("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1},
        f"Page size, default 20; more than {MAX_PER_PAGE} is clamped.",
    ),
]
IDEA_ID = {"name": "idea_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
COMMENT_ID = {"name": "comment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
NULLABLE_STRING = {"type": ["string", "null"]}


def _list_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    },
    "UserBrief": {
        "type": "object",
        "required": ["id", "display_name", "kind"],
        "properties": {
            "id": {"type": "integer"},
            "display_name": {"type": "string"},
            "kind": {"type": "string", "enum": ["customer", "supplier", "staff"]},
        },
    },
    "Export": {
        "type": "object",
        "description": "Everything the portal holds about the token's owner (SPEC 15). What "
        "they may no longer read is named by its number only; never a secret.",
        "required": [
            "format",
            "version",
            "exported_at",
            "profile",
            "ideas",
            "comments",
            "votes",
            "follows",
            "flags",
            "notifications",
            "tokens",
            "intake",
        ],
        "properties": {
            "format": {"type": "string", "enum": ["portal-export"]},
            "version": {"type": "integer"},
            "exported_at": {"type": "string", "format": "date-time"},
            "profile": {"type": "object"},
            **{
                name: {"type": "array", "items": {"type": "object"}}
                for name in (
                    "ideas",
                    "comments",
                    "votes",
                    "follows",
                    "mentions",
                    "flags",
                    "appeals",
                    "notifications",
                    "tokens",
                    "files",
                    "intake",
                )
            },
            "activity": {"type": "object", "description": "Staff, moderator and admin work."},
        },
    },  # fmt: skip
    "StoredFile": {
        "type": "object",
        "description": "An uploaded picture or file (SPEC 16). Name it in an idea or comment "
        "(its `markdown`) and save that post: the post then holds it, and the file is read "
        "exactly as the post is. Until then only you may read it; after a day it is deleted.",
        "required": ["id", "url", "name", "content_type", "size", "markdown"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string", "description": "`/files/<id>/<name>` on the portal."},
            "name": {"type": "string", "description": "The name, made safe."},
            "content_type": {"type": "string", "description": "Decided from the bytes."},
            "size": {"type": "integer", "description": "Bytes as stored (pictures re-encoded)."},
            "markdown": {"type": "string", "description": "A picture or a link to put in a post."},
        },
    },
    "FileUpload": {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}},
    },
    "EraseConfirmation": {
        "type": "object",
        "description": "The account's password; an account without one (single sign-on) "
        "confirms with its e-mail address instead.",
        "properties": {"password": {"type": "string"}, "email": {"type": "string"}},
    },
    "Me": {
        "type": "object",
        "required": ["id", "email", "display_name", "kind", "role", "organization"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "display_name": {"type": "string"},
            "handle": {"type": "string"},
            "kind": {"type": "string", "enum": ["customer", "supplier", "staff"]},
            "role": {"type": "string", "enum": ["member", "moderator", "admin"]},
            "organization": NULLABLE_STRING,
            "approved": {"type": "boolean"},
        },
    },
    "Category": {
        "type": "object",
        "required": ["slug", "name", "audience"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "audience": {"type": "string", "enum": list(AUDIENCES)},
        },
    },
    "Idea": {
        "type": "object",
        "required": [
            "id",
            "title",
            "body",
            "body_html",
            "kind",
            "status",
            "category",
            "author",
            "votes",
            "comments",
            "confidential",
            "item_id",
            "merged_into",
            "viewer_has_voted",
            "created_at",
            "updated_at",
            "url",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string", "description": "Plain text, never HTML."},
            "body": {"type": "string", "description": "Markdown as written."},
            "body_html": {"type": "string", "description": "Sanitised HTML of the body."},
            "kind": {"type": "string", "enum": list(IDEA_KINDS)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "status_note": {
                "type": ["string", "null"],
                "description": "null for a hidden idea to those who may not read it.",
            },
            "category": _ref("Category"),
            "author": {
                "oneOf": [_ref("UserBrief"), {"type": "null"}],
                "description": "null for hidden content to those who may not read it.",
            },
            "votes": {"type": "integer"},
            "comments": {"type": "integer"},
            "confidential": {"type": "boolean"},
            "item_id": {"type": ["integer", "null"]},
            "merged_into": {"type": ["integer", "null"]},
            "locked": {"type": "boolean"},
            "hidden": {"type": "boolean"},
            "hidden_reason": NULLABLE_STRING,
            "viewer_has_voted": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Comment": {
        "type": "object",
        "required": [
            "id",
            "idea_id",
            "parent_id",
            "body",
            "body_html",
            "author",
            "official",
            "created_at",
            "edited_at",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "idea_id": {"type": "integer"},
            "parent_id": {"type": ["integer", "null"]},
            "body": {"type": "string"},
            "body_html": {"type": "string"},
            "author": {
                "oneOf": [_ref("UserBrief"), {"type": "null"}],
                "description": "null for hidden content to those who may not read it.",
            },
            "official": {"type": "boolean"},
            "deleted": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "edited_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "NewIdea": {
        "type": "object",
        "required": ["title", "category"],
        "properties": {
            "title": {"type": "string", "minLength": 5, "maxLength": 150},
            "body": {"type": "string", "maxLength": 20000},
            "category": {"type": "string", "description": "Category slug."},
            "kind": {"type": "string", "enum": list(IDEA_KINDS), "default": "idea"},
            "confidential": {"type": "boolean", "default": False},
        },
    },
    "IdeaPatch": {
        "type": "object",
        "description": "title/body for the author (a moderator editing someone else's idea "
        "adds `reason`); status/note for staff (`duplicate_of` names the original of a "
        "duplicate).",
        "properties": {
            "title": {"type": "string", "minLength": 5, "maxLength": 150},
            "body": {"type": "string", "maxLength": 20000},
            "reason": {"type": "string", "minLength": 1, "maxLength": 2000},
            "status": {"type": "string", "enum": list(STATUSES)},
            "note": NULLABLE_STRING,
            "duplicate_of": {"type": ["integer", "null"]},
        },
    },
    "VoteState": {
        "type": "object",
        "required": ["votes", "viewer_has_voted"],
        "properties": {"votes": {"type": "integer"}, "viewer_has_voted": {"type": "boolean"}},
    },
    "NewComment": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 10000},
            "parent_id": {"type": ["integer", "null"]},
        },
    },
    "CommentPatch": {
        "type": "object",
        "description": "body for the author (a moderator editing someone else's comment "
        "adds `reason`); official for staff.",
        "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 10000},
            "reason": {"type": "string", "minLength": 1, "maxLength": 2000},
            "official": {"type": "boolean"},
        },
    },
    "SearchItem": {
        "type": "object",
        "required": ["type", "id", "title", "snippet", "url", "score"],
        "properties": {
            "type": {"type": "string", "enum": ["idea", "comment", "item"]},
            "id": {"type": "integer"},
            "idea_id": {"type": "integer"},
            "title": {"type": "string", "description": "Plain text, never HTML."},
            "snippet": {"type": "string", "description": "Escaped text with <mark> highlights."},
            "url": {"type": "string", "format": "uri"},
            "score": {"type": "number"},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "total_exact", "facets", "facets_exact"],
        "properties": {
            "items": {"type": "array", "items": _ref("SearchItem")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {
                "type": "integer",
                "description": (
                    "The number of results when `total_exact`; otherwise a lower bound: more "
                    "than this many match (the server's SEARCH_COUNT_BOUND, 1,000 by default), "
                    "and only the pages up to it can be asked for."
                ),
            },
            "total_exact": {
                "type": "boolean",
                "description": "False when more than `total` results match.",
            },
            "facets": {
                "type": "object",
                "description": (
                    "Counts per value of type, category, status and kind: of every result "
                    "when `facets_exact`, otherwise of the first `total` results only (in the "
                    "requested order)."
                ),
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                },
            },
            "facets_exact": {
                "type": "boolean",
                "description": "False when the facets count only the first `total` results.",
            },
        },
    },
    "NewFlag": {
        "type": "object",
        "required": ["target_type", "target_id", "reason"],
        "properties": {
            "target_type": {"type": "string", "enum": ["idea", "comment", "user"]},
            "target_id": {"type": "integer"},
            "reason": {
                "type": "string",
                "enum": ["spam", "abuse", "off_topic", "duplicate", "other"],
            },
            "note": {"type": ["string", "null"], "maxLength": 2000},
            "duplicate_of": {"type": ["integer", "null"]},
        },
    },
    "Flag": {
        "type": "object",
        "required": ["id", "target_type", "target_id", "reason", "note", "by", "at"],
        "properties": {
            "id": {"type": "integer"},
            "target_type": {"type": "string"},
            "target_id": {"type": "integer"},
            "reason": {"type": "string"},
            "note": NULLABLE_STRING,
            "duplicate_of": {"type": ["integer", "null"]},
            "by": _ref("UserBrief"),
            "at": {"type": "string", "format": "date-time"},
        },
    },
    "QueueGroup": {
        "type": "object",
        "required": ["target_type", "target_id", "target", "flags"],
        "properties": {
            "target_type": {"type": "string", "enum": ["idea", "comment", "user"]},
            "target_id": {"type": "integer"},
            "target": {"type": ["object", "null"]},
            "flags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["reason", "note", "by", "at"],
                    "properties": {
                        "reason": {"type": "string"},
                        "note": NULLABLE_STRING,
                        "by": _ref("UserBrief"),
                        "at": {"type": "string", "format": "date-time"},
                        "duplicate_of": {"type": ["integer", "null"]},
                    },
                },
            },
            "appeal": {"type": ["object", "null"]},
        },
    },
    "ModerationActionRequest": {
        "type": "object",
        "required": ["action", "target_type", "target_id", "reason"],
        "properties": {
            "action": {
                "type": "string",
                "enum": [
                    "dismiss",
                    "hide",
                    "restore",
                    "lock",
                    "unlock",
                    "merge",
                    "suspend",
                    "unsuspend",
                    "edit",
                    "delete",
                ],  # fmt: skip
            },
            "target_type": {"type": "string", "enum": ["idea", "comment", "user"]},
            "target_id": {"type": "integer"},
            "reason": {"type": "string", "minLength": 1, "maxLength": 2000},
            "into_id": {"type": ["integer", "null"], "description": "merge: the original"},
            "title": {
                "type": "string",
                "minLength": 5,
                "maxLength": 150,
                "description": "edit (an idea): the new title",
            },
            "body": {"type": "string", "maxLength": 20000, "description": "edit: the new body"},
            "until": {
                "type": ["string", "null"],
                "description": "suspend: an ISO 8601 date or date-time in the future",
            },
        },
    },
    "ModerationAction": {
        "type": "object",
        "required": ["id", "action", "target_type", "target_id", "reason", "by", "at"],
        "properties": {
            "id": {"type": "integer"},
            "action": {"type": "string"},
            "target_type": {"type": "string"},
            "target_id": {"type": "integer"},
            "reason": {"type": "string"},
            "by": {"oneOf": [_ref("UserBrief"), {"type": "null"}]},
            "into_id": {"type": ["integer", "null"]},
            "until": {"type": ["string", "null"]},
            "at": {"type": "string", "format": "date-time"},
        },
    },
    "Item": {
        "type": "object",
        "required": [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "team",
            "owner",
            "idea_ids",
            "target_date",
            "history",
            "url",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "description_html": {"type": "string"},
            "status": {"type": "string", "enum": ["planned", "in_progress", "shipped", "dropped"]},
            "priority": {"type": "string", "enum": ["p1", "p2", "p3", "p4"]},
            "team": NULLABLE_STRING,
            "owner": {"oneOf": [_ref("UserBrief"), {"type": "null"}]},
            "idea_ids": {"type": "array", "items": {"type": "integer"}},
            "target_date": {"type": ["string", "null"], "format": "date"},
            "history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["from", "to", "by", "note", "at"],
                    "properties": {
                        "from": NULLABLE_STRING,
                        "to": {"type": "string"},
                        "by": _ref("UserBrief"),
                        "note": NULLABLE_STRING,
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "created_at": {"type": "string", "format": "date-time"},
            "shipped_at": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Promote": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 5, "maxLength": 150},
            "description": {"type": "string"},
            "team": {"type": ["string", "integer", "null"], "description": "name or id"},
            "owner_id": {"type": ["integer", "null"]},
            "priority": {"type": "string", "enum": ["p1", "p2", "p3", "p4"]},
            "target_date": {"type": ["string", "null"], "format": "date"},
            "idea_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "more ideas to link",
            },  # fmt: skip
        },
    },
    "ItemPatch": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["planned", "in_progress", "shipped", "dropped"]},
            "note": NULLABLE_STRING,
            "owner_id": {"type": ["integer", "null"]},
            "priority": {"type": "string", "enum": ["p1", "p2", "p3", "p4"]},
            "target_date": {"type": ["string", "null"], "format": "date"},
            "idea_ids": {"type": "array", "items": {"type": "integer"}},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "team": {
                "type": ["string", "integer", "null"],
                "description": "name or id; null: no team",
            },
        },
    },
    "Notification": {
        "type": "object",
        "required": ["id", "event", "idea_id", "title", "url", "read", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "event": {
                "type": "string",
                "enum": [
                    "status_changed",
                    "official_response",
                    "reply",
                    "mention",
                    "moderated",
                    "item_shipped",
                ],
            },  # fmt: skip
            "idea_id": {"type": ["integer", "null"]},
            "item_id": {"type": ["integer", "null"]},
            "title": {"type": "string"},
            "message": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "read": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "NotificationList": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "unread"],
        "properties": {
            "items": {"type": "array", "items": _ref("Notification")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "unread": {"type": "integer"},
        },
    },
    "ItemList": _list_of("Item"),
    "QueueList": _list_of("QueueGroup"),
    "CategoryList": _list_of("Category"),
    "IdeaList": _list_of("Idea"),
    "CommentList": _list_of("Comment"),
}


def _paths() -> dict:
    idea_filters = [
        _query("category", {"type": "string"}, "Category slug."),
        _query("status", {"type": "string", "enum": list(STATUSES)}),
        _query("kind", {"type": "string", "enum": list(IDEA_KINDS)}),
        _query("sort", {"type": "string", "enum": ["trending", "top", "new", "discussed"]}),
    ]
    vote = {
        "parameters": [IDEA_ID],
        "responses": {"200": _json(_ref("VoteState")), **_errors("401", "403", "404", "409")},
    }
    return {
        "/me": {
            "get": {
                "summary": "The signed-in user",
                "responses": {"200": _json(_ref("Me")), **_errors("401")},
            },
            "delete": {
                "summary": "Erase your account",
                "description": "Name, e-mail, password, tokens, notifications, follows and "
                'votes go (counters follow); ideas and comments stay, by "Former member". '
                "The last admin is refused (409).",
                "requestBody": _body(_ref("EraseConfirmation")),
                "responses": {
                    "204": {"description": "Erased"},
                    **_errors("400", "401", "409", "422"),
                },
            },  # fmt: skip
        },
        "/me/export": {
            "get": {
                "summary": "Everything the portal holds about you",
                "responses": {"200": _json(_ref("Export")), **_errors("401")},
            }
        },
        "/files": {
            "post": {
                "summary": "Upload a picture or file for a post",
                "description": "multipart/form-data with the file in a part named `file`. "
                "The type is decided from the bytes (PNG, JPEG, GIF, WebP, PDF and plain text "
                "by default); a name that says another type, HTML and SVG are refused (422). "
                "Pictures are re-encoded: metadata such as EXIF and GPS goes, orientation is "
                "applied, the longest side is bounded, an animation keeps its first frame. A "
                "larger file than the limit (5 MB by default) is a 422, a larger request a 413.",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": _ref("FileUpload")}},
                },
                "responses": {
                    "201": _json(_ref("StoredFile"), "Stored"),
                    **_errors("400", "401", "403", "413", "422", "429"),
                },
            }
        },
        "/categories": {
            "get": {
                "summary": "Categories you may see",
                "security": [{}, {"bearer": []}],
                "responses": {"200": _json(_ref("CategoryList")), **_errors("401")},
            }
        },
        "/ideas": {
            "get": {
                "summary": "Ideas you may see",
                "security": [{}, {"bearer": []}],
                "parameters": idea_filters + PAGE_PARAMS,
                "responses": {"200": _json(_ref("IdeaList")), **_errors("400", "401", "422")},
            },
            "post": {
                "summary": "Post an idea",
                "requestBody": _body(_ref("NewIdea")),
                "responses": {
                    "201": _json(_ref("Idea"), "Created"),
                    **_errors("400", "401", "403", "413", "422", "429"),
                },
            },
        },
        "/ideas/{idea_id}": {
            "get": {
                "summary": "One idea",
                "security": [{}, {"bearer": []}],
                "parameters": [IDEA_ID],
                "responses": {"200": _json(_ref("Idea")), **_errors("401", "404")},
            },
            "patch": {
                "summary": "Edit (author) or change status (staff)",
                "parameters": [IDEA_ID],
                "requestBody": _body(_ref("IdeaPatch")),
                "responses": {
                    "200": _json(_ref("Idea")),
                    **_errors("400", "401", "403", "404", "413", "422"),
                },
            },
        },
        "/ideas/{idea_id}/vote": {
            "post": {"summary": "Support an idea (idempotent)", **vote},
            "delete": {"summary": "Withdraw your support (idempotent)", **vote},
        },
        "/ideas/{idea_id}/comments": {
            "get": {
                "summary": "Comments in the order written, replies carrying parent_id",
                "security": [{}, {"bearer": []}],
                "parameters": [IDEA_ID] + PAGE_PARAMS,
                "responses": {
                    "200": _json(_ref("CommentList")),
                    **_errors("400", "401", "404", "422"),
                },
            },
            "post": {
                "summary": "Comment, or reply with parent_id",
                "parameters": [IDEA_ID],
                "requestBody": _body(_ref("NewComment")),
                "responses": {
                    "201": _json(_ref("Comment"), "Created"),
                    **_errors("400", "401", "403", "404", "409", "413", "422", "429"),
                },
            },
        },
        "/ideas/{idea_id}/comments/{comment_id}": {
            "patch": {
                "summary": "Edit your comment, or mark it official (staff)",
                "parameters": [IDEA_ID, COMMENT_ID],
                "requestBody": _body(_ref("CommentPatch")),
                "responses": {
                    "200": _json(_ref("Comment")),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            },
            "delete": {
                "summary": "Delete your comment (a tombstone remains)",
                "description": (
                    "A moderator deleting someone else's comment acts in the open: `reason` "
                    '(or a JSON body `{"reason": ...}`) is required and goes to the public '
                    "moderation log; without one the answer is 422."
                ),
                "parameters": [
                    IDEA_ID,
                    COMMENT_ID,
                    _query("reason", {"type": "string"}, "Why (a moderator's delete only)."),
                ],
                "responses": {
                    "200": _json(_ref("Comment")),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            },
        },
        "/search": {
            "get": {
                "summary": "Full-text search over what you may see",
                "description": (
                    "Every word must match (the last also as a prefix); quote a phrase. "
                    "`category:`, `status:`, `kind:` and `type:` may be typed in `q` too. "
                    "An empty query answers 200 with no items. Totals are exact up to a "
                    "bound (1,000 by default) and `total_exact` is false beyond it; a page past "
                    "the bound answers 422 (narrow the search instead)."
                ),
                "security": [{}, {"bearer": []}],
                "parameters": [
                    _query("q", {"type": "string"}),
                    # Filters narrow the results like `type:idea` typed in `q`: a value that is
                    # not one of these is ignored, as it is in the box.
                    _query("type", {"type": "string"}, "`idea`, `comment` or `item`."),
                    _query("category", {"type": "string"}, "Category slug."),
                    _query("status", {"type": "string"}, f"One of {', '.join(STATUSES)}."),
                    _query("kind", {"type": "string"}, f"One of {', '.join(IDEA_KINDS)}."),
                    _query("order", {"type": "string", "enum": ["relevance", "votes", "newest"]}),
                    *PAGE_PARAMS,
                ],
                "responses": {
                    "200": _json(_ref("SearchResults")),
                    **_errors("400", "401", "422"),
                },
            }
        },
        "/flags": {
            "post": {
                "summary": "Flag an idea, a comment or a user for the moderators",
                "description": "A second open flag by the same user on the same target is 409.",
                "requestBody": _body(_ref("NewFlag")),
                "responses": {
                    "201": _json(_ref("Flag"), "Created"),
                    **_errors("400", "401", "403", "404", "409", "413", "422", "429"),
                },
            }
        },
        "/moderation/queue": {
            "get": {
                "summary": "Open flags (and appeals) grouped by target, for moderators",
                "parameters": PAGE_PARAMS,
                "responses": {
                    "200": _json(_ref("QueueList")),
                    **_errors("400", "401", "403", "422"),
                },
            }
        },
        "/moderation/actions": {
            "post": {
                "summary": "A moderation action with its reason (written to the public log)",
                "requestBody": _body(_ref("ModerationActionRequest")),
                "responses": {
                    "200": _json(_ref("ModerationAction")),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            }
        },
        "/ideas/{idea_id}/promote": {
            "post": {
                "summary": "Promote an idea (and related ones) into an improvement item (staff)",
                "parameters": [IDEA_ID],
                "requestBody": _body(_ref("Promote")),
                "responses": {
                    "201": _json(_ref("Item"), "Created"),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            }
        },
        "/items": {
            "get": {
                "summary": "Improvement items you may see (every linked idea visible to you)",
                "security": [{}, {"bearer": []}],
                "parameters": [
                    _query(
                        "status",
                        {
                            "type": "string",
                            "enum": ["planned", "in_progress", "shipped", "dropped"],
                        },
                    ),
                    _query("category", {"type": "string"}, "Category slug."),
                    *PAGE_PARAMS,
                ],
                "responses": {"200": _json(_ref("ItemList")), **_errors("400", "401", "422")},
            }
        },
        "/items/{item_id}": {
            "get": {
                "summary": "One improvement item",
                "security": [{}, {"bearer": []}],
                "parameters": [ITEM_ID],
                "responses": {"200": _json(_ref("Item")), **_errors("401", "404")},
            },
            "patch": {
                "summary": "Move an item along its workflow, or change it (staff)",
                "description": "A status change the workflow does not allow answers 422.",
                "parameters": [ITEM_ID],
                "requestBody": _body(_ref("ItemPatch")),
                "responses": {
                    "200": _json(_ref("Item")),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            },
        },
        "/notifications": {
            "get": {
                "summary": "Your notifications, newest first, with the unread count",
                "parameters": PAGE_PARAMS,
                "responses": {
                    "200": _json(_ref("NotificationList")),
                    **_errors("400", "401", "422"),
                },
            }
        },
        "/notifications/read": {
            "post": {
                "summary": "Mark some (ids) or all notifications read",
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "ids": {
                                        "type": "array",
                                        "items": {"type": "integer"},
                                        "description": "Leave out to mark all read; "
                                        "null or anything but a list of integers is a 422.",
                                    }
                                },
                            }
                        }
                    },
                },  # fmt: skip
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["unread"],
                            "properties": {"unread": {"type": "integer"}},
                        }
                    ),  # fmt: skip
                    **_errors("400", "401", "422"),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [{}],
                "responses": {"200": {"description": "OpenAPI 3.1 document"}},
            }
        },
    }


def openapi_document() -> dict:
    from portal.api import openapi_intake as intake
    from portal.api import openapi_notes as notes

    schemas = {**SCHEMAS, **intake.SCHEMAS, **notes.SCHEMAS}
    schemas["Idea"] = {
        **SCHEMAS["Idea"],
        "properties": {**SCHEMAS["Idea"]["properties"], **intake.IDEA_PROPERTIES},
    }
    schemas["IdeaPatch"] = {**SCHEMAS["IdeaPatch"], "properties": {
        **SCHEMAS["IdeaPatch"]["properties"], **intake.IDEA_PATCH_PROPERTIES}}  # fmt: skip
    note = SCHEMAS["Notification"]["properties"]
    schemas["Notification"] = {**SCHEMAS["Notification"], "properties": {
        **note, **intake.NOTIFICATION_PROPERTIES,
        "event": {**note["event"], "enum": [*note["event"]["enum"], *intake.STAFF_EVENTS]},
    }}  # fmt: skip
    return add_examples({
        "openapi": "3.1.0",
        "info": {
            "title": "Collaboration Portal API",
            "version": "1.0.0",
            # Authentication, requests and errors (SPEC 8), shown by the reference at /api.
            "description": INTRODUCTION,
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": {**_paths(), **intake.paths(), **notes.paths()},
    }, {**intake.EXAMPLES, **notes.EXAMPLES})  # fmt: skip
