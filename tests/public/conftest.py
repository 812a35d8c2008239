"""The public pages' tests reuse the publishing fixtures: items walked through the real
workflow (submitted, signed off, published by a reviewer) and media attached to them."""

from tests.publishing import conftest as publishing_fixtures

make_item, officer, reviewer, unit = (publishing_fixtures.make_item, publishing_fixtures.officer,
                                      publishing_fixtures.reviewer, publishing_fixtures.unit)
