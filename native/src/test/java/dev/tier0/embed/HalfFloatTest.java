package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatTest {

  @Test
  void convertsKnownBitPatternsExactly() {
    assertThat(HalfFloat.toFloat((short) 0x3C00)).isEqualTo(1.0f);
    assertThat(HalfFloat.toFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(HalfFloat.toFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(HalfFloat.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(HalfFloat.toFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);       // smallest subnormal 2^-24
    assertThat(HalfFloat.toFloat((short) 0x03FF)).isEqualTo(6.0975552e-5f);       // largest subnormal
    assertThat(HalfFloat.toFloat((short) 0x0400)).isEqualTo(6.1035156e-5f);       // smallest normal 2^-14
    assertThat(Float.floatToIntBits(HalfFloat.toFloat((short) 0x8000))).isEqualTo(0x80000000); // -0
    assertThat(HalfFloat.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(HalfFloat.toFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(HalfFloat.toFloat((short) 0x7E00)).isNaN();
  }

  @Test
  void everyFiniteHalfRoundTripsThroughAnIndependentDecoding() {
    for (int bits = 0; bits < 0x10000; bits++) {
      int exponent = (bits >>> 10) & 0x1F;
      if (exponent == 0x1F) {
        continue;
      }
      int mantissa = bits & 0x3FF;
      double magnitude = exponent == 0 ? mantissa * Math.pow(2, -24) : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
      double expected = (bits & 0x8000) != 0 ? -magnitude : magnitude;
      assertThat((double) HalfFloat.toFloat((short) bits)).as("bits %04x", bits).isEqualTo(expected);
    }
  }
}
