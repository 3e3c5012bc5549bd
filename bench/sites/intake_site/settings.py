"""cellclinic's own settings, with a URLconf that adds the benchmark's bare view."""

from cellclinic.settings import *  # noqa: F403 (the whole of the real settings)

ROOT_URLCONF = "intake_site.urls"
