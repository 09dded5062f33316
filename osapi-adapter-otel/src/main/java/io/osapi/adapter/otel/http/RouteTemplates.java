package io.osapi.adapter.otel.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maps a request path to one of a fixed list of route templates, for the bounded {@code http.route}
 * label: {@code /api/v1/jobs/0b5c...} becomes {@code /api/v1/jobs/{id}}. A template segment in
 * braces matches any one non-empty path segment; every other segment must be equal. Where several
 * templates match, the one with the most literal segments wins (then the first given). A path no
 * template matches gives null.
 */
public final class RouteTemplates implements Function<String, String> {

  private record Template(String text, String[] segments, int literals) {}

  private final List<Template> templates;

  private RouteTemplates(List<Template> templates) {
    this.templates = templates;
  }

  /**
   * The matcher of these templates.
   *
   * @param templates paths starting with {@code /}, e.g. {@code /api/v1/jobs/{id}}
   */
  public static RouteTemplates of(String... templates) {
    return of(List.of(templates));
  }

  /** The matcher of these templates. */
  public static RouteTemplates of(List<String> templates) {
    List<Template> list = new ArrayList<>(templates.size());
    for (String t : templates) {
      Objects.requireNonNull(t, "template");
      if (!t.startsWith("/")) {
        throw new IllegalArgumentException("a route template starts with /: " + t);
      }
      String[] segments = t.split("/", -1);
      int literals = 0;
      for (String s : segments) {
        if (!isParameter(s)) {
          literals++;
        }
      }
      list.add(new Template(t, segments, literals));
    }
    return new RouteTemplates(List.copyOf(list));
  }

  /** The template matching {@code path}, or null. */
  @Override
  public String apply(String path) {
    if (path == null || !path.startsWith("/")) {
      return null;
    }
    String[] segments = path.split("/", -1);
    Template best = null;
    for (Template t : templates) {
      if (matches(t.segments(), segments) && (best == null || t.literals() > best.literals())) {
        best = t;
      }
    }
    return best == null ? null : best.text();
  }

  private static boolean matches(String[] template, String[] path) {
    if (template.length != path.length) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      if (isParameter(template[i]) ? path[i].isEmpty() : !template[i].equals(path[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean isParameter(String segment) {
    return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
  }
}
