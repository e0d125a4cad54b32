"""What the OpenAPI document tells a reader besides its schemas (SPEC section 8).

The introduction (authentication, requests, errors) and an example per operation, shown by
the API reference page (/api). Kept apart from `openapi.py` so the schemas stay readable;
`tests/test_api.py` checks every example against the schema it illustrates.
"""

from copy import deepcopy

INTRODUCTION = """\
The portal's JSON API: the ideas, votes, discussions, improvement items, search,
moderation and notifications of the pages, for scripts and integrations. JSON in and out,
UTF-8, under `/api/v1`.

# Authentication

Send a **personal access token** in the `Authorization` header:

```
Authorization: Bearer <token>
```

Create a token on your account page (**API tokens**) or with
`flask --app wsgi users token EMAIL`; it is shown once and stored hashed, and you can revoke
it on the same page. A request **without** a token is anonymous: it reads what an anonymous
visitor may read, and every write answers `401`. A malformed, unknown or revoked token
answers `401`, on a read too. Session cookies are ignored under `/api/v1`, so no CSRF token
is needed: the bearer token is the proof.

The API applies exactly the same permission and visibility rules as the pages. Something
you may not see answers `404`, as if it did not exist; hidden content shows only its
tombstone (no text, no author) to those who may not read it.

# Requests and lists

- A request body must be a JSON object (otherwise `400`), at most 1 MiB (otherwise `413`);
  an upload (`POST /files`) is multipart/form-data instead, its file at most `FILES_MAX_BYTES`
  (5 MB by default; a larger one `422`). Name the upload's `markdown` in an idea or comment
  body and save it: the post then holds the file, which is read exactly as the post is.
- Lists answer `{"items": [...], "page": n, "per_page": n, "total": n}`; `per_page`
  defaults to 20, and more than 100 is clamped to 100. `page` or `per_page` that is not a
  positive whole number answers `400` or `422`.
- Timestamps are ISO 8601 in UTC (`2026-11-23T14:05:09Z`). Titles are plain text; only a
  search result's `snippet` carries `<mark>` highlighting.
- Objects may carry more fields than those described here; none described is renamed or
  left out.
- Accounts younger than a week have per-hour limits on ideas, comments, votes and flags
  (generous for honest use); over them the API answers `429` with `Retry-After`.

# Errors

Every error has the same body; a `422` also names the fields at fault:

```json
{"error": {"code": "validation", "message": "Title: Must be at least 5 characters.",
           "fields": {"title": ["Must be at least 5 characters."]}}}
```

| status | `code` | when |
| --- | --- | --- |
| 400 | `bad_request` | the body is not JSON or not a JSON object; a malformed parameter |
| 401 | `unauthorized` | no token on a write; a malformed, unknown or revoked token |
| 403 | `forbidden` | you may not (not staff, not a moderator, a suspended account's write) |
| 404 | `not_found` | no such thing, or not visible to you |
| 405 | `method_not_allowed` | the path does not take that method (`Allow` lists those it takes) |
| 409 | `conflict` | the object's state refuses it (below) |
| 413 | `too_large` | a body over 1 MiB |
| 422 | `validation` | a field is missing or wrong; `fields` says which |
| 429 | `rate_limited` | too many requests; wait `Retry-After` seconds |
| 503 | `unavailable` | the database does not answer; retry after `Retry-After` seconds |

Which error, when: a vote on a locked, merged, `done` or `declined` idea, a comment on a
locked or merged one, an author's edit of a locked, hidden or merged idea, or promoting an
idea already linked to an item answers `409`; an item status change the workflow does not
allow answers `422`; any write by a suspended account answers `403`. Bad input never yields a
`500`. An empty search query is not an error: it answers `200` with no items.
"""

_AT = "2026-11-23T14:05:09Z"
_LATER = "2026-11-24T09:30:00Z"
_CUSTOMER = {"id": 42, "display_name": "Alice Moreau", "kind": "customer"}
_STAFF = {"id": 7, "display_name": "Elena Rossi", "kind": "staff"}
_MODERATOR = {"id": 9, "display_name": "Sam Okafor", "kind": "customer"}
_CATEGORY = {"slug": "feature-ideas", "name": "Feature ideas", "audience": "public"}
_IDEA = {
    "id": 128,
    "title": "Bluetooth for the kettle",
    "body": "Start the **kettle** from the Home app while I am still upstairs.",
    "body_html": "<p>Start the <strong>kettle</strong> from the Home app while I am still "
    "upstairs.</p>",
    "kind": "idea",
    "status": "open",
    "status_note": None,
    "category": _CATEGORY,
    "author": _CUSTOMER,
    "votes": 17,
    "comments": 3,
    "confidential": False,
    "item_id": None,
    "merged_into": None,
    "locked": False,
    "hidden": False,
    "hidden_reason": None,
    "viewer_has_voted": True,
    "created_at": _AT,
    "updated_at": _LATER,
    "url": "https://portal.example.com/ideas/128",
}
_PLANNED = {
    **_IDEA,
    "status": "planned",
    "status_note": "On the roadmap for the spring firmware.",
    "item_id": 12,
}
_COMMENT = {
    "id": 311,
    "idea_id": 128,
    "parent_id": None,
    "body": "Same here: I would use it every morning.",
    "body_html": "<p>Same here: I would use it every morning.</p>",
    "author": _CUSTOMER,
    "official": False,
    "deleted": False,
    "created_at": _AT,
    "edited_at": None,
}
_OFFICIAL = {
    **_COMMENT,
    "id": 315,
    "body": "Thanks! The connected kettle is planned for the spring firmware.",
    "body_html": "<p>Thanks! The connected kettle is planned for the spring firmware.</p>",
    "author": _STAFF,
    "official": True,
}
_ITEM = {
    "id": 12,
    "title": "Remote start for kettles",
    "description": "Bluetooth and Wi-Fi start from the Home app.",
    "description_html": "<p>Bluetooth and Wi-Fi start from the Home app.</p>",
    "status": "in_progress",
    "priority": "p2",
    "team": "Connected appliances",
    "owner": _STAFF,
    "idea_ids": [128, 131],
    "target_date": "2027-03-31",
    "history": [
        {"from": None, "to": "planned", "by": _STAFF, "note": None, "at": _AT},
        {
            "from": "planned",
            "to": "in_progress",
            "by": _STAFF,
            "note": "Firmware work has started.",
            "at": _LATER,
        },
    ],
    "created_at": _AT,
    "shipped_at": None,
    "url": "https://portal.example.com/items/12",
}
_FLAG = {
    "id": 55,
    "target_type": "comment",
    "target_id": 311,
    "reason": "spam",
    "note": "Links to a shop.",
    "duplicate_of": None,
    "by": _CUSTOMER,
    "at": _AT,
}


def _list(items: list) -> dict:
    return {"items": items, "page": 1, "per_page": 20, "total": len(items)}


# (method, path): {"request": body example, "response": example of the success answer}.
EXAMPLES = {
    ("delete", "/me"): {"request": {"password": "correct-horse-battery"}},
    ("get", "/me/export"): {
        "response": {
            "format": "portal-export",
            "version": 1,
            "exported_at": "2026-12-06T21:50:00Z",
            "profile": {
                "id": 42,
                "email": "alice@example.com",
                "display_name": "Alice Moreau",
                "handle": "alice",
                "kind": "customer",
                "teams": [],
                "sign_in_providers": [],
            },
            "ideas": [
                {
                    "id": 7,
                    "title": "Quieter dishwasher",
                    "body": "At night, please.",
                    "status": "open",
                    "revisions": [],
                }
            ],
            "comments": [
                {
                    "id": 31,
                    "idea_id": 9,
                    "idea_title": "Brighter oven light",
                    "body": "Yes!",
                    "revisions": [],
                }
            ],
            "votes": [
                {
                    "idea_id": 9,
                    "idea_title": "Brighter oven light",
                    "created_at": "2026-11-30T09:12:00Z",
                }
            ],
            "follows": [],
            "mentions": [],
            "flags": [],
            "appeals": [],
            "notifications": [],
            "tokens": [
                {
                    "id": 3,
                    "name": "laptop",
                    "created_at": "2026-11-01T10:00:00Z",
                    "revoked_at": None,
                }
            ],
            "files": [
                {
                    "id": 12,
                    "name": "dishwasher-noise.png",
                    "content_type": "image/png",
                    "size": 48213,
                    "url": "/files/12/dishwasher-noise.png",
                    "idea_id": 7,
                    "comment_id": None,
                }
            ],
            "intake": [],
            "activity": {},
        }  # fmt: skip
    },
    ("post", "/files"): {
        "request": {"file": "dishwasher-noise.png (the file's bytes)"},
        "response": {
            "id": 12,
            "url": "/files/12/dishwasher-noise.png",
            "name": "dishwasher-noise.png",
            "content_type": "image/png",
            "size": 48213,
            "markdown": "![dishwasher-noise.png](/files/12/dishwasher-noise.png)",
        },
    },
    ("get", "/me"): {
        "response": {
            "id": 42,
            "email": "alice@example.com",
            "display_name": "Alice Moreau",
            "handle": "alice",
            "kind": "customer",
            "role": "member",
            "organization": None,
            "approved": True,
        }
    },
    ("get", "/categories"): {
        "response": _list(
            [_CATEGORY, {"slug": "oven-app", "name": "Oven app", "audience": "customers"}]
        )
    },
    ("get", "/ideas"): {"response": _list([_IDEA])},
    ("post", "/ideas"): {
        "request": {
            "title": "Bluetooth for the kettle",
            "body": "Start the **kettle** from the Home app while I am still upstairs.",
            "category": "feature-ideas",
            "kind": "idea",
        },
        "response": {**_IDEA, "votes": 1, "comments": 0, "updated_at": _AT},
    },
    ("get", "/ideas/{idea_id}"): {"response": _IDEA},
    ("patch", "/ideas/{idea_id}"): {
        "request": {"status": "planned", "note": "On the roadmap for the spring firmware."},
        "response": _PLANNED,
    },
    ("post", "/ideas/{idea_id}/vote"): {"response": {"votes": 18, "viewer_has_voted": True}},
    ("delete", "/ideas/{idea_id}/vote"): {"response": {"votes": 17, "viewer_has_voted": False}},
    ("get", "/ideas/{idea_id}/comments"): {
        "response": _list(
            [
                _COMMENT,
                {
                    **_COMMENT,
                    "id": 312,
                    "parent_id": 311,
                    "body": "Me too.",
                    "body_html": "<p>Me too.</p>",
                    "author": _MODERATOR,
                },  # fmt: skip
            ]
        )
    },
    ("post", "/ideas/{idea_id}/comments"): {
        "request": {"body": "Same here: I would use it every morning."},
        "response": _COMMENT,
    },
    ("patch", "/ideas/{idea_id}/comments/{comment_id}"): {
        "request": {"official": True},
        "response": _OFFICIAL,
    },
    ("delete", "/ideas/{idea_id}/comments/{comment_id}"): {
        "response": {**_COMMENT, "body": "", "body_html": "", "author": None, "deleted": True}
    },
    ("get", "/search"): {
        "response": {
            "items": [
                {
                    "type": "idea",
                    "id": 128,
                    "idea_id": 128,
                    "title": "Bluetooth for the kettle",
                    "snippet": "Start the <mark>kettle</mark> from the Home app…",
                    "url": "https://portal.example.com/ideas/128",
                    "score": 7.4213,
                }
            ],
            "page": 1,
            "per_page": 20,
            "total": 1,
            "total_exact": True,
            "facets": {
                "type": {"idea": 1},
                "category": {"feature-ideas": 1},
                "status": {"open": 1},
                "kind": {"idea": 1},
            },
            "facets_exact": True,
        }
    },
    ("post", "/flags"): {
        "request": {
            "target_type": "comment",
            "target_id": 311,
            "reason": "spam",
            "note": "Links to a shop.",
        },
        "response": _FLAG,
    },
    ("get", "/moderation/queue"): {
        "response": _list(
            [
                {
                    "target_type": "comment",
                    "target_id": 311,
                    "target": {
                        "id": 311,
                        "idea_id": 128,
                        "body": "Cheap filters at …",
                        "hidden": False,
                        "author": _CUSTOMER,
                    },  # fmt: skip
                    "flags": [
                        {k: _FLAG[k] for k in ("reason", "note", "by", "at", "duplicate_of")}
                    ],
                    "appeal": None,
                }
            ]
        )
    },
    ("post", "/moderation/actions"): {
        "request": {
            "action": "hide",
            "target_type": "comment",
            "target_id": 311,
            "reason": "Advertising.",
        },
        "response": {
            "id": 77,
            "action": "hide",
            "target_type": "comment",
            "target_id": 311,
            "reason": "Advertising.",
            "by": _MODERATOR,
            "into_id": None,
            "until": None,
            "at": _LATER,
        },
    },
    ("post", "/ideas/{idea_id}/promote"): {
        "request": {
            "title": "Remote start for kettles",
            "team": "Connected appliances",
            "owner_id": 7,
            "priority": "p2",
            "target_date": "2027-03-31",
            "idea_ids": [131],
        },
        "response": {**_ITEM, "status": "planned", "history": _ITEM["history"][:1]},
    },
    ("get", "/items"): {"response": _list([_ITEM])},
    ("get", "/items/{item_id}"): {"response": _ITEM},
    ("patch", "/items/{item_id}"): {
        "request": {"status": "in_progress", "note": "Firmware work has started."},
        "response": _ITEM,
    },
    ("get", "/notifications"): {
        "response": {
            **_list(
                [
                    {
                        "id": 901,
                        "event": "status_changed",
                        "idea_id": 128,
                        "item_id": None,
                        "title": "Bluetooth for the kettle",
                        "message": "Elena Rossi set the status to planned.\n\n"
                        "On the roadmap for the spring firmware.",
                        "url": "https://portal.example.com/ideas/128",
                        "read": False,
                        "created_at": _LATER,
                    }
                ]
            ),
            "unread": 1,
        }
    },
    ("post", "/notifications/read"): {"request": {"ids": [901]}, "response": {"unread": 0}},
    ("get", "/openapi.json"): {},
}


def add_examples(document: dict, more: dict | None = None) -> dict:
    """The document with an example per operation added (a copy); `more`: examples of
    operations described elsewhere (intake and routing)."""
    document = deepcopy(document)
    examples = {**EXAMPLES, **(more or {})}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            example = examples.get((method, path), {})
            if "request" in example:
                # JSON, or multipart/form-data for an upload: the body's one media type.
                media = next(iter(operation["requestBody"]["content"].values()))
                media["example"] = example["request"]
            if "response" in example:
                for code, answer in operation["responses"].items():
                    if code.startswith("2") and "content" in answer:
                        answer["content"]["application/json"]["example"] = example["response"]
    return document
