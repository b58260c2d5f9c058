"""Each pipeline on small inputs: one job each, rejects and failures pass untouched."""

from __future__ import annotations

from rfi_cn.items import SCHEMA_VERSION, ArticleItem, FailureItem, RejectItem
from rfi_cn.pipelines import CleanBodyPipeline, DeduplicatePipeline, NormaliseDatesPipeline, ValidatePipeline


def article(**values: object) -> ArticleItem:
    fields = dict.fromkeys(ArticleItem.fields)
    fields.update(authors=[], tags=[], media=[], schema_version=SCHEMA_VERSION)
    fields.update(
        id="AB12",
        url="https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251101-a",
        title="标题",
        lead="导语",
        published_at="2025-11-01T08:00:00Z",
        crawled_at="2025-11-02T08:00:00Z",
        body_html="<p>正文</p>",
        body_text="正文",
        content_hash="0" * 64,
    )
    fields.update(values)
    return ArticleItem(**fields)


def test_clean_body_sets_html_text_and_hash() -> None:
    item = CleanBodyPipeline().process_item(
        article(body_html='<div class="t-content__body"><p><span>正文</span></p></div>')
    )
    assert item["body_html"] == "<p>正文</p>"
    assert item["body_text"] == "正文"
    assert (
        item["content_hash"] == "476709f17f2a7d206bff5b82045cebf1b565935c438f2dee313054aa6ab39363"
    )  # sha256 of "标题\n导语\n正文"


def test_clean_body_of_an_empty_body_is_none() -> None:
    item = CleanBodyPipeline().process_item(article(body_html='<div class="m-interstitial">广告</div>'))
    assert (item["body_html"], item["body_text"]) == (None, None)


def test_a_body_nested_too_deep_is_a_too_deep_reject() -> None:
    body = "<p>一</p><p>" + "<strong>" * 5000 + "二" + "</strong>" * 5000 + "</p><p>三</p>"
    result = CleanBodyPipeline().process_item(article(body_html=body))
    assert isinstance(result, RejectItem)
    assert (result["url"], result["id"], result["reason"], result["detail"]) == (
        "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251101-a",
        "AB12",
        "too_deep",
        "body nested deeper than 1024 elements",
    )


def test_a_deep_body_within_the_limit_is_kept_whole() -> None:
    item = CleanBodyPipeline().process_item(
        article(body_html="<p>一</p><p>" + "<span>" * 260 + "二" + "</span>" * 260 + "</p><p>三</p>")
    )
    assert (item["body_html"], item["body_text"]) == ("<p>一</p><p>二</p><p>三</p>", "一\n\n二\n\n三")


def test_dates_take_the_first_complete_candidate() -> None:
    item = NormaliseDatesPipeline().process_item(
        article(
            published_at=["", "nonsense", "10:13", "30/11/2025 - 10:13"],
            modified_at=[],
            crawled_at="2025-12-01T08:00:00Z",
        )
    )
    assert (item["published_at"], item["modified_at"]) == ("2025-11-30T09:13:00Z", None)


def test_a_date_more_than_a_day_after_the_crawl_is_refused() -> None:
    item = NormaliseDatesPipeline().process_item(
        article(
            published_at=["2025-11-03T08:00:01Z", "2025-11-03T08:00:00Z"],
            modified_at=["2025-11-03T08:00:00+01:00"],
            crawled_at="2025-11-02T08:00:00Z",
        )
    )
    assert (item["published_at"], item["modified_at"]) == ("2025-11-03T08:00:00Z", "2025-11-03T07:00:00Z")


def test_an_article_whose_dates_are_all_incomplete_is_a_missing_fields_reject() -> None:
    item = article(
        published_at=[
            "10:13",
            "11月30日 10:13",
            "Sun, 30 Nov 2025",
            "10:00 EST",
            "30 Nov 2025 10:00 CST",
            "1989-06-04T10:00:00Z",
        ],
        modified_at=["2025年11月30日 10:13"],
        crawled_at="2025-12-01T08:00:00Z",
    )
    for pipeline in (NormaliseDatesPipeline(), ValidatePipeline()):
        item = pipeline.process_item(item)
    assert isinstance(item, RejectItem)
    assert (item["url"], item["id"], item["reason"], item["detail"]) == (
        "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251101-a",
        "AB12",
        "missing_fields",
        "published_at",
    )


def test_validate_names_every_missing_field() -> None:
    result = ValidatePipeline().process_item(article(title=None, body_text=""))
    assert isinstance(result, RejectItem)
    assert (result["url"], result["id"], result["reason"], result["detail"]) == (
        "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251101-a",
        "AB12",
        "missing_fields",
        "title, body_text",
    )


def test_validate_passes_a_complete_article() -> None:
    item = article()
    assert ValidatePipeline().process_item(item) is item


def test_deduplicate_rejects_a_second_page_with_the_same_id() -> None:
    pipeline = DeduplicatePipeline()
    first = article()
    second = article(url="https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251101-a")
    assert pipeline.process_item(first) is first
    result = pipeline.process_item(second)
    assert isinstance(result, RejectItem)
    assert (result["reason"], result["detail"]) == ("duplicate_id", f"id {first['id']} already scraped in this run")
    assert (result["url"], result["id"]) == (second["url"], first["id"])
    third = article(id="CD34", url="https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251101-b")
    assert pipeline.process_item(third) is third


def test_rejects_and_failures_pass_every_pipeline_untouched() -> None:
    records = [RejectItem(url="u", reason="r"), FailureItem(url="u", kind="article", reason="gone")]
    for pipeline in (CleanBodyPipeline(), NormaliseDatesPipeline(), ValidatePipeline(), DeduplicatePipeline()):
        for record in records:
            assert pipeline.process_item(record) is record
