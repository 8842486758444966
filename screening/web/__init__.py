"""The web app: ``create_app()`` assembles settings, storage and blueprints.

Thin by design: routes parse the request, call :mod:`screening.services.interviews` and storage,
and render JSON or a template. Per-app state lives in ``app.extensions["screening"]``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app
from flask_compress import Compress
from markupsafe import Markup, escape
from werkzeug.middleware.proxy_fix import ProxyFix

from screening import resources
from screening.config import Settings
from screening.crypto.seal import load_master_key
from screening.services import schedule, signin
from screening.store import db as storage
from screening.store import plans as planstore
from screening.web import (
    account,
    api,
    boundary,
    checkins,
    errors,
    findhelp,
    health,
    i18n,
    languages,
    outcomes,
    pages,
    plans,
    private,
    redact,
    referrals,
    refused,
    security,
    standards,
    studio,
)
from screening.web.extension import Extension


def create_app(
    settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(resources.templates()),
        static_folder=str(resources.static()),
        instance_path=str(settings.instance),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_SECURE=settings.production,
        # Static files are addressed by content (app.css?v=hash): cache them a year.
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,
        # Pages are sent compressed. Their CSRF tokens are masked anew on every response
        # and cookies are SameSite=Strict, so compression cannot leak a secret (BREACH).
        COMPRESS_ALGORITHM=["zstd", "br", "gzip"],
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the engine's order
    app.jinja_env.trim_blocks = True  # smaller pages: no blank lines left by template tags
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = paragraphs
    if test_config:
        app.config.update(test_config)
    engine = storage.make_engine(settings.database_url)
    storage.migrate(engine)
    master = load_master_key(settings.instance, settings.data_key, settings.previous_data_key)
    planstore.ensure_directory(engine)  # a fresh database starts with the demo directory
    # Shared by every process and server: counted in the database, or in Redis.
    shared = schedule.shared_counters(engine, settings.redis_url, settings.secret_key)
    # sign-in failures per account and address and per address; share codes per worker
    throttle, codes = signin.Throttle(shared), security.Limiter(shared, "share", 10)
    refusals = security.Limiter(shared, "refused", REFUSALS_AUDITED, 300.0)
    app.extensions["screening"] = Extension(
        settings, engine, master, throttle, codes, refusal_limiter=refusals
    )

    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    boundary.init_app(app)  # issue 16: before every other hook
    refused.init_app(app)  # issue 16: refused access audited after the response
    redact.init_app(app)  # issue 16: logs hold no data
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(account.bp)  # issue 17: second factor, password change and reset
    app.register_blueprint(private.bp)
    app.register_blueprint(plans.bp)  # issue 5: service plans
    app.register_blueprint(standards.bp)  # issue 7: FHIR, CSV, OpenAPI
    app.register_blueprint(languages.bp)  # issue 4
    app.register_blueprint(languages.api_bp)  # issue 4
    app.register_blueprint(health.bp)  # issue 16: /healthz
    app.register_blueprint(referrals.bp)  # issue 21: following up referrals
    app.register_blueprint(findhelp.bp)  # issue 20: /services, no account
    app.register_blueprint(studio.bp)  # issue 18: the co-design studio
    app.register_blueprint(studio.preview_bp)  # issue 18
    app.register_blueprint(studio.api_bp)  # issue 18
    app.register_blueprint(checkins.bp)  # issue 22: linked later check-ins
    app.register_blueprint(outcomes.bp)  # issue 22: outcome counts for admins
    app.view_functions["static"] = _static
    Compress(app)
    if settings.production:
        app.wsgi_app = security.HostPrefixedCookies(app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxies:  # the client's address and scheme, as the proxies saw them
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    return app


REFUSALS_AUDITED = 120  # refused accesses audited per address in 5 minutes


def paragraphs(text: str) -> Markup:
    """Text whose lines are paragraphs (as YAML folds them) as escaped ``<p>`` elements."""
    # Markup (from tx()) is already escaped: split it as Markup, or "don't" shows as
    # "don&#39;t"; plain text is escaped here.
    safe = text if isinstance(text, Markup) else escape(str(text))
    parts = [p.strip() for p in safe.split("\n") if p.strip()]
    return Markup("").join(Markup("<p>") + p + Markup("</p>") for p in parts)


__all__ = ["create_app"]


def _static(filename: str) -> Response:
    """Static files read whole, so they are compressed like pages (and gzip is offered);
    a streamed file would be left open by the compressor."""
    response = current_app.send_static_file(filename)
    if response.direct_passthrough:
        stream = response.response
        try:
            body = b"".join(bytes(chunk) for chunk in stream)  # type: ignore[arg-type]
        finally:
            getattr(stream, "close", lambda: None)()
        response.direct_passthrough = False
        response.set_data(body)
    return response
