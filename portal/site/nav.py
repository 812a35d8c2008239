"""The header's role links ("desks") and where each user lands after login.

Feature packages register their desk with ``desk_link``; the header shows the
links whose permission the user has, so every desk is reachable by a click.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from ..permissions import can


@dataclass(frozen=True)
class DeskLink:
    label: str
    endpoint: str
    permission: str
    order: int


def desk_link(app, label: str, endpoint: str, permission: str, order: int) -> None:
    """Add (or replace, by label) a link in the header for users with ``permission``."""
    links = [link for link in app.extensions.setdefault("desk_links", []) if link.label != label]
    links.append(DeskLink(label, endpoint, permission, order))
    app.extensions["desk_links"] = sorted(links, key=lambda link: link.order)


def desk_links(user) -> list[DeskLink]:
    return [link for link in current_app.extensions.get("desk_links", [])
            if can(user, link.permission)]


def landing_url(user) -> str:
    links = desk_links(user)
    return url_for(links[0].endpoint) if links else url_for("public.home")


def admin_link(app, label: str, endpoint: str, order: int) -> None:
    """Add a page to the admin's sub-navigation (after units, accounts, calendar)."""
    links = [link for link in app.extensions.setdefault("admin_links", []) if link.label != label]
    links.append(DeskLink(label, endpoint, "admin.access", order))
    app.extensions["admin_links"] = sorted(links, key=lambda link: link.order)


def admin_links() -> list[DeskLink]:
    return current_app.extensions.get("admin_links", [])


def desk_notice(app, provider) -> None:
    """Let a package show notices on the desks: ``provider(user) -> list[str]`` (plain text)."""
    app.extensions.setdefault("desk_notices", []).append(provider)


def desk_notices(user) -> list[str]:
    """Notices for ``user``, shown at the top of every desk page."""
    from flask import request

    if not getattr(user, "is_authenticated", False):
        return []
    if request.endpoint not in {link.endpoint for link in desk_links(user)}:
        return []
    return [text for provider in current_app.extensions.get("desk_notices", [])
            for text in provider(user)]
