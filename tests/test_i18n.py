"""Translations: French source, complete English and Arabic catalogs, Arabic laid out right to left."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from participation.config import ROOT

LANGUAGES = ("en", "ar")


def _catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _makefile_extract_options(keep_locations: bool = False) -> list:
    """The options of `make extract-messages`, so the test extracts exactly as the Makefile does."""
    import shlex

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    arguments = shlex.split(line.split("pybabel extract", 1)[1])
    options, skip = [], False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in ("-o", "-F"):
            skip = True  # output and config are given by the test
        elif argument == "." or (keep_locations and argument == "--no-location"):
            continue
        else:
            options.append(argument)
    assert "-k" in options and any(o.startswith("--ignore-dirs") for o in options), options
    return options


def _extract(config, directory, pot, keep_locations: bool = False) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(config), *_makefile_extract_options(keep_locations),
         "-o", str(pot), str(directory)]
    )


def _extracted_ids(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    _extract(ROOT / "babel.cfg", ROOT, pot)
    with open(pot, "rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


def _babel_jinja_extensions() -> set:
    from configparser import ConfigParser

    parser = ConfigParser()
    parser.read(ROOT / "babel.cfg", encoding="utf-8")
    sections = [name for name in parser.sections() if name.startswith("jinja2:")]
    assert sections, "babel.cfg extracts the templates"
    found = []
    for name in sections:
        assert parser[name].get("silent", "true").strip().lower() == "false", (
            f"[{name}] must set `silent = false`: an unparsable template would be skipped without a word"
        )
        found.append({e.strip() for e in parser[name].get("extensions", "").split(",") if e.strip()})
    assert all(extensions == found[0] for extensions in found), found
    return found[0]


def test_extraction_loads_every_jinja_extension_the_app_uses(app):
    from jinja2.ext import InternationalizationExtension

    used = {
        f"{type(extension).__module__}.{type(extension).__name__}"
        for extension in app.jinja_env.extensions.values()
        if not isinstance(extension, InternationalizationExtension)
    }
    aliases = {"jinja2.ext.ExprStmtExtension": "jinja2.ext.do", "jinja2.ext.LoopControlExtension": "jinja2.ext.loopcontrols",
               "jinja2.ext.DebugExtension": "jinja2.ext.debug"}
    assert {aliases.get(name, name) for name in used} <= _babel_jinja_extensions()


def test_every_template_parses_for_the_extractor(tmp_path):
    """Every template is read by the extractor; one it cannot parse stops the extraction loudly."""
    from jinja2 import TemplateSyntaxError

    _extracted_ids(tmp_path)  # raises on the first template the extractor cannot parse
    broken = tmp_path / "project"
    (broken / "templates").mkdir(parents=True)
    (broken / "templates" / "broken.html").write_text(
        '{% do items.append(1) %}{% if x %}{{ _("Jamais extrait") }}\n', encoding="utf-8"
    )
    with pytest.raises(TemplateSyntaxError):
        _extract(ROOT / "babel.cfg", broken, tmp_path / "broken.pot")


def test_every_template_that_translates_reaches_the_catalog(tmp_path):
    """A template the extractor skipped contributes nothing: it once skipped those using {% do %}, and
    Babel skips directories whose name starts with '_' (templates/_macros/) unless told otherwise."""
    pot = tmp_path / "located.pot"
    _extract(ROOT / "babel.cfg", ROOT, pot, keep_locations=True)
    with open(pot, "rb") as handle:
        located = {
            str(Path(filename).resolve().relative_to(ROOT)) if Path(filename).is_absolute() else filename
            for message in read_po(handle) for filename, _line in message.locations
        }
    translating = {
        str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*")
        if path.suffix in {".html", ".txt"} and "_(" in path.read_text(encoding="utf-8")
    }
    assert translating - located == set()
    assert {"templates/priorities/_quartier_section.html", "templates/_macros/forms.html"} <= located


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


@pytest.mark.parametrize("language, expected", [
    ("fr", "<bdi>Adresse e-mail</bdi> : Indiquez votre adresse e-mail."),
    ("en", "<bdi>Email address</bdi>: Enter your email address."),
    ("ar", "<bdi>البريد الإلكتروني</bdi>: يرجى إدخال بريدك الإلكتروني."),
])
def test_error_summary_punctuation_follows_the_language(client, language, expected):
    import html as html_module

    client.get(f"/langue/{language}")
    page = client.post_form("/connexion", {"email": "", "password": ""}, page="/connexion")
    assert page.status_code == 400
    assert expected in html_module.unescape(page.get_data(as_text=True))


def test_generated_wordings_come_from_the_catalogs(app):
    """Demographic questions and the default référentiel are copied per language from the catalogs."""
    from participation.extensions import db
    from participation.i18n import in_every_language
    from participation.quartiers.referentiel import default_themes
    from participation.questionnaires.building import AGE_BAND_LABELS, DEMOGRAPHIC_TEXTS
    from participation.questionnaires.models import Kind

    with app.test_request_context("/"):
        assert in_every_language(DEMOGRAPHIC_TEXTS[Kind.AGE_BAND]) == {
            "fr": "Quel âge avez-vous ?", "en": "How old are you?", "ar": "كم عمرك؟"}
        assert in_every_language(AGE_BAND_LABELS["75+"])["en"] == "75 and over"
        slug, _picto, fr, en, ar, children = default_themes()[0]
        assert (slug, fr, en, ar) == ("emploi", "Emploi", "Employment", "التشغيل")
        assert all(child[3] and child[4] != child[2] for child in children)
    db.session.rollback()


def test_user_content_keeps_its_own_direction_in_the_arabic_layout(client, make_quartier):
    make_quartier("QN03014M", name="L'Écusson")
    client.get("/langue/ar")
    page = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert '<h1 dir="auto">L&#39;Écusson</h1>' in page


@pytest.mark.parametrize("language, forms", [("en", 2), ("ar", 6)])
def test_every_count_has_all_the_plural_forms_of_the_language(language, forms):
    catalog = _catalog(language)
    assert catalog.num_plurals == forms
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert isinstance(message.string, tuple) and len(message.string) == forms and all(message.string), message.id
