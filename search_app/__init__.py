"""The web application: search pages over the passage index."""
from __future__ import annotations

from flask import Flask

from kb import settings


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask application; test_config overrides settings."""
    app = Flask(__name__)
    app.config.from_mapping(KB_HOME=str(settings.kb_home()), MAX_CONTENT_LENGTH=1024 * 1024)
    if test_config:
        app.config.update(test_config)
    from search_app import views

    views.init_app(app)
    return app
