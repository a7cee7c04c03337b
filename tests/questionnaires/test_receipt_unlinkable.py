"""Whoever reads the database cannot pair a device's marker with its response (issue 11 §4):
neither the transaction id (PostgreSQL's xmin) nor the physical order (ctid, SQLite's rowid)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from participation.extensions import db
from participation.questionnaires import answering, services
from participation.questionnaires.models import Receipt, Response

from tests.questionnaires.conftest import answer_online

CODE = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2})\b")
RESIDENTS = 15
BATCH = 5


@pytest.fixture
def app_config(app_config):
    # A fixed batch size, so 15 residents fill exactly three batches.
    return {**app_config, "QUESTIONNAIRE_RECEIPT_BATCH_MIN": BATCH, "QUESTIONNAIRE_RECEIPT_BATCH_MAX": BATCH,
            "RATELIMIT_ENABLED": False}


def _answer(app, qn) -> tuple[str, int]:
    """One resident on their own device: (hash of the device token, id of the stored response)."""
    client = app.test_client()
    client.get(f"/q/{qn.id}")
    response = answer_online(client, qn)
    assert response.headers["Location"].endswith("/merci")
    code = CODE.findall(client.get(f"/q/{qn.id}/merci").get_data(as_text=True))[0]
    token = client.get_cookie(f"pq_q{qn.id}", path=f"/q/{qn.id}").value
    stored = db.session.scalar(select(Response).where(Response.receipt_hash == services.receipt_hash(code)))
    return answering.token_hash(token), stored.id


def _position(ctid: str) -> tuple[int, int]:
    page, line = ctid.strip("()").split(",")
    return int(page), int(line)


def test_markers_are_written_in_shuffled_batches_of_their_own(app, quartier, make_questionnaire, database_url):
    qn = make_questionnaire(quartier)
    truth = dict(_answer(app, qn) for _ in range(RESIDENTS))  # token hash -> response id
    db.session.rollback()
    assert set(db.session.scalars(select(Receipt.token_hash))) == set(truth)
    # No column of the marker names the response, nor the receipt code.
    assert {c.name for c in Receipt.__table__.columns} == {"questionnaire_id", "token_hash"}

    if database_url.startswith("postgresql"):
        markers = db.session.execute(text(
            "SELECT xmin::text::bigint, ctid::text, token_hash FROM questionnaire_receipts")).all()
        responses = db.session.execute(text(
            "SELECT xmin::text::bigint, ctid::text, id FROM questionnaire_responses")).all()
        # Transaction ids: each batch of markers has its own, which is no response's.
        assert not {xmin for xmin, _c, _h in markers} & {xmin for xmin, _c, _i in responses}
        assert sorted(sum(1 for m in markers if m[0] == xmin) for xmin in {m[0] for m in markers}) == [BATCH] * 3
        marker_order = [h for _x, _c, h in sorted(markers, key=lambda m: (m[0], _position(m[1])))]
        response_order = [i for _x, _c, i in sorted(responses, key=lambda r: (r[0], _position(r[1])))]
    else:
        marker_order = list(db.session.scalars(text("SELECT token_hash FROM questionnaire_receipts ORDER BY rowid")))
        response_order = list(db.session.scalars(text("SELECT rowid FROM questionnaire_responses ORDER BY rowid")))
        assert response_order == sorted(truth.values())  # a response's rowid is its id
    # Pairing the n-th marker with the n-th response does not give the true pairs (each batch is
    # shuffled: 15 markers in three shuffled batches of 5 come out in their order once in 1.7 million).
    assert dict(zip(marker_order, response_order)) != truth
    # What pairing by order can learn is at most the batch: each marker hides among 5 responses.
    for start in range(0, RESIDENTS, BATCH):
        assert {truth[h] for h in marker_order[start:start + BATCH]} == set(response_order[start:start + BATCH])


def test_a_device_is_sent_to_thanks_before_its_marker_is_written(app, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    client = app.test_client()
    client.get(f"/q/{qn.id}")
    answer_online(client, qn)
    db.session.rollback()
    assert db.session.scalar(select(Receipt)) is None  # still pending, in a batch to come
    again = client.post_form(f"/q/{qn.id}/commencer", {})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/q/{qn.id}/merci")
    # Even without the receipt cookie, the pending marker of this process knows the token.
    client.delete_cookie(f"pq_r{qn.id}", path=f"/q/{qn.id}")
    again = client.post_form(f"/q/{qn.id}/commencer", {})
    assert again.headers["Location"].endswith(f"/q/{qn.id}/merci")
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 1
