package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpsertChunkerTest {

    private static RowEncoder.EncodedRow row(int n, int bytes) {
        JsonObject o = new JsonObject();
        o.addProperty("n", n);
        return new RowEncoder.EncodedRow(o, bytes);
    }

    @Test
    void chunksStayUnderTheBudgetAndKeepOrder() {
        Random random = new Random(5);
        List<RowEncoder.EncodedRow> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            rows.add(row(i, 100 + random.nextInt(10_000)));
        }
        List<List<JsonObject>> chunks = UpsertChunker.chunk(rows, 64 * 1024);
        assertThat(chunks.size()).isGreaterThan(1);
        int next = 0;
        int index = 0;
        for (List<JsonObject> chunk : chunks) {
            long bytes = 0;
            for (JsonObject o : chunk) {
                assertThat(o.get("n").getAsInt()).isEqualTo(next++);
                bytes += rows.get(index++).encodedBytes();
            }
            assertThat(bytes).isLessThanOrEqualTo(64 * 1024);
        }
        assertThat(next).isEqualTo(1_000);
    }

    @Test
    void anOversizedRowTravelsAlone() {
        List<List<JsonObject>> chunks = UpsertChunker.chunk(List.of(row(0, 10), row(1, 500), row(2, 10)), 100);
        assertThat(chunks).hasSize(3);
    }
}
