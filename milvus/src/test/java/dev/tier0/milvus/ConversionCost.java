package dev.tier0.milvus;

import com.google.gson.JsonObject;
import io.milvus.grpc.FieldData;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.utils.DataUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * For the benchmark: CPU time per row to turn memories into an upsert request's columns, tier0's way
 * ({@link RowEncoder} then {@link RowColumns}) against the SDK's ({@code MilvusClientV2.upsert}'s JSON rows and its
 * own conversion), on one thread, no server involved.
 */
public final class ConversionCost {
    private ConversionCost() {
    }

    /** Microseconds per row: {tier0, sdk}, the best of {@code rounds} passes over {@code memories} each. */
    public static double[] microsPerRow(List<StoredMemory> memories, int dimension, int rounds) {
        RowEncoder encoder = new RowEncoder(dimension, VectorType.FLOAT_VECTOR);
        DescribeCollectionResp collection = DescribeCollectionResp.builder().collectionName("c")
                .collectionSchema(new CollectionSpec("c", dimension, VectorType.FLOAT_VECTOR, true).schema()).build();
        double tier0 = Double.MAX_VALUE;
        double sdk = Double.MAX_VALUE;
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            List<RowEncoder.Row> rows = new ArrayList<>(memories.size());
            for (StoredMemory m : memories) {
                rows.add(encoder.encode(m));
            }
            for (FieldData column : RowColumns.of(rows, dimension, VectorType.FLOAT_VECTOR)) {
                sink += column.getSerializedSize();
            }
            long t1 = System.nanoTime();
            List<JsonObject> json = new ArrayList<>(memories.size());
            for (StoredMemory m : memories) {
                json.add(SdkRows.of(encoder.encode(m), VectorType.FLOAT_VECTOR)); // the checks, as tier0's side
            }
            sink += new DataUtils.InsertBuilderWrapper().convertGrpcUpsertRequest(
                    UpsertReq.builder().collectionName("c").data(json).build(), collection).getSerializedSize();
            long t2 = System.nanoTime();
            tier0 = Math.min(tier0, (t1 - t0) / 1e3 / memories.size());
            sdk = Math.min(sdk, (t2 - t1) / 1e3 / memories.size());
        }
        if (sink == 42) {
            System.out.print(""); // keeps the work observable to the JIT
        }
        return new double[] {tier0, sdk};
    }
}
