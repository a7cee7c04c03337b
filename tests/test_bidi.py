"""User content set apart from the interface's direction: a French name in the Arabic layout keeps
its punctuation in place. HTML gets <bdi> (the `bdi` filter), text where no tag may go gets the
Unicode isolates U+2068 … U+2069 (the `isolate` filter)."""
from __future__ import annotations

import re

import pytest
from jinja2 import Environment, nodes

from participation.accounts.models import Role
from participation.config import ROOT

FSI, PDI = "\u2068", "\u2069"

# Attributes that hold what people typed: names, titles, labels, free text.
USER_CONTENT = frozenset({
    "name", "title", "label", "display_name", "text", "body", "author", "author_label", "who",
    "reason", "hidden_reason", "contact", "actor_name", "host_label", "workshop_title", "answer",
    "description", "quote", "content", "term",
})
ISOLATING = frozenset({"bdi", "isolate"})
TEMPLATES = ROOT / "templates"


def _isolates(node: nodes.Node) -> bool:
    if not isinstance(node, nodes.Filter):
        return False
    if node.name in ISOLATING:
        return True
    # `names|map('bdi')|join(", ")`: each item of a list set apart.
    return node.name == "map" and bool(node.args) and isinstance(node.args[0], nodes.Const) \
        and node.args[0].value in ISOLATING


def _unisolated(node: nodes.Node, isolated: bool = False) -> list[str]:
    """The user content reached from `node` that no isolating filter wraps. Only the last step of
    an access counts: `answer.response.form_number` is a number."""
    found = []
    if isinstance(node, nodes.Getattr):
        return [node.attr] if node.attr in USER_CONTENT and not isolated else []
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else None
        return [key] if key in USER_CONTENT and not isolated else []
    # A bare variable is left alone: a loop over interface labels (`for key, label in LABELS.items()`)
    # reads the same as one over names, and only the template's author knows which it is.
    if isinstance(node, nodes.Filter) and node.name == "map" and not isolated:
        found += [kw.value.value for kw in node.kwargs if kw.key == "attribute"
                  and isinstance(kw.value, nodes.Const) and kw.value.value in USER_CONTENT]
    if _isolates(node):
        return found + _unisolated(node.node, True)
    for child in node.iter_child_nodes():
        found += _unisolated(child, isolated)
    return found


def _parse(source: str) -> nodes.Template:
    return Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"]).parse(source)


def _violations(tree: nodes.Template) -> list[str]:
    problems = []
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("_", "gettext", "ngettext"):
            for kw in call.kwargs:
                for attr in _unisolated(kw.value):
                    problems.append(f"line {call.lineno}: {kw.key}=…{attr} without |bdi or |isolate")
    # No tag may go inside <title>: the page title takes the isolates, never <bdi>.
    for block in tree.find_all(nodes.Block):
        if block.name == "title":
            problems += [f"line {f.lineno}: |bdi in the title block" for f in block.find_all(nodes.Filter)
                         if f.name == "bdi"]
            # And user content printed in the title outside a sentence still takes the isolates.
            for output in block.find_all(nodes.Output):
                for expr in output.nodes:
                    if isinstance(expr, nodes.Call) and isinstance(expr.node, nodes.Name) \
                            and expr.node.name in ("_", "gettext", "ngettext"):
                        continue  # its parameters are checked above
                    problems += [f"line {expr.lineno}: {attr} bare in the title" for attr in _unisolated(expr)]
    return problems


def _templates():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_the_scan_finds_user_content_passed_bare_to_gettext():
    bare = _parse('{% block title %}{{ _("T %(name)s", name=q.name|bdi) }}{% endblock %}'
                  '{{ _("P %(name)s %(n)s", name=q.commune.name, n=q.population) }}'
                  '{{ _("V %(names)s", names=vs|map(attribute="display_name")|join(", ")) }}'
                  '{{ ngettext("%(num)s « %(term)s »", "%(num)s « %(term)s »", n, term=search.term) }}')
    assert len(_violations(bare)) == 4
    assert len(_violations(_parse('{% block title %}{{ _("Ateliers") }} · {{ quartier.name }}{% endblock %}'))) == 1
    kept = _parse('{% block title %}{{ _("T %(name)s", name=q.name|isolate) }}{% endblock %}'
                  '{{ _("P %(name)s %(n)s", name=q.commune.name|bdi, n=q.population) }}'
                  '{{ _("A %(who)s", who=(p.author_label or labels[p.source])|bdi) }}'
                  '{{ _("V %(names)s", names=vs|map(attribute="display_name")|map("bdi")|join(", ")) }}')
    assert _violations(kept) == []
    assert _violations(_parse('{% block title %}{% if p.hidden %}{{ _("M") }}{% else %}{{ p.title|isolate }}'
                              '{% endif %}{% endblock %}')) == []


def test_every_template_sets_user_content_apart_in_translated_sentences():
    problems = []
    for path in _templates():
        problems += [f"{path.relative_to(ROOT)} {p}" for p in _violations(_parse(path.read_text()))]
    assert problems == []


def test_the_filters_escape_and_leave_nothing_for_nothing(app):
    def render(source, **values):
        with app.test_request_context():
            return app.jinja_env.from_string(source).render(**values)

    assert render("{{ x|bdi }}", x="Cité <Les Pins>") == "<bdi>Cité &lt;Les Pins&gt;</bdi>"
    assert render("{{ x|isolate }}", x="Cité <Les Pins>") == f"{FSI}Cité &lt;Les Pins&gt;{PDI}"
    assert render('{{ _("Quartier %(name)s", name=x|bdi) }}', x="<b>") == "Quartier <bdi>&lt;b&gt;</bdi>"
    for empty in (None, ""):
        assert render("[{{ x|bdi }}][{{ x|isolate }}]", x=empty) == "[][]"


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def _body(page: str) -> str:
    return page.split("<body", 1)[1]


@pytest.fixture
def pins(client, make_contrat, make_quartier):
    contrat = make_contrat("Montpellier Méditerranée")
    quartier = make_quartier("QN03499M", name="Cité <Les Pins>", contrat=contrat)
    client.get("/langue/ar")
    return quartier


def test_a_french_name_in_the_arabic_layout_is_isolated_in_title_and_body(client, login, make_user, pins):
    # Public: the proposals of the quartier, its name in the page title.
    page = client.get("/quartiers/QN03499M/propositions").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert f"{FSI}Cité &lt;Les Pins&gt;{PDI}" in _title(page)
    assert "<Les Pins>" not in page and "<bdi>" not in _title(page)
    _no_stray_isolation(page)

    # Staff: the priorities page, name in the title and in the heading.
    login(make_user(Role.OFFICIAL, quartier=pins))
    page = client.get("/quartiers/QN03499M/priorites").get_data(as_text=True)
    assert f"{FSI}Cité &lt;Les Pins&gt;{PDI}" in _title(page)
    assert "<bdi>Cité &lt;Les Pins&gt;</bdi>" in _body(page)
    assert "<Les Pins>" not in page
    _no_stray_isolation(page)


def _no_stray_isolation(page: str) -> None:
    """<bdi> is markup in a sentence, never text shown, nor part of an address."""
    assert "&lt;bdi" not in page and "%3Cbdi" not in page


def test_a_contrat_name_in_the_arabic_account_page_is_isolated(client, login, make_user, pins):
    login(make_user(Role.FACILITATOR, contrat=pins.commune.contrat))
    page = client.get("/espace").get_data(as_text=True)
    assert "<bdi>Montpellier Méditerranée</bdi>" in _body(page)
    _no_stray_isolation(page)
    # The quartier page as its facilitator: the QPV code set apart in the sentence, not in the links.
    page = client.get("/quartiers/QN03499M").get_data(as_text=True)
    assert "<bdi>QN03499M</bdi>" in page
    assert 'href="/quartiers/QN03499M/conseil' in page
    _no_stray_isolation(page)
