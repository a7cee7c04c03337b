"""French readability of questionnaire text (Kandel–Moles score, long sentences, rare words).

While a facilitator writes a question, the questionnaire builder shows how easy
the text is to read, because many residents of the quartiers prioritaires read
little.  This module is pure Python, has no dependency and keeps no mutable
module-level state, so it can run on every keystroke (or in a form validator).

Score
-----
Kandel L., Moles A., « Application de l'indice de Flesch à la langue
française », *Cahiers Études de Radio-Télévision*, 1958, adapted Flesch's
reading ease to French::

    score = 207 − 1.015 × (words / sentences) − 73.6 × (syllables / words)

The score is rounded to one decimal and clamped to [0, 100].  The level uses
Flesch's bands on the rounded score: ≥ 90 ``tres_facile``, ≥ 80 ``facile``,
≥ 70 ``assez_facile``, ≥ 60 ``standard``, ≥ 50 ``assez_difficile``,
≥ 30 ``difficile``, else ``tres_difficile``.  A text without any word (empty,
blank, punctuation only) scores 100.0 / ``tres_facile`` with every count at 0.

Counting rules (heuristics, documented so the numbers can be checked by hand)
---------------------------------------------------------------------------
* Text is NFC-normalised first.
* **Words** are runs of letters and digits.  Hyphens and apostrophes inside a
  run keep it one word (« peut-être », « Saint-Ambroix », « aujourd'hui »).
  An elided prefix is stripped: « l'école » is the single word « école »
  (prefixes l' d' j' m' t' s' c' n' qu' jusqu' lorsqu' puisqu' quoiqu').
  Reported words are lower-cased, with ’ and ʼ written as '.
* **Numbers**: digits joined by « . », « , » or a (narrow) no-break space form
  one word; it counts one syllable per digit group (« 2024 » → 1,
  « 3,5 » → 2).  Numbers never appear in ``long_words`` or ``rare_words``.
* **Sentences** end at « . ! ? … » (a dot between two digits does not end a
  sentence) and at line breaks.  A segment without any word is not a sentence,
  so a question without final punctuation is one sentence.  Abbreviations such
  as « M. » end a sentence (kept simple on purpose).
* **Syllables** (written French, spoken-style mute e), per hyphen/apostrophe
  part of a word:

  - count groups of consecutive vowels (a e i o u y à â ä é è ê ë î ï ô ö ù û
    ü ÿ œ æ); « qu »/« gu » + vowel is one group (« quartier » = 2);
  - a group is split (hiatus) before ï / ü, before ë (except after u:
    « aiguë »), after é (« réunion », « créer »; but « idée(s) » keeps « ée »
    together), before é / è after a, o or a pronounced u (« aéroport »,
    « poète », « tué »), before e after a pronounced u when followed by
    r z t l (« jouer », « cruel »), and before y + vowel (« payer », « citoyen »);
  - a final mute « e » / « es » after a consonant does not count, and neither
    does a final verb « ent » after a consonant when the word is longer than
    4 letters, except words in « -ment » (« logement », « moment ») and a
    short list of nouns/adjectives (« souvent », « parent », « président »…);
    a small list of « -ment » verbs (« aiment », « dorment »…) is mute;
    those rules never bring a part below 1 syllable;
  - a letter part without vowel (« h », « km », sigles like « HLM ») adds 0,
    each digit group adds 1, and every word has at least 1 syllable.

  So « école » = 2, « propre » = 1, « habitants » = 3, « participation » = 5,
  « parlent » = 1, « peut-être » = 2.

* **Long sentences** have more than ``LONG_SENTENCE_WORDS`` (15) words.
* **Long words** have at least ``LONG_WORD_SYLLABLES`` (4) syllables.
* **Rare words** have at least ``RARE_WORD_MIN_LETTERS`` (4) letters and are
  not in ``COMMON_WORDS`` (about 600 everyday French words).  A word also
  counts as common when its accent-stripped form matches (« ecole »), when it
  is a plural in -s/-x of a common word (« voisins »), or when it is
  hyphenated/apostrophised and every part is common (« est-ce »).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

__all__ = [
    "COMMON_WORDS",
    "LONG_SENTENCE_WORDS",
    "LONG_WORD_SYLLABLES",
    "RARE_WORD_MIN_LETTERS",
    "ReadabilityReport",
    "analyse",
    "count_syllables",
]

LONG_SENTENCE_WORDS = 15
LONG_WORD_SYLLABLES = 4
RARE_WORD_MIN_LETTERS = 4

EMPTY_SCORE = 100.0

_LEVELS: tuple[tuple[float, str], ...] = (
    (90.0, "tres_facile"),
    (80.0, "facile"),
    (70.0, "assez_facile"),
    (60.0, "standard"),
    (50.0, "assez_difficile"),
    (30.0, "difficile"),
)
_LOWEST_LEVEL = "tres_difficile"
NOT_MEASURED = "non_mesure"  # a text mostly in another script than the Latin one

_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")

# A word: letters/digits, joined by hyphens or apostrophes, or (between two
# digits only) by a dot, a comma or a no-break space.
_TOKEN_RE = re.compile(
    r"[^\W_]+(?:(?:[-'’ʼ]|(?<=\d)[.,\u00a0\u202f](?=\d))[^\W_]+)*"
)
# Sentence ends: ! ? … (and their combined forms), a dot not between two
# digits, or any line break recognised by str.splitlines().
_SENTENCE_END_RE = re.compile(
    r"(?:[!?…‼⁇⁈⁉]|\.(?!\d)|(?<!\d)\.)+"
    r"|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+"
)
_ELISION_RE = re.compile(r"^(?:jusqu|lorsqu|puisqu|quoiqu|qu|[ldjmtscn])'(?=.)")
_PART_SEP_RE = re.compile(r"[-']+")
_RUN_RE = re.compile(r"\d+|[^\d]+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

# Words ending in -ent (not -ment) where « ent » is pronounced.
_PRONOUNCED_ENT = frozenset(
    """
    absent accident adjacent adolescent agent apparent ardent argent client
    cohérent compétent concurrent conscient content continent couvent décent
    différent diligent dissident équivalent évident excellent fréquent
    impatient incident incohérent indécent indulgent innocent insolent
    intelligent latent négligent occident omniprésent orient parent patient
    permanent pourcent précédent présent président prudent récent régent
    résident serpent souvent talent torrent transparent urgent violent
    """.split()
)

# Third-person plural verbs in -ment whose « ent » is mute.
_MUTE_MENT = frozenset(
    """
    aiment allument assument consomment dorment estiment expriment forment
    fument impriment informent nomment résument riment suppriment
    """.split()
)

# About 600 of the most frequent French words a resident knows: function words,
# common verbs in several forms, everyday nouns and adjectives.  Lower-case,
# with accents; words of 3 letters or fewer are always common anyway.
COMMON_WORDS = frozenset(
    """
    le la les un une des du de au aux et ou où mais donc car ni que qui quoi
    dont ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos
    leur leurs je tu il elle on nous vous ils elles me te se moi toi lui eux
    en ne pas plus moins très trop peu bien mal aussi encore déjà jamais
    toujours souvent parfois rien tout tous toute toutes autre autres même
    mêmes chaque quelque quelques quelqu'un plusieurs aucun aucune certain
    certains certaine certaines avec sans pour par dans sur sous entre vers
    chez avant après pendant depuis contre selon comme quand comment pourquoi
    combien lequel laquelle celui celle ceux celles ceci cela voici voilà
    ici alors ainsi puis ensuite enfin aujourd'hui demain hier maintenant
    bientôt tard tôt longtemps beaucoup assez presque surtout seulement
    vraiment peut-être oui non parce lorsque quel quelle quels quelles tant
    autant dessus dessous devant derrière près loin partout ailleurs dehors
    dedans ensemble environ pourtant sinon plutôt jusque grâce malgré parmi
    durant chose personne rendez-vous vite doucement mieux

    être suis sommes êtes sont était étaient été sera seront serait soit
    avoir avons avez avait avaient aura aurait faire fais fait faisons
    faites font faisait fera ferait aller vais allons allez vont allait
    irait venir viens vient venons venez viennent venu pouvoir peux peut
    pouvons pouvez peuvent pourrait pourriez vouloir veux veut voulons
    voulez veulent voudrait voudriez voulu devoir dois doit devons devez
    doivent devrait devriez dire dis dit disons dites disent voir vois
    voit voyez voient savoir sais sait savez savent prendre prends prend
    prenez prennent pris mettre mets met mettez donner donne donnez donnent
    donné parler parle parlez parlent parlé trouver trouve trouvez trouvent
    trouvé aimer aime aimez aiment aimé aimerais aimeriez penser pense pensez
    pensent pensé croire crois croit croyez passer passe passez passé rester
    reste restez resté vivre vivez vivent habiter habite habitez habitent
    habité travailler travaille travaillez travaillent connaître connais
    connaissez utiliser utilise utilisez aider aidez demander demande
    demandez répondre réponds répondez choisir choisissez changer change
    changez manger mange jouer joue jouez marcher acheter payer payez sortir
    sortez partir part partez arriver arrive arrivez rentrer entrer attendre
    attendez ouvrir fermer chercher cherche cherchez écrire écrit écrivez
    lire lisez comprendre comprenez compris apprendre sentir sentez tenir
    garder laisser montrer appeler appelez regarder écouter entendre porter
    commencer finir fini ranger nettoyer construire revenir devenir proposer
    proposez participer participez noter notez cocher cochez indiquer
    indiquez préférer préférez préfère souhaiter souhaitez souhaite manque
    manquer besoin envie faut fallait falloir

    homme hommes femme femmes gens monde ami amie amis copain fille garçon
    père mère parent parents bébé frère sœur cœur mari papa maman grand-mère
    grand-père enfant enfants enfance famille jeune voisin voisine
    habitant habitante habitants vie jour jours nuit matin midi soir semaine
    année heure heures minute temps fois moment week-end samedi dimanche
    lundi mardi mercredi jeudi vendredi hiver printemps automne problème
    question réponse avis idée place lieu endroit coin centre quartier ville
    village maison immeuble appartement bâtiment escalier ascenseur porte
    fenêtre cave parking garage jardin arbre fleur banc trottoir route
    chemin pont gare métro tram tramway train voiture vélo moto arrêt ligne
    magasin boulangerie pharmacie marché supermarché café restaurant boutique
    poste banque mairie police pompiers hôpital école collège lycée crèche
    cantine bibliothèque piscine stade gymnase terrain salle club fête jeu
    jeux ballon foot football basket musique film télé téléphone internet
    ordinateur écran photo livre journal lettre papier carte dossier numéro
    adresse prénom langue français anglais arabe pays france travail
    travaux emploi métier patron chômage stage formation cours classe élève
    professeur maître maîtresse docteur médecin infirmière dentiste santé
    argent prix loyer facture aide logement eau électricité chauffage
    lumière bruit déchets poubelle ordures propreté saleté odeur fumée soleil
    pluie neige vent chien chat animaux nourriture repas pain lait fruits
    légumes viande courses sport sortie promenade balade vacances loisirs
    activité accueil service sécurité danger peur accident violence respect
    calme paix joie plaisir solution changement projet accord merci bonjour
    cadre action
    bonsoir madame monsieur commerce rue parc bus

    bon bonne beau belle beaux joli jolie grand grande petit petite gros
    grosse nouveau nouvelle nouveaux vieux vieille ancien ancienne premier
    première dernier dernière prochain prochaine seul seule propre sale
    bruyant tranquille dangereux simple facile difficile possible important
    importante utile content contente heureux heureuse triste malade fatigué
    libre cher chère gratuit gratuite ouvert ouverte fermé fermée plein
    pleine vide long longue court courte haut haute large proche rapide lent
    vrai vraie faux sûr juste clair claire noir noire blanc blanche rouge
    vert verte bleu jaune public publique privé meilleur meilleure pire
    pareil différent différente normal normale agréable pratique sympa
    gentil gentille mauvais mauvaise propres jeunes

    zéro deux trois quatre cinq sept huit neuf onze douze treize quatorze
    quinze seize vingt trente quarante cinquante soixante cent mille
    deuxième troisième moitié
    """.split()
)

_MUTE_PLURAL_ENDINGS = ("s", "x")


def _strip_accents(word: str) -> str:
    word = word.replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_COMMON_STRIPPED = frozenset(_strip_accents(word) for word in COMMON_WORDS)


@dataclass(frozen=True)
class ReadabilityReport:
    score: float
    level: str
    sentences: int
    words: int
    syllables: int
    long_sentences: tuple[str, ...]
    long_words: tuple[str, ...]
    rare_words: tuple[str, ...]


# --------------------------------------------------------------------------- words


def _words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (already NFC), elided prefixes stripped."""
    words = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group().lower().translate(_APOSTROPHES)
        while True:
            stripped = _ELISION_RE.sub("", word, count=1)
            if stripped == word:
                break
            word = stripped
        words.append(word)
    return words


def _letter_count(word: str) -> int:
    return sum(1 for ch in word if ch.isalpha())


def _has_letter(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


# ----------------------------------------------------------------------- syllables


def _hiatus(run: str, i: int) -> bool:
    """Whether the vowel ``run[i]``, following the vowel ``run[i-1]``, starts a new group."""
    ch, prev = run[i], run[i - 1]
    rest = run[i + 1 :]
    silent_u = prev == "u" and i >= 2 and run[i - 2] in "qg"
    if ch == "y":
        return bool(rest) and rest[0] in _VOWELS
    if ch in "ïü":
        return True
    if ch == "ë":
        return prev != "u"
    if prev == "é":
        return not (ch == "e" and rest in ("", "s", "nt"))
    if ch in "éè":
        return prev in "ao" or (prev == "u" and not silent_u)
    if ch == "e" and prev == "u" and not silent_u:
        return rest[:1] in ("r", "z", "t", "l")
    return False


def _letter_syllables(run: str) -> int:
    """Syllables of a lower-case run of letters (0 when it has no vowel)."""
    groups = 0
    in_group = False
    for i, ch in enumerate(run):
        if ch in _VOWELS:
            if not in_group or _hiatus(run, i):
                groups += 1
            in_group = True
        else:
            in_group = False
    if groups <= 1:
        return groups
    if _mute_ending(run):
        groups -= 1
    return groups


def _mute_ending(run: str) -> bool:
    if run.endswith("e"):
        return len(run) >= 2 and run[-2] not in _VOWELS
    if run.endswith("es"):
        return len(run) >= 3 and run[-3] not in _VOWELS
    if run.endswith("ent") and len(run) > 4 and run[-4] not in _VOWELS:
        if run in _MUTE_MENT:
            return True
        return not run.endswith("ment") and run not in _PRONOUNCED_ENT
    return False


def _word_syllables(word: str) -> int:
    """Syllables of one lower-case word as produced by :func:`_words` (at least 1)."""
    total = 0
    for part in _PART_SEP_RE.split(word):
        for run in _RUN_RE.findall(part):
            total += 1 if run[0].isdigit() else _letter_syllables(run)
    return max(1, total)


def count_syllables(word: str) -> int:
    """Number of syllables in ``word`` by the module's French heuristic.

    ``word`` is normalised and split like :func:`analyse` does, so an elided
    prefix does not count (« l'école » → 2).  Given several words, the total is
    returned; a string without any letter or digit has 0 syllables.
    """
    text = unicodedata.normalize("NFC", word)
    return sum(_word_syllables(w) for w in _words(text))


# ---------------------------------------------------------------------- rare words


def _in_common(word: str) -> bool:
    return word in COMMON_WORDS or _strip_accents(word) in _COMMON_STRIPPED


def _is_common(word: str) -> bool:
    if _letter_count(word) < RARE_WORD_MIN_LETTERS:
        return True
    if _in_common(word):
        return True
    if word.endswith(_MUTE_PLURAL_ENDINGS) and _in_common(word[:-1]):
        return True
    parts = [part for part in _PART_SEP_RE.split(word) if part]
    if len(parts) > 1:
        return all(_is_common(part) for part in parts)
    return False


# ------------------------------------------------------------------------ analysis


def _sentences(text: str) -> list[tuple[str, list[str]]]:
    """(display text, words) of every sentence that has at least one word."""
    pieces = _SENTENCE_END_RE.split(text)
    ends = [m.group() for m in _SENTENCE_END_RE.finditer(text)]
    sentences = []
    for index, body in enumerate(pieces):
        words = _words(body)
        if not words:
            continue
        end = ends[index] if index < len(ends) else ""
        if not end.isspace():
            body += end
        sentences.append((" ".join(body.split()), words))
    return sentences


def _level(score: float) -> str:
    for threshold, level in _LEVELS:
        if score >= threshold:
            return level
    return _LOWEST_LEVEL


def _distinct(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def analyse(text: str) -> ReadabilityReport:
    """Readability of French ``text`` (see the module docstring for the rules)."""
    sentences = _sentences(unicodedata.normalize("NFC", text))
    words = [word for _, sentence_words in sentences for word in sentence_words]
    if not words:
        return ReadabilityReport(
            score=EMPTY_SCORE,
            level=_level(EMPTY_SCORE),
            sentences=0,
            words=0,
            syllables=0,
            long_sentences=(),
            long_words=(),
            rare_words=(),
        )
    per_word = [_word_syllables(word) for word in words]
    n_sentences, n_words, n_syllables = len(sentences), len(words), sum(per_word)
    raw = 207 - 1.015 * (n_words / n_sentences) - 73.6 * (n_syllables / n_words)
    score = min(100.0, max(0.0, round(raw, 1)))
    return ReadabilityReport(
        score=score,
        level=_level(score),
        sentences=n_sentences,
        words=n_words,
        syllables=n_syllables,
        long_sentences=tuple(
            display for display, sentence_words in sentences if len(sentence_words) > LONG_SENTENCE_WORDS
        ),
        long_words=_distinct(
            [word for word, count in zip(words, per_word) if count >= LONG_WORD_SYLLABLES and _has_letter(word)]
        ),
        rare_words=_distinct([word for word in words if not _is_common(word)]),
    )


def _is_latin(word: str) -> bool:
    return any(ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN") for ch in word)


def hint(text: str) -> ReadabilityReport:
    """The builder's hint: `analyse`, except for a text mostly written in another script (Arabic,
    say), which is not measured (level NOT_MEASURED, nothing flagged): the score and the word
    list are French, so they would call any such text easy and every one of its words rare."""
    report = analyse(text)
    lettered = [word for word in _words(unicodedata.normalize("NFC", text)) if _has_letter(word)]
    if lettered and sum(map(_is_latin, lettered)) * 2 < len(lettered):
        return replace(report, level=NOT_MEASURED, long_sentences=(), long_words=(), rare_words=())
    return report
