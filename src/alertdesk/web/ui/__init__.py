"""The web workspace: server-rendered pages under /ui (Jinja2 + HTMX); admin settings in
`settings/`."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from alertdesk.web.ui import alerts, login, notifications, settings, ticket_page, tickets
from alertdesk.web.ui.rendering import error_page

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/tickets", status_code=303)


router.include_router(login.router)
router.include_router(tickets.router)
router.include_router(ticket_page.router)
router.include_router(alerts.router)
router.include_router(notifications.router)
router.include_router(settings.router)

__all__ = ["error_page", "router"]
