"""Where the shipped files are: instruments, locales, templates and static files.

The project's layout keeps ``instruments/``, ``locales/`` and ``templates/`` at the top
of a checkout, beside the package; a wheel carries them inside the package, in
``screening/_bundled/`` (hatch ``force-include`` in pyproject.toml). This module is the
one place that knows both: every other module asks it. Static files live in the package
itself (``screening/web/static``), so a checkout and a wheel find them alike.

``SCREENING_INSTRUMENTS`` and ``SCREENING_LOCALES`` (:mod:`screening.config`) name other
instrument and catalog folders.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Final

from screening import config

BUNDLED: Final = "_bundled"
#: The top-level folders of a checkout that a wheel bundles (pyproject.toml).
SHIPPED: Final = ("instruments", "locales", "templates")


def package() -> Path:
    """The ``screening`` package's folder (a plain folder: checkout, editable or wheel)."""
    return Path(str(resources.files("screening")))


def shipped(name: str) -> Path:
    """The shipped folder ``name``: the checkout's top-level one when the package sits in
    a checkout (``pyproject.toml`` beside it), else the wheel's bundled copy."""
    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not a shipped folder; one of {', '.join(SHIPPED)}")
    here = package()
    checkout = here.parent / name
    if (here.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return here / BUNDLED / name


def instruments() -> Path:
    """The bundled instruments (``SCREENING_INSTRUMENTS`` names another folder)."""
    return config.instruments_folder() or shipped("instruments")


def locales() -> Path:
    """The gettext catalogs (``SCREENING_LOCALES`` names another folder)."""
    return config.locales_folder() or shipped("locales")


def templates() -> Path:
    """The page and plan templates (Jinja)."""
    return shipped("templates")


def static() -> Path:
    """The web app's static files (stylesheet, scripts, icon)."""
    return package() / "web" / "static"


def plan_css() -> Path:
    """The printed plan's stylesheet, embedded in its HTML and PDF and served as is."""
    return templates() / "plan" / "plan.css"


__all__ = [
    "BUNDLED",
    "SHIPPED",
    "instruments",
    "locales",
    "package",
    "plan_css",
    "shipped",
    "static",
    "templates",
]
