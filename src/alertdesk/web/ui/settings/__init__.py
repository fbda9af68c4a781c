"""Admin settings pages under /ui/settings: integrations, rules, windows, reference data,
workflows and the email outbox."""

from fastapi import APIRouter

from alertdesk.web.ui.settings import (
    assets,
    boards,
    clients,
    integration_tools,
    integrations,
    priorities,
    rules,
    users,
    windows,
    workflows,
)

router = APIRouter(prefix="/settings")
router.include_router(integration_tools.router)  # before the page's /{id}/{action}
router.include_router(integrations.router)
router.include_router(rules.router)
router.include_router(windows.router)
router.include_router(clients.router)
router.include_router(assets.router)
router.include_router(users.router)
router.include_router(boards.router)
router.include_router(priorities.router)
router.include_router(workflows.router)

__all__ = ["router"]
