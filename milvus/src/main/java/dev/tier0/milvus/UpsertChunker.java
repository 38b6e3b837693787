package dev.tier0.milvus;

import java.util.ArrayList;
import java.util.List;

/** Splits checked rows into requests whose estimated size stays under a byte budget (the server limit is 64 MB). */
final class UpsertChunker {
    private UpsertChunker() {
    }

    /** The rows in their order, cut into consecutive requests; a row over the budget travels alone. */
    static List<List<RowEncoder.Row>> chunk(List<RowEncoder.Row> rows, int maxRequestBytes) {
        List<List<RowEncoder.Row>> chunks = new ArrayList<>();
        List<RowEncoder.Row> current = new ArrayList<>();
        long currentBytes = 0;
        for (RowEncoder.Row row : rows) {
            if (!current.isEmpty() && currentBytes + row.encodedBytes() > maxRequestBytes) {
                chunks.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(row);
            currentBytes += row.encodedBytes();
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
