"""The run's request queue without pickle: requests as JSON, decoded with an allow-list.

scrapy-redis stores requests with pickle by default, and unpickling runs code: a
value pushed into the queue by anyone who can write to Redis would run as the
crawler. Here requests are JSON (``SCHEDULER_SERIALIZER = "rfi_cn.distributed.serializer"``):
Scrapy's ``Request.to_dict`` with bytes (body, header names and values) tagged as
``{"$b": "<base64>"}`` and dicts with non-string keys as ``{"$d": [[key, value], ...]}``.

``request_from_data`` is the only way back to a request. It refuses (``BadRequestDataError``)
anything that is not such JSON, names a request class (``_class``), a method other than
GET/HEAD, a URL outside ``https://www.rfi.fr/``, or a callback/errback that is not a
``parse*``/``on_*`` method of the spider; the scheduler counts and skips it
(``rfi_cn/distributed/bad_requests``). No name from Redis is ever imported.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from typing import Any

from scrapy import Request, Spider

from rfi_cn.site import SITE_ORIGIN

BYTES_TAG = "$b"
DICT_TAG = "$d"
CALLBACK_PREFIXES = ("parse", "on_")
METHODS = frozenset({"GET", "HEAD"})
FIELDS = frozenset(Request.attributes) - {"callback", "errback"}


class BadRequestDataError(ValueError):
    """A queue entry that is not a request this crawler wrote."""


def dumps(obj: Any) -> bytes:
    """JSON of ``obj`` (a request dict), bytes and non-string keys tagged."""
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """The value ``dumps`` wrote; ``BadRequestDataError`` for anything else (pickle included)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return _decode(json.loads(text, parse_constant=_no_constant))
    except (UnicodeDecodeError, ValueError, TypeError, binascii.Error, RecursionError) as error:
        raise BadRequestDataError(f"not a JSON request: {error}") from None


def request_to_data(request: Request, spider: Spider) -> bytes:
    return dumps(request.to_dict(spider=spider))


def request_from_data(data: bytes | str, spider: Spider) -> Request:
    """The request in a queue entry, or ``BadRequestDataError``; resolves only allowed spider methods."""
    obj = loads(data)
    if not isinstance(obj, dict):
        raise BadRequestDataError("not a JSON object")
    if "_class" in obj:
        raise BadRequestDataError(f"request classes are not accepted: {obj['_class']!r}")
    url = obj.get("url")
    if not isinstance(url, str) or not url.startswith(f"{SITE_ORIGIN}/"):
        raise BadRequestDataError(f"URL not on {SITE_ORIGIN}: {url!r}")
    method = obj.get("method", "GET")
    if method not in METHODS:
        raise BadRequestDataError(f"method not allowed: {method!r}")
    kwargs = {key: value for key, value in obj.items() if key in FIELDS}
    for key in ("callback", "errback"):
        if obj.get(key) is not None:
            kwargs[key] = spider_method(spider, obj[key])
    try:
        return Request(**kwargs)
    except (TypeError, ValueError, AttributeError) as error:
        raise BadRequestDataError(f"not a valid request: {error}") from None


def spider_method(spider: Spider, name: object) -> Any:
    """The spider's ``parse*``/``on_*`` method called ``name``, else ``BadRequestDataError``."""
    if not isinstance(name, str) or not name.isidentifier() or not name.startswith(CALLBACK_PREFIXES):
        raise BadRequestDataError(f"callback not allowed: {name!r}")
    method = getattr(type(spider), name, None)
    if not inspect.isfunction(method):
        raise BadRequestDataError(f"not a method of the spider: {name!r}")
    return getattr(spider, name)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {DICT_TAG: [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot queue a {type(value).__name__} in a request: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if any(key.startswith("$") for key in value):
        if set(value) == {BYTES_TAG} and isinstance(value[BYTES_TAG], str):
            return base64.b64decode(value[BYTES_TAG], validate=True)
        if set(value) == {DICT_TAG} and isinstance(value[DICT_TAG], list):
            pairs = [_decode(pair) for pair in value[DICT_TAG]]
            if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
                raise ValueError("a tagged dict holds [key, value] pairs")
            return {_hashable(key): item for key, item in pairs}
        raise ValueError(f"unknown tag in {sorted(value)}")
    return {key: _decode(item) for key, item in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict):
        raise ValueError("a dict key must be a string, bytes or a number")
    return key


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
