"""Domain errors: raised by services, turned into clear pages by the app.

Services never return HTTP responses; they raise these, and the handlers
registered in ``create_app`` show the Chinese message with the right status
(409 for a state conflict, 403 for a forbidden action, 400 for bad input).
"""


class DomainError(Exception):
    """A rule of the portal refused the action. ``str(e)`` is shown to the user."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    """The object is not in a state that allows the action (HTTP 409)."""

    status = 409


class Forbidden(DomainError):
    """The actor may see the object but not do this (HTTP 403)."""

    status = 403
