"""End-to-end fuzz: generated bad messages through the gateway into the real Rasa and action server.

Hypothesis draws the messages (odd Unicode, control characters and NUL, 2,000-character messages, HTML
and injection strings, typed intent syntax with entities, emoji, right-to-left text); they are then sent
over several web chat sessions at once (a new session every SESSION_TURNS messages, so one conversation
does not grow without end). The per-session and per-IP limits are raised for the campaign by the harness
(MESSAGES_PER_MINUTE, IP_MESSAGES_PER_MINUTE): they are tested on their own, and here they would only
answer 429. Every message must get a 2xx or a deliberate 4xx; a 5xx is a server error; a refused
connection or a child the supervisor had to restart is a crash. Afterwards a fresh conversation must
get a real answer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tools.reliability_fuzz import NASTY, _json, odd_text

SESSION_TURNS = 25
WORKERS = 4
RTL = ["مرحبا أريد عملا", "שלום אני מחפש עבודה", "\u202bik zoek werk\u202c", "\u200fAmersfoort\u200e"]
INTENTS = ['/search_jobs{"job_title":"<b>x</b>","location":"Amersfoort"}', '/request_human', "/restart",
           '/apply_for_vacancy{"vacancy_id": 99999999999999999999}', '/provide_hours{"hours":"0612345678"}',
           '/greet{"user_role":"werkgever"}', "//", "/", '/"}{']
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20)
EMOJI = st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=40)
message = st.one_of(
    odd_text, st.sampled_from(RTL + INTENTS + NASTY), CONTROL, EMOJI,
    st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=30), st.text(max_size=30)),
    st.builds(lambda c, n: (c * n)[:2000], st.sampled_from(["a", "é", "😀", "<", "\u0301", "ik zoek werk "]),
              st.integers(1500, 2100)),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(["Ik zoek werk als", "Vacature voor", "bel mij op"]),
              odd_text),
)


def draw(count: int) -> list[str]:
    """`count` messages from the strategy, deterministically (derandomized: the same run every time)."""
    texts: list[str] = []

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(message)
    def collect(value: str) -> None:
        texts.append(value)

    collect()
    return texts[:count]


def _session(base: str, texts: list[str]) -> tuple[int, int, int, int]:
    """(inputs, 5xx, connection failures, deliberate 4xx) for one web chat session."""
    inputs = errors = failures = refused = 0
    with httpx.Client(base_url=base, timeout=90) as client:
        client.get("/")
        for value in texts:
            inputs += 1
            try:
                response = client.post("/api/message", content=_json({"text": value}),
                                       headers={"content-type": "application/json"})
            except httpx.HTTPError:
                failures += 1
                continue
            errors += response.status_code >= 500
            refused += 400 <= response.status_code < 500
    return inputs, errors, failures, refused


def e2e_campaign(stack, count: int) -> dict:
    """Run `count` generated messages through `stack` (tools.reliability_stack.RealStack)."""
    from tools.reliability_stack import SEARCH, _talk, is_real

    texts = draw(count)
    restarts = stack.supervisor.restarts
    chunks = [texts[i:i + SESSION_TURNS] for i in range(0, len(texts), SESSION_TURNS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda chunk: _session(stack.base, chunk), chunks))
    inputs, errors, failures, refused = (sum(r[i] for r in results) for i in range(4))
    crashes = failures + (stack.supervisor.restarts - restarts) + (0 if stack.alive() else 1)
    with httpx.Client(base_url=stack.base) as client:
        client.get("/")
        still_answers = is_real(_talk(client, SEARCH))
    return {"fuzz": "end_to_end_real_rasa", "inputs": inputs, "server_errors": errors,
            "crashes": crashes + (0 if still_answers else 1), "refused_4xx": refused}
