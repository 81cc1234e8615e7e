"""{% status_tag "rating" row.rating %} → <strong class="govuk-tag govuk-tag--green">Green</strong>.

The colours are pmf.tags.COLOURS; `label=` gives words other than the value's own label."""

from django import template

from pmf.tags import tag_html

register = template.Library()


@register.simple_tag
def status_tag(kind: str, value, label: str | None = None):
    return tag_html(kind, value, label)
