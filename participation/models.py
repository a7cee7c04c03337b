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

# Domain models, in dependency order (each line is one domain's; keep them one per line).
from participation.questionnaires import models as questionnaires_models  # noqa: F401,E402
from participation.workshops import models as workshops_models  # noqa: F401,E402
from participation.proposals import models as proposals_models  # noqa: F401,E402
from participation.priorities import models as priorities_models  # noqa: F401,E402
