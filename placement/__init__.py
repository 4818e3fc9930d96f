"""The placement database: regions, gemeenten, employers, vacancies, candidates and leads."""
