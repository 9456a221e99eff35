"""Schemathesis against the app's own OpenAPI schema: no 5xx, and every answer matches its schema.

Schema-valid requests may still be refused with a 422 when they make no sense
together (a 2-number start for a 1D function, a learning rate out of an
optimizer's range): those rules depend on other fields and cannot be stated
in the schema, so the "valid data must be accepted" check is left out. So is
the check of the Allow header on 405 answers, which Starlette's router writes.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import allow_header_conformance, positive_data_acceptance

from app.main import create_app
from app.settings import Settings

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(max_live_runs=50)))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_fails_or_breaks_its_schema(case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance, allow_header_conformance])
