"""Tests of the programme app: the programme, bodies, duties, plans, follow-ups."""
