"""Diagnostic en marchant: ordered stops, observations with position and photos."""
from __future__ import annotations

import html
import io
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.workshops import walks
from participation.workshops import reporting, setup
from participation.workshops.errors import WorkshopError
from participation.workshops.models import WalkObservation, WalkPhoto, WorkshopFormat


@pytest.fixture
def walk(ecusson, facilitator):
    workshop = setup.create_workshop(
        ecusson, title="Diagnostic en marchant, secteur nord", format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT,
        starts_at=utcnow() + timedelta(days=2), facilitators=[facilitator],
    )
    for name in ("Place de la mairie", "Boulevard du Portalet", "Groupe scolaire Florian"):
        setup.add_stop(workshop, name=name)
    db.session.commit()
    return workshop


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (44.0, 15.0, 36.0), "E", (4.0, 11.0, 53.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _observations() -> int:
    return db.session.scalar(select(func.count()).select_from(WalkObservation))


def _post(client, walk, themes, **values):
    data = {
        "stop_id": str(walk.stops[1].id), "theme_id": str(list(themes.values())[2].id),
        "text": "Trottoir trop étroit devant l'école", "latitude": "", "longitude": "",
    }
    data.update(values)
    return client.post_form(f"/ateliers/{walk.id}/observations", data, page=f"/ateliers/{walk.id}/observations",
                            content_type="multipart/form-data")


def test_stops_are_ordered_and_can_be_moved(client, login, facilitator, walk):
    login(facilitator)
    assert [s.name for s in walk.stops] == ["Place de la mairie", "Boulevard du Portalet", "Groupe scolaire Florian"]
    response = client.post_form(f"/ateliers/{walk.id}/etapes/{walk.stops[2].id}/deplacer", {"direction": "up"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.name for s in walk.stops] == ["Place de la mairie", "Groupe scolaire Florian", "Boulevard du Portalet"]
    assert client.post_form(f"/ateliers/{walk.id}/etapes", {"stop-name": "Parc"}).status_code == 302
    db.session.expire_all()
    assert walk.stops[-1].name == "Parc" and walk.stops[-1].position == 4


def test_observation_with_position_and_photo_stripped_of_its_location(client, login, facilitator, walk, themes, _uploads):
    login(facilitator)
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the original carries GPS
    response = _post(client, walk, themes, latitude="44.2601", longitude="4.1981",
                     photos=(io.BytesIO(raw), "IMG_0001.jpg"))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    observation = db.session.scalar(select(WalkObservation))
    assert (observation.latitude, observation.longitude) == (44.2601, 4.1981)
    assert observation.stop.name == "Boulevard du Portalet"
    photo = observation.photos[0]
    stored = Path(_uploads) / photo.filename
    assert stored.is_file() and "static" not in str(stored)
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif()  # no EXIF at all, so no GPS
        assert "exif" not in image.info
    # Served through an access-checked route.
    served = client.get(f"/ateliers/{walk.id}/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == stored.read_bytes()
    page = client.get(f"/ateliers/{walk.id}/observations").get_data(as_text=True)
    assert f"/ateliers/{walk.id}/photos/{photo.id}" in page


def test_photos_are_not_served_to_other_quartiers_or_residents(client, login, make_user, make_quartier, facilitator, walk, themes, ecusson):
    login(facilitator)
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    assert _post(client, walk, themes, photos=(io.BytesIO(out.getvalue()), "a.png")).status_code == 302
    photo = db.session.scalar(select(WalkPhoto))
    client.post_form("/deconnexion")
    assert client.get(f"/ateliers/{walk.id}/photos/{photo.id}").status_code == 302  # to the sign-in page
    login(make_user(Role.RESIDENT, quartier=ecusson))
    assert client.get(f"/ateliers/{walk.id}/photos/{photo.id}").status_code == 403
    client.post_form("/deconnexion")
    login(make_user(Role.FACILITATOR, quartier=make_quartier("QN03005M")))
    assert client.get(f"/ateliers/{walk.id}/photos/{photo.id}").status_code == 403


def test_a_file_that_is_not_an_image_is_refused(client, login, facilitator, walk, themes, _uploads):
    login(facilitator)
    response = _post(client, walk, themes, photos=(io.BytesIO(b"%PDF-1.4 not a photo"), "photo.jpg"))
    assert response.status_code == 400
    assert "Ce fichier n'est pas une image" in html.unescape(response.get_data(as_text=True))
    assert _observations() == 0
    assert not Path(_uploads).exists() or not any(Path(_uploads).iterdir())


def test_a_photo_too_large_is_refused(app, client, login, facilitator, walk, themes, _uploads):
    app.config["WORKSHOP_PHOTO_MAX_BYTES"] = 2000
    login(facilitator)
    big = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(big, "PNG")
    assert len(big.getvalue()) > 2000
    response = _post(client, walk, themes, photos=(io.BytesIO(big.getvalue()), "grande.png"))
    assert response.status_code == 413
    assert "Photo trop lourde" in response.get_data(as_text=True)
    assert _observations() == 0
    assert not Path(_uploads).exists() or not any(Path(_uploads).iterdir())


LATITUDE = "La latitude est comprise entre -90 et 90."
LONGITUDE = "La longitude est comprise entre -180 et 180."
PAIR = "Indiquez la latitude et la longitude, ou aucune des deux."


@pytest.mark.parametrize("latitude, longitude, message", [
    ("91", "4", LATITUDE), ("-90.5", "4", LATITUDE), ("44", "180.01", LONGITUDE), ("44", "-181", LONGITUDE),
    ("nord", "4", LATITUDE), ("44", "", PAIR),
])
def test_coordinates_out_of_range_are_refused(client, login, facilitator, walk, themes, latitude, longitude, message):
    login(facilitator)
    response = _post(client, walk, themes, latitude=latitude, longitude=longitude)
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Le formulaire contient des erreurs" in text
    assert message in text
    assert _observations() == 0


def test_service_refuses_out_of_range_coordinates():
    with pytest.raises(WorkshopError) as error:
        walks.check_position(12.0, 200.0)
    assert error.value.code == "position_out_of_range"
    assert walks.check_position(-90.0, 180.0) == (-90.0, 180.0)


def test_observation_for_a_stop_of_another_walk_or_closed_walk_is_refused(client, login, facilitator, walk, themes, ecusson):
    other = setup.create_workshop(ecusson, title="Autre", format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT, starts_at=walk.starts_at)
    foreign = setup.add_stop(other, name="Ailleurs")
    db.session.commit()
    login(facilitator)
    assert _post(client, walk, themes, stop_id=str(foreign.id)).status_code == 400
    setup.set_closed(walk, True)
    db.session.commit()
    response = _post(client, walk, themes)
    assert response.status_code == 409
    assert _observations() == 0


def test_observations_feed_the_compte_rendu(client, login, facilitator, walk, themes):
    login(facilitator)
    assert _post(client, walk, themes, latitude="44.26", longitude="4.2").status_code == 302
    report = reporting.generate_report(walk, facilitator)
    db.session.commit()
    assert report.content["stops"] == ["Place de la mairie", "Boulevard du Portalet", "Groupe scolaire Florian"]
    section = report.content["themes"][0]["sections"][0]
    assert section["kind"] == "observations"
    assert section["items"][0]["text"] == "Trottoir trop étroit devant l'école"
    assert section["items"][0]["stop"] == "Boulevard du Portalet"
    page = html.unescape(client.get(f"/ateliers/{walk.id}/compte-rendu/v1").get_data(as_text=True))
    assert "Observations du diagnostic en marchant" in page and "Place de la mairie → Boulevard du Portalet" in page


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_as_not_an_image_never_crash(raw):
    with pytest.raises(WorkshopError) as error:
        walks.clean_photo(raw, 10_000)
    assert error.value.code == "photo_not_image"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP", "JPEG"])
def test_images_of_each_accepted_format_are_re_encoded(fmt):
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 0)).save(out, fmt)
    photo = walks.clean_photo(out.getvalue(), 100_000)
    assert (photo.width, photo.height) == (20, 10)
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format in ("PNG", "JPEG") and not image.getexif()


def test_an_upload_without_the_csrf_token_is_refused(client, login, facilitator, walk, themes, _uploads):
    login(facilitator)
    response = client.post(f"/ateliers/{walk.id}/observations", data={
        "stop_id": "0", "theme_id": str(list(themes.values())[0].id), "text": "Sans jeton",
        "photos": (io.BytesIO(_jpeg_with_gps()), "a.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _observations() == 0
    assert not Path(_uploads).exists() or not any(Path(_uploads).iterdir())


def test_the_published_compte_rendu_carries_no_gps_position(app, client, facilitator, walk, themes):
    from participation.workshops.models import ReportStatus

    theme = list(themes.values())[0]
    walks.add_observation(
        walk, stop_id=walk.stops[0].id, theme_id=theme.id, text="Un porche mal éclairé",
        latitude=44.260137, longitude=4.198142, photos=[], author=facilitator, upload_dir=Path(app.config["WORKSHOP_UPLOAD_FOLDER"]),
    )
    report = reporting.generate_report(walk, facilitator)
    report.status = ReportStatus.PUBLISHED
    db.session.commit()
    items = [item for theme_entry in report.content["themes"] for section in theme_entry["sections"]
             for item in section["items"]]
    assert [(item["text"], item["stop"]) for item in items] == [("Un porche mal éclairé", "Place de la mairie")]
    assert all("position" not in item for item in items)
    page = client.get(f"/comptes-rendus/{report.id}").get_data(as_text=True)
    assert "Un porche mal éclairé" in html.unescape(page) and "44.26" not in page and "4.198" not in page
