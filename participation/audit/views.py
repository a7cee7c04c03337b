"""The audit log, readable by admins."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from participation import auth
from participation.audit import services

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


@bp.route("/admin/journal")
@auth.roles(auth.ADMIN_ONLY)
def index():
    page = request.args.get("page", 1, type=int) or 1
    page = max(page, 1)
    entity = request.args.get("entite") or None
    entity_id = request.args.get("id") or None
    rows = services.entries(
        entity=entity, entity_id=entity_id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "audit/index.html", entries=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE,
        entity=entity, entity_id=entity_id,
    )
