"""Diagnostic en marchant: stops' observations, with photos checked and stripped of metadata."""
from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.accounts.models import User
from participation.extensions import db
from participation.workshops.models import WalkObservation, WalkPhoto, WalkStop, Workshop
from participation.workshops.errors import WorkshopError, closed_error
from participation.workshops.live_capture import (
    OBSERVATION_MAX_LENGTH, PHOTO_FORMATS, PHOTO_MAX_PIXELS, check_note_text,
)
from participation.workshops.queries import theme_of_contrat

def _not_an_image() -> WorkshopError:
    return WorkshopError("photo_not_image", _l("Ce fichier n'est pas une image (JPEG, PNG, WebP ou GIF)."))


def too_many_photos_error(maximum: int) -> WorkshopError:
    return WorkshopError("too_many_photos", _l("Au plus %(maximum)d photos par observation."), maximum=maximum)


def check_position(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise WorkshopError("position_incomplete", _l("Indiquez la latitude et la longitude, ou aucune des deux."))
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise WorkshopError("position_out_of_range", _l("Coordonnées hors limites : latitude entre -90 et 90, "
                                                            "longitude entre -180 et 180."))
    return latitude, longitude


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photo(raw: bytes, max_bytes: int) -> CleanPhoto:
    """Check an upload is an image by its content, then re-encode it without any metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(raw) > max_bytes:
        raise WorkshopError("photo_too_large", _l("Photo trop lourde : %(megabytes)s Mo au plus."), 413,
                            megabytes=LazyString(format_decimal, max_bytes / 1048576, "0.#"))
    if not raw:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(raw))
            if image.format not in PHOTO_FORMATS or image.width * image.height > PHOTO_MAX_PIXELS:
                raise _not_an_image()
            content_type, extension = PHOTO_FORMATS[image.format]
            image = ImageOps.exif_transpose(image)  # keep the orientation, then drop every tag
            if content_type == "image/jpeg":
                image = image.convert("RGB")
                target_format = "JPEG"
                options: dict[str, Any] = {"quality": 85, "optimize": True}
            else:
                image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
                target_format = "PNG"
                options = {"optimize": True}
            clean = Image.new(image.mode, image.size)  # a fresh image carries no info/EXIF/XMP
            clean.paste(image)
            out = io.BytesIO()
            clean.save(out, target_format, **options)
    except WorkshopError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise _not_an_image() from None
    return CleanPhoto(out.getvalue(), content_type, extension, clean.width, clean.height)


def add_observation(
    workshop: Workshop, *, stop_id: int | None, theme_id: int | None, text: str | None,
    latitude: float | None, longitude: float | None, photos: list[CleanPhoto], author: User | None,
    upload_dir: Path,
) -> WalkObservation:
    if workshop.closed:
        raise closed_error()
    stop = None
    if stop_id:
        stop = db.session.get(WalkStop, stop_id)
        if stop is None or stop.workshop_id != workshop.id:
            raise WorkshopError("stop_not_in_workshop", _l("Cette étape n'appartient pas à cet atelier."))
    theme = theme_of_contrat(workshop, theme_id)
    cleaned = check_note_text(text, OBSERVATION_MAX_LENGTH)
    latitude, longitude = check_position(latitude, longitude)
    observation = WalkObservation(
        workshop_id=workshop.id, stop=stop, theme=theme, text=cleaned, latitude=latitude,
        longitude=longitude, author_id=author.id if author else None,
    )
    db.session.add(observation)
    written: list[Path] = []
    try:
        upload_dir.mkdir(parents=True, exist_ok=True)
        for photo in photos:
            filename = f"{uuid.uuid4().hex}.{photo.extension}"
            path = upload_dir / filename
            path.write_bytes(photo.data)
            written.append(path)
            observation.photos.append(WalkPhoto(
                filename=filename, content_type=photo.content_type, size=len(photo.data),
                width=photo.width, height=photo.height,
            ))
        db.session.flush()
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return observation


def photo_of(workshop: Workshop, photo_id: int) -> WalkPhoto | None:
    photo = db.session.scalar(
        select(WalkPhoto).join(WalkObservation)
        .where(WalkPhoto.id == photo_id, WalkObservation.workshop_id == workshop.id)
    )
    return photo

