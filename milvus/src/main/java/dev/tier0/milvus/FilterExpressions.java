package dev.tier0.milvus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds Milvus boolean expressions from a tenant and metadata equality conditions. Keys must match a strict
 * pattern and become JSON-path keys; values only ever appear inside escaped double-quoted string literals, so
 * no user text can change the expression's structure. (Filter templates would be cleaner on Milvus 2.5+, but
 * Milvus Lite does not parse them; this escaping is accepted by both grammars.)
 */
final class FilterExpressions {
    static final Pattern KEY_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private FilterExpressions() {
    }

    static String tenantAndMetadata(String tenant, Map<String, String> filter) {
        if (tenant == null) {
            throw new InvalidFilterException("a search needs a tenant (use \"\" for the default tenant)");
        }
        StringBuilder expr = new StringBuilder(CollectionSpec.TENANT).append(" == ").append(quote(tenant));
        if (filter != null) {
            // sorted so equal filters give equal expressions (and the server's expression cache can help)
            for (Map.Entry<String, String> e : new TreeMap<>(filter).entrySet()) {
                String key = e.getKey();
                if (key == null || !KEY_PATTERN.matcher(key).matches()) {
                    throw new InvalidFilterException("filter key must match " + KEY_PATTERN.pattern() + ": "
                            + abbreviate(key));
                }
                if (e.getValue() == null) {
                    throw new InvalidFilterException("filter value for '" + key + "' is null");
                }
                expr.append(" and ").append(CollectionSpec.METADATA).append("[\"").append(key).append("\"] == ")
                        .append(quote(e.getValue()));
            }
        }
        return expr.toString();
    }

    /**
     * {@code tenant == "..."} AND every condition of a typed filter, metadata conditions sorted by key so equal
     * filters give equal expressions. An {@code in} list is expanded to {@code (a == x or a == y)}: Milvus Lite
     * refuses {@code in [...]} on a JSON path ("left side of 'in' must be a field reference"); Milvus 2.5 accepts
     * both, and the expansion means the same there.
     */
    static String tenantAnd(String tenant, MetadataFilter filter) {
        String expr = tenantAndMetadata(tenant, null);
        if (filter == null || filter.isEmpty()) {
            return expr;
        }
        StringBuilder sb = new StringBuilder(expr);
        List<MetadataFilter.Condition> sorted = new ArrayList<>(filter.conditions());
        sorted.sort(Comparator.comparing(MetadataFilter.Condition::key));
        for (MetadataFilter.Condition c : sorted) {
            sb.append(" and ").append(condition(c));
        }
        MetadataFilter.TimeRange t = filter.time();
        if (t != null) {
            bound(sb, CollectionSpec.SOURCE_TIMESTAMP, ">", t.gt());
            bound(sb, CollectionSpec.SOURCE_TIMESTAMP, ">=", t.gte());
            bound(sb, CollectionSpec.SOURCE_TIMESTAMP, "<", t.lt());
            bound(sb, CollectionSpec.SOURCE_TIMESTAMP, "<=", t.lte());
        }
        return sb.toString();
    }

    private static String condition(MetadataFilter.Condition c) {
        MetadataFilter.checkKey(c.key()); // a record built by reflection or deserialisation is checked again
        String path = CollectionSpec.METADATA + "[\"" + c.key() + "\"]";
        if (c instanceof MetadataFilter.Equals e) {
            return path + " == " + literal(c.key(), e.value());
        }
        if (c instanceof MetadataFilter.In in) {
            StringJoiner any = new StringJoiner(" or ", "(", ")");
            for (Object v : in.values()) {
                any.add(path + " == " + literal(c.key(), v));
            }
            return any.toString();
        }
        MetadataFilter.Range r = (MetadataFilter.Range) c;
        StringJoiner all = new StringJoiner(" and ", "(", ")");
        if (r.gt() != null) {
            all.add(path + " > " + number(r.gt()));
        }
        if (r.gte() != null) {
            all.add(path + " >= " + number(r.gte()));
        }
        if (r.lt() != null) {
            all.add(path + " < " + number(r.lt()));
        }
        if (r.lte() != null) {
            all.add(path + " <= " + number(r.lte()));
        }
        return all.toString();
    }

    private static void bound(StringBuilder sb, String field, String op, Long value) {
        if (value != null) {
            sb.append(" and ").append(field).append(' ').append(op).append(' ').append(value.longValue());
        }
    }

    /** A value re-checked and written as a literal: a quoted string, true/false, or a plain number. */
    static String literal(String key, Object value) {
        Object v = MetadataFilter.checkValue(key, value);
        if (v instanceof String s) {
            return quote(s);
        }
        if (v instanceof Boolean b) {
            return b ? "true" : "false";
        }
        return number((BigDecimal) v);
    }

    /**
     * A number in a form both grammars read: an integer literal when it fits in int64, otherwise a plain decimal
     * with a fractional part (never an exponent, never an integer literal too large for int64).
     */
    static String number(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() <= 0 && s.toBigInteger().bitLength() < 64) {
            return s.toBigInteger().toString();
        }
        double approx = s.doubleValue();
        if (!Double.isFinite(approx)) {
            throw new InvalidFilterException("number out of range: " + d.toString().substring(0,
                    Math.min(40, d.toString().length())));
        }
        String plain = BigDecimal.valueOf(approx).toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /**
     * A double-quoted literal using only escapes that both Milvus (Go strconv rules: no \' inside "...")
     * and Milvus Lite understand; every other character, quotes of the other kind included, stays raw.
     */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static String idIn(java.util.Collection<String> ids) {
        StringBuilder sb = new StringBuilder(CollectionSpec.ID).append(" in [");
        boolean first = true;
        for (String id : ids) {
            if (!first) {
                sb.append(", ");
            }
            sb.append(quote(id));
            first = false;
        }
        return sb.append(']').toString();
    }

    /** {@code memory_id in [...]}: every row of these memories. */
    static String memoryIdIn(java.util.Collection<String> memoryIds) {
        return idIn(memoryIds).replaceFirst("^" + CollectionSpec.ID + " in", CollectionSpec.MEMORY_ID + " in");
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
