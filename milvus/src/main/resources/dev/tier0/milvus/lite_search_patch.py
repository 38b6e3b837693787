# tier0: a faster dense-search executor for milvus-lite 3.2.2, installed by MilvusLite's launch script.
#
# milvus-lite's execute_search_with_index (search/executor_indexed.py, Apache-2.0) decides which rows are live on
# every search with two Python loops over every stored row: a dict of the newest seq per primary key across all
# segments, then per row a dict lookup and a tombstone check. At 100k rows that was ~95 % of a search's time
# (cProfile: 17.1 s of 28.3 s in _build_local_mask, 8.4 s in _update_max_seqs, 0.03 s in FAISS HNSW), so search
# cost grew linearly with the collection however good the index. Segments are immutable, so the part of that
# answer that depends on segments alone is computed once per set of segments and cached here; each search then
# pays only for what changes between flushes: the memtable's rows (bounded by its size) and the tombstones.
# Results are the same rows in the same order as the original (MilvusLiteSearchPatchIT compares the two on one
# data directory); every other step of the function below is the original's.
#
# The memtable's reads are replaced too (MemTable.to_search_snapshot, active_record_snapshots, _row_to_dict). The
# original converts the memtable's rows cell by cell (pyarrow scalar .as_py()) on every search, query and delete by
# filter: under the soak's ingest (issue 15), py-spy put 55 % of the server's CPU there, ahead of everything else.
# A memtable's record batches are never changed once appended (the memtable is replaced at each flush), so each
# column of each batch is converted once, as a whole, and kept with the memtable; the dense vectors as one numpy
# array. The rows, their order and their values are the original's (MilvusLiteSearchPatchIT).
#
# And the keyword (BM25) search, Collection._search_sparse, loops over every stored row on each search to find the
# newest version of each primary key and again to mark the live rows: its copy below takes both from the same cached
# segment set as the dense executor (the keyword half of every hybrid search paid it too).
# And a flush takes its table of live rows from the memtable's batches with Arrow instead of cell by cell.
import threading
from typing import Any, List, Optional, Tuple

import numpy as np

import pyarrow as pa

from milvus_lite.index.brute_force import BruteForceIndex
from milvus_lite.engine.collection import ALL_PARTITIONS
from milvus_lite.engine.projection import build_projection_plan, project_record
from milvus_lite.storage.memtable import MemTable
from milvus_lite.search import executor_indexed

PATCHED_VERSION = "3.2.2"
INSTALLED = "tier0: search executor installed (milvus-lite " + PATCHED_VERSION + ")"
_CACHE_SIZE = 8
_cache = {}  # tuple(id(segment)) -> _SegmentSet; holds the segments so their ids are not reused
_cache_lock = threading.Lock()


class _SegmentSet:
    """For one list of segments: per segment, which rows hold the newest seq of their pk among these segments
    (a bool array), and for each pk the (seq, segment index, row) of that newest row."""

    def __init__(self, segments):
        self.segments = list(segments)
        self.winner = {}
        for s, seg in enumerate(self.segments):
            for row, (pk, seq) in enumerate(zip(seg.pks, np.asarray(seg.seqs).tolist())):
                best = self.winner.get(pk)
                if best is None or seq > best[0]:
                    self.winner[pk] = (seq, s, row)
        self.latest = [np.zeros(seg.num_rows, dtype=bool) for seg in self.segments]
        for seq, s, row in self.winner.values():
            self.latest[s][row] = True


def _segment_set(segments):
    key = tuple(id(seg) for seg in segments)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit.segments, segments)):
            return hit
    built = _SegmentSet(segments)
    with _cache_lock:
        while len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = built
    return built


def execute_search_with_index(query_vectors, segments, memtable, delta_index, top_k, metric_type, pk_field,
                              vector_field, partition_names=None, compiled_filter=None, output_fields=None,
                              indexed_filter_plan=None, project_record_fn=None, search_params=None):
    if query_vectors.ndim == 1:
        query_vectors = query_vectors.reshape(1, -1)
    if query_vectors.dtype != np.float32:
        query_vectors = query_vectors.astype(np.float32, copy=False)
    nq = int(query_vectors.shape[0])
    if nq == 0 or top_k <= 0:
        return [[] for _ in range(nq)]
    partition_filter = set(partition_names) if partition_names else None
    in_scope_segments = [s for s in segments
                         if s.num_rows > 0 and (partition_filter is None or s.partition in partition_filter)]
    mt_pks, mt_seqs, mt_vecs, mt_row_refs, mt_table = memtable.to_search_snapshot(
        vector_field=vector_field, partition_names=partition_names, include_table=compiled_filter is not None)
    if not in_scope_segments and not mt_pks:
        return [[] for _ in range(nq)]

    # -- live rows: the original's global max-seq dedup and tombstones, from the cached segment-only answer --
    cached = _segment_set(in_scope_segments)
    seg_masks = [m.copy() for m in cached.latest]
    mt_seq_list = np.asarray(mt_seqs).tolist() if mt_pks else []
    mt_max = {}
    for pk, seq in zip(mt_pks, mt_seq_list):
        if seq > mt_max.get(pk, -1):
            mt_max[pk] = seq
    for pk, seq in mt_max.items():  # a newer version in the memtable hides the segments' row
        best = cached.winner.get(pk)
        if best is not None and best[0] < seq:
            seg_masks[best[1]][best[2]] = False
    mt_deletes = memtable.delete_index_snapshot()  # {pk: (seq, partition)}
    tombstones = [(pk, seq) for pk, seq in delta_index._map.items()]
    tombstones += [(pk, entry[0]) for pk, entry in mt_deletes.items()]
    for pk, delete_seq in tombstones:
        best = cached.winner.get(pk)
        if best is not None and delete_seq > best[0]:
            seg_masks[best[1]][best[2]] = False
    mt_mask = None
    if mt_pks:
        mt_mask = np.zeros(len(mt_pks), dtype=bool)
        for i, (pk, seq) in enumerate(zip(mt_pks, mt_seq_list)):
            best = cached.winner.get(pk)
            if mt_max[pk] != seq or (best is not None and best[0] > seq) or delta_index.is_deleted(pk, seq):
                continue
            entry = mt_deletes.get(pk)
            if entry is not None and entry[0] > seq:
                continue
            mt_mask[i] = True

    seg_filter_masks = {}
    mt_filter_mask = None
    if compiled_filter is not None:
        from milvus_lite.search.filter import evaluate_mask
        from milvus_lite.search.indexed_filter import evaluate_segment_filter
        for seg in in_scope_segments:
            seg_filter_masks[id(seg)] = evaluate_segment_filter(seg, compiled_filter, indexed_filter_plan)
        if mt_pks and mt_table is not None:
            mt_filter_mask = evaluate_mask(compiled_filter, mt_table)

    per_query_candidates = [[] for _ in range(nq)]
    sources = []

    def _recall_source(source_idx, live, vectors, filter_mask, index):
        local_mask = live if filter_mask is None else live & filter_mask.astype(bool)
        if len(local_mask) == 0 or not local_mask.any():
            return
        if index is None:
            index = BruteForceIndex.build(vectors, metric_type)
        local_ids, dists = index.search(query_vectors, top_k, valid_mask=None if local_mask.all() else local_mask,
                                        params=search_params)
        for q in range(nq):
            for j in range(top_k):
                lid = int(local_ids[q, j])
                if lid < 0:
                    break
                per_query_candidates[q].append((float(dists[q, j]), source_idx, lid))

    for s, seg in enumerate(in_scope_segments):
        seg_vectors, seg_vector_null_mask = seg.vector_data(vector_field)
        sources.append((seg.pks, seg.seqs, seg_vectors))
        combined_mask = seg_filter_masks.get(id(seg))
        if seg_vector_null_mask is not None:
            combined_mask = seg_vector_null_mask if combined_mask is None else combined_mask & seg_vector_null_mask
        _recall_source(len(sources) - 1, seg_masks[s], seg_vectors, combined_mask, seg.indexes.get(vector_field))
    if mt_pks:
        sources.append((mt_pks, mt_seqs, mt_vecs))
        _recall_source(len(sources) - 1, mt_mask, mt_vecs, mt_filter_mask, None)

    n_segments = len(in_scope_segments)
    if project_record_fn is not None:
        project_entity = project_record_fn
    elif output_fields is None:
        def project_entity(record):
            return {k: v for k, v in record.items() if k != pk_field and k != vector_field}
    else:
        keep = set(output_fields)
        keep.discard(pk_field)

        def project_entity(record):
            return {k: record[k] for k in keep if k in record}

    def _materialize_record(source_idx, local_id):
        if source_idx < n_segments:
            return in_scope_segments[source_idx].row_to_dict(local_id)
        batch_idx, row_idx = mt_row_refs[local_id]
        return memtable.materialize_row(batch_idx, row_idx)

    results = []
    for q in range(nq):
        candidates = per_query_candidates[q]
        candidates.sort(key=lambda c: (c[0], c[1], c[2]))
        per_query = []
        for dist, source_idx, local_id in candidates[:top_k]:
            record = _materialize_record(source_idx, local_id)
            pk = record.get(pk_field) if pk_field in record else sources[source_idx][0][local_id]
            per_query.append({"id": pk, "distance": dist, "entity": project_entity(record)})
        results.append(per_query)
    return results


def _batch_cache(memtable, batch):
    """The converted columns of one of the memtable's batches, kept on the memtable (dropped with it at flush)."""
    caches = memtable.__dict__.setdefault("_tier0_columns", {})
    hit = caches.get(id(batch))
    if hit is None or hit[0] is not batch:
        hit = (batch, {})
        caches[id(batch)] = hit
    return hit[1]


def _column(memtable, batch, name):
    """One column of a batch as a Python list: the values .as_py() gives cell by cell, converted once."""
    cache = _batch_cache(memtable, batch)
    values = cache.get(name)
    if values is None:
        values = batch.column(name).to_pylist()
        cache[name] = values
    return values


def _dense(memtable, batch, name):
    """A float32 fixed-size-list column without nulls as a (rows, dim) array, converted once; None otherwise."""
    cache = _batch_cache(memtable, batch)
    key = ("dense", name)
    if key not in cache:
        column = batch.column(name)
        array = None
        if (pa.types.is_fixed_size_list(column.type) and pa.types.is_float32(column.type.value_type)
                and column.null_count == 0):
            array = column.flatten().to_numpy(zero_copy_only=False).reshape(len(column), column.type.list_size)
        cache[key] = array
    return cache[key]


def _rows(memtable, batch):
    """The batch's rows as the original _row_to_dict makes them (no _seq or _partition, $meta unpacked), made once;
    _row_to_dict hands out copies, so a caller that changes a row's keys changes only its own."""
    cache = _batch_cache(memtable, batch)
    rows = cache.get("rows")
    if rows is None:
        import json
        names = [name for name in batch.schema.names if name not in ("_seq", "_partition")]
        columns = [_column(memtable, batch, name) for name in names]
        rows = []
        for values in zip(*columns):
            result = dict(zip(names, values))
            meta_raw = result.get("$meta")
            if isinstance(meta_raw, str):
                try:
                    meta = json.loads(meta_raw)
                    if isinstance(meta, dict):
                        result.update(meta)
                except (json.JSONDecodeError, ValueError):
                    pass
            elif isinstance(meta_raw, dict):
                result.update(meta_raw)
            rows.append(result)
        cache["rows"] = rows
    return rows


def _row_to_dict(self, batch, row_idx):
    return dict(_rows(self, batch)[row_idx])


def active_record_snapshots(self, partition_names=None):
    out = []
    partition_filter = set(partition_names) if partition_names is not None else None
    with self._lock:
        for pk, (batch_idx, row_idx, seq) in self._pk_index.items():
            batch = self._insert_batches[batch_idx]
            if partition_filter is not None and _column(self, batch, "_partition")[row_idx] not in partition_filter:
                continue
            out.append((pk, seq, self._row_to_dict(batch, row_idx)))
    return out


def to_search_snapshot(self, vector_field, partition_names=None, include_table=False):
    pks = []
    seqs = []
    row_refs = []
    table_indices = []
    offsets = []
    partition_filter = set(partition_names) if partition_names is not None else None
    with self._lock:
        batches = tuple(self._insert_batches)
        if include_table and batches:
            offsets = _row_offsets(batches)
        for pk, (batch_idx, row_idx, seq) in self._pk_index.items():
            if partition_filter is not None and \
                    _column(self, batches[batch_idx], "_partition")[row_idx] not in partition_filter:
                continue
            pks.append(pk)
            seqs.append(seq)
            row_refs.append((batch_idx, row_idx))
            if include_table:
                table_indices.append(offsets[batch_idx] + row_idx)
        vectors_arr = _gather_vectors(self, batches, vector_field, row_refs)

    seqs_arr = np.asarray(seqs, dtype=np.uint64)
    table = None
    if include_table:
        if not table_indices or not batches:
            table = self._data_schema.empty_table()
        else:
            table = pa.Table.from_batches(batches).take(pa.array(table_indices, type=pa.int64()))
            for col_name in ("_partition",):
                if col_name in table.column_names:
                    table = table.drop(col_name)
    return pks, seqs_arr, vectors_arr, row_refs, table


def _row_offsets(batches):
    """Where each batch's rows start in the table of all batches (pa.Table.from_batches), and the total at the end."""
    offsets = [0]
    for batch in batches:
        offsets.append(offsets[-1] + batch.num_rows)
    return offsets


_own_build_data_table = MemTable._build_data_table


def _build_data_table(self, rows):
    """The flush's table of live rows, taken from the batches by Arrow (the original appends cell by cell: 14 % of
    the server's CPU under upserts, py-spy); the original's way when the batches' schemas differ."""
    batches = self._insert_batches
    names = self._data_schema.names
    if (not rows or not batches or any(b.schema != batches[0].schema for b in batches)
            or any(name not in batches[0].schema.names for name in names)):
        return _own_build_data_table(self, rows)
    offsets = _row_offsets(batches)
    indices = pa.array([offsets[b] + r for b, r in rows], type=pa.int64())
    return pa.Table.from_batches(batches).select(names).take(indices).cast(self._data_schema)


def _gather_vectors(memtable, batches, vector_field, row_refs):
    """The (rows, dim) float32 vectors of row_refs, in their order; a null vector reads as zeros (the original's)."""
    if vector_field is None or not row_refs:
        return np.zeros((0, 0), dtype=np.float32)
    refs = np.asarray(row_refs, dtype=np.int64)
    dense = {int(b): _dense(memtable, batches[int(b)], vector_field) for b in np.unique(refs[:, 0])}
    if all(v is not None for v in dense.values()):
        out = np.empty((len(row_refs), next(iter(dense.values())).shape[1]), dtype=np.float32)
        for b, vectors in dense.items():
            rows = np.nonzero(refs[:, 0] == b)[0]
            out[rows] = vectors[refs[rows, 1]]
        return out
    vecs = [_column(memtable, batches[b], vector_field)[r] for b, r in row_refs]
    if any(v is None for v in vecs):
        dim = next((len(v) for v in vecs if v is not None), 0)
        zero = [0.0] * dim
        vecs = [v if v is not None else zero for v in vecs]
    return np.asarray(vecs, dtype=np.float32)


def search_sparse(
    self,
    query_vectors: List,
    vector_field: str,
    top_k: int,
    metric_type: str,
    partition_names: Optional[List[str]],
    expr: Optional[str],
    output_fields: Optional[List[str]],
    timezone: Optional[str] = None,
) -> List[List[dict]]:
    """milvus-lite 3.2.2's Collection._search_sparse (Apache-2.0) with its two loops over every stored row per
    search replaced: which segment rows are live comes from the segment set cached across searches (_segment_set),
    adjusted for what changes between flushes (memtable versions, tombstones). Every other step is the original's."""
    from milvus_lite.analyzer.sparse import bytes_to_sparse
    from milvus_lite.index.sparse_factory import (
        _search_prepared_sparse_index,
        create_sparse_index,
        sparse_index_matches,
    )

    partition_filter = set(partition_names) if partition_names else None
    projection_plan = build_projection_plan(
        output_fields, self._schema, api_kind="search"
    )

    sparse_spec = self._index_specs.get(vector_field)
    index_params = sparse_spec.build_params if sparse_spec else {}

    # Convert query vectors upfront
    query_sparse = self._prepare_sparse_queries(query_vectors, vector_field)
    nq = len(query_sparse)
    compiled_filter = self._compile_filter(expr, timezone=timezone) if expr else None
    indexed_filter_plan = self._indexed_filter_plan(compiled_filter)

    # Per-source candidates: (distance, global_pk, source_ref)
    Candidate = Tuple[float, Any, Any]  # (dist, pk, (tbl, row_idx))
    per_query_candidates: List[List[Candidate]] = [[] for _ in range(nq)]

    # Read snapshot — keeps segment cache and tombstones from crossing
    # compaction / tombstone-GC generations.
    seg_snapshot, delta_snap = self._read_snapshot()
    mt_deletes = self._memtable.delete_index_snapshot()

    # ── tier0: live segment rows from the cached segment set, not a loop over every row ──
    cached = _segment_set(seg_snapshot)
    live = [mask.copy() for mask in cached.latest]
    for pk, (_, _, seq) in self._memtable.pk_index_snapshot():  # a newer version in the memtable hides it
        best = cached.winner.get(pk)
        if best is not None and best[0] < seq:
            live[best[1]][best[2]] = False
    for pk, delete_seq in delta_snap._map.items():
        best = cached.winner.get(pk)
        if best is not None and delete_seq > best[0]:
            live[best[1]][best[2]] = False
    for pk, (delete_seq, delete_partition) in mt_deletes.items():
        best = cached.winner.get(pk)
        if (best is not None and delete_seq > best[0]
                and delete_partition in (ALL_PARTITIONS, cached.segments[best[1]].partition)):
            live[best[1]][best[2]] = False

    # ── Per-segment search (cached indexes) ──────────────────
    for s, seg in enumerate(seg_snapshot):
        if partition_filter is not None:
            if seg.partition not in partition_filter:
                continue
        table = seg.table
        if table is None or len(table) == 0:
            continue

        # Build or reuse cached sparse index for this segment
        cached_idx = seg.sparse_indexes.get(vector_field)
        if not sparse_index_matches(cached_idx, metric_type, index_params):
            sparse_batch = table.column(vector_field).to_pylist()
            sparse_vecs = [
                bytes_to_sparse(r) if isinstance(r, bytes) else (r or {})
                for r in sparse_batch
            ]
            cached_idx = create_sparse_index(metric_type, index_params)
            cached_idx.build(sparse_vecs)  # no valid_mask — full segment
            seg.sparse_indexes[vector_field] = cached_idx

        pks = seg.pks
        valid_mask = live[s]

        # Apply scalar filter
        if compiled_filter is not None:
            from milvus_lite.search.indexed_filter import evaluate_segment_filter
            valid_mask = valid_mask & evaluate_segment_filter(
                seg, compiled_filter, indexed_filter_plan,
            )

        if not valid_mask.any():
            continue

        # Search this segment's cached index
        local_ids, dists = _search_prepared_sparse_index(
            cached_idx, query_sparse, top_k, valid_mask=valid_mask,
        )
        for qi in range(nq):
            for j in range(top_k):
                lid = int(local_ids[qi, j])
                if lid < 0:
                    break
                per_query_candidates[qi].append(
                    (float(dists[qi, j]), pks[lid], (table, lid))
                )

    # ── Memtable search (rebuilt each time — small + mutable) ─
    mt = self._memtable
    mt_pks: list = []
    mt_sparse: list = []
    mt_refs: list = []
    for pk, seq, record in mt.active_record_snapshots(
        partition_names=partition_names
    ):
        best = cached.winner.get(pk)
        if delta_snap.is_deleted(pk, seq) or (best is not None and best[0] > seq):
            continue
        raw = record.get(vector_field)
        mt_pks.append(pk)
        mt_sparse.append(
            bytes_to_sparse(raw) if isinstance(raw, bytes) else (raw or {})
        )
        mt_refs.append((record, seq))

    if mt_pks:
        mt_valid = np.ones(len(mt_pks), dtype=bool)

        if compiled_filter is not None:
            from milvus_lite.search.filter.eval.python_backend import _eval_row
            for i in range(len(mt_pks)):
                if mt_valid[i]:
                    record, _seq = mt_refs[i]
                    if not _eval_row(compiled_filter.ast, record):
                        mt_valid[i] = False

        mt_idx = create_sparse_index(metric_type, index_params)
        mt_idx.build(mt_sparse, valid_mask=mt_valid)
        local_ids, dists = _search_prepared_sparse_index(mt_idx, query_sparse, top_k)
        for qi in range(nq):
            for j in range(top_k):
                lid = int(local_ids[qi, j])
                if lid < 0:
                    break
                per_query_candidates[qi].append(
                    (float(dists[qi, j]), mt_pks[lid], mt_refs[lid])
                )

    # ── Global merge + dedup + materialize ────────────────────
    # Dedup: if same pk appears from segment + memtable, keep
    # the one with the highest seq (latest version).
    def _is_memtable_sparse_ref(source: Any) -> bool:
        return isinstance(source, tuple) and bool(source) and isinstance(source[0], dict)

    results: List[List[dict]] = []
    for qi in range(nq):
        candidates = per_query_candidates[qi]
        # First, deduplicate by pk keeping the latest version (highest seq).
        pk_best: dict = {}  # pk → (dist, pk, (tbl, row_i))
        for cand in candidates:
            dist, pk, source = cand
            if _is_memtable_sparse_ref(source):
                _record, seq = source
                seq = int(seq)
            else:
                tbl, row_i = source
                seq = int(tbl.column("_seq")[row_i].as_py())
            if pk not in pk_best or seq > pk_best[pk][0]:
                pk_best[pk] = (seq, cand)
        deduped = [v[1] for v in pk_best.values()]
        # Sort by distance ascending (smaller = better)
        deduped.sort(key=lambda c: c[0])
        hits: list = []
        for dist, pk, source in deduped:
            # Deferred materialization
            entity = {}
            if _is_memtable_sparse_ref(source):
                source, _seq = source
                entity = project_record(
                    source, self._schema, projection_plan
                )
            else:
                tbl, row_i = source
                record = {
                    name: tbl.column(name)[row_i].as_py()
                    for name in tbl.column_names
                    if name not in ("_seq", "_partition")
                }
                entity = project_record(
                    record, self._schema, projection_plan
                )
            hits.append({"id": pk, "distance": dist, "entity": entity})
            if len(hits) >= top_k:
                break
        results.append(hits)

    return results


def install():
    """Replaces the executor where milvus-lite's collection module calls it; only on the version it was written
    for (another version keeps its own executor, and says so on stderr)."""
    import sys
    from importlib.metadata import version
    found = version("milvus-lite")
    if found != PATCHED_VERSION:
        print(f"tier0: milvus-lite {found} is not {PATCHED_VERSION}: its own search executor is kept",
              file=sys.stderr)
        return False
    from milvus_lite.engine import collection
    executor_indexed.execute_search_with_index = execute_search_with_index
    collection.execute_search_with_index = execute_search_with_index
    MemTable._row_to_dict = _row_to_dict
    MemTable.active_record_snapshots = active_record_snapshots
    MemTable.to_search_snapshot = to_search_snapshot
    MemTable._build_data_table = _build_data_table
    collection.Collection._search_sparse = search_sparse
    print(INSTALLED, file=sys.stderr, flush=True)
    return True
