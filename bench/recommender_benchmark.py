"""The recommender measured: ranking quality on the seeded stores, and the index at scale.

    python -m bench.recommender_benchmark quality [--seeds 7 8 9 10 11]
    python -m bench.recommender_benchmark tune [--seeds 20 21 22 23 24]
    python -m bench.recommender_benchmark scale [--sizes 10000 100000] [--real-upto 10000]

`quality`: leave-last-order-out on demo stores seeded with each seed. Every customer's last order
is held out; co-purchase and popularity are counted over everyone's other orders; each customer's
profile is built from their other orders as of the held-out order's date. Ten products are
recommended under the service's "not already bought" rule (so a held-out product the customer had
bought before cannot count, and a customer whose held-out order holds only such products is left
out); stock is not filtered, as the store's stock is today's, not that of the order's date.
hit@10: share of customers with a held-out product in their ten; NDCG@10 with binary relevance.
95% intervals are bootstrap percentiles over customers. `tune` tries the combined ranking's
weights on other seeds (development stores), so the reported seeds never chose them.

`scale`: catalogs of each size. Up to --real-upto products, vectors are the packaged model's
embeddings of generated product texts (and give the encoding throughput); above it, vectors are
synthetic (unit vectors drawn around random centres), since the index's cost does not depend on
where its vectors came from. Reports the faiss IVF index's build time; its memory (the peak and
final growth of the process's resident memory during the build, sampled from /proc since faiss
allocates outside Python's tracemalloc) and file size; query latency p50/p95 of exact search and
of the index at each --nprobe and at its default; recall@10 of the index against exact search;
and the time to save, load and change one product.

Results go to bench/results/recommender_<kind>.json and are printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import platform
import random
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot.config import VAR_DIR
from bot.recommender import ranking
from bot.recommender.embedding_cache import EmbeddingCache
from bot.recommender.encoder import TextEncoder, load_encoder, model_id
from bot.recommender.faiss_index import FaissIndex
from bot.recommender.filters import Filters
from bot.recommender.history import OrderRecord, load_orders
from bot.recommender.profile import build_profile
from bot.recommender.ranking import Target, Weights
from bot.recommender.signals import store_signals
from bot.recommender.snapshot import Snapshot
from bot.recommender.vector_search import exact_search
from bot.store import demo_catalog as demo
from bot.store.catalog import CatalogItem, active_catalog
from bot.store.db import make_engine, make_session_factory, migrate, session_scope
from bot.store.seed import seed_store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
K = 10
SEED_DAY = datetime(2026, 6, 1)
SYSTEMS: dict[str, Weights] = {
    "popularity": Weights(popularity=1.0),
    "embeddings alone": Weights(semantic=1.0),
    "co-purchase alone": Weights(co_purchase=1.0),
    "profile affinity alone": Weights(affinity=1.0),
    "ours (combined)": ranking.FOR_SHOPPER,
}
T = TypeVar("T")


# --- quality -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    items: list[CatalogItem]
    orders: list[OrderRecord]
    vectors: np.ndarray


def seeded_store(seed: int, encode: TextEncoder) -> Store:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/store.db"
        migrate(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            seed_store(session, seed=seed, today=SEED_DAY)
        with session_scope(sessions) as session:
            items, orders = active_catalog(session), load_orders(session)
        engine.dispose()
    cache = EmbeddingCache(VAR_DIR / "bench" / f"recommender-seed-{seed}", model_id())
    vectors, _ = cache.sync(items, encode)
    return Store(items, orders, vectors)


def ndcg(ranked: Sequence[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, pid in enumerate(ranked[:K]) if pid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal


def leave_last_out(
    store: Store, systems: dict[str, Weights]
) -> dict[str, list[tuple[float, float]]]:
    """(hit@10, NDCG@10) per evaluated customer, for each system."""
    by_customer: dict[int, list[OrderRecord]] = {}
    for order in store.orders:  # oldest first
        by_customer.setdefault(order.customer_id, []).append(order)
    held = {c: orders[-1] for c, orders in by_customer.items() if len(orders) >= 2}
    held_ids = {o.id for o in held.values()}
    train = [o for o in store.orders if o.id not in held_ids]
    snapshot = Snapshot(store.items, store.vectors, store_signals(train), None, SEED_DAY)
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in systems}
    for customer, last in held.items():
        history = [o for o in by_customer[customer] if o.id != last.id]
        profile = build_profile(customer, history, snapshot.by_id, now=last.created_at)
        relevant = set(last.product_ids) - profile.bought
        if not relevant:
            continue
        target = Target(
            vector=ranking.taste_vector(snapshot, profile), anchors=profile.kept_weights
        )
        filters = Filters(in_stock=False, exclude=frozenset(profile.bought))
        for name, weights in systems.items():
            found = ranking.rank(
                snapshot,
                target=target,
                profile=profile,
                filters=filters,
                weights=weights,
                limit=K,
            )
            ranked = [r.item.id for r in found]
            scores[name].append((float(bool(relevant & set(ranked))), ndcg(ranked, relevant)))
    return scores


def interval(values: Sequence[float], rng: np.random.Generator) -> tuple[float, float]:
    samples = rng.choice(np.asarray(values), size=(2000, len(values))).mean(axis=1)
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def run_quality(seeds: Sequence[int]) -> dict:
    encode = load_encoder()
    pooled: dict[str, list[tuple[float, float]]] = {name: [] for name in SYSTEMS}
    per_seed = {}
    for seed in seeds:
        scores = leave_last_out(seeded_store(seed, encode), SYSTEMS)
        per_seed[seed] = {
            name: round(float(np.mean([h for h, _ in rows])), 3) for name, rows in scores.items()
        }
        for name, rows in scores.items():
            pooled[name] += rows
    rng = np.random.default_rng(0)
    systems = {}
    for name, rows in pooled.items():
        hits, gains = [h for h, _ in rows], [g for _, g in rows]
        systems[name] = {
            "hit@10": round(float(np.mean(hits)), 3),
            "hit@10 95%": [round(x, 3) for x in interval(hits, rng)],
            "ndcg@10": round(float(np.mean(gains)), 3),
            "ndcg@10 95%": [round(x, 3) for x in interval(gains, rng)],
        }
    return {
        "seeds": list(seeds),
        "customers_evaluated": len(next(iter(pooled.values()))),
        "systems": systems,
        "hit@10_per_seed": per_seed,
    }


def quality_table(result: dict) -> str:
    lines = [
        f"Leave-last-order-out, seeds {result['seeds']}, "
        f"{result['customers_evaluated']} customers evaluated",
        "",
        "| system | hit@10 (95%) | NDCG@10 (95%) |",
        "|---|---|---|",
    ]
    for name, row in result["systems"].items():
        hit_low, hit_high = row["hit@10 95%"]
        gain_low, gain_high = row["ndcg@10 95%"]
        lines.append(
            f"| {name} | {row['hit@10']:.3f} ({hit_low:.3f}–{hit_high:.3f}) "
            f"| {row['ndcg@10']:.3f} ({gain_low:.3f}–{gain_high:.3f}) |"
        )
    return "\n".join(lines)


def run_tuning(seeds: Sequence[int]) -> dict:
    """Weights of the combined ranking tried on development seeds (never the reported ones)."""
    grid = {
        f"sem {s} co {c} aff {a} pop {p}": Weights(s, c, a, p)
        for s in (0.2, 0.35, 0.5)
        for c in (0.0, 0.1, 0.25)
        for a in (0.35, 0.5, 0.65)
        for p in (0.0, 0.1)
    }
    encode = load_encoder()
    pooled: dict[str, list[tuple[float, float]]] = {name: [] for name in grid}
    for seed in seeds:
        for name, rows in leave_last_out(seeded_store(seed, encode), grid).items():
            pooled[name] += rows
    ranked = sorted(pooled.items(), key=lambda kv: -float(np.mean([g for _, g in kv[1]])))
    return {
        "seeds": list(seeds),
        "best": [
            {
                "weights": name,
                "hit@10": round(float(np.mean([h for h, _ in rows])), 3),
                "ndcg@10": round(float(np.mean([g for _, g in rows])), 3),
            }
            for name, rows in ranked[:10]
        ],
    }


# --- scale ---------------------------------------------------------------------------------


def product_texts(count: int, rng: random.Random) -> list[str]:
    """Product texts shaped like the demo catalog's, as many as asked for."""
    texts = []
    for n in range(count):
        line = rng.choice(demo.PRODUCT_LINES)
        brand, model = rng.choice(line.brands), rng.choice(demo.MODEL_NAMES)
        first, second = rng.sample(line.features, 2)
        title = f"{brand} {model} {n % 97} {line.kind}"
        texts.append(
            f"{title}. {line.category}. {brand}. {first}, {second}. The {model} "
            f"{line.kind.lower()} from {brand}: {first} and {second}. Built for {line.category}."
        )
    return texts


def query_texts(count: int, rng: random.Random) -> list[str]:
    texts = []
    for _ in range(count):
        line = rng.choice(demo.PRODUCT_LINES)
        texts.append(
            f"{rng.choice(line.features)} {line.kind.lower()} in {rng.choice(line.colours)}"
        )
    return texts


def synthetic_vectors(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors drawn around random centres: clustered, like real product embeddings."""
    centres = rng.normal(size=(max(1, count // 100), dim)).astype(np.float32)
    out = np.empty((count, dim), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        chunk = centres[rng.integers(0, len(centres), n)]
        chunk += 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
        out[start : start + n] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def percentiles(timings: Sequence[float]) -> dict[str, float]:
    p50, p95 = np.percentile(np.asarray(timings) * 1000, [50, 95])
    return {"p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def rss_mb() -> float:
    """This process's resident memory."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def settled_rss_mb() -> float:
    """Resident memory once the C heap has handed its free pages back (glibc's malloc_trim), so
    that a later rise is memory newly taken rather than freed memory used again."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def with_peak_rss(work: Callable[[], T]) -> tuple[T, float]:
    """`work`'s result, and how far the resident memory rose above its start while it ran (MB),
    sampled every 10 ms on another thread (faiss lets go of the GIL)."""
    start = peak = settled_rss_mb()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return result, max(peak, rss_mb()) - start


def index_top(index: FaissIndex, nprobe: int, query: np.ndarray) -> np.ndarray:
    return index.search(query, K, nprobe)[0]


def timed_searches(
    search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray
) -> tuple[list[np.ndarray], list[float]]:
    """Each query's top ids, and the seconds each search took."""
    found, times = [], []
    for query in queries:
        start = time.perf_counter()
        found.append(search(query))
        times.append(time.perf_counter() - start)
    return found, times


def run_size(size: int, real_upto: int, encode: TextEncoder | None, nprobes: Sequence[int]) -> dict:
    py_rng, rng = random.Random(size), np.random.default_rng(size)
    row: dict = {"products": size}
    if size <= real_upto and encode is not None:
        texts = product_texts(size, py_rng)
        start = time.perf_counter()
        vectors = encode(texts)
        seconds = time.perf_counter() - start
        row["vectors"] = "real (packaged model)"
        row["encode_texts_per_s"] = round(size / seconds, 1)
        noisy = vectors[rng.choice(size, 150)] + 0.1 * rng.normal(size=(150, vectors.shape[1]))
        queries = np.vstack([encode(query_texts(150, py_rng)), noisy]).astype(np.float32)
    else:
        vectors = synthetic_vectors(size, 384, rng)
        row["vectors"] = "synthetic"
        noisy = vectors[rng.choice(size, 300)] + 0.1 * rng.normal(size=(300, vectors.shape[1]))
        queries = noisy.astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = np.arange(size, dtype=np.int64)
    before = settled_rss_mb()
    start = time.perf_counter()
    index, peak = with_peak_rss(lambda: FaissIndex.build(ids, vectors))
    row["build_s"] = round(time.perf_counter() - start, 2)
    row["build_peak_mb"] = round(peak, 1)
    row["index_mb"] = round(settled_rss_mb() - before, 1)
    row["exact_mb"] = round(vectors.nbytes / 2**20, 1)
    row["cells"] = index.cells
    row["default_nprobe"] = index.nprobe
    exact, times = timed_searches(lambda q: exact_search(vectors, q, K)[0], queries)
    row["exact"] = percentiles(times)
    row["faiss"] = {}
    for nprobe in sorted({*nprobes, index.nprobe}):
        found, times = timed_searches(partial(index_top, index, nprobe), queries)
        recall = np.mean(
            [len(set(e.tolist()) & set(f.tolist())) / K for e, f in zip(exact, found, strict=True)]
        )
        row["faiss"][str(nprobe)] = {**percentiles(times), "recall@10": round(float(recall), 3)}
    with tempfile.TemporaryDirectory() as folder:
        row["save_s"] = round(timed(lambda: index.save(Path(folder))), 2)
        row["file_mb"] = round(sum(f.stat().st_size for f in Path(folder).iterdir()) / 2**20, 1)
        row["load_s"] = round(timed(lambda: FaissIndex.load(Path(folder))), 2)
        changes = []
        for n in range(20):  # one changed product at a time, as a refresh applies them
            start = time.perf_counter()
            index.upsert(np.array([n]), vectors[n : n + 1])
            changes.append(time.perf_counter() - start)
        row["upsert_one_ms"] = round(1000 * float(np.median(changes)), 2)
    return row


def run_scale(sizes: Sequence[int], real_upto: int, nprobes: Sequence[int]) -> dict:
    """Rows for `sizes`, merged into the earlier results (sizes not run keep their rows)."""
    encode = load_encoder() if any(s <= real_upto for s in sizes) else None
    path = RESULTS / "recommender_scale.json"
    earlier = json.loads(path.read_text())["rows"] if path.exists() else []
    rows = {row["products"]: row for row in earlier}
    rows.update({size: run_size(size, real_upto, encode, nprobes) for size in sizes})
    return {"rows": [rows[size] for size in sorted(rows)]}


def scale_table(result: dict) -> str:
    lines = [
        "| products | vectors | build | memory: build peak / after build / file | exact p50 / p95 "
        "| faiss IVF nprobe: p50 / p95, recall@10 | save / load / upsert one |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        probes = "; ".join(
            f"{n}{'*' if int(n) == row['default_nprobe'] else ''}: "
            f"{r['p50_ms']} / {r['p95_ms']} ms, {r['recall@10']}"
            for n, r in row["faiss"].items()
        )
        lines.append(
            f"| {row['products']:,} | {row['vectors']} | {row['build_s']} s ({row['cells']} cells) "
            f"| {row['build_peak_mb']} / {row['index_mb']} / {row['file_mb']} MB "
            f"| {row['exact']['p50_ms']} / {row['exact']['p95_ms']} ms | {probes} "
            f"| {row['save_s']} s / {row['load_s']} s / {row['upsert_one_ms']} ms |"
        )
    lines.append("\n\\* the index's default nprobe")
    encoded = [r for r in result["rows"] if "encode_texts_per_s" in r]
    for row in encoded:
        lines.append(
            f"\nEncoding: {row['encode_texts_per_s']} product texts/s ({row['products']:,} texts)"
        )
    return "\n".join(lines)


def save(kind: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result["machine"] = f"{platform.machine()}, {platform.python_version()}"
    result["date"] = datetime.now().strftime("%Y-%m-%d")
    path = RESULTS / f"recommender_{kind}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    quality = sub.add_parser("quality", help="leave-last-order-out on the seeded stores")
    quality.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10, 11])
    tune = sub.add_parser("tune", help="try ranking weights on development seeds")
    tune.add_argument("--seeds", type=int, nargs="+", default=[20, 21, 22, 23, 24])
    scale = sub.add_parser("scale", help="index build, memory, latency and recall by size")
    scale.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    scale.add_argument("--real-upto", type=int, default=10_000)
    scale.add_argument("--nprobe", type=int, nargs="+", default=[1, 4, 16, 64])
    args = parser.parse_args()
    if args.kind == "quality":
        result = run_quality(args.seeds)
        save("quality", result)
        print(quality_table(result))
    elif args.kind == "tune":
        result = run_tuning(args.seeds)
        save("tuning", result)
        print(json.dumps(result["best"], indent=1))
    else:
        result = run_scale(args.sizes, args.real_upto, args.nprobe)
        save("scale", result)
        print(scale_table(result))


if __name__ == "__main__":
    main()
