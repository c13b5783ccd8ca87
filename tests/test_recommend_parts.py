"""The recommender's parts: catalog files, request parsing, index, ranking, ALS."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from assistant.recommend.catalog import (
    Catalog,
    CatalogError,
    Duplicate,
    load_default_items,
    read_catalog,
    read_items,
    read_ratings,
)
from assistant.recommend.collab import (
    AlsSettings,
    fit_item_factors,
    fold_in,
    positives_matrix,
)
from assistant.recommend.index import VectorIndex
from assistant.recommend.model import HybridModel, Weights
from assistant.recommend.ranking import mmr
from assistant.recommend.requests import parse_opinion, parse_request, request_kind
from assistant.recommend.vectors import dequantise, quantise


@pytest.fixture(scope="module")
def books() -> Catalog:
    return Catalog(load_default_items())


def test_the_default_catalog_has_thousands_of_books_with_authors(
    books: Catalog,
) -> None:
    assert len(books) >= 4000
    assert books.kinds() == {"book": len(books)}
    hobbit = books.items[books.match_title("The Hobbit")[0][0]]
    assert hobbit.creator == "J.R.R. Tolkien"
    assert hobbit.year == 1937


def test_titles_match_despite_typos_and_articles(books: Catalog) -> None:
    row, score = books.match_title("the hobit")[0]
    assert books.items[row].title == "The Hobbit"
    assert score >= 88
    assert books.items[books.match_title("hunger games")[0][0]].title == (
        "The Hunger Games"
    )
    assert books.match_title("zzqx") == []


def test_catalog_files_in_csv_and_json_lines(tmp_path: Path) -> None:
    csv_file = tmp_path / "films.csv"
    csv_file.write_text(
        "id,title,creator,year,tags,kind\n"
        "1,Alien,Ridley Scott,1979,horror|science fiction,film\n"
        "2,Up,Pete Docter,2009,animation;family,\n"
    )
    jsonl = tmp_path / "games.jsonl"
    jsonl.write_text('{"id": "g1", "title": "Tetris", "tags": ["puzzle"]}\n\n')

    films = read_items(csv_file, kind="movie")
    games = read_items(jsonl, kind="game")

    assert [f.key for f in films] == ["film:1", "film:2"]
    assert films[0].tags == ("horror", "science fiction")
    assert films[1].year == 2009
    assert games[0].key == "game:g1"
    assert "puzzle" in games[0].text()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("id,title\n1,\n", "a.csv", "needs an 'id' and a 'title'"),
        ('{"id": 1, "title": "x"}\n{oops\n', "a.jsonl", "line 2: not JSON"),
        ("name\nx\n", "a.csv", "'id' and a 'title'"),
        ("", "a.csv", "holds no items"),
        ('{"id": 1, "title": "x", "tags": 5}\n', "a.jsonl", "line 1: tags must be"),
        ('{"id": 1, "title": "x"}\n{"id": 2, "title": "y", "tags": [["a"]]}\n',
         "a.jsonl", "line 2: tags must be a list of words"),
        ('{"id": 1, "title": "x", "tags": {"a": 1}}\n', "a.jsonl", "tags must be"),
        ('{"id": 1, "title": "x", "year": 1e300}\n', "a.jsonl",
         "line 1: the year must be a whole number from -5000 to 3000, not 1e"),
        ('{"id": 1, "title": "x", "year": 1' + "0" * 5000 + "}\n", "a.jsonl",
         "line 1: not JSON"),
        ("id,title,year\n1,x,-5001\n", "a.csv", "line 2: the year must be"),
        ("id,title,year\n1,x,soon\n", "a.csv", "not 'soon'"),
        ("id,title,popularity\n1,x,-2\n", "a.csv", "line 2: the popularity must"),
        ('{"id": [1], "title": "x"}\n', "a.jsonl", "line 1: the id must be text"),
        ('{"id": 1, "title": "x", "creator": {}}\n', "a.jsonl", "creator must be"),
        ('id,title\n1,ok\n2,"The Hunger\n3,Dune\n', "a.csv",
         r'line 3: a quote \("\) opened here is never closed'),
        ('id,title\n1,"The" End\n', "a.csv", "line 2: not valid CSV"),
        ("id,title\n1,Hello, World\n", "a.csv", "line 2: 3 fields but the header"),
    ],
)  # fmt: skip
def test_bad_catalog_files_are_clear_errors(
    tmp_path: Path, content: str, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CatalogError, match=message) as caught:
        read_items(path)
    assert str(caught.value).startswith(f"{path}")  # the message names the file


def test_a_gz_file_that_is_not_gzip_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "books.csv.gz"
    plain.write_text("id,title\n1,Dune\n")
    with pytest.raises(CatalogError, match=r"books\.csv\.gz is not a gzip file"):
        read_items(plain)
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(b'{"id": "g1", "title": "Tetris"}\n'))
    assert [item.key for item in read_items(packed, kind="game")] == ["game:g1"]


def test_id_zero_long_descriptions_and_edge_years_are_kept(tmp_path: Path) -> None:
    jsonl = tmp_path / "zero.jsonl"
    jsonl.write_text(
        '{"id": 0, "title": "Zero", "year": -5000, "tags": ["a", 7]}\n'
        '{"id": 1, "title": 1984, "year": "3000", "popularity": 0}\n'
    )
    long = "word " * 60_000  # 300 KB, over the csv module's default field limit
    csv_file = tmp_path / "long.csv"
    csv_file.write_text(f'id,title,description\n1,Long,"{long}"\n\n2,Short,\n')

    zero, year_1984 = read_items(jsonl)
    assert (zero.key, zero.year, zero.tags) == ("book:0", -5000, ("a", "7"))
    assert (year_1984.title, year_1984.year) == ("1984", 3000)
    items = read_items(csv_file)
    assert items[0].description == long.strip()
    assert [item.key for item in items] == ["book:1", "book:2"]


def test_duplicate_ids_in_a_file_keep_the_first_row_and_are_listed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text(
        "id,title,kind\n1,First,book\n2,Other,book\n1,Second,book\n1,Film,film\n"
    )
    found = read_catalog(path)
    assert [(i.key, i.title) for i in found.items] == [
        ("book:1", "First"),
        ("book:2", "Other"),
        ("film:1", "Film"),  # another kind: another item
    ]
    assert found.duplicates == [Duplicate(line=4, key="book:1", first_line=2)]


def test_ratings_files_and_their_errors(tmp_path: Path) -> None:
    good = tmp_path / "r.csv"
    good.write_text("user,item,rating\nann,1,5\nbob,2,\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("user,item,rating\nann,1,nine\n")

    assert read_ratings(good) == [("ann", "1", 5.0), ("bob", "2", 5.0)]
    with pytest.raises(CatalogError, match="line 2: the rating 'nine'"):
        read_ratings(bad)
    with pytest.raises(CatalogError, match="Cannot read"):
        read_ratings(tmp_path / "missing.csv")
    zero = tmp_path / "zero.jsonl"
    zero.write_text('{"user": 0, "item": 0, "rating": 4}\n')
    assert read_ratings(zero) == [("0", "0", 4.0)]


@pytest.mark.parametrize(
    ("text", "kind", "seed", "topic", "count"),
    [
        ("recommend a book", "book", None, "", 5),
        ("something like The Hobbit", None, "the hobbit", "", 5),
        ("a short sci-fi novel", "book", None, "short science fiction", 5),
        ("recommend a film", "film", None, "", 5),
        ("give me three book recommendations", "book", None, "", 3),
        ("what should I have for dinner", "meal", None, "", 5),
        # the words of the seed title name no kind (or count)
        ("something like The Hunger Games", None, "the hunger games", "", 5),
        ("a film like The Hunger Games", "film", "the hunger games", "", 5),
        ("something like the hobbit books", "book", "the hobbit", "", 5),
        ("three books like Two Games Of Chess", "book", "two games of chess", "", 3),
    ],
)
def test_requests_are_read(
    text: str, kind: str | None, seed: str | None, topic: str, count: int
) -> None:
    request = parse_request(text)
    assert (request.kind, request.seed, request.topic, request.count) == (
        kind,
        seed,
        topic,
        count,
    )


def test_the_kind_of_a_request_with_a_loved_title_ignores_the_title() -> None:
    text = "I loved The Hunger Games, recommend something similar"
    assert request_kind(text, title="the hunger games") is None
    assert request_kind("I loved Dune, any films like it", title="dune") == "film"


def test_references_to_the_last_suggestion() -> None:
    assert parse_request("more like the last one").like_last
    assert parse_request("something like that").like_last
    assert parse_request("not that one").another


@pytest.mark.parametrize(
    ("text", "target", "value", "stars", "avoid"),
    [
        ("I loved Dune", "dune", 1.0, None, None),
        ("rate The Road 2 stars", "the road", -0.5, 2, None),
        ("give the martian five stars", "the martian", 1.0, 5, None),
        ("rate breaking bad 10 out of 10", "breaking bad", 1.0, 5, None),
        ("not into horror", "horror", -1.0, None, "horror"),
        ("I hated that one", None, -1.0, None, None),
        ("that book was boring", None, -1.0, None, None),
        ("The Expanse was brilliant", "the expanse", 1.0, None, None),
    ],
)
def test_opinions_are_read(
    text: str, target: str | None, value: float, stars: int | None, avoid: str | None
) -> None:
    opinion = parse_opinion(text)
    assert opinion is not None
    assert (opinion.target, opinion.value, opinion.stars, opinion.avoid) == (
        target,
        value,
        stars,
        avoid,
    )


def test_already_read_is_not_an_opinion_but_is_remembered() -> None:
    opinion = parse_opinion("I have already read that one")
    assert opinion is not None
    assert opinion.seen and opinion.target is None
    assert parse_opinion("what time is it") is None


def _clustered(count: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, 32)).astype(np.float32)
    data = centres[rng.integers(0, 50, count)] + 0.4 * rng.standard_normal(
        (count, 32)
    ).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def test_small_catalogs_get_an_exact_index_and_large_ones_ivf() -> None:
    data = _clustered(3000)
    exact = VectorIndex.build(data)
    approximate = VectorIndex.build(data, approximate_from=1000)

    assert not exact.approximate and approximate.approximate
    assert not exact.on_gpu  # no GPU build of FAISS on the test machines
    queries = data[:50]
    truth = np.argsort(-(queries @ data.T), axis=1)[:, :10]
    found_exact = exact.search(queries, 10)[1]
    found_approx = approximate.search(queries, 10)[1]
    assert (found_exact == truth).mean() > 0.99
    overlap = np.mean(
        [len(set(a) & set(t)) / 10 for a, t in zip(found_approx, truth, strict=True)]
    )
    assert overlap >= 0.9


def test_the_index_is_saved_and_loaded_with_the_same_results(tmp_path: Path) -> None:
    data = _clustered(2000)
    index = VectorIndex.build(data, approximate_from=1000)
    path = tmp_path / "sub" / "items.faiss"
    index.save(path)
    again = VectorIndex.load(path)

    assert again.size == 2000 and again.approximate
    assert np.array_equal(index.search(data[:5], 7)[1], again.search(data[:5], 7)[1])
    assert [p.name for p in path.parent.iterdir()] == ["items.faiss"]


def test_a_damaged_index_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.faiss"
    path.write_bytes(b"not an index")
    with pytest.raises(Exception, match="Delete it"):
        VectorIndex.load(path)


def test_mmr_spreads_the_list_over_clusters() -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal((3, 16))
    vectors = np.vstack([base[0] + 0.01 * rng.standard_normal((5, 16)), base[1:]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    relevance = np.array([1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.0])

    by_relevance = mmr(np.arange(7), relevance, vectors, count=2, balance=1.0)
    varied = mmr(np.arange(7), relevance, vectors, count=2, balance=0.5)

    assert by_relevance == [0, 1]
    assert varied == [0, 5]


def test_als_folds_a_new_user_into_the_taste_of_similar_users() -> None:
    rng = np.random.default_rng(1)
    users, items, ratings = [], [], []
    for user in range(60):  # two groups: items 0-9 and items 10-19
        group = user % 2
        for item in rng.choice(10, 6, replace=False) + 10 * group:
            users.append(user)
            items.append(item)
            ratings.append(5)
    matrix = positives_matrix(
        np.array(users), np.array(items), np.array(ratings), (60, 20)
    )
    settings = AlsSettings(factors=4, regularization=0.1)
    factors = fit_item_factors(matrix, settings)

    user = fold_in(factors, {12: 2.0, 15: 2.0}, settings)
    scores = factors @ user

    unseen_same_group = [i for i in range(10, 20) if i not in (12, 15)]
    assert scores[unseen_same_group].mean() > scores[0:10].mean() + 0.2


def test_the_hybrid_query_adds_content_and_collaborative_scores() -> None:
    content = _clustered(20)
    factors = np.random.default_rng(2).standard_normal((20, 8)).astype(np.float32)
    factors[5:] = 0  # rows 5.. have no ratings
    model = HybridModel(content, factors, np.arange(20.0), weights=Weights())

    query = model.item_query(0)
    split = content.shape[1]
    expected = (
        Weights().content * content @ query[:split] / np.sqrt(Weights().content)
        + np.sqrt(Weights().collab) * factors @ query[split:]
    )
    assert np.allclose(model.matrix @ query, expected, atol=1e-5)
    assert np.argmax(model.popularity) == 19


def test_int8_content_vectors_keep_their_cosines() -> None:
    data = _clustered(100)
    again = dequantise(quantise(data))
    assert np.abs((again * data).sum(axis=1) - 1).max() < 2e-3
