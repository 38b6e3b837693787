package dev.tier0.milvus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed filter: conditions on metadata keys and on the record timestamp, all AND-combined. Never an expression:
 * keys must match {@link FilterExpressions#KEY_PATTERN}, values are strings, finite numbers or booleans, and
 * {@link FilterExpressions} turns them into escaped literals. Every constructor checks its input and throws
 * {@link InvalidFilterException} with the reason (unknown type, mixed types in one list, an over-long list, a
 * range on a non-number, an empty range).
 *
 * @param conditions  metadata conditions, in order (the expression sorts them)
 * @param time        a range on the record timestamp ({@code source_timestamp}, epoch ms), or null
 */
public record MetadataFilter(List<Condition> conditions, TimeRange time) {
    /** The longest {@code in} list: a filter is a handful of values, not a join. */
    public static final int MAX_IN_VALUES = 64;
    /** The most conditions in one filter. */
    public static final int MAX_CONDITIONS = 16;
    /** The longest string value, in characters: the text cap (requests have a tighter one of their own). */
    public static final int MAX_STRING_CHARS = CollectionSpec.TEXT_MAX_LENGTH;

    public static final MetadataFilter NONE = new MetadataFilter(List.of(), null);

    public MetadataFilter {
        conditions = List.copyOf(conditions);
        if (conditions.size() > MAX_CONDITIONS) {
            throw new InvalidFilterException("the filter has " + conditions.size() + " conditions, over the limit of "
                    + MAX_CONDITIONS);
        }
    }

    /** Metadata equality on strings: the filter of the previous request version. */
    public static MetadataFilter ofStrings(Map<String, String> equalities) {
        if (equalities == null || equalities.isEmpty()) {
            return NONE;
        }
        List<Condition> conditions = new ArrayList<>();
        equalities.forEach((k, v) -> conditions.add(new Equals(k, v)));
        return new MetadataFilter(conditions, null);
    }

    public boolean isEmpty() {
        return conditions.isEmpty() && time == null;
    }

    /** One condition on one metadata key. */
    public sealed interface Condition permits Equals, In, Range {
        String key();
    }

    /** {@code metadata[key] == value}; value is a String, a finite Number or a Boolean. */
    public record Equals(String key, Object value) implements Condition {
        public Equals {
            checkKey(key);
            value = checkValue(key, value);
        }
    }

    /** {@code metadata[key]} equals one of the values, all of one type (strings, numbers or booleans). */
    public record In(String key, List<Object> values) implements Condition {
        public In {
            checkKey(key);
            if (values == null || values.isEmpty()) {
                throw new InvalidFilterException("'in' for '" + key + "' needs at least one value");
            }
            if (values.size() > MAX_IN_VALUES) {
                throw new InvalidFilterException("'in' for '" + key + "' has " + values.size()
                        + " values, over the limit of " + MAX_IN_VALUES);
            }
            List<Object> checked = new ArrayList<>(values.size());
            String type = null;
            for (Object v : values) {
                Object c = checkValue(key, v);
                String t = typeName(c);
                if (type != null && !type.equals(t)) {
                    throw new InvalidFilterException("'in' for '" + key + "' mixes " + type + " and " + t
                            + " values; use one type");
                }
                type = t;
                checked.add(c);
            }
            values = List.copyOf(checked);
        }
    }

    /** A numeric range on {@code metadata[key]}; null bounds are open; at least one bound. */
    public record Range(String key, BigDecimal gt, BigDecimal gte, BigDecimal lt, BigDecimal lte)
            implements Condition {
        public Range {
            checkKey(key);
            if (gt == null && gte == null && lt == null && lte == null) {
                throw new InvalidFilterException("range for '" + key + "' has no bound");
            }
        }
    }

    /** Epoch-millisecond bounds on the record timestamp; null bounds are open; at least one bound. */
    public record TimeRange(Long gt, Long gte, Long lt, Long lte) {
        public TimeRange {
            if (gt == null && gte == null && lt == null && lte == null) {
                throw new InvalidFilterException("time range has no bound");
            }
        }
    }

    static void checkKey(String key) {
        if (key == null || !FilterExpressions.KEY_PATTERN.matcher(key).matches()) {
            throw new InvalidFilterException("filter key must match " + FilterExpressions.KEY_PATTERN.pattern() + ": "
                    + abbreviate(key));
        }
    }

    /** Strings (capped), booleans and finite numbers (as BigDecimal); anything else is refused with the reason. */
    static Object checkValue(String key, Object value) {
        if (value instanceof String s) {
            if (s.length() > MAX_STRING_CHARS) {
                throw new InvalidFilterException("filter value for '" + key + "' is " + s.length()
                        + " characters, over the limit of " + MAX_STRING_CHARS);
            }
            return s;
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidFilterException("filter value for '" + key + "' is not a finite number");
            }
            return BigDecimal.valueOf(d);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof java.math.BigInteger i) {
            return new BigDecimal(i);
        }
        throw new InvalidFilterException("filter value for '" + key + "' must be a string, number or boolean, got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    static String typeName(Object checked) {
        return checked instanceof String ? "string" : checked instanceof Boolean ? "boolean" : "number";
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataFilter f && conditions.equals(f.conditions) && Objects.equals(time, f.time);
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, time);
    }
}
