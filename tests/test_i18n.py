"""Translations: French source, complete English and Arabic catalogs, Arabic laid out right to left."""
from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from participation.config import ROOT

LANGUAGES = ("en", "ar")


def _catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _extracted_ids(tmp_path) -> set:
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "messages.pot"
    # The same extraction as `make extract-messages`.
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext", "-k", "_l",
         "-k", "ngettext:1,2", "--no-location", "-o", str(pot), str(ROOT)]
    )
    with open(pot, "rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language):
    missing = [
        message.id for message in _catalog(language)
        if message.id and (
            message.fuzzy or not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
        )
    ]
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"


def test_catalogs_contain_every_string_of_the_code(tmp_path):
    extracted = _extracted_ids(tmp_path)
    for language in LANGUAGES:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(language) if m.id}
        assert extracted - known == set(), f"run `make update-catalogs` and translate ({language})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    pattern = re.compile(r"%\((\w+)\)s")
    for message in _catalog(language):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            assert set(pattern.findall(target)) <= set(pattern.findall(" ".join(message.id if isinstance(message.id, tuple) else (message.id,)))) , (source, target)


def test_language_switch_and_direction(client):
    assert 'lang="fr" dir="ltr"' in client.get("/").get_data(as_text=True)
    response = client.get("/langue/ar?next=/connexion")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    page = client.get("/connexion").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    client.get("/langue/en")
    page = client.get("/connexion").get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in page and "Se connecter" not in page


def test_browser_language_is_used_without_a_cookie(client):
    page = client.get("/connexion", headers={"Accept-Language": "ar,fr;q=0.5"}).get_data(as_text=True)
    assert 'dir="rtl"' in page


def test_unknown_language_is_404_and_open_redirects_are_refused(client):
    assert client.get("/langue/de").status_code == 404
    response = client.get("/langue/en?next=//evil.example/")
    assert response.headers["Location"] == "/"
