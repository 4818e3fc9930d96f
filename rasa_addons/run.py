"""`python -m rasa_addons.run run ...`: Rasa's own command line, with the HTTP API token from RASA_TOKEN.

`rasa run --auth-token X` would show the token to every local user in the process list; here it
travels in the environment and is added to the arguments inside the process.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        token = os.environ.get("RASA_TOKEN", "")
        if not token:
            sys.exit("FOUT: RASA_TOKEN ontbreekt; Rasa start niet zonder token voor zijn HTTP API.")
        args += ["--auth-token", token]
    from rasa_addons.log_redaction import install

    install()  # no tracker dumps with user text in rasa.log (see rasa_addons/log_redaction.py)
    if os.environ.get("WERKPUNT_VALIDATE_EVERY_TURN") != "1":  # "1": Rasa's own behaviour, for comparison
        from rasa_addons.slot_validation import install as install_slot_validation

        install_slot_validation()  # no validator call on a turn that set no slot (rasa_addons/slot_validation.py)
    if os.environ.get("WERKPUNT_TURN_SPEEDUPS") != "0":  # "0": Rasa's own code paths, for comparison
        from rasa_addons.savings import install as install_savings

        install_savings()  # less CPU per turn, same outcomes (rasa_addons/savings.py)
    if os.environ.get("WERKPUNT_TURN_PROFILE"):  # tools/profile_turn.py: timings per turn, no text
        from rasa_addons.turn_profile import install as install_profile

        install_profile(os.environ["WERKPUNT_TURN_PROFILE"])
    if os.environ.get("WERKPUNT_CPROFILE"):  # tools/profile_turn.py --cprofile: cProfile stats, no text
        from rasa_addons.cprofile_turns import install as install_cprofile

        install_cprofile(os.environ["WERKPUNT_CPROFILE"], int(os.environ.get("WERKPUNT_CPROFILE_SKIP", "0")))
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
