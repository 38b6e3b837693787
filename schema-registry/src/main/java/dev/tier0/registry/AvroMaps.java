package dev.tier0.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro data to and from the plain Java shapes a JSON parser produces (Map, List, String, Number, Boolean, null,
 * byte[]), so an Avro record feeds the same field-path mapping as a JSON object.
 *
 * <p>To plain: records and maps become insertion-ordered {@code Map<String,Object>}, arrays {@code List},
 * strings and enum symbols {@code String}, bytes and fixed {@code byte[]} (or {@link BigDecimal} for the decimal
 * logical type), numbers and booleans stay as they are; other logical types (dates, timestamps) stay the numbers
 * Avro encodes, as a JSON producer would send them.
 *
 * <p>To Avro: the reverse under a given schema. Keys the schema does not name are ignored (as Avro's own schema
 * resolution ignores writer fields the reader lacks); a missing field takes its default, or null where the
 * field is nullable; a string field given a Map or List receives it as JSON text (free-form metadata).
 */
public final class AvroMaps {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Conversions.DecimalConversion DECIMAL = new Conversions.DecimalConversion();

  private AvroMaps() {}

  /** A decoded Avro datum (any schema) as plain Java values; a record gives a {@code Map<String,Object>}. */
  public static Object toPlain(Object datum, Schema schema) {
    if (datum == null) {
      return null;
    }
    switch (schema.getType()) {
      case RECORD -> {
        GenericRecord record = (GenericRecord) datum;
        Map<String, Object> map = new LinkedHashMap<>();
        for (Field field : schema.getFields()) {
          map.put(field.name(), toPlain(record.get(field.pos()), field.schema()));
        }
        return map;
      }
      case ARRAY -> {
        Schema items = schema.getElementType();
        List<Object> list = new ArrayList<>();
        for (Object item : (Collection<?>) datum) {
          list.add(toPlain(item, items));
        }
        return list;
      }
      case MAP -> {
        Map<String, Object> map = new LinkedHashMap<>();
        ((Map<?, ?>) datum).forEach((k, v) -> map.put(k.toString(), toPlain(v, schema.getValueType())));
        return map;
      }
      case UNION -> {
        return toPlain(datum, schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)));
      }
      case STRING, ENUM -> {
        return datum.toString();
      }
      case BYTES -> {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
          return DECIMAL.fromBytes(buffer, schema, schema.getLogicalType());
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
      }
      case FIXED -> {
        GenericFixed fixed = (GenericFixed) datum;
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
          return DECIMAL.fromFixed(fixed, schema, schema.getLogicalType());
        }
        return fixed.bytes().clone();
      }
      default -> {
        return datum; // INT, LONG, FLOAT, DOUBLE, BOOLEAN, NULL
      }
    }
  }

  /** A plain map as a record of the given record schema. */
  public static GenericRecord toRecord(Map<String, ?> values, Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("schema " + schema.getFullName() + " is not a record schema");
    }
    return (GenericRecord) toAvro(values, schema, "");
  }

  /** A plain value as an Avro datum of the given schema; a mismatch names the path of the offending value. */
  public static Object toAvro(Object value, Schema schema, String path) {
    return switch (schema.getType()) {
      case RECORD -> record(value, schema, path);
      case UNION -> union(value, schema, path);
      case ARRAY -> {
        if (!(value instanceof Collection<?> items)) {
          throw mismatch(path, "an array", value);
        }
        List<Object> list = new GenericData.Array<>(items.size(), schema);
        int i = 0;
        for (Object item : items) {
          list.add(toAvro(item, schema.getElementType(), path + "[" + i++ + "]"));
        }
        yield list;
      }
      case MAP -> {
        if (!(value instanceof Map<?, ?> map)) {
          throw mismatch(path, "a map", value);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), toAvro(v, schema.getValueType(), path + "." + k)));
        yield out;
      }
      case STRING -> {
        if (value instanceof CharSequence s) {
          yield s.toString();
        }
        if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
          yield jsonText(value, path);
        }
        throw mismatch(path, "a string", value);
      }
      case ENUM -> {
        if (value instanceof CharSequence s && schema.getEnumSymbols().contains(s.toString())) {
          yield new GenericData.EnumSymbol(schema, s.toString());
        }
        throw mismatch(path, "one of " + schema.getEnumSymbols(), value);
      }
      case BYTES -> {
        if (value instanceof BigDecimal d && schema.getLogicalType() instanceof LogicalTypes.Decimal) {
          yield DECIMAL.toBytes(d, schema, schema.getLogicalType());
        }
        if (value instanceof byte[] bytes) {
          yield ByteBuffer.wrap(bytes);
        }
        if (value instanceof ByteBuffer buffer) {
          yield buffer;
        }
        throw mismatch(path, "bytes", value);
      }
      case FIXED -> {
        LogicalType logical = schema.getLogicalType();
        if (value instanceof BigDecimal d && logical instanceof LogicalTypes.Decimal) {
          yield DECIMAL.toFixed(d, schema, logical);
        }
        if (value instanceof byte[] bytes && bytes.length == schema.getFixedSize()) {
          yield new GenericData.Fixed(schema, bytes);
        }
        throw mismatch(path, schema.getFixedSize() + " fixed bytes", value);
      }
      case INT -> {
        if (isIntegral(value) && ((Number) value).longValue() == ((Number) value).intValue()) {
          yield ((Number) value).intValue();
        }
        throw mismatch(path, "an int", value);
      }
      case LONG -> {
        if (isIntegral(value)) {
          yield ((Number) value).longValue();
        }
        throw mismatch(path, "a long", value);
      }
      case FLOAT -> {
        if (value instanceof Number n) {
          yield n.floatValue();
        }
        throw mismatch(path, "a float", value);
      }
      case DOUBLE -> {
        if (value instanceof Number n) {
          yield n.doubleValue();
        }
        throw mismatch(path, "a double", value);
      }
      case BOOLEAN -> {
        if (value instanceof Boolean b) {
          yield b;
        }
        throw mismatch(path, "a boolean", value);
      }
      case NULL -> {
        if (value == null) {
          yield null;
        }
        throw mismatch(path, "null", value);
      }
    };
  }

  private static GenericRecord record(Object value, Schema schema, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      throw mismatch(path, "a " + schema.getName() + " record", value);
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (Field field : schema.getFields()) {
      String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
      Object fieldValue = map.get(field.name());
      if (fieldValue == null && field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
      } else if (fieldValue == null && !isNullable(field.schema())) {
        throw new IllegalArgumentException("field '" + fieldPath + "' is required by the schema and missing");
      } else {
        record.put(field.pos(), toAvro(fieldValue, field.schema(), fieldPath));
      }
    }
    return record;
  }

  /** The first branch that takes the value as it is; failing that, the first that takes it at all. */
  private static Object union(Object value, Schema schema, String path) {
    if (value == null) {
      if (isNullable(schema)) {
        return null;
      }
      throw mismatch(path, "one of " + schema.getTypes(), null);
    }
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() != Schema.Type.NULL && naturalFit(value, branch)) {
        return toAvro(value, branch, path);
      }
    }
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() != Schema.Type.NULL) {
        try {
          return toAvro(value, branch, path);
        } catch (IllegalArgumentException | AvroRuntimeException e) {
          // try the next branch
        }
      }
    }
    throw mismatch(path, "one of " + schema.getTypes(), value);
  }

  private static boolean naturalFit(Object value, Schema branch) {
    return switch (branch.getType()) {
      case STRING -> value instanceof CharSequence;
      case INT -> value instanceof Integer || value instanceof Short || value instanceof Byte;
      case LONG -> value instanceof Long;
      case FLOAT -> value instanceof Float;
      case DOUBLE -> value instanceof Double;
      case BOOLEAN -> value instanceof Boolean;
      case BYTES -> value instanceof byte[] || value instanceof ByteBuffer;
      case RECORD, MAP -> value instanceof Map<?, ?>;
      case ARRAY -> value instanceof Collection<?>;
      default -> false;
    };
  }

  private static boolean isNullable(Schema schema) {
    return schema.getType() == Schema.Type.NULL
        || schema.getType() == Schema.Type.UNION
            && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof java.math.BigInteger && ((java.math.BigInteger) value).bitLength() < 64;
  }

  private static String jsonText(Object value, String path) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("field '" + path + "' cannot be written as JSON text: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException mismatch(String path, String expected, Object value) {
    return new IllegalArgumentException("field '" + (path.isEmpty() ? "<root>" : path) + "' must be " + expected
        + ", was " + (value == null ? "null" : value.getClass().getSimpleName()));
  }
}
