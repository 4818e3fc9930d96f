"""Custom actions for the Rasa server, served by rasa-sdk (`python -m rasa_sdk --actions actions`)."""

from actions import jobs  # noqa: F401  (importing registers the actions)
