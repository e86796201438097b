"""Limits every request meets before a view runs: body and URL sizes, and the ids in paths.

Ids in paths are looked up in the index, never joined to a file path; they
are still refused unless they read like an id, so `..`, slashes, backslashes
and NUL never reach anything that might one day treat them as a path.
"""
from __future__ import annotations

import re

from flask import abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MAX_BODY_BYTES = 1024 * 1024
MAX_QUERY_STRING_BYTES = 64 * 1024
DOC_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
PASSAGE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}:\d{1,9}")
ID_PATTERNS = {"doc_id": DOC_ID, "passage_id": PASSAGE_ID}
# Routes that answer JSON (or a download a script asked for): their errors are JSON too.
JSON_PREFIXES = ("/api/", "/basket/")


def init_app(app) -> None:
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)
    app.before_request(refuse_long_query_string)
    app.url_value_preprocessor(refuse_odd_ids)
    app.register_error_handler(HTTPException, http_error)


def is_safe_id(name: str, value: str) -> bool:
    """Whether a path value reads like an id of its kind: no `..`, slash, backslash or control character."""
    pattern = ID_PATTERNS.get(name)
    if pattern is None:
        return True
    return bool(pattern.fullmatch(value)) and ".." not in value


def refuse_odd_ids(endpoint, values) -> None:
    """Answer 404 for a document or passage id that could not be one."""
    for name, value in (values or {}).items():
        if not is_safe_id(name, str(value)):
            kind = "passage" if name == "passage_id" else "document"
            abort(404, description=f"No {kind} with the id {value!r} is indexed.")


def refuse_long_query_string():
    if len(request.query_string) > MAX_QUERY_STRING_BYTES:
        abort(414, description=f"the query string is longer than {MAX_QUERY_STRING_BYTES // 1024} KiB")


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def http_error(error: HTTPException):
    """JSON routes answer every HTTP error as {"error": ...}; pages say which size limit a request broke."""
    message = error.description
    if error.code == 413:
        message = f"a request body is at most {(request.max_content_length or MAX_BODY_BYTES) // 1024:,} KiB"
    if wants_json():
        allow = [(name, value) for name, value in error.get_headers() if name == "Allow"]
        return jsonify(error=message), error.code, allow
    if error.code in (413, 414):
        return render_template("error.html", message=message), error.code
    return error
