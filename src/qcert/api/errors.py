"""The API's one error shape, how each refusal becomes it, and the statuses routes declare.

``{"error": {"code": ..., "message": ..., "message_zh": ...}}``; a rule's refusal adds its
``rule`` and ``source``. Expected refusals are 4xx; a 500 is always a bug.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..access import Forbidden, Unauthenticated
from ..errors import QcertError, chinese
from ..ledger import IndexOutOfRange, LedgerError
from ..lifecycle.inputs import refusal_of
from ..schemes import RuleViolation, SchemeError
from ..security import AuthError, TooManyAttempts

__all__ = ["ErrorRead", "declare_common", "errors", "install"]


class ErrorBody(BaseModel):
    code: str
    message: str
    message_zh: str | None = None
    rule: str | None = None
    source: str | None = None


class ErrorRead(BaseModel):
    """Every refusal: a code, the message in en and zh-CN, and the rule when one refused."""

    error: ErrorBody


_WHAT = {
    400: "Bad request / 请求有误",
    401: "Not signed in, or the token or key does not hold / 未登录或凭据无效",
    403: "The access policy refuses this caller / 访问策略拒绝",
    404: "No such record, or none the caller may see / 记录不存在或无权查看",
    409: "A rule of the lifecycle refuses / 业务规则拒绝",
    413: "Request body too large / 请求体过大",
    422: "Invalid input, naming the field / 输入无效（指明字段）",
    429: "Too many failed sign-ins; wait Retry-After seconds / 登录失败过多，请稍候",
    503: "Not available on this installation / 本安装不提供",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring these error statuses with the one error shape."""
    return {s: {"model": ErrorRead, "description": _WHAT[s]} for s in statuses}


CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


# What a status means in Chinese, for a refusal that has no Chinese of its own (Starlette's
# own 404, 405, 413 ...): never the English message in the Chinese slot.
_ZH = {
    400: "请求无法解析",
    401: "未登录或凭据无效",
    403: "访问策略拒绝此操作",
    404: "未找到",
    405: "不支持此方法",
    409: "与当前状态冲突，未能完成",
    413: "请求体过大",
    415: "不支持此内容类型",
    422: "输入无效",
    429: "请求过于频繁，请稍后再试",
    503: "本安装暂不提供此项服务",
}


def _body(status: int, message: str, zh: str | None = None, **more: Any) -> dict[str, Any]:
    zh = zh or _ZH.get(status) or ("请求被拒绝" if status < 500 else "服务暂不可用")
    error = {"code": CODES.get(status, "refused"), "message": message, "message_zh": zh}
    return {"error": {**error, **{k: v for k, v in more.items() if v is not None}}}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


# What any operation can answer, whatever it does: a body or query that cannot be parsed (400),
# a token or key sent that does not hold (401: even a public route says so rather than serve an
# expired session as anonymous), a body over the cap (413, before the route runs), a field out
# of bounds (422).
COMMON = (400, 401, 413, 422)


def declare_common(app: FastAPI) -> None:
    """Make the OpenAPI document declare, on every operation, the statuses any request can
    get (``COMMON``) with the one error shape, besides those its router declares."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        ref = {"$ref": "#/components/schemas/ErrorRead"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in COMMON:
                    responses.setdefault(
                        str(status),
                        {
                            "description": _WHAT[status],
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Turn every expected refusal into the one error shape (JSON), and declare it."""
    declare_common(app)

    @app.exception_handler(RuleViolation)
    async def _rule(_: Request, err: RuleViolation) -> JSONResponse:
        status = 422 if err.rule == "input.invalid" else 409
        body = _body(status, err.en, err.zh, rule=err.rule, source=err.source)
        if status == 409:
            body["error"]["code"] = err.rule
        return _json(status, body)

    @app.exception_handler(SchemeError)
    async def _scheme(_: Request, err: SchemeError) -> JSONResponse:
        return _json(err.status, _body(err.status, str(err), chinese(err)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        refusal = refusal_of(list(err.errors()))
        return _json(422, _body(422, refusal.en, refusal.zh, rule="input.invalid", source="qcert"))

    @app.exception_handler(IndexOutOfRange)
    async def _not_found(_: Request, err: IndexOutOfRange) -> JSONResponse:
        return _json(404, _body(404, str(err), "超出账本范围或尚无签名检查点"))

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, err: LedgerError) -> JSONResponse:
        return _json(400, _body(400, str(err), chinese(err)))

    @app.exception_handler(Unauthenticated)
    @app.exception_handler(AuthError)
    async def _unauthenticated(_: Request, err: Any) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"}
        return _json(401, _body(401, str(err), getattr(err, "zh", None)), headers)

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, err: Forbidden) -> JSONResponse:
        return _json(403, _body(403, str(err), err.zh, rule=err.rule, source="qcert.access"))

    @app.exception_handler(TooManyAttempts)
    async def _slow(_: Request, err: TooManyAttempts) -> JSONResponse:
        headers = {"Retry-After": str(err.retry_after)}
        return _json(429, _body(429, str(err), err.zh), headers)

    @app.exception_handler(QcertError)
    async def _qcert(_: Request, err: QcertError) -> JSONResponse:
        status = err.status if 400 <= err.status < 600 else 400
        return _json(status, _body(status, str(err), chinese(err)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        status = err.status_code
        return _json(status, _body(status, str(err.detail)), getattr(err, "headers", None))
