"""Custom actions for the Rasa server, served by rasa-sdk through `python -m actions.server` (actions/server.py).

Version choice: the action server runs rasa-sdk 3.21 on Python 3.11 (a supported Python, because it
faces the database and the network) while Rasa itself is 3.6.21. The webhook protocol between them
is unchanged; tests/test_e2e_stack.py proves the round trip (slots, forms, messages) with both real
processes. rasa-sdk would warn about the version difference on *every* call, flooding the log, so
that one warning is silenced here, deliberately and only that one.
"""

import warnings

warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")

# Importing a module registers its actions: dialogue (forms, fallback) and services (the rest).
from actions import employer, fallback, forms, jobs, jobseeker, leads, privacy  # noqa: E402,F401
