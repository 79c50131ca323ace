from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import text

from app.db import get_session
from app.errors import problem

blp = Blueprint("health", __name__, url_prefix="/api", description="Liveness and readiness")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


@blp.get("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, description="The database does not answer")
def health():
    """200 once the database answers."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception as error:  # any database failure means not ready
        return problem(
            503, "Service Unavailable", f"database not reachable: {type(error).__name__}"
        )
    return {"status": "ok"}
