"""Every service's `/docs` works without the internet (issue 13): Swagger UI's script, style and icon
come from the service itself, each is served, and the page names no other host. Pure: the apps are
built without a stack and asked in process (the docs need no database)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI
from zhicheng_kernel.api_docs import ASSETS_PATH, SWAGGER_UI_DIR
from zhicheng_tooling.openapi_docs import SERVICES


class _Links(HTMLParser):
    """Every URL an element of the page loads or links to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value is not None]


def _links(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.urls


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://zc.test") as client:
        yield client


# Every service builds its app with zhicheng_kernel.service.create_service_app, which installs the docs;
# two of them (the quick ones to build) stand for all four.
@pytest.fixture(scope="module", params=["org-service", "plagiarism-service"])
async def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(SERVICES[request.param](tmp_path_factory.mktemp("docs"))):
        yield client


async def test_docs_load_every_asset_from_the_service_itself(service: httpx.AsyncClient) -> None:
    page = await service.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "://" not in html, "the page names no other host (no CDN)"
    urls = _links(html)
    scripts = [u for u in urls if u.endswith(".js")]
    styles = [u for u in urls if u.endswith(".css")]
    assert scripts and styles and len(urls) >= 3, urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not local"
        asset = await service.get(url)
        assert asset.status_code == 200, url
        assert asset.content and int(asset.headers["content-length"]) == len(asset.content), url
    assert (
        (await service.get(scripts[0]))
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    assert (await service.get(styles[0])).headers["content-type"].startswith("text/css")


async def test_docs_read_the_services_own_openapi_and_call_no_validator(service: httpx.AsyncClient) -> None:
    html = (await service.get("/docs")).text
    (openapi_url,) = re.findall(r"url: '([^']+)'", html)
    assert openapi_url == "/openapi.json"
    document = (await service.get(openapi_url)).json()
    assert document["openapi"].startswith("3.1"), "Swagger UI 5 reads OpenAPI 3.1"
    assert not any(path.startswith("/docs") for path in document["paths"]), "the docs are not an API path"
    assert '"validatorUrl": null' in html, "Swagger UI's online validator (validator.swagger.io) is off"
    redirect = await service.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "://" not in redirect.text.replace("window.location", "")


async def test_the_cdn_pages_are_gone(service: httpx.AsyncClient) -> None:
    """ReDoc has no offline package: /redoc is not served rather than served blank."""
    assert (await service.get("/redoc")).status_code == 404
    assert (await service.get(f"{ASSETS_PATH}/no-such-file.js")).status_code == 404


def test_the_swagger_ui_distribution_is_swagger_ui_5() -> None:
    """The package ships the files the page names, in a version that reads OpenAPI 3.1."""
    assert re.fullmatch(r"swagger-ui-5\.\d+\.\d+", SWAGGER_UI_DIR.name)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert (SWAGGER_UI_DIR / name).is_file(), name
