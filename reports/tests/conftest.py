import pytest

from reports.tests.factories import add_action, add_proposal, committee_pack


@pytest.fixture
def pack_clerk(db):
    from pmf.tests.factories import UserFactory

    return UserFactory(username="pack-clerk", roles=["Committee clerk"])


@pytest.fixture
def setup(db, pack_clerk, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    committee, meeting, kpis, history = committee_pack(8, clerks=[pack_clerk])
    add_proposal(committee, owner)
    add_action(committee, owner)
    return committee, meeting, kpis, history
