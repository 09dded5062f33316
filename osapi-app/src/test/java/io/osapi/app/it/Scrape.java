package io.osapi.app.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values from a Prometheus text exposition. */
public final class Scrape {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ([^ ]+)$", Pattern.MULTILINE);

  private Scrape() {}

  /**
   * The sum of the samples of {@code name} whose labels contain every one of {@code labels}
   * (written like {@code worker="w1"}); NaN when there is no such sample.
   */
  public static double sum(String text, String name, String... labels) {
    Matcher m = SAMPLE.matcher(text);
    double total = 0;
    boolean found = false;
    while (m.find()) {
      if (!m.group(1).equals(name)) {
        continue;
      }
      String l = m.group(3) == null ? "" : m.group(3);
      boolean all = true;
      for (String want : labels) {
        if (!l.contains(want)) {
          all = false;
          break;
        }
      }
      if (all) {
        total += Double.parseDouble(m.group(4));
        found = true;
      }
    }
    return found ? total : Double.NaN;
  }
}
