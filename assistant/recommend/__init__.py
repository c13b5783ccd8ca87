"""Recommendations: a catalog, hybrid item vectors, a FAISS index and taste.

- :mod:`~assistant.recommend.catalog`: items and the files they come from;
- :mod:`~assistant.recommend.collab`: ALS factors (``implicit``);
- :mod:`~assistant.recommend.vectors`: MiniLM content vectors, cached;
- :mod:`~assistant.recommend.model`: content and factors in one vector;
- :mod:`~assistant.recommend.index`: the FAISS index (flat or IVF, CPU or GPU);
- :mod:`~assistant.recommend.ranking`: MMR diversification;
- :mod:`~assistant.recommend.requests`: reading requests and opinions;
- :mod:`~assistant.recommend.store`: the tables of users' taste and imports;
- :mod:`~assistant.recommend.engine`: all of it put together.

The skill that talks to the user is :mod:`assistant.skills.recommend`.
"""

from __future__ import annotations
