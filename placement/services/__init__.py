"""Side effects of the chat flows, one module per flow group; the actions call these.

- `employer`: vacancy intake, callback requests (and candidate proposals).
- `jobseeker`: registration, responding to a vacancy, application status.
- `support`: beschut werk route, handoff to a person, deleting a user's data.
- `routing`: leads and the staff member who picks them up.
Every function takes a Session (one unit of work) and returns a small result object; user-facing
Dutch text is written by the actions.
"""
