"""Background work, run by Procrastinate workers (`alertdesk worker`, or inside `serve`)."""
