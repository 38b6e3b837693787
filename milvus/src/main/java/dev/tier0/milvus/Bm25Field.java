package dev.tier0.milvus;

import io.milvus.common.clientenum.FunctionType;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.CreateCollectionReq.FieldSchema;
import java.util.List;

/**
 * The keyword half of the schema: a SPARSE_FLOAT_VECTOR field that a BM25 function fills from the analyzed
 * {@code text} on every insert (Milvus computes it; tier0 sends only the text), and its inverted index. A
 * collection created before this field existed lacks it and keeps working, for dense searches only.
 */
final class Bm25Field {
    private Bm25Field() {
    }

    static void addTo(CollectionSchema schema) {
        schema.addField(AddFieldReq.builder().fieldName(CollectionSpec.SPARSE)
                .dataType(DataType.SparseFloatVector).build());
        schema.addFunction(CreateCollectionReq.Function.builder().name(CollectionSpec.BM25_FUNCTION)
                .functionType(FunctionType.BM25)
                .inputFieldNames(List.of(CollectionSpec.TEXT))
                .outputFieldNames(List.of(CollectionSpec.SPARSE)).build());
    }

    /**
     * Whether a server can run the BM25 function: Milvus Lite (its version string starts with milvus_lite), and
     * Milvus 2.5 or later. An older server (e.g. PyPI milvus 2.3.5, which bench/milvus-standalone runs) gets
     * dense-only collections; an unreadable version is assumed recent.
     */
    static boolean serverSupports(String serverVersion) {
        if (serverVersion == null || serverVersion.startsWith("milvus_lite")) {
            return true;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v?(\\d+)\\.(\\d+)").matcher(serverVersion);
        if (!m.lookingAt()) {
            return true;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 2 || (major == 2 && minor >= 5);
    }

    static IndexParam index() {
        return IndexParam.builder().fieldName(CollectionSpec.SPARSE).indexName(CollectionSpec.SPARSE)
                .indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX).metricType(IndexParam.MetricType.BM25)
                .build();
    }

    /** Whether an existing collection has the sparse field and a BM25 function filling it from {@code text}. */
    static boolean present(CollectionSchema existing) {
        FieldSchema sparse = existing.getField(CollectionSpec.SPARSE);
        if (sparse == null || sparse.getDataType() != DataType.SparseFloatVector) {
            return false;
        }
        List<CreateCollectionReq.Function> functions = existing.getFunctionList();
        if (functions == null) {
            return false;
        }
        return functions.stream().anyMatch(f -> f.getFunctionType() == FunctionType.BM25
                && f.getInputFieldNames().contains(CollectionSpec.TEXT)
                && f.getOutputFieldNames().contains(CollectionSpec.SPARSE));
    }
}
