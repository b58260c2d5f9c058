"""The run queue's JSON serializer (``rfi_cn.distributed.serializer``): no pickle, an allow-list."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from scrapy import Request, Spider

from rfi_cn.distributed.serializer import BadRequestDataError, dumps, loads, request_from_data, request_to_data
from rfi_cn.spiders.rfi_cn import RfiCnSpider

URL = "https://www.rfi.fr/cn/中国/"


@pytest.fixture
def spider() -> Spider:
    return RfiCnSpider()


def test_a_request_survives_the_round_trip(spider: Spider) -> None:
    request = Request(
        URL,
        callback=spider.parse_listing,
        errback=spider.on_listing_error,
        headers={"X-Raw": b"\xff\x00", "Accept": "text/html"},
        body=b"\x00\xffbinary",
        meta={"rfi_listing": True, "rfi_next_page": 2, "redirect_urls": ["https://www.rfi.fr/cn/a"], "depth": 1},
        cb_kwargs={"section": "中国"},
        priority=-3,
        dont_filter=True,
    )
    data = request_to_data(request, spider)
    assert b"pickle" not in data and data.startswith(b"{")
    back = request_from_data(data, spider)
    assert back.url == request.url
    assert back.callback == spider.parse_listing and back.errback == spider.on_listing_error
    assert back.headers.getlist("X-Raw") == [b"\xff\x00"]
    assert back.body == b"\x00\xffbinary"
    assert back.meta == request.meta
    assert back.cb_kwargs == {"section": "中国"}
    assert (back.priority, back.dont_filter, back.method) == (-3, True, "GET")


def test_tagged_values_round_trip() -> None:
    value: dict[str, Any] = {"b": b"\x01", "d": {b"k": [b"v"], 1: "one"}, "$odd": "key", "l": [1, 2.5, None, True]}
    assert loads(dumps(value)) == value


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("unpickled!",))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pickle.dumps(_Boom()), "not a JSON request"),
        (pickle.dumps({"url": URL}), "not a JSON request"),
        (b"\xff\xfe", "not a JSON request"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"url": "https://www.rfi.fr/cn/", "x": NaN}', "not a JSON request"),
        (b'{"url": {"$b": "not base64!"}}', "not a JSON request"),
        (b'{"url": {"$eval": "x"}}', "not a JSON request"),
        (json.dumps({"url": URL, "_class": "scrapy.http.request.form.FormRequest"}).encode(), "request classes"),
        (json.dumps({"url": "http://127.0.0.1:6379/"}).encode(), "URL not on"),
        (json.dumps({"url": "https://www.rfi.fr.evil.example/"}).encode(), "URL not on"),
        (json.dumps({"url": URL, "method": "POST"}).encode(), "method not allowed"),
        (json.dumps({"url": URL, "callback": "__class__"}).encode(), "callback not allowed"),
        (json.dumps({"url": URL, "callback": "crawler"}).encode(), "callback not allowed"),
        (json.dumps({"url": URL, "errback": "close"}).encode(), "callback not allowed"),
        (json.dumps({"url": URL, "callback": "parse_front.__globals__"}).encode(), "callback not allowed"),
        (json.dumps({"url": URL, "callback": "parse_missing"}).encode(), "not a method of the spider"),
        (json.dumps({"url": URL, "callback": ["parse_front"]}).encode(), "callback not allowed"),
        (json.dumps({"url": URL, "meta": "not a dict"}).encode(), "not a valid request"),
        (json.dumps({"url": URL, "priority": "high"}).encode(), "not a valid request"),
    ],
)
def test_anything_else_is_refused(spider: Spider, data: bytes, message: str) -> None:
    with pytest.raises(BadRequestDataError, match=message):
        request_from_data(data, spider)


def test_an_unqueueable_meta_value_fails_loudly_at_push(spider: Spider) -> None:
    with pytest.raises(TypeError, match="cannot queue a object"):
        request_to_data(Request(URL, meta={"x": object()}), spider)
