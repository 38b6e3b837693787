package dev.tier0.milvus;

import io.milvus.common.utils.Float16Utils;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** FP16 encoding shared by rows and queries, so both sides use the SDK's own conversion and byte order. */
final class Float16Vectors {
    private Float16Vectors() {
    }

    static ByteBuffer toFp16Buffer(float[] vector) {
        List<Float> boxed = new ArrayList<>(vector.length);
        for (float f : vector) {
            boxed.add(f);
        }
        ByteBuffer buffer = Float16Utils.f32VectorToFp16Buffer(boxed);
        buffer.rewind();
        return buffer;
    }
}
