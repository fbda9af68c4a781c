"""The JSON REST API under /api/v1 (contract: API.md)."""

from fastapi import APIRouter

from alertdesk.web.api import reference, tickets, tokens

router = APIRouter(prefix="/api/v1")
router.include_router(reference.router)
router.include_router(tickets.router)
router.include_router(tokens.router)
