"""Shared form helpers: a base form with Chinese built-in messages, and choices()."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.meta import DefaultMeta


class Form(FlaskForm):
    """FlaskForm whose WTForms built-in messages ("not a valid choice", bad dates) are Chinese.

    Flask-WTF would ask Flask-Babel for translations, which the portal does not
    use; WTForms ships its own Chinese catalogue.
    """

    class Meta:
        locales = ["zh"]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 wants SelectChoice)."""
    return [SelectChoice(value, label) for value, label in pairs]
