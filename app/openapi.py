"""The API description as integrators generate clients from it: one error body, the error statuses each operation
answers, and the real media types of downloads.

Litestar documents a success response per handler and its own 400 body (which requires a `status_code` our
errors do not carry, app/errors.py). `describe()` completes the generated document once, when the app is built:
every `/api/` operation gets the one `Error` schema for each status it can answer, and a download handler that
names its media types in `opt["media_types"]` is documented with those instead of JSON.

The docs page (Swagger UI at `/api/schema/swagger`) draws with the swagger-ui dist files that the `swagger-ui-py`
package ships (with their licence), served by the app at `/static/swagger-ui/`: it works without internet.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Operation, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.static_files import create_static_files_router

API_PREFIX = "/api/"
ERROR_SCHEMA = "Error"
# The key of a handler's `opt` naming the media types a download may have (one of them per response).
MEDIA_TYPES = "media_types"
# The key of a handler's `opt` naming error statuses beyond those its method and path imply (a GET's 409).
STATUSES = "statuses"

# Why each status happens, as the document says it.
WHY = {
    400: "The request is malformed or breaks a rule; `detail` says what to fix (`extra` lists the fields).",
    401: "No valid bearer token: send `Authorization: Bearer <token>` from `POST /api/v1/auth/token`.",
    403: "Signed in, but this needs another role.",
    404: "No such object, or one the caller may not see (the two answers are the same).",
    409: "The object's state does not allow this now (a deadline passed, it changed meanwhile, …).",
    413: "The request body is larger than the server accepts.",
    429: "Too many failed logins: wait, then try again (`Retry-After`).",
}
# Operations anyone may call: no token, so no 401 for a missing one and no role to lack.
PUBLIC = frozenset({("POST", "/api/v1/auth/token")})
# Operations open to every signed-in user: no role to lack.
ANY_SIGNED_IN = frozenset({
    ("DELETE", "/api/v1/auth/token"), ("GET", "/api/v1/me"), ("GET", "/api/v1/me/tasks"),
    ("GET", "/api/v1/notifications"), ("POST", "/api/v1/notifications/{notification_id}/read"),
    ("POST", "/api/v1/notifications/read-all"), ("GET", "/api/v1/vendors/{vendor_id}/scorecard"),
})
THROTTLED = frozenset({("POST", "/api/v1/auth/token")})
WRONG_CREDENTIALS = "Wrong e-mail or password, or the account or its company is not active."


# Where the app serves the Swagger UI files (under /static/, so no session or CSRF is needed to load them).
SWAGGER_UI_PATH = "/static/swagger-ui"


def swagger_ui_files() -> Path:
    """The folder of swagger-ui's dist files in the installed `swagger-ui-py` package (found without importing it:
    its `__init__` loads handlers for other frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_ui_assets() -> Router:
    """The route that serves the docs page's scripts, stylesheet, icon and licence."""
    return create_static_files_router(path=SWAGGER_UI_PATH, directories=[swagger_ui_files()], name="swagger-ui")


def docs_page() -> SwaggerRenderPlugin:
    """Swagger UI drawn with the app's own copy of its files, not a CDN's (the favicon included)."""
    return SwaggerRenderPlugin(
        js_url=f"{SWAGGER_UI_PATH}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_UI_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_UI_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_UI_PATH}/favicon-32x32.png'>",
    )


def error_schema() -> Schema:
    """Every error answer of the API: `{"detail": "<what to fix>"}`, and for validation errors the fields."""
    return Schema(
        type=OpenAPIType.OBJECT,
        title=ERROR_SCHEMA,
        required=["detail"],
        properties={
            "detail": Schema(type=OpenAPIType.STRING, description="What went wrong and what to fix."),
            "extra": Schema(
                one_of=[
                    Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
                    Schema(type=OpenAPIType.OBJECT),
                    Schema(type=OpenAPIType.NULL),
                ],
                description="For a 400 from validation: one entry per field (`key`, `message`, `source`); for a "
                            "409 from checkout: one entry per change since you saw the cart (`line_id`, `change`, "
                            "`message`).",
            ),
        },
    )


def error_statuses(method: str, path: str, operation: Operation, declared: Iterable[int] = ()) -> list[int]:
    """The error statuses an operation can answer, from what it is (its method, path parameters and body) and
    what its handler declares."""
    key = (method, path)
    statuses = [400, 401, *declared]
    if key not in PUBLIC and key not in ANY_SIGNED_IN:
        statuses.append(403)
    if "{" in path:
        statuses.append(404)
    if method != "GET" and key not in PUBLIC:
        statuses.append(409)
    if operation.request_body is not None:
        statuses.append(413)
    if key in THROTTLED:
        statuses.append(429)
    return sorted(set(statuses))


def _error_response(status: int, key: tuple[str, str]) -> OpenAPIResponse:
    reference = Reference(ref=f"#/components/schemas/{ERROR_SCHEMA}")
    why = WRONG_CREDENTIALS if status == 401 and key in PUBLIC else WHY.get(status, HTTPStatus(status).phrase)
    return OpenAPIResponse(
        description=why,
        content={"application/json": OpenAPIMediaType(schema=reference)},
    )


def _download_response(response: OpenAPIResponse, media_types: Iterable[str]) -> OpenAPIResponse:
    binary = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
    return OpenAPIResponse(
        description=response.description, headers=response.headers,
        content={media_type: OpenAPIMediaType(schema=binary) for media_type in media_types},
    )


def _declared(app: Litestar, key: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(method, path) → what each handler declares under `opt[key]`."""
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and handler.opt.get(key):
                for method in handler.http_methods:
                    found[(method, route.path_format)] = tuple(handler.opt[key])
    return found


def complete(openapi: OpenAPI, downloads: dict[tuple[str, str], tuple[str, ...]],
             declared: dict[tuple[str, str], tuple[int, ...]] | None = None) -> OpenAPI:
    """The document with the `Error` schema, each operation's error statuses and the downloads' media types."""
    declared = declared or {}
    if openapi.components.schemas is None:
        openapi.components.schemas = {}
    openapi.components.schemas[ERROR_SCHEMA] = error_schema()
    for path, item in (openapi.paths or {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            responses = operation.responses or {}
            for status in error_statuses(method.upper(), path, operation, declared.get((method.upper(), path), ())):
                responses[str(status)] = _error_response(status, (method.upper(), path))
            media_types = downloads.get((method.upper(), path))
            if media_types:
                success = next(code for code in responses if code.startswith("2"))
                responses[success] = _download_response(responses[success], media_types)  # type: ignore[arg-type]
            operation.responses = responses
    return openapi


def describe(app: Litestar) -> None:
    """Complete the app's generated OpenAPI document (call once, before the first request serves it)."""
    complete(app.openapi_schema, _declared(app, MEDIA_TYPES), _declared(app, STATUSES))
