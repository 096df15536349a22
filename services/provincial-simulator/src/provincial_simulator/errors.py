"""The province's own error bodies ({"error": code, "detail": Chinese text}: it is their API), and a
request-body cap (413 above 5 MB)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 5 * 1024 * 1024


class ProblemBody(BaseModel):
    error: str
    detail: str


class ProvinceError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers


def unauthorized(detail: str, error: str = "invalid_token") -> ProvinceError:
    return ProvinceError(401, error, detail, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _body(error: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": error, "detail": detail, **extra}


def install_error_handlers(app: FastAPI) -> None:
    async def province_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProvinceError)
        return JSONResponse(_body(exc.error, exc.detail), status_code=exc.status, headers=exc.headers)

    async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
            for error in exc.errors()[:20]
        ]
        return JSONResponse(_body("invalid_request", "请求内容不符合接口规范", errors=errors), status_code=422)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        names = {404: ("not_found", "接口不存在"), 405: ("method_not_allowed", "不支持该请求方法")}
        error, detail = names.get(exc.status_code, ("http_error", str(exc.detail)))
        return JSONResponse(_body(error, detail), status_code=exc.status_code)

    app.add_exception_handler(ProvinceError, province_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a request body above `limit` bytes with 413, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await self._refuse(send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        response = JSONResponse(_body("payload_too_large", "请求内容超过 5 MB"), status_code=413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
