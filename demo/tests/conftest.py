import pytest
from django.test import override_settings


@pytest.fixture(scope="module", autouse=True)
def demo_media(tmp_path_factory):
    """The packs each load publishes are written to a folder of the module's own."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")):
        yield
