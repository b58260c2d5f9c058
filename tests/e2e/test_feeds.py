"""The data lake add-on: which feeds a crawl gets, and their URI parameters."""

from __future__ import annotations

from scrapy.settings import Settings

from rfi_cn.lake.addon import DataLakeFeeds, lake_uri

LAKE = {
    "/lake/rfi_cn/articles/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl": ["rfi_cn.items.ArticleItem"],
    "/lake/rfi_cn/rejects/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl": ["rfi_cn.items.RejectItem"],
    "/lake/rfi_cn/failures/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl": ["rfi_cn.items.FailureItem"],
}


def feeds_for(**values: object) -> dict[str, dict[str, object]]:
    settings = Settings({"DATA_LAKE_URI": "/lake/", **values})
    DataLakeFeeds().update_settings(settings)
    return settings.getdict("FEEDS")


def test_lake_uri() -> None:
    assert lake_uri("s3://bucket/prefix/", "rejects") == (
        "s3://bucket/prefix/rfi_cn/rejects/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl"
    )


def test_without_user_feeds_all_three_kinds_go_to_the_lake() -> None:
    feeds = feeds_for()
    assert {uri: options["item_classes"] for uri, options in feeds.items()} == LAKE
    assert all(options["format"] == "jsonlines" and options["encoding"] == "utf-8" for options in feeds.values())


def test_a_user_feed_takes_the_articles_in_one_file() -> None:
    feeds = feeds_for(FEEDS={"out.jsonl": {"format": "jsonlines"}})
    assert feeds["out.jsonl"] == {
        "format": "jsonlines",
        "item_classes": ["rfi_cn.items.ArticleItem"],
        "batch_item_count": 0,
    }
    assert sorted(uri for uri in feeds if uri != "out.jsonl") == sorted(uri for uri in LAKE if "/articles/" not in uri)


def test_a_user_feed_with_its_own_filter_is_left_alone() -> None:
    feeds = feeds_for(
        FEEDS={"all-%(batch_id)d.jsonl": {"format": "jsonlines", "item_classes": ["rfi_cn.items.RejectItem"]}}
    )
    assert feeds["all-%(batch_id)d.jsonl"] == {"format": "jsonlines", "item_classes": ["rfi_cn.items.RejectItem"]}


def test_the_lake_can_be_switched_off() -> None:
    assert feeds_for(DATA_LAKE_ENABLED=False, FEEDS={"out.jsonl": {"format": "csv"}}) == {
        "out.jsonl": {"format": "csv"}
    }
