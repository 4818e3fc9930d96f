"""Match alerts (issue 16): consent per person, an outbox of matching events, and the alerts themselves.

- `models.py`: the tables (schema in migration 0011).
- `consent.py`: opting in, changing the frequency, stopping, reading and reacting (used by actions/).
- the rest: the event-driven matcher, quiet hours and delivery (used by the gateway's alert job).
"""
