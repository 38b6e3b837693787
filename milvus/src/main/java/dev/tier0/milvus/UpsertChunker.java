package dev.tier0.milvus;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Splits encoded rows into requests whose estimated size stays under a byte budget (the server limit is 64 MB). */
final class UpsertChunker {
    private UpsertChunker() {
    }

    static List<List<JsonObject>> chunk(List<RowEncoder.EncodedRow> rows, int maxRequestBytes) {
        List<List<JsonObject>> chunks = new ArrayList<>();
        List<JsonObject> current = new ArrayList<>();
        long currentBytes = 0;
        for (RowEncoder.EncodedRow row : rows) {
            if (!current.isEmpty() && currentBytes + row.encodedBytes() > maxRequestBytes) {
                chunks.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(row.row());
            currentBytes += row.encodedBytes();
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
