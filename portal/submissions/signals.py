"""Signals sent by submissions, for the packages above it (publishing, monitor).

``item_changed`` is sent after every workflow step, with the item, the action,
the old and new state and the actor. Receivers that touch something outside
the database (the search index) must defer the work with ``after_commit``.
"""

from blinker import Namespace

_signals = Namespace()

item_changed = _signals.signal("item-changed")
