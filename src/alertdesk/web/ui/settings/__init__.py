"""Admin settings pages under /ui/settings: integrations, rules, windows, reference data."""

from fastapi import APIRouter

from alertdesk.web.ui.settings import integrations, rules

router = APIRouter(prefix="/settings")
router.include_router(integrations.router)
router.include_router(rules.router)

__all__ = ["router"]
