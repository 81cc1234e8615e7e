from django import forms
from django.contrib.auth.forms import AuthenticationForm

from pmf.forms_govuk import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Django's sign-in form with GOV.UK wording."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Contact the Governance and Performance team.",
    }

    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": "Enter your username"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
