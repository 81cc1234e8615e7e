import base64
import xml.etree.ElementTree as ET

from scorecards.charts import BOTTOM, HEIGHT, kpi_chart

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [("2024/25 Q1", 70), ("2024/25 Q2", None), ("2024/25 Q3", 74.5), ("2024/25 Q4", 76)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 – the app's own output, parsed to check it


def chart(**kwargs) -> str:
    return full_chart(**kwargs).svg


def full_chart(**kwargs):
    options = {
        "target": 75,
        "forecast": ("2025/26 Q1", 77.2),
        "unit_label": "Percentage (%)",
        "title": "KPI 169: Household waste recycled",
    }
    options.update(kwargs)
    return kpi_chart(options.pop("points", POINTS), **options)


def test_the_chart_is_valid_xml_with_a_text_alternative():
    root = parse(chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "KPI 169: Household waste recycled"
    assert "latest 76 in 2024/25 Q4" in desc.text
    assert "Target 75" in desc.text
    assert "Forecast for 2025/26 Q1: 77.2 (not data)" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_axis_labels_are_real_text_and_the_unit_and_key_come_beside_the_chart():
    made = full_chart()
    texts = [t.text for t in parse(made.svg).iter(f"{SVG}text")]
    assert "2025/26 Q1" in texts and "2024/25 Q3" in texts  # every other period: 5 slots
    assert {"70", "72", "78"} <= set(texts)  # the value axis
    assert made.unit_label == "Percentage (%)"
    assert [(item.kind, item.label) for item in made.key] == [
        ("value", "Value"),
        ("target", "Target"),
        ("forecast", "Forecast for 2025/26 Q1: 77.2"),
    ]
    assert [item.kind for item in full_chart(target=None, forecast=None).key] == ["value"]


def test_the_chart_is_also_an_image_with_its_description_as_alt_text():
    made = full_chart()
    prefix = "data:image/svg+xml;base64,"
    assert made.data_uri.startswith(prefix)
    assert base64.b64decode(made.data_uri[len(prefix) :]).decode() == made.svg
    assert made.alt.startswith("KPI 169: Household waste recycled. Values from 2024/25 Q1")


def test_twelve_quarters_are_labelled_once_a_year_on_the_same_quarter():
    quarters = [(f"{2022 + k // 4}/{23 + k // 4} Q{k % 4 + 1}", 60 + k) for k in range(12)]
    root = parse(chart(points=quarters, forecast=("2025/26 Q1", 73)))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("y") == str(HEIGHT - BOTTOM + 18)]
    assert labels == ["2022/23 Q1", "2023/24 Q1", "2024/25 Q1", "2025/26 Q1"]


def test_the_forecast_and_target_are_drawn_differently_from_the_values():
    root = parse(chart())
    dashed = {line.get("stroke-dasharray") for line in root.iter(f"{SVG}line")}
    assert {"6 4", "2 4"} <= dashed  # the target dashed, the forecast dotted
    hollow = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "#ffffff"]
    assert len(hollow) == 1  # the forecast's marker


def test_a_gap_breaks_the_line_and_every_value_has_a_marker():
    root = parse(chart())
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1  # Q3–Q4; Q1 stands alone before the gap
    assert len(polylines[0].get("points").split()) == 2
    markers = [p for p in root.iter(f"{SVG}path") if p.get("stroke-linecap") == "round"]
    assert len(markers) == 1 and markers[0].get("d").count("h0") == 3  # Q1, Q3 and Q4


def test_the_grid_is_one_path_with_a_line_per_tick_label():
    root = parse(chart())
    grid = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#b1b4b6"]
    tick_labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert len(grid) == 1 and grid[0].get("d").count("M") == len(tick_labels) >= 2


def test_per_period_targets_are_drawn_as_steps():
    root = parse(chart(target=[70, 70, None, 80]))
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    assert len(dashed) == 1 and dashed[0].get("stroke-dasharray") == "6 4"
    assert dashed[0].get("d").count("M") == 2  # a new step after the period with no target
    assert "target changes over time" in root.find(f"{SVG}desc").text


def test_every_text_is_escaped():
    nasty = '<script>alert("x")</script> & co'
    svg = chart(points=[(nasty, 1), ("Q2", 2)], title=nasty, unit_label=nasty, forecast=(nasty, 3))
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty
    assert nasty in [t.text for t in root.iter(f"{SVG}text")]
    assert nasty in root.find(f"{SVG}desc").text


def test_no_style_attributes_so_the_csp_does_not_block_them():
    svg = chart()
    assert "style=" not in svg and "class=" not in svg
    assert "<script" not in svg


def test_a_chart_with_no_values_says_so():
    root = parse(chart(points=[("Q1", None)], target=None, forecast=None))
    assert "No values to show yet" in [t.text for t in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}desc").text == "No values reported yet."


def test_a_flat_series_still_draws():
    parse(chart(points=[("Q1", 5), ("Q2", 5)], target=5, forecast=None))
    parse(chart(points=[("Q1", 0), ("Q2", 0)], target=0, forecast=None))
