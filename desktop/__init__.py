"""Side by Side: compare a local open model with a proprietary one, blind, side by side."""

__version__ = "0.1.0"
APP_NAME = "Side by Side"
APP_ID = "sidebyside"
