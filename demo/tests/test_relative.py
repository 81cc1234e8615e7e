"""The demo's relative periods and dates (demo/relative.py), resolved against a load date."""

import datetime

import pytest

from demo.relative import DemoCalendar

TODAY = DemoCalendar(datetime.date(2026, 11, 23))  # Q0 = 2026/27 Q2, M0 = October 2026


def test_q0_and_m0_are_the_latest_ended_quarter_and_month_and_y0_the_year_of_q0():
    assert (TODAY.label("Q0"), TODAY.label("M0"), TODAY.label("Y0")) == (
        "2026/27 Q2",
        "2026/27 Oct",
        "2026/27",
    )
    assert TODAY.label("Q-1") == "2026/27 Q1"
    assert TODAY.label("Q-3") == "2025/26 Q3"
    assert TODAY.label("M-7") == "2025/26 Mar"


@pytest.mark.parametrize(
    ("today", "q0", "m0", "y0"),
    [
        (datetime.date(2026, 7, 1), "2026/27 Q1", "2026/27 Jun", "2026/27"),  # first day of Q2
        (datetime.date(2026, 6, 30), "2025/26 Q4", "2026/27 May", "2025/26"),  # Q1 not ended
        (datetime.date(2027, 4, 2), "2026/27 Q4", "2026/27 Mar", "2026/27"),  # a new year begun
        (datetime.date(2027, 1, 31), "2026/27 Q3", "2026/27 Dec", "2026/27"),  # January not ended
    ],
)
def test_the_anchors_move_with_the_load_date(today, q0, m0, y0):
    calendar = DemoCalendar(today)
    assert (calendar.label("Q0"), calendar.label("M0"), calendar.label("Y0")) == (q0, m0, y0)


def test_a_period_of_a_relative_year_reads_like_the_products_labels():
    assert TODAY.label("Y-1 Q3") == "2025/26 Q3"
    assert TODAY.label("Y0 Oct") == "2026/27 Oct"
    assert TODAY.label("Y0 Jan") == "2026/27 Jan"  # January 2027
    assert TODAY.period("Y0 Jan").starts_on == datetime.date(2027, 1, 1)
    assert TODAY.label("Y+1 Apr") == "2027/28 Apr"
    assert TODAY.label("Y-2") == "2024/25"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Y-5 start", datetime.date(2021, 4, 1)),
        ("Y-5 Mar end - 7d", datetime.date(2022, 3, 24)),
        ("Y-1 Q3 start + 6w", datetime.date(2025, 11, 12)),
        ("Q-1 end + 14d", datetime.date(2026, 7, 14)),
        ("Q0 end + 8w thu", datetime.date(2026, 11, 26)),  # 25 Nov is a Wednesday
        ("Q0 end + 8w wed", datetime.date(2026, 11, 25)),  # already a Wednesday
        ("today - 2d", datetime.date(2026, 11, 21)),
        ("today", datetime.date(2026, 11, 23)),
        ("M0 end + 1d - 2d + 1w", datetime.date(2026, 11, 6)),
    ],
)
def test_dates_count_from_a_periods_start_or_end_or_today(text, day):
    assert TODAY.date(text) == day


def test_a_year_number_is_the_year_that_financial_year_starts_in():
    assert TODAY.year("Y+2") == 2028
    with pytest.raises(ValueError, match="not a demo year"):
        TODAY.year("Y+2 Q1")


def test_text_holds_labels_and_dates_in_words_or_in_a_format():
    text = "Better than {Y-1 Q2}; by {Y0 Jan end}; since {Y-1 Nov start:%B %Y}; {Q0}."
    assert TODAY.text(text) == (
        "Better than 2025/26 Q2; by 31 January 2027; since November 2025; 2026/27 Q2."
    )
    assert TODAY.text("No tokens here.") == "No tokens here."


@pytest.mark.parametrize("text", ["Z-1", "Y-1 Q5", "Y-1 Foo", "Q+1 start", "Y1", ""])
def test_anything_else_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="like"):
        TODAY.date(text) if text.endswith(("start", "end")) else TODAY.period(text)
