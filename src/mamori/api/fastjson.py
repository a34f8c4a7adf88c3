"""An answer already made of JSON values, sent as FastAPI would send it for a `response_model` with
`response_model_exclude_none=True`, without validating it into the model and dumping it again (on the screening
route that round trip cost more than the screening). The route keeps its `response_model` for the OpenAPI document;
tests check that both ways give the same JSON."""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Union, get_args, get_origin

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel


@cache
def _nested_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The fields of `model` whose value is itself a model (possibly optional): exclude_none applies inside them."""
    out: dict[str, type[BaseModel]] = {}
    for name, field in model.model_fields.items():
        ann = field.annotation
        options = get_args(ann) if get_origin(ann) in (Union, types.UnionType) else (ann,)
        for option in options:
            if isinstance(option, type) and issubclass(option, BaseModel):
                out[field.alias or name] = option
    return out


def without_none(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the None values pydantic's exclude_none drops: the model's own fields and extras, and those of
    nested models; values inside plain dicts and lists are kept, as pydantic keeps them."""
    nested = _nested_models(model)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        sub = nested.get(key)
        out[key] = without_none(sub, value) if sub is not None and isinstance(value, dict) else value
    return out


class FastJSONResponse(JSONResponse):
    """A JSONResponse rendered by orjson (UTF-8, no spaces: the same JSON values as Starlette's json.dumps, several
    times faster); what orjson refuses (an integer beyond 64 bits, a non-string key) is rendered as Starlette
    renders it."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)


def json_response(model: type[BaseModel], data: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return FastJSONResponse(without_none(model, data), status_code=status_code)
