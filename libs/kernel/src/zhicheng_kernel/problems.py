"""RFC 9457 problem+json for every refusal: a stable code, a Chinese message, the field at fault."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "缺少必填项",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "日期格式不正确",
    "date_parsing": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "uuid_parsing": "编号格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "请求内容不是有效的 JSON",
    "model_attributes_type": "请求内容格式不正确",
    "dict_type": "请求内容格式不正确",
    "list_type": "应为列表",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "extra_forbidden": "不允许的字段",
    "value_error": "取值不正确",
    "bool_parsing": "应为是或否",
}

_STATUS_TITLES: dict[int, str] = {
    400: "请求有误",
    401: "未登录或登录已失效",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与现有数据冲突",
    413: "内容过大",
    415: "不支持的内容类型",
    422: "提交的内容不符合要求",
    429: "请求过于频繁",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://zhicheng.pingliang.gov.cn/problems/{code}",
        "title": _STATUS_TITLES.get(status, "请求失败"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message, field=exc.field, instance=request.url.path, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            field = _field_of(err.get("loc", ()))
            message = _VALIDATION_MESSAGES.get(str(err.get("type")), "取值不正确")
            ctx = err.get("ctx") or {}
            if err.get("type") == "value_error" and _is_chinese(str(err.get("msg", ""))):
                # A validator's own message (e.g. zhicheng_kernel.inputs naming the invisible characters).
                message = str(err["msg"]).removeprefix("Value error, ")
            if "max_length" in ctx:
                message += f"（最多 {ctx['max_length']} 个字符）"
            errors.append({"field": field, "code": str(err.get("type")), "message": message})
        first = errors[0] if errors else {"field": "body", "message": "请求内容不正确"}
        return problem(
            422,
            "validation_failed",
            f"{first['field']}：{first['message']}",
            field=first["field"],
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        return problem(
            exc.status_code,
            code,
            detail or _STATUS_TITLES.get(exc.status_code, "请求失败"),
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal_error", "系统内部错误，请稍后重试或联系管理员。", instance=request.url.path)
