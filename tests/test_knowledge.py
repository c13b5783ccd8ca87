"""The knowledge base: reading, indexing, FAISS consistency, search and answers."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import EmbeddingSettings, load_settings
from assistant.errors import InputError
from assistant.knowledge import Answerer, KnowledgeBase, index_paths, remove_paths
from assistant.knowledge.chunking import make_passages, split_sentences
from assistant.knowledge.readers import Block, Unreadable, read_blocks
from assistant.knowledge.sources import open_source
from assistant.knowledge.vectors import VectorIndex
from assistant.models.embedder import Embedder
from assistant.storage import Database
from tests.conftest import ROOT
from tests.knowledge_corpus import write_corpus, write_pdf


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real encoder, exported once next to the tests' trained model."""
    where = os.environ.get("ASSISTANT_TEST_CACHE") or ROOT / ".cache" / "test-home"
    return Embedder(EmbeddingSettings(), Path(where) / "cache")


class NarrowEmbedder:
    """The real encoder cut to its first 64 dimensions: another model's width."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.dim = 64
        self.version = "narrow-64"

    def embed(self, texts: Sequence[str]) -> Any:
        vectors = self.inner.embed(texts)[:, :64]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def open_base(home: Path, embedder: Any, **knowledge: Any) -> KnowledgeBase:
    settings = load_settings(home, knowledge=knowledge) if knowledge else None
    settings = settings or load_settings(home)
    return KnowledgeBase(settings, Database(settings.database_path), embedder=embedder)


@pytest.fixture
def base(tmp_path: Path, embedder: Embedder) -> Iterator[KnowledgeBase]:
    opened = open_base(tmp_path / "home", embedder)
    yield opened
    opened.database.close()


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "notes")


# -- reading and cutting -------------------------------------------------------


def test_markdown_keeps_headings_and_lines(notes: Path) -> None:
    blocks = read_blocks(notes / "moving.md", max_bytes=10**6)

    assert blocks[0] == Block(
        "We moved to Lisbon in 2019, after two years in Porto.\n"
        "The flat is near the river, on the third floor.",
        "Our move > Lisbon",
        line=4,
    )
    assert blocks[1].heading == "Our move > Garden layout"
    assert blocks[1].line == 8


def test_html_and_pdf_are_read_with_headings_and_pages(notes: Path) -> None:
    html = read_blocks(notes / "taxes.html", max_bytes=10**6)
    pdf = read_blocks(notes / "boiler.pdf", max_bytes=10**6)

    assert [(b.heading, b.text) for b in html] == [
        ("Tax notes", "The tax refund of 420 euros arrived on the 3rd of June."),
        ("Tax notes > Accountant", "Our accountant is called Jonas Berg."),
    ]
    assert [b.page for b in pdf] == [1, 2]
    assert "Hot Water Ltd" in pdf[0].text


def test_bad_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    write_pdf(tmp_path / "plain.pdf", ["secret plans"])
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "plain.pdf"))
    writer.encrypt("password")
    writer.write(tmp_path / "locked.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")

    for name, reason in [
        ("photo.txt", "binary"),
        ("big.txt", "too big"),
        ("locked.pdf", "encrypted"),
        ("broken.pdf", "not a readable PDF"),
    ]:
        with pytest.raises(Unreadable, match=reason):
            read_blocks(tmp_path / name, max_bytes=2000)


def test_passages_respect_headings_and_cut_long_paragraphs() -> None:
    blocks = [
        Block("Short one.", "A", line=1),
        Block("Short two.", "A", line=3),
        Block("Other heading.", "B", line=5),
        Block(" ".join(f"Sentence number {i} is here." for i in range(60)), "C", 7),
    ]

    passages = make_passages(blocks, max_words=50)

    assert passages[0].text == "Short one.\n\nShort two." and passages[0].line == 1
    assert passages[1].heading == "B"
    long = passages[2:]
    assert len(long) >= 5 and all(len(p.text.split()) <= 50 for p in long)
    assert all(p.text.endswith(".") for p in long)


def test_sentences_split_on_ends_not_abbreviations() -> None:
    assert split_sentences("Dr. Smith came at 5 p.m. on Monday. He left! Why?") == [
        "Dr. Smith came at 5 p.m. on Monday.",
        "He left!",
        "Why?",
    ]


# -- the FAISS index -----------------------------------------------------------


def test_faiss_ids_do_not_shift_after_removal(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(tmp_path, 16)
    index.reset()
    index.add([10, 20, 30, 40, 50], vectors)

    index.remove([20, 40])
    index.save(7)
    again = VectorIndex(tmp_path, 16)

    assert again.load(7)
    for row, identifier in ((0, 10), (2, 30), (4, 50)):
        assert again.search(vectors[row], 1)[0][0] == identifier
        assert np.allclose(again.reconstruct(identifier), vectors[row])
    assert again.size == 3
    assert not VectorIndex(tmp_path, 32).load(7)  # another width is not used


# -- indexing ------------------------------------------------------------------


def test_index_reads_every_kind_and_finds_passages(
    base: KnowledgeBase, notes: Path
) -> None:
    report = index_paths(base, [notes])

    assert len(report.added) == 4 and not report.skipped
    hits = base.search("garden layout", limit=2)
    assert hits[0].heading == "Our move > Garden layout"
    assert hits[0].path == str(notes / "moving.md") and hits[0].line == 8
    assert base.search("who does our accounts", limit=1)[0].path.endswith("taxes.html")
    assert base.search("boiler service", limit=1)[0].page in (1, 2)


def test_reindexing_embeds_only_changes_and_ids_stay(
    base: KnowledgeBase, notes: Path
) -> None:
    index_paths(base, [notes])
    garden = base.search("raised beds", limit=1)[0]

    again = index_paths(base, [notes])
    assert again.passages == 0 and len(again.unchanged) == 4

    (notes / "onboarding.txt").write_text("The onboarding guide moved to the wiki.\n")
    (notes / "taxes.html").unlink()
    changed = index_paths(base, [notes])

    assert changed.updated == [str(notes / "onboarding.txt")]
    assert changed.removed == [str(notes / "taxes.html")]
    assert base.search("tax refund", limit=5, method="keyword") == []
    after = base.search("raised beds", limit=1)[0]
    assert after.passage_id == garden.passage_id
    stored = base.database.query(
        "SELECT vector FROM knowledge_passages WHERE id = ?", (garden.passage_id,)
    )[0]["vector"]
    vectors = base._ready()
    assert np.allclose(
        vectors.reconstruct(garden.passage_id), np.frombuffer(stored, np.float32)
    )


def test_skipped_files_are_reported_and_a_missing_path_is_an_error(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text("# Plants\nThe fern needs shade.\n")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "huge.txt").write_text("lots of words " * 200_000)
    (folder / "image.png").write_bytes(b"\x89PNG")
    base = open_base(tmp_path / "home", embedder, max_file_mb=1)

    report = index_paths(base, [folder])

    assert report.added == [str(folder / "good.md")]
    reasons = dict(report.skipped)
    assert "binary" in reasons[str(folder / "blob.txt")]
    assert "too big" in reasons[str(folder / "huge.txt")]
    with pytest.raises(InputError, match="does not exist"):
        index_paths(base, [tmp_path / "nowhere"])


@contextmanager
def pipe_watch(*pipes: Path) -> Iterator[list[Path]]:
    """Yields the pipes something got stuck reading, and frees the reader.

    A reader blocks in ``open`` until a writer comes; the watch opens the write
    end (which only succeeds while a reader waits) so that a regression fails
    the test instead of hanging it.
    """
    stuck: list[Path] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            for pipe in pipes:
                try:
                    os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    continue  # nobody is reading it: good
                stuck.append(pipe)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield stuck
    finally:
        done.set()
        watcher.join()


def test_pipes_and_devices_are_skipped_without_being_opened(
    base: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "with-pipe"
    folder.mkdir()
    (folder / "good.md").write_text("# Birds\nThe heron nests by the lake.\n")
    pipe = folder / "pipe.txt"
    os.mkfifo(pipe)
    lone = tmp_path / "lone-pipe"
    os.mkfifo(lone)

    with pipe_watch(pipe, lone) as stuck:
        report = index_paths(base, [folder])
        direct = index_paths(base, [lone])
        with pytest.raises(Unreadable, match="not a regular file"):
            read_blocks(pipe, max_bytes=10**6)

    assert stuck == []
    assert report.added == [str(folder / "good.md")]
    assert dict(report.skipped) == {
        str(pipe): "not a regular file (a named pipe), so not read"
    }
    assert dict(direct.skipped) == {
        str(lone): "not a regular file (a named pipe), so not read"
    }
    if Path("/dev/null").exists():
        device = index_paths(base, [Path("/dev/null")])
        assert "not a regular file (a device)" in dict(device.skipped)["/dev/null"]


@pytest.mark.parametrize("change", ["random bytes", "emptied", "a pipe now"])
def test_a_file_that_turns_unreadable_loses_its_passages(
    base: KnowledgeBase, tmp_path: Path, change: str
) -> None:
    folder = tmp_path / "birds"
    folder.mkdir()
    heron = folder / "heron.txt"
    heron.write_text("The grey heron nests in the reeds by the lake.\n")
    (folder / "owl.txt").write_text("The barn owl hunts mice at night.\n")
    index_paths(base, [folder])
    assert base.search("heron nests", limit=1)[0].path == str(heron)

    if change == "random bytes":
        heron.write_bytes(random.Random(7).randbytes(3000))
    elif change == "emptied":
        heron.write_bytes(b"")
    else:
        heron.unlink()
        os.mkfifo(heron)
    with pipe_watch(heron) as stuck:
        report = index_paths(base, [folder])

    assert stuck == []
    assert report.removed == [str(heron)]
    assert "old passages were removed" in dict(report.skipped)[str(heron)]
    assert [d.path for d in base.documents("user")] == [str(folder / "owl.txt")]
    for method in ("dense", "keyword", "rrf"):
        hits = base.search("grey heron nests in the reeds", limit=5, method=method)
        assert all(hit.path != str(heron) for hit in hits), method
    assert base._ready().size == base.passage_count


def test_a_file_turned_binary_is_dropped_when_named_directly(
    base: KnowledgeBase, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Keys\nThe spare key is under the blue flowerpot.\n")
    index_paths(base, [note])
    note.write_bytes(b"\x00\x01\x02" * 50)

    report = index_paths(base, [note])

    assert report.removed == [str(note)] and "binary" in report.skipped[0][1]
    assert base.search("spare key flowerpot", limit=5) == []


def test_a_name_that_is_not_utf8_is_skipped_and_the_rest_indexed(
    base: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "good.txt").write_text("The bicycle lock code is 4812.\n")
    bad = folder / os.fsdecode(b"bad\xffname.txt")
    try:
        bad.write_text("Words nobody can store.\n")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")

    report = index_paths(base, [folder])

    assert report.added == [str(folder / "good.txt")]
    [(shown, reason)] = report.skipped
    assert shown == str(folder) + "/bad\\xffname.txt"  # printable as it is
    assert reason == "its name is not valid UTF-8; rename it"
    assert base.search("bicycle lock code", limit=1)[0].path.endswith("good.txt")


def test_removing_a_path_that_is_not_indexed_says_so(
    tmp_path: Path, embedder: Embedder
) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").symlink_to(embedder.folder.parents[1], target_is_directory=True)
    note = tmp_path / "note.txt"
    note.write_text("The plumber comes on Tuesday.\n")
    first = open_base(home, embedder)
    index_paths(first, [note])
    first.database.close()
    runner = CliRunner()
    command = ["index", "--home", str(home), "--remove", str(tmp_path / "nope")]

    nothing = runner.invoke(app, command)
    both = runner.invoke(app, [*command, "--remove", str(note)])

    assert nothing.exit_code == 0, nothing.output
    assert f"Nothing is indexed at or under {tmp_path / 'nope'}" in nothing.output
    assert "Removed" not in nothing.output
    assert both.exit_code == 0, both.output
    assert "Removed 1 document(s)." in both.output and str(note) in both.output
    assert "Nothing is indexed at or under" in both.output


def test_remove_drops_a_folder(base: KnowledgeBase, notes: Path) -> None:
    index_paths(base, [notes])

    gone = remove_paths(base, [notes / "moving.md"])

    assert gone == [str(notes / "moving.md")]
    assert len(base.documents("user")) == 3
    assert all(h.path != gone[0] for h in base.search("Lisbon garden", limit=10))


def test_a_kill_between_database_and_faiss_is_repaired(
    tmp_path: Path, embedder: Embedder, notes: Path
) -> None:
    home = tmp_path / "home"
    first = open_base(home, embedder)
    index_paths(first, [notes / "moving.md"])
    # The next file reaches the database, then the process dies before the
    # vector index is saved: the file on disk is one generation behind.
    from assistant.knowledge.chunking import Passage

    first.put_document(
        "/elsewhere/late.txt", [Passage("Zebras are striped.", "", 1, None)]
    )
    saved = sorted(p.name for p in (home / "knowledge").iterdir())
    first.database.close()

    second = open_base(home, embedder)
    hits = second.search("striped zebras", limit=1, method="dense")

    assert hits[0].path == "/elsewhere/late.txt"
    assert sorted(p.name for p in (home / "knowledge").iterdir()) != saved
    second.database.close()


def test_a_corrupt_index_file_is_rebuilt(
    tmp_path: Path, embedder: Embedder, notes: Path
) -> None:
    home = tmp_path / "home"
    first = open_base(home, embedder)
    index_paths(first, [notes])
    first.database.close()
    for file in (home / "knowledge").iterdir():
        file.write_bytes(b"garbage")

    second = open_base(home, embedder)

    assert second.search("raised beds", limit=1, method="dense")[0].path.endswith(
        "moving.md"
    )
    second.database.close()


def test_another_embedding_width_rebuilds_with_a_message(
    tmp_path: Path, embedder: Embedder, notes: Path
) -> None:
    home = tmp_path / "home"
    first = open_base(home, embedder)
    index_paths(first, [notes])
    first.database.close()
    settings = load_settings(home)
    messages: list[str] = []

    narrow = KnowledgeBase(
        settings,
        Database(settings.database_path),
        embedder=NarrowEmbedder(embedder),
        notify=messages.append,
    )
    hits = narrow.search("raised beds in the garden", limit=3)

    assert messages and "384-wide" in messages[0] and "64" in messages[0]
    assert any(hit.heading.endswith("Garden layout") for hit in hits)
    assert narrow._ready().dim == 64
    narrow.database.close()


# -- answers -------------------------------------------------------------------


def test_answers_come_from_the_right_sentence(base: KnowledgeBase, notes: Path) -> None:
    index_paths(base, [notes])
    answerer = Answerer(base)

    lisbon = answerer.answer("what year did we move to Lisbon?")
    guide = answerer.answer("who wrote the onboarding guide?")
    refund = answerer.answer("how much was the tax refund?")

    assert lisbon is not None and "2019" in lisbon.sentence
    assert lisbon.hit.heading == "Our move > Lisbon"
    assert guide is not None and "Maria Santos" in guide.sentence
    assert refund is not None and "420 euros" in refund.sentence


def test_unrelated_questions_get_no_answer(base: KnowledgeBase, notes: Path) -> None:
    index_paths(base, [notes])
    answerer = Answerer(base)

    for question in (
        "what is the capital of peru?",
        "how many moons does jupiter have?",
        "who painted the mona lisa?",
    ):
        assert answerer.answer(question) is None, question


def test_feedback_demotes_and_promotes_for_similar_questions(
    base: KnowledgeBase, notes: Path
) -> None:
    index_paths(base, [notes])
    answerer = Answerer(base)
    question = "what year did we move to Lisbon?"
    first = answerer.candidates(question, user="ann", limit=3)
    best, runner_up = first[0], first[1]

    base.add_feedback(
        user="ann",
        question=question,
        passage_id=best.hit.passage_id,
        sentence=best.sentence,
        rating=-1,
    )
    similar = answerer.candidates("which year did we move to Lisbon", user="ann")
    other_user = answerer.candidates(question, user="bob", limit=1)

    assert similar[0].sentence != best.sentence
    assert other_user[0].sentence == best.sentence

    base.add_feedback(
        user="bob",
        question=question,
        passage_id=runner_up.hit.passage_id,
        sentence=runner_up.sentence,
        rating=1,
    )
    promoted = {c.sentence: c.score for c in answerer.candidates(question, user="bob")}
    assert promoted[runner_up.sentence] > runner_up.score + 0.8
    assert promoted[best.sentence] == pytest.approx(best.score)

    base.forget("ann")
    assert answerer.candidates(question, user="ann", limit=1)[0].sentence == (
        best.sentence
    )
    assert (
        base.database.query(
            "SELECT count(*) AS n FROM knowledge_feedback WHERE user = 'ann'"
        )[0]["n"]
        == 0
    )


# -- opening a result's document ------------------------------------------------


def test_a_pdf_source_opens_at_its_page(notes: Path) -> None:
    view = open_source(str(notes / "boiler.pdf"), page=2)
    lines = view.text.splitlines()
    assert "next boiler service" in lines[view.line]
    assert lines[view.line - 2] == "[page 2]"
    assert view.note == ""


def test_an_html_source_opens_at_its_heading(notes: Path) -> None:
    view = open_source(str(notes / "taxes.html"), heading="Tax notes > Accountant")
    lines = view.text.splitlines()
    assert "Jonas Berg" in lines[view.line]
    assert lines[view.line - 2] == "## Tax notes > Accountant"
    assert "<p>" not in view.text


def test_a_builtin_help_page_opens() -> None:
    view = open_source("builtin:commands.md", line=3)
    shipped = ROOT / "assistant" / "knowledge" / "builtin" / "commands.md"
    assert view.text == shipped.read_text() and view.line == 2


def test_a_vanished_or_binary_file_shows_the_indexed_passage(tmp_path: Path) -> None:
    gone = open_source(str(tmp_path / "gone.txt"), line=4, passage="the old text")
    assert (gone.text, gone.line) == ("the old text", 0)
    assert "no longer there" in gone.note

    binary = tmp_path / "data.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    view = open_source(str(binary), passage="indexed words")
    assert view.text == "indexed words" and "cannot be read" in view.note


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("House", level=1)
    document.add_heading("Heating", level=2)
    document.add_paragraph("The heat pump was installed by Nordvarme in 2023.")
    document.add_heading("Insurance", level=2)
    document.add_paragraph("The home insurance renews every April.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "policy"
    table.rows[0].cells[1].text = "HX-4471"
    document.save(str(path))
    return path


def test_word_documents_keep_their_headings(tmp_path: Path) -> None:
    blocks = read_blocks(write_docx(tmp_path / "house.docx"), max_bytes=10**7)

    texts = {block.text: block.heading for block in blocks}
    assert texts["The heat pump was installed by Nordvarme in 2023."] == (
        "House > Heating"
    )
    assert texts["The home insurance renews every April."] == "House > Insurance"
    assert "policy | HX-4471" in texts

    view = open_source(str(tmp_path / "house.docx"), line=blocks[1].line)
    lines = view.text.splitlines()
    assert lines[view.line] == "The home insurance renews every April."
    assert lines[view.line - 2] == "## House > Insurance"


def test_broken_and_encrypted_word_files_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))

    with pytest.raises(Unreadable, match="not a readable Word document"):
        read_blocks(broken, max_bytes=10**7)
    with pytest.raises(Unreadable, match="encrypted"):
        read_blocks(locked, max_bytes=10**7)


def test_a_fake_or_damaged_word_file_gets_a_plain_reason(tmp_path: Path) -> None:
    import zipfile

    fake = tmp_path / "fake.docx"
    fake.write_bytes(random.Random(3).randbytes(2000))
    damaged = tmp_path / "damaged.docx"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")

    for file, reason in ((fake, "not a .docx file"), (damaged, "damaged")):
        with pytest.raises(Unreadable) as refused:
            read_blocks(file, max_bytes=10**7)
        message = str(refused.value)
        assert message.startswith("not a readable Word document") and reason in message
        assert "Package not found" not in message and "xml" not in message.lower()


def test_utf16_text_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    note = tmp_path / "windows.txt"
    note.write_bytes("The spare key is under the blue pot.\n".encode("utf-16"))
    (block,) = read_blocks(note, max_bytes=10**6)
    assert block.text == "The spare key is under the blue pot."
