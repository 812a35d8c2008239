"""``flask messages figures`` and ``flask messages overdue``."""

from datetime import timedelta

from portal import clock
from portal.accounts.models import Role, UnitKind
from tests.messages.helpers import accepted, local


def test_figures_command_prints_a_line_per_unit(runner, make_unit, make_user):
    unit = make_unit(UnitKind.department, name="县教育局")
    accepted(make_user(Role.reviewer), unit, at=local(2026, 10, 12, 9))
    result = runner.invoke(args=["messages", "figures", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "2026年10月" in result.output
    [line] = [row for row in result.output.splitlines() if row.startswith("县教育局")]
    assert line.split("\t")[1:3] == ["1", "1"]  # received, accepted


def test_figures_command_refuses_a_bad_month(runner):
    result = runner.invoke(args=["messages", "figures", "2026-13"])
    assert result.exit_code != 0 and "YYYY-MM" in result.output


def test_overdue_command_lists_late_messages(runner, make_unit, make_user):
    unit = make_unit(UnitKind.township, name="城关镇")
    reviewer = make_user(Role.reviewer)
    late, _ = accepted(reviewer, unit, subject="超期的留言", at=clock.now() - timedelta(days=30))
    accepted(reviewer, unit, subject="未超期的留言")
    result = runner.invoke(args=["messages", "overdue"])
    assert result.exit_code == 0, result.output
    assert late.number in result.output and "超期的留言" in result.output
    assert "未超期的留言" not in result.output and "共 1 条" in result.output
