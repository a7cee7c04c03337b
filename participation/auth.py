"""The one authorization helper: which roles reach a route, and on which quartier or contrat.

Every view is decorated with @public or @roles(...); create_app() refuses to start when a
view has neither. Inside a view, require_quartier()/require_contrat() check the scope of the
object the route acts on.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, Iterable, TypeVar

from flask import Flask, abort
from flask_login import current_user

from participation.accounts.models import Role
from participation.extensions import login_manager
from participation.quartiers.models import ContratDeVille, Quartier

F = TypeVar("F", bound=Callable)

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.FACILITATOR, Role.ADMIN})
OFFICIALS = frozenset({Role.OFFICIAL, Role.ADMIN})
STAFF_AND_OFFICIALS = STAFF | OFFICIALS
ADMIN_ONLY = frozenset({Role.ADMIN})

PUBLIC = "public"


def public(view: F) -> F:
    """Anyone, signed in or not. Scope checks inside the view may still apply."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role | Iterable[Role]) -> Callable[[F], F]:
    """Signed-in accounts of these roles only; others get 403, anonymous visitors the login page."""
    allowed_roles: set[Role] = set()
    for item in allowed:
        allowed_roles |= {item} if isinstance(item, Role) else set(item)
    frozen = frozenset(allowed_roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_role(frozen)
            return view(*args, **kwargs)

        wrapper.access_rule = frozen  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def require_role(allowed: frozenset[Role]) -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if current_user.role not in allowed:
        abort(403)


def can_act_on_quartier(quartier: Quartier, allowed: Iterable[Role] = STAFF) -> bool:
    return (
        current_user.is_authenticated
        and current_user.role in set(allowed)
        and current_user.covers_quartier(quartier)
    )


def require_quartier(quartier: Quartier, allowed: Iterable[Role] = ALL_ROLES) -> None:
    """403 unless the signed-in account's role is allowed and its scope covers the quartier."""
    require_role(frozenset(allowed))
    if not current_user.covers_quartier(quartier):
        abort(403)


def require_contrat(
    contrat: ContratDeVille, allowed: Iterable[Role] = ALL_ROLES, *, whole: bool = False
) -> None:
    """403 unless the account is scoped to the contrat (whole=True) or to a part of it."""
    require_role(frozenset(allowed))
    covered = current_user.covers_contrat(contrat) if whole else current_user.touches_contrat(contrat)
    if not covered:
        abort(403)


def access_rule(view: Callable) -> object | None:
    return getattr(view, "access_rule", None)


def check_every_view_has_a_rule(app: Flask) -> None:
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and access_rule(view) is None
    )
    if missing:
        raise RuntimeError(f"Views without an access rule (auth.public or auth.roles): {missing}")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["can_act_on_quartier"] = can_act_on_quartier
    app.jinja_env.globals["Role"] = Role
