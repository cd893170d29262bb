"""The HTTP face of the local backend (contract §3); `app.build_app` assembles each module's ROUTES."""
