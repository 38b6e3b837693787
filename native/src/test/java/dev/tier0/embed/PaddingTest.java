package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PaddingTest {

  @Test
  void rightPaddingUsesTheSpecPadIdAndMasksThePads() {
    PaddedBatch b = PaddedBatch.of(List.of(new long[] {5, 6, 7}, new long[] {8}), 4, ModelSpec.PaddingSide.RIGHT, 151643);
    assertThat(b.inputIds()).containsExactly(5, 6, 7, 151643, 8, 151643, 151643, 151643);
    assertThat(b.attentionMask()).containsExactly(1, 1, 1, 0, 1, 0, 0, 0);
    assertThat(b.positionIds()).containsExactly(0, 1, 2, 0, 0, 0, 0, 0);
  }

  @Test
  void leftPaddingPutsRealTokensLastWithPositionsFromZero() {
    PaddedBatch b = PaddedBatch.of(List.of(new long[] {5, 6, 7}, new long[] {8}), 4, ModelSpec.PaddingSide.LEFT, 9);
    assertThat(b.inputIds()).containsExactly(9, 5, 6, 7, 9, 9, 9, 8);
    assertThat(b.attentionMask()).containsExactly(0, 1, 1, 1, 0, 0, 0, 1);
    assertThat(b.positionIds()).containsExactly(0, 0, 1, 2, 0, 0, 0, 0);
  }

  @Test
  void padLengthPerMode() {
    List<Integer> buckets = List.of(32, 64, 100);
    assertThat(new PadLength(ModelSpec.Padding.FIXED, 100, buckets).forLongest(3)).isEqualTo(100);
    assertThat(new PadLength(ModelSpec.Padding.LONGEST, 100, buckets).forLongest(37)).isEqualTo(37);
    assertThat(new PadLength(ModelSpec.Padding.BUCKETS, 100, buckets).forLongest(33)).isEqualTo(64);
    assertThat(new PadLength(ModelSpec.Padding.BUCKETS, 100, buckets).forLongest(32)).isEqualTo(32);
    assertThat(new PadLength(ModelSpec.Padding.BUCKETS, 100, buckets).forLongest(65)).isEqualTo(100);
    assertThat(new PadLength(ModelSpec.Padding.BUCKETS, 100, buckets).staticLengths()).containsExactly(32, 64, 100);
    assertThat(new PadLength(ModelSpec.Padding.LONGEST, 100, buckets).staticLengths()).isEmpty();
  }

  @Test
  void effectiveBucketsAreThoseBelowMaxLengthPlusMaxLength() {
    ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"dimension\":8,\"outputs\":[\"o\"],\"max_length\":100,"
        + "\"padding\":\"buckets\",\"buckets\":[32,64,128]}");
    assertThat(spec.effectiveBuckets()).containsExactly(32, 64, 100);
  }
}
