import factory
from django.contrib.auth.models import Group

from pmf.models import User
from pmf.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.uk")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                # get_or_create: transactional tests flush the groups the migration made.
                group, _ = Group.objects.get_or_create(name=Role(role).value)
                self.groups.add(group)
