"""Admin settings pages under /ui/settings: integrations, rules, windows, reference data."""

from fastapi import APIRouter

from alertdesk.web.ui.settings import integrations

router = APIRouter(prefix="/settings")
router.include_router(integrations.router)

__all__ = ["router"]
