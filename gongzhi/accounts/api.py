"""REST endpoints (placeholder router)."""

from ninja import Router

router = Router(tags=["placeholder"])
