"""`alertdesk demo`: a demo tenant on its own embedded database, fed by local fake NinjaOne,
TacticalRMM and Huntress APIs, a scenario replayed through the real entry points, a summary,
and the server left running to look at it."""
