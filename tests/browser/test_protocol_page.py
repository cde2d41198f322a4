"""The published protocol's public page in a real browser, checked with axe-core."""

import pytest

from consensus.extensions import db
from consensus.protocol import services
from tests.browser.conftest import assert_accessible
from tests.protocol.test_protocol_services import make_protocol_study

pytestmark = pytest.mark.browser


def test_public_protocol_page_is_accessible(page, live_server):
    row = services.publish(make_protocol_study(), "1.0.0")
    db.session.commit()
    page.goto(f"{live_server}/protokoll/{row.protocol_id}/senaste")
    page.wait_for_url(f"**/protokoll/{row.protocol_id}/1.0.0")
    assert page.get_by_text(row.checksum).is_visible()
    assert page.get_by_role("link", name="Ladda ned som JSON").is_visible()
    assert_accessible(page)
