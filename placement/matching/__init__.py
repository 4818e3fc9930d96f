"""Matching job seekers and vacancies, for the chat actions and the staff UI.

- `search_vacancies`: free-text chat search (job title, gemeente, hours), paged.
- `vacancies_for_candidate`: candidate → open vacancies.
- `candidates_for_vacancy` / `candidates_for_request`: vacancy (or an employer's question) →
  anonymous candidate profiles.
Every result has a score (0–100) and a Dutch reason; the order is deterministic (score, then id).
"""

from placement.matching.area import Area, area_for
from placement.matching.scoring import CandidateProfile, VacancyMatch
from placement.matching.search import (
    SHORTLIST,
    SearchResult,
    candidates_for_request,
    candidates_for_vacancy,
    search_vacancies,
    vacancies_for_candidate,
)

__all__ = [
    "SHORTLIST", "Area", "CandidateProfile", "SearchResult", "VacancyMatch", "area_for", "candidates_for_request",
    "candidates_for_vacancy", "search_vacancies", "vacancies_for_candidate",
]
