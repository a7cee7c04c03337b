"""Imports every domain's models, so the metadata is complete for Alembic and the tests."""
from participation.accounts.models import Role, User, UserScope  # noqa: F401
from participation.audit.models import AuditEntry  # noqa: F401
from participation.quartiers.models import (  # noqa: F401
    College,
    Commune,
    ConseilCitoyen,
    ConseilMember,
    ContratDeVille,
    Quartier,
    Theme,
)
