"""Sign-in with a password, and no permissions besides the rules registry's.

Django's ModelBackend both checks passwords and answers has_perm from the auth Permission tables.
The product decides every permission in one registry (django-rules, see pmf.roles), so this
backend only signs people in: a refused has_perm then costs no query of the Permission tables.
Superusers still pass every check (User.has_perm answers for them before any backend).
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return False

    def get_all_permissions(self, user_obj, obj=None) -> set:
        return set()
