"""The root app's models live in `cellclinic.core.models`; importing them here is how Django
finds them when it loads the app `cellclinic`."""

from cellclinic.core.models import OutboundEmail, RateLimitKey

__all__ = ["OutboundEmail", "RateLimitKey"]
