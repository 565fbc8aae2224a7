"""The refresh and the vector index type: past ``COPILOT_VECTOR_FLAT_MAX`` the next write is
HNSW, and later refreshes remove stale chunks from it (tombstones) without losing search."""

from pathlib import Path

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.tiny_workspace import make_tiny_workspace

ANN = Principal.user("ann@tiny.example", frozenset({"eng"}))


def _workspace(root: Path, embedder: SentenceTransformerEmbedder, flat_max: int) -> Workspace:
    settings = Settings.load(root).model_copy(update={"vector_flat_max": flat_max})
    ws = Workspace(settings)
    ws.embedder = embedder  # the session's loaded model
    return ws


def test_refresh_converts_past_the_threshold_and_keeps_removing(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    root = make_tiny_workspace(tmp_path / "ws")
    roomy = _workspace(root, embedder, flat_max=10_000)
    roomy.ingest()
    assert roomy.store.load(roomy.catalog.active_version())[0].kind == "flat"

    tight = _workspace(root, embedder, flat_max=2)  # the corpus is now "past" the threshold
    vpn = root / "docs" / "it" / "vpn.md"
    vpn.write_text(vpn.read_text().replace("90 days", "45 days"))
    tight.ingest()
    vectors, _ = tight.store.load(tight.catalog.active_version())
    assert vectors.kind == "hnsw"  # converted on this write
    assert len(vectors) == tight.catalog.counts()["chunks"]

    vpn.write_text(vpn.read_text().replace("45 days", "30 days"))
    tight.ingest()  # removes the old VPN chunks from the HNSW index
    vectors, _ = tight.store.load(tight.catalog.active_version())
    assert vectors.kind == "hnsw" and len(vectors) == tight.catalog.counts()["chunks"]
    top = tight.retriever().search("how often are VPN certificates renewed", ANN, k=1)[0]
    assert "30 days" in top.text
