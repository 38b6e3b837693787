package dev.tier0.embed;

/** IEEE 754 binary16 to binary32, exact for every half value (Java 17 has no Float.float16ToFloat). */
final class HalfFloat {
  private HalfFloat() {}

  static float toFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) {
      // infinity or NaN: keep the payload
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal half: mantissa * 2^-24, exactly representable as a normal float
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  static float[] toFloats(java.nio.ShortBuffer buffer) {
    float[] out = new float[buffer.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = toFloat(buffer.get(buffer.position() + i));
    }
    return out;
  }
}
