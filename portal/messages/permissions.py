"""Who may see and handle citizen messages.

The center sees every message, the citizen's original text included; a unit's
officers and leaders see the messages their unit is handling, as the citizen
wrote them (with the contact details, to call back and to find the place), and
nothing of other units': to them those do not exist (404). The workflow actions
ask the workflow table.
"""

from ..permissions import rule
from . import workflow
from .models import MessageStatus


@rule("messages.inbox")
def inbox(user, obj=None) -> bool:
    """The unit inbox (留言办理): officers and leaders of townships and departments."""
    return user is not None and (user.is_officer or user.is_leader)


@rule("message.view")
def view(user, message=None) -> bool:
    if user is None or message is None:
        return False
    if workflow.center(user, message):
        return True
    return message.status != MessageStatus.new and workflow.unit_staff(user, message)


@rule("message.original")
def original(user, message=None) -> bool:
    """The citizen's own text, before the personal data came out: the center and the unit
    handling the message (it must find the address to fix); never the public."""
    return view(user, message)


@rule("message.contact")
def contact(user, message=None) -> bool:
    """Name, phone and e-mail: the center and the unit handling the message."""
    return view(user, message)


@rule("message.edit_public")
def edit_public(user, message=None) -> bool:
    return (user is not None and message is not None and workflow.center(user, message)
            and message.status in workflow.PUBLIC_TEXT_EDITABLE)


def _action_rule(action: str):
    def check(user, message=None) -> bool:
        return user is not None and message is not None and workflow.can(message, action, user)

    check.__name__ = f"message_{action}"
    check.__doc__ = f"Whether the workflow table lets ``user`` {action} the message now."
    return rule(f"message.{action}")(check)


for _action in ("accept", "refuse", "reply", "transfer", "extend"):
    _action_rule(_action)
