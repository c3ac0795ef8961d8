from __future__ import annotations

from typing import Any

import pytest

from gongzhi.open311.services import open311_key_create
from gongzhi.testing.voices_factories import category


@pytest.fixture
def repair(db: Any) -> Any:
    """The category 设施维修 (seeded by a migration; created when a flushed database lacks it)."""
    return category("设施维修")


@pytest.fixture
def api_key(world: Any) -> Any:
    """``(key, raw)``: a key of compound A (jurisdiction ``aaa``), made as the command line makes one."""
    return open311_key_create(actor=None, compound=world.compound_a, name="12345热线")


@pytest.fixture
def post(client: Any, api_key: Any, repair: Any) -> Any:
    """``post(fmt="json", **fields)``: POST requests.<fmt> with a valid request, overridden by ``fields``
    (a value of None leaves the field out)."""

    def send(fmt: str = "json", **fields: Any) -> Any:
        data: dict[str, Any] = {
            "api_key": api_key[1],
            "jurisdiction_id": "aaa",
            "service_code": str(repair.pk),
            "description": "3栋门口路灯不亮",
            "lat": "30.5521",
            "long": "114.2201",
        }
        data.update(fields)
        return client.post(f"/open311/v2/requests.{fmt}", {k: v for k, v in data.items() if v is not None})

    return send
