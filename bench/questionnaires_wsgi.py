"""The app gunicorn serves for the questionnaire load benchmark, plus a bare one-INSERT route."""
from __future__ import annotations

import os
import secrets

from sqlalchemy import insert

from participation import auth, create_app
from participation.extensions import db
from participation.questionnaires.models import Receipt

app = create_app({
    "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
    "SECRET_KEY": "bench-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
})
QUESTIONNAIRE_ID = int(os.environ["BENCH_QUESTIONNAIRE_ID"])


@auth.public
def bare_insert():
    """The baseline: one INSERT and a commit, no template, no validation."""
    db.session.execute(insert(Receipt).values(questionnaire_id=QUESTIONNAIRE_ID, token_hash=secrets.token_hex(32)))
    db.session.commit()
    return "ok"


app.add_url_rule("/bench/insert", "bench_insert", bare_insert, methods=["POST"])
