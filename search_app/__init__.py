"""The web application: faceted search pages and a JSON API over the passage index.

The app only reads the index and the drafting store; building them stays a command-line job (`kb ingest`).
"""
from __future__ import annotations

from flask import Flask, g

from kb import drafting_store, settings

# Pages load nothing from elsewhere and run no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask application; test_config overrides settings."""
    app = Flask(__name__)
    app.config.from_mapping(KB_HOME=str(settings.kb_home()), MAX_CONTENT_LENGTH=1024 * 1024)
    if test_config:
        app.config.update(test_config)
    from search_app import api, drafting, exports, guards, openapi, views

    guards.init_app(app)
    views.init_app(app)
    api.init_app(app)
    drafting.init_app(app)
    exports.init_app(app)
    openapi.init_app(app)
    app.json.sort_keys = False  # keep facet values in count order
    app.after_request(add_security_headers)
    app.before_request(read_only)
    app.teardown_request(end_read_only)
    return app


def read_only():
    """Requests read what ingest built: they never build the drafting store themselves."""
    g.read_only_token = drafting_store.builds_on_read.set(False)


def end_read_only(error=None):
    token = g.pop("read_only_token", None)
    if token is not None:
        drafting_store.builds_on_read.reset(token)


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
