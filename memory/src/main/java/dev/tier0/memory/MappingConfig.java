package dev.tier0.memory;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How records map to memories. Field names are dotted paths into JSON objects or Structs ({@code payload.body}).
 * The defaults suit a topic of plain strings or {"text": ...} objects keyed by their id.
 *
 * <p>{@code deleteField}, when set, is the path of a delete marker in the value (Debezium's {@code __deleted}):
 * a record whose marker is true deletes its memory exactly as a tombstone does. Null: no marker.
 */
public record MappingConfig(
    String textField,
    IdStrategy idStrategy,
    String idField,
    String tenantField,
    String defaultTenant,
    List<String> metadataFields,
    List<String> headerFields,
    int maxTextBytes,
    int maxIdBytes,
    boolean deleteOnTombstone,
    String deleteField) {

  /** Tenants end up in a partition key and in filters: keep them to a safe, readable alphabet. */
  public static final Pattern TENANT_PATTERN = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");
  /** Milvus VARCHAR(65535) holds the text; more would be refused by the server after the embedding was paid for. */
  public static final int MAX_TEXT_BYTES = 65_535;
  /** The id column is VARCHAR(512). */
  public static final int MAX_ID_BYTES = 512;

  public MappingConfig {
    Objects.requireNonNull(textField, "textField");
    Objects.requireNonNull(idStrategy, "idStrategy");
    if (idStrategy == IdStrategy.FIELD && (idField == null || idField.isBlank())) {
      throw new IllegalArgumentException("record.id.strategy=field needs record.id.field");
    }
    if (defaultTenant == null || !TENANT_PATTERN.matcher(defaultTenant).matches()) {
      throw new IllegalArgumentException("default tenant '" + defaultTenant + "' must match " + TENANT_PATTERN);
    }
    if (maxTextBytes < 1 || maxTextBytes > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException("max text bytes must be in [1, " + MAX_TEXT_BYTES + "], was " + maxTextBytes);
    }
    if (maxIdBytes < 1 || maxIdBytes > MAX_ID_BYTES) {
      throw new IllegalArgumentException("max id bytes must be in [1, " + MAX_ID_BYTES + "], was " + maxIdBytes);
    }
    deleteField = deleteField == null || deleteField.isBlank() ? null : deleteField.trim();
    if (deleteField != null && idStrategy == IdStrategy.COORDINATES) {
      throw new IllegalArgumentException("record.delete.field needs ids that name a memory across records: "
          + "record.id.strategy=coordinates gives every record a new id, so a marker could never delete one");
    }
    metadataFields = metadataFields == null ? List.of() : List.copyOf(metadataFields);
    headerFields = headerFields == null ? List.of() : List.copyOf(headerFields);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static MappingConfig defaults() {
    return builder().build();
  }

  public static final class Builder {
    private String textField = "text";
    private IdStrategy idStrategy = IdStrategy.KEY;
    private String idField;
    private String tenantField;
    private String defaultTenant = "default";
    private List<String> metadataFields = List.of();
    private List<String> headerFields = List.of();
    private int maxTextBytes = MAX_TEXT_BYTES;
    private int maxIdBytes = MAX_ID_BYTES;
    private boolean deleteOnTombstone = true;
    private String deleteField;

    public Builder textField(String v) { textField = v; return this; }
    public Builder idStrategy(IdStrategy v) { idStrategy = v; return this; }
    public Builder idField(String v) { idField = v; return this; }
    public Builder tenantField(String v) { tenantField = v; return this; }
    public Builder defaultTenant(String v) { defaultTenant = v; return this; }
    /** Empty means every field that is not the text, id or tenant. */
    public Builder metadataFields(List<String> v) { metadataFields = v; return this; }
    /** Record headers copied into metadata under "headers". */
    public Builder headerFields(List<String> v) { headerFields = v; return this; }
    public Builder maxTextBytes(int v) { maxTextBytes = v; return this; }
    public Builder maxIdBytes(int v) { maxIdBytes = v; return this; }
    public Builder deleteOnTombstone(boolean v) { deleteOnTombstone = v; return this; }
    /** The delete marker's field path; null or blank: none. */
    public Builder deleteField(String v) { deleteField = v; return this; }

    public MappingConfig build() {
      return new MappingConfig(textField, idStrategy, idField, tenantField, defaultTenant, metadataFields,
          headerFields, maxTextBytes, maxIdBytes, deleteOnTombstone, deleteField);
    }
  }
}
