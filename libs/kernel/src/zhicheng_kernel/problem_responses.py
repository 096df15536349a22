"""Every operation's OpenAPI entry declares the refusals it may answer, as problem+json.

A refusal can come from any route — no token (401), a role or subtree it may not act on (403), an
unknown id (404), a concurrent writer or a rule (409), a body over its bound (413), bad input (422),
a brake on the public pages (429), a part that is down (503) — and it always has one shape (problems.py).
The documents say so, with one `Problem` schema, so a generated client (and schemathesis) knows every
answer it can get; FastAPI's own 422 entry, which describes a body the handlers never send, is replaced.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from .problems import PROBLEM_JSON

REFUSALS: dict[int, str] = {
    400: "请求有误",
    401: "未登录或登录已失效",
    403: "无权执行此操作",
    404: "未找到",
    409: "与现有数据冲突或不符合规则",
    413: "内容过大",
    422: "提交的内容不符合要求",
    429: "请求过于频繁",
    503: "服务暂不可用",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: a stable code, a Chinese message, the field at fault, the rule.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "稳定的错误代码，供程序判断"},
        "detail": {"type": "string", "description": "给办事人员看的中文说明"},
        "instance": {"type": "string"},
        "field": {"type": "string", "description": "出错的字段"},
        "rule": {"type": "string", "description": "拒绝所依据的规则编号，如 POL-PA-4"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

_REF = {"$ref": "#/components/schemas/Problem"}
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def with_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the Problem schema and every refusal declared on every operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in REFUSALS.items():
                declared = responses.get(str(status), {})
                responses[str(status)] = {
                    "description": declared.get("description") or description,
                    "content": {PROBLEM_JSON: {"schema": _REF}},
                }
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def declare_problem_responses(app: FastAPI) -> None:
    """Make `app.openapi()` answer the document with its refusals declared (built once, then cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problem_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
