package io.osapi.app.config;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Names;
import java.util.Map;
import java.util.TreeMap;

/** Worker labels as written on the command line: {@code k=v[,k=v]}. */
public final class Labels {
  private Labels() {}

  /**
   * Parses and validates labels with the core's label rules.
   *
   * @param option the option the text came from, for the error message
   * @return the labels, sorted by key; empty for blank text
   * @throws ConfigException naming {@code option} for a malformed pair, key or value
   */
  public static Map<String, String> parse(String option, String text) {
    Map<String, String> out = new TreeMap<>();
    if (text == null || text.isBlank()) {
      return Map.of();
    }
    for (String pair : text.split(",", -1)) {
      String p = pair.trim();
      int eq = p.indexOf('=');
      if (eq <= 0 || eq == p.length() - 1) {
        throw new ConfigException(option, "'" + pair + "' is not key=value");
      }
      String k = p.substring(0, eq).trim();
      String v = p.substring(eq + 1).trim();
      try {
        Names.requireLabelKey("label", k);
        Names.requireLabelValue("label", v);
      } catch (InvalidInputException e) {
        throw new ConfigException(option, e.getMessage());
      }
      if (out.put(k, v) != null) {
        throw new ConfigException(option, "label '" + k + "' is given twice");
      }
    }
    return Map.copyOf(out);
  }

  /** The {@code k=v,k=v} form of {@code labels}, sorted by key. */
  public static String format(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(labels)
        .forEach(
            (k, v) -> {
              if (sb.length() > 0) {
                sb.append(',');
              }
              sb.append(k).append('=').append(v);
            });
    return sb.toString();
  }
}
