"""Werkpunt's code that runs inside the Rasa environment (Python 3.10, Rasa 3.6.21).

It imports only Rasa, Sanic, jsonschema (Rasa's own dependency) and the standard library: nothing of Werkpunt's own packages (which live
in the Python 3.11 app environment). `python -m rasa_addons.run` starts Rasa with its HTTP API token;
`rasa_addons.channel.WerkpuntInput` is the one input channel (credentials.yml); `rasa_addons.savings`
cuts Rasa's CPU per turn without changing an outcome (README "Scaling out", "One turn, profiled").
"""
