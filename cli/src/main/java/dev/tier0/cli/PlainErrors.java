package dev.tier0.cli;

/** Turns the exceptions a user can meet into a sentence with the fix, keeping the cause's own words. */
final class PlainErrors {
  private PlainErrors() {}

  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String rootMessage = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String text = message.equals(rootMessage) ? message : message + " (cause: " + rootMessage + ")";
    return text + hint(root, rootMessage);
  }

  private static String hint(Throwable root, String rootMessage) {
    String lower = rootMessage.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("python") || lower.contains("venv") || lower.contains("pip")) {
      return "\n  fix: tier0 runs Milvus Lite from a Python virtualenv: install python3 with venv"
          + " (Debian/Ubuntu: apt-get install python3-venv) and check network access to PyPI";
    }
    if (root instanceof java.net.ConnectException || lower.contains("connection refused")) {
      return "\n  fix: is the server running and the address right? (--bootstrap-servers / milvus.uri)";
    }
    if (lower.contains("model") && lower.contains("spec")) {
      return "\n  fix: a model directory needs tier0-model.json, tokenizer.json and the graph(s) the spec names"
          + " (model.onnx, or graphs/ + token-embeddings.bin for a --target coreml export); the message above"
          + " names the field at fault (native/README.md describes the format)";
    }
    return "";
  }
}
