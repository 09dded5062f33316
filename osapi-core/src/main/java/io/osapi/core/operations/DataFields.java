package io.osapi.core.operations;

import io.osapi.core.domain.InvalidInputException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of an operation's data with errors that name the field: {@link InvalidInputException}
 * with {@code field} set and a message saying what is expected.
 */
final class DataFields {
  private final String operation;
  private final Map<String, Object> data;

  DataFields(String operation, Map<String, Object> data, Set<String> known) {
    this.operation = operation;
    this.data = data;
    for (String k : data.keySet()) {
      if (!known.contains(k)) {
        throw new InvalidInputException(k, operation + " does not take '" + k + "' (it takes "
            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  boolean has(String field) {
    return data.get(field) != null;
  }

  Object raw(String field) {
    return data.get(field);
  }

  InvalidInputException bad(String field, String what) {
    return new InvalidInputException(field, operation + ": " + field + " " + what);
  }

  /** A string, or {@code fallback} when absent or null. */
  String string(String field, String fallback) {
    Object v = data.get(field);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw bad(field, "must be a string");
    }
    return s;
  }

  /** A required, non-empty string. */
  String requiredString(String field) {
    String s = string(field, null);
    if (s == null || s.isEmpty()) {
      throw bad(field, "is required (a non-empty string)");
    }
    return s;
  }

  /** A number in {@code [min, max]}, or {@code fallback} when absent. */
  double number(String field, double fallback, double min, double max) {
    Object v = data.get(field);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw bad(field, "must be a number");
    }
    double d = new BigDecimal(n.toString()).doubleValue();
    if (!(d >= min && d <= max)) {
      throw bad(field, "must be between " + fmt(min) + " and " + fmt(max) + ", got " + n);
    }
    return d;
  }

  /**
   * An absolute, normalised path ({@code field} must not hold {@code ..}, {@code .}, doubled or
   * trailing slashes, or NUL), or null when absent and not {@code required}.
   */
  Path absolutePath(String field, boolean required) {
    String s = required ? requiredString(field) : string(field, null);
    if (s == null) {
      return null;
    }
    if (s.indexOf('\0') >= 0) {
      throw bad(field, "must not contain NUL");
    }
    if (!s.startsWith("/")) {
      throw bad(field, "must be an absolute path, got '" + s + "'");
    }
    Path p = Path.of(s);
    for (Path part : p) {
      if (part.toString().equals("..") || part.toString().equals(".")) {
        throw bad(field, "must not contain '.' or '..' components, got '" + s + "'");
      }
    }
    if (!p.normalize().toString().equals(s)) {
      throw bad(field, "must be a normalised path (no doubled or trailing '/'), got '" + s + "'");
    }
    return p;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
