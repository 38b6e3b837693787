package dev.tier0.milvus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpsertChunkerTest {

    private static RowEncoder.Row row(int n, int bytes) {
        StoredMemory m = new StoredMemory("m" + n, "t", new float[1], "x", Map.of(), "", 0, n, 0, "");
        return new RowEncoder.Row(m, "x", "", "", "{}", bytes);
    }

    @Test
    void chunksStayUnderTheBudgetAndKeepOrder() {
        Random random = new Random(5);
        List<RowEncoder.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            rows.add(row(i, 100 + random.nextInt(10_000)));
        }
        List<List<RowEncoder.Row>> chunks = UpsertChunker.chunk(rows, 64 * 1024);
        assertThat(chunks.size()).isGreaterThan(1);
        int next = 0;
        for (List<RowEncoder.Row> chunk : chunks) {
            long bytes = 0;
            for (RowEncoder.Row r : chunk) {
                assertThat(r.memory().offset()).isEqualTo(next++);
                bytes += r.encodedBytes();
            }
            assertThat(bytes).isLessThanOrEqualTo(64 * 1024);
        }
        assertThat(next).isEqualTo(1_000);
    }

    @Test
    void anOversizedRowTravelsAlone() {
        List<List<RowEncoder.Row>> chunks = UpsertChunker.chunk(List.of(row(0, 10), row(1, 500), row(2, 10)), 100);
        assertThat(chunks).hasSize(3);
    }
}
