package io.osapi.app.docs;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's {@code docs/} files and the Markdown tables in them, for the doc tests. */
final class DocFiles {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private DocFiles() {}

  /** The repository root: the first directory up from the working directory with docs/. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    for (Path d = p; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("docs/metrics.md"))
          && Files.isRegularFile(d.resolve("osapi-app/pom.xml"))) {
        return d;
      }
    }
    return fail("no docs/metrics.md in " + p + " or above");
  }

  /** A file under the repository root, which must exist. */
  static Path file(String relative) {
    Path f = root().resolve(relative);
    if (!Files.isRegularFile(f)) {
      fail(relative + " does not exist (looked in " + root() + ")");
    }
    return f;
  }

  static String read(String relative) {
    try {
      return Files.readString(file(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One Markdown table: its header cells and its body rows (cells trimmed). */
  record Table(List<String> header, List<List<String>> rows) {
    /** The index of the header cell {@code name}; fails when there is none. */
    int column(String name) {
      int i = header.indexOf(name);
      if (i < 0) {
        fail("table " + header + " has no column '" + name + "'");
      }
      return i;
    }
  }

  /** Every table in {@code markdown}, in order. */
  static List<Table> tables(String markdown) {
    List<Table> out = new ArrayList<>();
    List<String> block = new ArrayList<>();
    for (String line : (markdown + "\n").split("\n", -1)) {
      if (line.strip().startsWith("|")) {
        block.add(line.strip());
        continue;
      }
      if (block.size() >= 2) {
        List<List<String>> rows = new ArrayList<>();
        for (String r : block.subList(2, block.size())) {
          rows.add(cells(r));
        }
        out.add(new Table(cells(block.get(0)), rows));
      }
      block.clear();
    }
    return out;
  }

  /** The one table whose first header cell is {@code firstHeader}. */
  static Table table(String markdown, String firstHeader) {
    List<Table> found = tables(markdown).stream()
        .filter(t -> !t.header().isEmpty() && t.header().get(0).equals(firstHeader)).toList();
    if (found.size() != 1) {
      fail("expected one table whose first column is '" + firstHeader + "', found "
          + found.size());
    }
    return found.get(0);
  }

  /** The one table whose header begins with {@code headers}. */
  static Table tableWithHeader(String markdown, String... headers) {
    List<String> want = List.of(headers);
    List<Table> found = tables(markdown).stream()
        .filter(t -> t.header().size() >= want.size()
            && t.header().subList(0, want.size()).equals(want)).toList();
    if (found.size() != 1) {
      fail("expected one table whose header begins " + want + ", found " + found.size());
    }
    return found.get(0);
  }

  /** The cells of a table row; a {@code |} inside backticks does not split. */
  static List<String> cells(String row) {
    String r = row.strip();
    if (r.startsWith("|")) {
      r = r.substring(1);
    }
    if (r.endsWith("|")) {
      r = r.substring(0, r.length() - 1);
    }
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean code = false;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '`') {
        code = !code;
      }
      if (c == '|' && !code) {
        out.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    out.add(cell.toString().strip());
    return out;
  }

  /** The backticked parts of a cell, in order. */
  static List<String> code(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The cell when it is exactly one backticked value, else null. */
  static String onlyCode(String cell) {
    Matcher m = Pattern.compile("`([^`]+)`").matcher(cell.strip());
    return m.matches() ? m.group(1) : null;
  }
}
