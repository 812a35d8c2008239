"""Who may read the audit trail: the center (reviewers and admins). Nobody may change it."""

from ..permissions import rule


@rule("audit.view")
def audit_view(user, obj=None) -> bool:
    return user is not None and user.is_reviewer
