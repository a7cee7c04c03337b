"""No input produces a 500: every route, as anonymous and as each role, with hostile values.

For each registered route this sends generated requests (hypothesis): query parameters, the
form fields its pages offer (found by reading the forms of every page the role can open),
JSON bodies and path segments, filled with NUL bytes, lone surrogates, non-ASCII digits,
signs, out-of-range integers, CRLF, 100 kB strings, 10 000-deep JSON and wrong types. Any 5xx,
or an exception escaping the app, fails the test. CSRF and rate limits are off so that the
requests reach the views. HOSTILE_EXAMPLES sets the examples per allowed route (default 8; 16 or more for a deeper run).
"""
from __future__ import annotations

import os
import re
import traceback
import zlib
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from participation.accounts.models import Role
from participation.extensions import db
from tests import hostile
from tests.conftest import TEST_PASSWORD, report
from tests.test_routes_access import EXPECTED, PUBLIC, world  # noqa: F401 - world is a fixture

ROLES = [None, *Role]
EXAMPLES_ALLOWED = int(os.environ.get("HOSTILE_EXAMPLES", "8"))
EXAMPLES_REFUSED = 2
# Routes that may undo the objects other routes need (or the session itself) are fuzzed last.
LAST = re.compile(r"delete|remove|revoke|archive|close|state|users_edit|_edit$|change_password|logout")

FIGURES: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _figures():
    FIGURES.clear()
    FIGURES["statuses"] = Counter()
    yield
    if FIGURES["requests"]:
        report(
            "hostile input (issue 11)",
            f"{FIGURES['requests']} generated requests over {FIGURES['routes']} route × role pairs "
            f"({FIGURES['discovery']} page reads to find the forms); "
            f"statuses: {dict(sorted(FIGURES['statuses'].items()))}",
        )


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


def _allowed(endpoint: str, role) -> bool:
    declared, _scoped = EXPECTED.get(endpoint, (PUBLIC, False))
    return declared == PUBLIC or (role is not None and role in declared)


def _url(app, rule, params) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(rule.endpoint, **{name: params[name] for name in rule.arguments})


class Prober:
    """Sends one request, counts it, and turns a 5xx or an escaped exception into a failure."""

    def __init__(self, client, role):
        self.client = client
        self.role = role

    def send(self, method: str, path: str, *, query: str = "", body: bytes | str | None = None,
             content_type: str | None = None, accept: str = "text/html", counter: str = "requests"):
        FIGURES[counter] += 1
        description = f"{method} {path[:300]}{'?' + query[:300] if query else ''} as {self.role}"
        if body is not None:
            description += f" body={body[:300]!r} ({content_type})"
        try:
            response = self.client.open(path, method=method, query_string=query or None, data=body,
                                        content_type=content_type, headers={"Accept": accept})
        except Exception as error:  # noqa: BLE001 - what escapes the app is what we look for
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001
                db.session.remove()
            raise AssertionError(f"{description}: {_summary(error)}") from None
        FIGURES["statuses"][response.status_code] += 1
        if response.status_code >= 500:
            raise AssertionError(f"{description}: {response.status_code}")
        return response


def _summary(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/participation/" in f.filename]
    where = "; ".join(f"{f.filename.split('/participation/')[-1]}:{f.lineno} {f.name}" for f in frames[-3:])
    return f"{type(error).__name__}: {str(error)[:200]} at {where}"


def _discover(app, prober, rules, urls):
    """The fields every form offers, by the path it posts to, from the pages this role can open."""
    fields: dict[str, dict[str, list[str]]] = defaultdict(dict)
    files: dict[str, set[str]] = defaultdict(set)
    failures = []
    for rule in rules:
        if "GET" not in rule.methods or rule.endpoint in ("static", "accounts.logout"):
            continue
        try:
            response = prober.send("GET", urls[id(rule)], counter="discovery")
        except AssertionError as failure:
            failures.append(str(failure))
            continue
        if "html" not in (response.content_type or ""):
            continue
        for form in hostile.forms_of(urls[id(rule)], response.get_data(as_text=True)):
            for name, values in form["fields"].items():
                fields[form["action"]].setdefault(name, [])
                fields[form["action"]][name].extend(v for v in values if v not in fields[form["action"]][name])
            files[form["action"]].update(form["files"])
    return fields, files, failures


def _fuzz_route(prober, rule, url, fields, files, params, known, examples):
    methods = [m for m in ("GET", "POST") if m in rule.methods]
    kinds = ["query"] + (["form", "form", "json"] if "POST" in methods else []) + (["path"] if rule.arguments else [])
    names = sorted(fields) + hostile.QUERY_NAMES
    texts = hostile.text_values(known)

    def values_for(data, name):
        offered = [v for v in fields.get(name, []) if v]
        if offered and data.draw(st.booleans()):
            return [data.draw(st.sampled_from(offered))]
        return data.draw(st.lists(texts, min_size=1, max_size=3))

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @seed(zlib.crc32(f"{rule.rule} {prober.role}".encode()))  # reproducible, yet not the same draws on every route
    @given(data=st.data())
    def one_request(data):
        kind = data.draw(st.sampled_from(kinds), label="kind")
        accept = data.draw(st.sampled_from(["text/html", "application/json", "*/*"]), label="accept")
        # Half the requests put one hostile value in every field at once, so each value meets
        # every parameter of the route; the others mix values field by field.
        blast = data.draw(st.booleans(), label="blast")
        base = [(name, (offered or [""])[0]) for name, offered in fields.items()]
        if kind == "query":
            if blast:
                value = data.draw(texts)
                query = hostile.urlencode([(n, value) for n in names])
            else:
                chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
                query = hostile.urlencode([(n, v) for n in chosen for v in values_for(data, n)])
            method = "GET" if "GET" in methods else "POST"
            body = hostile.urlencode(base) if method == "POST" else None
            prober.send(method, url, query=query, body=body, accept=accept,
                        content_type="application/x-www-form-urlencoded" if body is not None else None)
        elif kind == "form":
            if blast:
                value = data.draw(texts)
                pairs = [(n, value) for n in names]
            else:
                chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True))
                pairs = [(n, v) for n, v in base if n not in chosen]
                pairs += [(n, v) for n in chosen for v in values_for(data, n)]
            uploads = [(name, data.draw(st.sampled_from(hostile.FILENAMES)), data.draw(st.sampled_from(hostile.HOSTILE_FILES)))
                       for name in sorted(files) if data.draw(st.booleans())]
            if uploads or data.draw(st.booleans()):
                body, content_type = hostile.multipart(pairs, uploads)
            else:
                body, content_type = hostile.urlencode(pairs), "application/x-www-form-urlencoded"
            prober.send("POST", url, body=body, content_type=content_type, accept=accept)
        elif kind == "json":
            shape = data.draw(st.sampled_from(["object", "object", "raw", "value"]))
            keys = hostile.JSON_KEYS + sorted(fields)
            if shape == "raw":
                body = data.draw(hostile.deep_json())
            elif shape == "value":
                body = hostile.json_body(data.draw(hostile.json_values(known)))
            elif blast:
                value = data.draw(hostile.json_values(known))
                body = hostile.json_body({k: value for k in keys})
            else:
                chosen = data.draw(st.lists(st.sampled_from(keys), max_size=6, unique=True))
                body = hostile.json_body({k: data.draw(hostile.json_values(known)) for k in chosen})
            prober.send("POST", url, body=body, content_type="application/json", accept=accept)
        else:
            name = data.draw(st.sampled_from(sorted(rule.arguments)))
            values = {**{a: params[a] for a in rule.arguments}, name: data.draw(texts)}
            path = hostile.path_with(rule.rule, values)
            prober.send(data.draw(st.sampled_from(methods)), path, accept=accept)

    one_request()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_no_input_gives_a_server_error(app, client, make_user, world, role):
    own = world["own"]
    victim = make_user(Role.RESIDENT, quartier=own)  # the account users_edit may change
    params = {**world["params"](own), "user_id": victim.id, "filename": "app.css"}
    if role is not None:
        user = make_user(role, quartier=None if role is Role.ADMIN else own)
        signed_in = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
        assert signed_in.status_code == 302
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (bool(LAST.search(r.endpoint)), r.endpoint))
    urls = {id(rule): _url(app, rule, params) for rule in rules}
    prober = Prober(client, role.value if role else "anonymous")
    fields, files, failures = _discover(app, prober, rules, urls)
    known = sorted({str(v) for v in params.values()})
    for rule in rules:
        if rule.endpoint == "accounts.logout" and role is not None:
            continue  # it would end the session the rest of the walk needs; anonymous covers it
        path = urls[id(rule)]
        examples = EXAMPLES_ALLOWED if _allowed(rule.endpoint, role) else EXAMPLES_REFUSED
        FIGURES["routes"] += 1
        try:
            _fuzz_route(prober, rule, path, fields.get(path, {}), files.get(path, set()), params, known, examples)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0][:1200])
        except Exception as failure:  # noqa: BLE001 - e.g. hypothesis refusing a strategy: still reported
            failures.append(f"{rule.endpoint}: {type(failure).__name__}: {failure}"[:1200])
    assert failures == [], "\n".join(failures)


# --- the cases issue 11 names, one by one ---------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/q/99999999999999999999", "/q/9223372036854775808/merci", "/comptes-rendus/99999999999999999999",
    "/projets/99999999999999999999/versions/1.json",
])
def test_an_id_no_row_can_have_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_line_break_in_next_is_not_followed(client):
    response = client.get("/langue/fr?next=/%0d%0a")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_nul_byte_in_the_path_is_refused(client):
    assert client.get("/quartiers/QN%00").status_code == 400


def test_a_json_body_fills_a_form_with_text_only(client, make_user, make_quartier):
    user = make_user(Role.RESIDENT, quartier=make_quartier())
    refused = client.post("/connexion", json={"email": [[user.email]], "password": {"x": TEST_PASSWORD}})
    assert refused.status_code < 500
    assert client.get("/espace").status_code == 302  # not signed in
    for body in (42, [1, 2], "texte", None):
        assert client.post("/connexion", json=body).status_code < 500
    signed_in = client.post("/connexion", json={"email": user.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302


def test_an_integer_no_column_holds_is_a_form_error(client, make_user, make_quartier):
    quartier = make_quartier()
    admin = make_user(Role.ADMIN)
    assert client.post("/connexion", data={"email": admin.email, "password": TEST_PASSWORD}).status_code == 302
    huge = str(10**20)
    response = client.post(f"/quartiers/{quartier.qpv_code}/population",
                           data={"age_0_17": huge, "age_18_24": "1", "gender_f": huge})
    assert response.status_code == 400
    assert "Ce nombre est trop grand." in response.get_data(as_text=True)
