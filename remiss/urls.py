"""URLs of the referral pages, one module per subject (rounds, responses, the compilation, search).

Every address here must have a row in the access matrix (tests/access/test_access_matrix.py).
"""

from __future__ import annotations

from remiss.urls_compilation import urlpatterns as compilation
from remiss.urls_responses import urlpatterns as responses
from remiss.urls_rounds import urlpatterns as rounds
from remiss.urls_search import urlpatterns as search

app_name = "remiss"

urlpatterns = [*rounds, *responses, *compilation, *search]
