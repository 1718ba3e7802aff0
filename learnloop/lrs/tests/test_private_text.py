"""learnloop's own statements never carry text people wrote for a narrower audience."""

import pytest

from learnloop.core.testing import Personas
from learnloop.lrs.events import PRIVATE_TEXT_REFUSED, record_event


def test_an_event_with_a_response_is_refused(personas: Personas) -> None:
    with pytest.raises(ValueError, match="never carry text"):
        record_event(
            person=personas.alice,
            verb="completed",
            activity_id="https://learnloop.dev/xapi/activities/catalog-item/1",
            activity_name="Something",
            activity_type="catalog-item",
            result={"completion": True, "response": "my private reflection"},
        )
    assert "result.response" in PRIVATE_TEXT_REFUSED
