"""Interface text in English and Japanese, from gettext catalogs (`web/locale/<lang>/LC_MESSAGES/messages.po`)
read with Babel when the module is first imported; no compile step, the .po files are package data.

Message ids are stable keys (`nav.works`), the monolingual-gettext layout translators' tools (Weblate, Poedit)
support: `en.po` holds the English source texts, every other catalog carries the English as an extracted comment.
Every key exists in both languages (a unit test checks it); a missing or untranslated key falls back to English,
then to the key itself, so a page never fails over a string. Templates use `t(key, **values)` (str.format
fields); Jinja2's i18n extension is installed too, so `_()`, `gettext()` and `{% trans %}` use the same catalogs.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("en", "ja")
DOMAIN = "messages"


def catalog_path(lang: str) -> resources.abc.Traversable:
    return resources.files("mamori.web") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """The language's catalog as gettext translations (parsed from the .po once per process)."""
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _messages(lang: str) -> dict[str, str]:
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


EN: dict[str, str] = _messages("en")
JA: dict[str, str] = _messages("ja")
MESSAGES = {"en": EN, "ja": JA}


def gettext(lang: str, key: str) -> str:
    """The text for a key in a language, or English, or the key."""
    text = translations(lang if lang in LANGS else "en").gettext(key)
    if text == key and lang != "en":
        text = translations("en").gettext(key)
    return text


def gettext_callables(lang: str) -> dict[str, Any]:
    """`gettext`, `ngettext` and `_` for a template's render context (Jinja2's i18n extension looks them up)."""
    tr = translations(lang if lang in LANGS else "en")

    def _gettext(key: str) -> str:
        return gettext(lang, key)

    return {"gettext": _gettext, "_": _gettext, "ngettext": tr.ngettext}


def translate(lang: str, key: str, **values: object) -> str:
    text = gettext(lang, key)
    return text.format(**values) if values else text


def pick_language(accept_language: str | None) -> str:
    """The preferred of ja/en from an Accept-Language header (q-values honoured); English when neither."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGS and q > 0 and q > best_q:
            best, best_q = base, q
    return best
