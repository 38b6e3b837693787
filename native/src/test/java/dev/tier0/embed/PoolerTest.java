package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tier0.embed.ModelSpec.Pooling;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolerTest {

  @Test
  void meanIgnoresPaddedPositions() {
    // one row, 4 positions, hidden 2; tokens 0 and 1 are real, 2 and 3 padding with large garbage values
    float[] layer = {2, 0, 4, 0, 1000, 1000, -1000, 1000};
    long[] mask = {1, 1, 0, 0};
    // mean over real tokens = (3, 0) -> (1, 0): the padding's values never enter the sum
    assertThat(Pooler.pool(List.of(layer), mask, 1, 4, 2, Pooling.MEAN)[0]).containsExactly(1f, 0f);

    float[] layer2 = {3, 1, 3, 1, 0, 0, 0, 0};
    float[] v = Pooler.pool(List.of(layer2), mask, 1, 4, 2, Pooling.MEAN)[0];
    assertThat(v[0]).isCloseTo((float) (3 / Math.sqrt(10)), within(1e-7f));
  }

  @Test
  void theDivisorIsTheRealTokenCountProvenThroughTheClamp() {
    // L2 normalisation hides a constant divisor, the clamp does not: over 2 real tokens the mean is
    // (100000 -> clamped 65504, 65504) = direction (1, 1); dividing the same sums by the padded length 4 would
    // give (50000, 32752), which is not clamped and points elsewhere.
    float[] layer = {100000, 65504, 100000, 65504, 0, 0, 0, 0};
    long[] mask = {1, 1, 0, 0};
    float[] v = Pooler.pool(List.of(layer), mask, 1, 4, 2, Pooling.MEAN)[0];
    assertThat(v[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-7f));
    assertThat(v[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-7f));
  }

  @Test
  void averagesTheLayersPerTokenBeforePooling() {
    float[] a = {1, 0, 3, 0};
    float[] b = {3, 4, 1, 4};
    long[] mask = {1, 1};
    // per token average: (2,2), (2,2) -> mean (2,2) -> (0.7071, 0.7071)
    float[] v = Pooler.pool(List.of(a, b), mask, 1, 2, 2, Pooling.MEAN)[0];
    assertThat(v[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-7f));
    assertThat(v[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-7f));
  }

  @Test
  void clampsEachComponentToTheFp16RangeBeforeNormalising() {
    float[] layer = {1e9f, 65504f};
    float[] v = Pooler.pool(List.of(layer), new long[] {1}, 1, 1, 2, Pooling.MEAN)[0];
    assertThat(v[0]).isCloseTo(v[1], within(1e-7f)); // 1e9 clamped to 65504: both equal
    float[] negative = Pooler.pool(List.of(new float[] {-1e9f, 65504f}), new long[] {1}, 1, 1, 2, Pooling.MEAN)[0];
    assertThat(negative[0]).isCloseTo(-negative[1], within(1e-7f));
  }

  @Test
  void lastTokenPicksEachRowsLastRealTokenWithRightPadding() {
    // 2 rows x 3 positions x hidden 2; row 0 has 2 real tokens, row 1 has 3
    float[] layer = {1, 0, 0, 1, 9, 9, /* row 1 */ 1, 0, 1, 0, 0, 5};
    long[] mask = {1, 1, 0, 1, 1, 1};
    float[][] v = Pooler.pool(List.of(layer), mask, 2, 3, 2, Pooling.LAST_TOKEN);
    assertThat(v[0]).containsExactly(0f, 1f);
    assertThat(v[1]).containsExactly(0f, 1f);
  }

  @Test
  void lastTokenPicksTheFinalPositionWithLeftPadding() {
    float[] layer = {9, 9, 0, 7, 3, 0, /* row 1 */ 0, 2, 1, 1, 4, 0};
    long[] mask = {0, 1, 1, 1, 1, 1};
    float[][] v = Pooler.pool(List.of(layer), mask, 2, 3, 2, Pooling.LAST_TOKEN);
    assertThat(v[0]).containsExactly(1f, 0f);
    assertThat(v[1]).containsExactly(1f, 0f);
  }

  @Test
  void clsPicksTheFirstRealToken() {
    float[] right = {0, 3, 5, 0, 0, 0};
    assertThat(Pooler.pool(List.of(right), new long[] {1, 1, 0}, 1, 3, 2, Pooling.CLS)[0]).containsExactly(0f, 1f);
    float[] left = {8, 8, 0, 3, 5, 0};
    assertThat(Pooler.pool(List.of(left), new long[] {0, 1, 1}, 1, 3, 2, Pooling.CLS)[0]).containsExactly(0f, 1f);
  }

  @Test
  void mrlTruncationKeepsTheHeadAndRenormalises() {
    float[] v = {0.6f, 0.8f, 0f, 0f};
    float[] head = Pooler.truncate(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2);
    assertThat(head).hasSize(2);
    assertThat(head[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-7f));
    assertThat(Pooler.truncate(v, 4)).isSameAs(v);
  }

  @Test
  void aRowWithoutRealTokensIsAnError() {
    assertThatThrownBy(() -> Pooler.pool(List.of(new float[] {1, 1}), new long[] {0, 0}, 1, 2, 1, Pooling.MEAN))
        .hasMessageContaining("no real token");
  }
}
