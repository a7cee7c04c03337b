"""Language choice: the reader's cookie, then the browser's preference, French by default."""
from __future__ import annotations

from babel.numbers import parse_pattern
from flask import Flask, current_app, request
from flask_babel import force_locale, get_locale, refresh
from markupsafe import Markup

from participation.extensions import babel

LANGUAGE_COOKIE = "langue"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def N_(message: str) -> str:
    """Marks a wording for the catalogs that is stored in French and translated when shown (the
    default world-café questions, an answer an import had to supply)."""
    return message


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def text_direction() -> str:
    return "rtl" if current_language() in RTL_LANGUAGES else "ltr"


def in_every_language(text) -> dict[str, str]:
    """A catalog string (lazy_gettext) in each language of the app, for wordings copied into the
    database as editable defaults (generated choices, the default theme référentiel)."""
    wordings = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            wordings[language] = str(text)
    return wordings


# User content may run the other way from the interface (a French name in the Arabic layout): set
# apart, it keeps its own direction and leaves the surrounding punctuation where the sentence put it.
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def bdi_filter(value) -> Markup:
    """For HTML: the value, escaped, inside <bdi>."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>{}</bdi>").format(value)


def share_filter(value: float, digits: int = 1) -> str:
    """A share (0.256) written as the reader writes a percentage, to `digits` decimals at most:
    « 25,6 % » in French, « 25.6% » in English. Flask-Babel's `percentformat` takes a pattern, which
    would drop the locale's own spacing; this keeps the locale's pattern and only sets the decimals."""
    locale = get_locale()
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (0, digits)
    return pattern.apply(value, locale)


def isolate_filter(value) -> str:
    """For text where no tag may go (<title>, attribute values, plain-text mail): the Unicode
    isolates around the value; escaping is left to autoescape, as for any other string."""
    if value is None or value == "":
        return ""
    if isinstance(value, Markup):
        return Markup(FIRST_STRONG_ISOLATE) + value + Markup(POP_DIRECTIONAL_ISOLATE)
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on `g`; an app context that outlives one request (CLI, tests,
    # streamed responses) must not carry one reader's language into the next request.
    app.before_request(refresh)
    app.jinja_env.globals.update(
        current_language=current_language,
        text_direction=text_direction,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    app.jinja_env.filters["bdi"] = bdi_filter
    app.jinja_env.filters["isolate"] = isolate_filter
    app.jinja_env.filters["share"] = share_filter
