from __future__ import annotations

import pytest

from tests.factories import Factory
from tests.scim.support import Idp, make_idp


@pytest.fixture
async def idp(factory: Factory) -> Idp:
    return await make_idp(factory)
