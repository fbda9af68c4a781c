"""The JSON REST API under /api/v1 (contract: API.md)."""

from fastapi import APIRouter

from alertdesk.web.api import (
    alerts,
    integrations,
    notifications,
    oauth,
    reference,
    rules,
    tickets,
    tokens,
    windows,
    workflows,
)

router = APIRouter(prefix="/api/v1")
router.include_router(reference.router)
router.include_router(tickets.router)
router.include_router(tokens.router)
router.include_router(oauth.router)  # before /integrations/{id}
router.include_router(integrations.router)
router.include_router(rules.router)
router.include_router(windows.router)
router.include_router(alerts.router)
router.include_router(workflows.router)
router.include_router(notifications.router)
