"""Each service's API documentation page (`/docs`, Swagger UI) served from the service itself.

FastAPI's own `/docs` and `/redoc` load their scripts and styles from a public CDN, so on an intranet
without internet access they stay blank (issue 13: "works without the internet"). Here Swagger UI's
distribution comes from a Python package (swagger-ui-bundle-v2, Swagger UI 5, which reads OpenAPI 3.1)
and is mounted under `/docs/assets/`; the page names only those files and the service's own
`/openapi.json`, and switches off the online validator, so no request leaves the machine. ReDoc has no
such package and is not served. In production `/docs` stays internal: the gateway does not route it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
OAUTH2_REDIRECT_PATH = f"{DOCS_PATH}/oauth2-redirect"
SWAGGER_UI_DIR = Path(str(swagger_ui_path))
# Swagger UI's online validator badge would call validator.swagger.io: off.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def install_api_docs(app: FastAPI) -> None:
    """`/docs` with Swagger UI from `/docs/assets/` (create the app with `docs_url=None, redoc_url=None`)."""
    if app.openapi_url is None:
        return
    openapi_url = app.openapi_url
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIR), name="api-docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — 接口文档",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def api_docs_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
