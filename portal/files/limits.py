"""Room in the request body for files, on the routes that take them.

Every other request keeps MAX_CONTENT_LENGTH (1 MiB). The hook runs before any other reads
the body (the CSRF check parses the form), so it is registered first in create_app.
"""

from flask import Flask, request

# The routes whose posts may carry files: the upload endpoints, and the idea and comment
# forms, which take files without JavaScript.
TAKES_FILES = frozenset({"files.upload", "api.upload_file", "ideas.new", "ideas.edit",
                         "ideas.comment", "ideas.edit_comment"})  # fmt: skip


def body_limit(config) -> int:
    """A form's own fields plus as many files as a post may carry, each at the size limit."""
    return config["MAX_CONTENT_LENGTH"] + config["FILES_MAX_PER_POST"] * config["FILES_MAX_BYTES"]


def init_upload_limits(app: Flask) -> None:
    @app.before_request
    def _room_for_files():
        # Only a multipart body can carry files: any other keeps the page limit (1 MiB).
        if (request.method == "POST" and request.endpoint in TAKES_FILES
                and request.mimetype == "multipart/form-data"):  # fmt: skip
            request.max_content_length = body_limit(app.config)
