"""Matching job seekers and vacancies, for the chat actions and the staff UI.

- `search_vacancies`: chat search (job title through the ESCO normaliser, gemeente + radius in km, hours), paged.
- `vacancies_for_candidate`: candidate → open vacancies.
- `candidates_for_vacancy` / `candidates_for_request`: vacancy (or an employer's question) →
  anonymous candidate profiles.
Every result has a score (0–100) and a Dutch reason ("Zelfde beroep, 8 km van Zwolle, 24–32 uur"); the
order is deterministic: occupation fit, distance band, hours, instruments, id (scoring.rank_key).
"""

from placement.matching.area import Area, area_for
from placement.matching.scoring import CandidateProfile, VacancyMatch
from placement.matching.search import (
    SHORTLIST,
    SearchResult,
    Target,
    candidates_for_request,
    candidates_for_vacancy,
    search_vacancies,
    vacancies_for_candidate,
)

__all__ = [
    "SHORTLIST", "Area", "CandidateProfile", "SearchResult", "Target", "VacancyMatch", "area_for",
    "candidates_for_request",
    "candidates_for_vacancy", "search_vacancies", "vacancies_for_candidate",
]
