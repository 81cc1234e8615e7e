"""Template filters for the one way figures are written (pmf.formatting).

{% load figures %}
{{ value|figure:kpi }}   72.5%, £1,250.50, 12 days: anything with a `unit_style`, or a UnitStyle
{{ value|number }}       1,250.5
"""

from django import template

from pmf.formatting import PLAIN, UnitStyle, format_value, number_text

register = template.Library()


@register.filter
def figure(value, measured=None) -> str:
    style = measured if isinstance(measured, UnitStyle) else getattr(measured, "unit_style", PLAIN)
    return format_value(value, style)


@register.filter
def number(value) -> str:
    return number_text(value)
