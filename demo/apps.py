from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo council: data files and the loader behind `manage.py load_demo`.

    Above every other app. Nothing here is imported when the site starts: the loader and its
    data are read only by the command.
    """

    name = "demo"
    verbose_name = "Demo council"
