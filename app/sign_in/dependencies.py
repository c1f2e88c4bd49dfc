"""The identity providers of the application, as a dependency: made from its settings by
`app.main.create_app` (each app its own caches; tests make several in one process)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.wiring import Collaborator
from app.sign_in.providers import Directory

identity_providers: Collaborator[Directory] = Collaborator("identity_providers")

DirectoryDep = Annotated[Directory, Depends(identity_providers)]
