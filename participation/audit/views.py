"""The audit log, readable by admins."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from participation import auth
from participation.audit import services
from participation.params import parse_int

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100
# Beyond this the offset would not fit a database integer; no log is that long.
MAX_PAGE = 1_000_000


@bp.route("/admin/journal")
@auth.roles(auth.ADMIN_ONLY)
def index():
    page = parse_int(request.args.get("page"), 1, minimum=1, maximum=MAX_PAGE)
    entity = (request.args.get("entite") or "")[:60] or None  # the column's length
    entity_id = (request.args.get("id") or "")[:40] or None
    rows = services.entries(
        entity=entity, entity_id=entity_id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "audit/index.html", entries=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE,
        entity=entity, entity_id=entity_id,
    )
