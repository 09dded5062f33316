package io.osapi.core.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small strings kept once, named by an int (the job index's operation types and targets: few
 * distinct values over many jobs). Append-only: it grows with the distinct values ever seen. Not
 * thread-safe: {@link JobIndex} guards it.
 */
final class Interner {
  private final Map<String, Integer> codes = new HashMap<>();
  private final List<String> values = new ArrayList<>();

  /** The code of {@code value}, given one on first sight. */
  int code(String value) {
    Integer c = codes.get(value);
    if (c == null) {
      c = values.size();
      values.add(value);
      codes.put(value, c);
    }
    return c;
  }

  /** The code of {@code value}, or -1 when it was never interned. */
  int find(String value) {
    Integer c = codes.get(value);
    return c == null ? -1 : c;
  }

  /** The value of {@code code}. */
  String value(int code) {
    return values.get(code);
  }

  /** Distinct values held. */
  int size() {
    return values.size();
  }
}
