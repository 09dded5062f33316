package io.osapi.app.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Text for an operator's terminal: job data and error messages come from API clients and
 * operation handlers, and an ESC, BEL or CR in them would let whoever wrote them move the cursor,
 * retitle the terminal or overwrite lines. Control characters are shown escaped instead: {@code
 * \r}, {@code \t} and, in single-line fields, {@code \n}; every other C0 control, DEL, the C1
 * controls (U+0080 to U+009F, which some terminals obey as ESC sequences) and the Unicode
 * direction overrides (U+202A to U+202E, U+2066 to U+2069) as {@code \}{@code uXXXX}.
 *
 * <p>In JSON output ({@code --json}) such characters appear only inside strings (Jackson escapes
 * C0 itself), where {@code \}{@code uXXXX} is the JSON escape of the same character: the JSON
 * stays exact, and parses to the same values.
 */
final class TerminalText {
  private TerminalText() {}

  /** Whether {@code c} must not reach a terminal as it is. */
  static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /** {@code s} as one line with every unsafe character escaped ({@code \n} included). */
  static String oneLine(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (unsafe(c)) {
        if (b == null) {
          b = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        escape(c, b);
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  private static void escape(char c, StringBuilder b) {
    switch (c) {
      case '\n' -> b.append("\\n");
      case '\r' -> b.append("\\r");
      case '\t' -> b.append("\\t");
      default -> b.append(String.format("\\u%04x", (int) c));
    }
  }

  /**
   * A writer passing line breaks ({@code \n}) and escaping every other unsafe character: the
   * last line of defence for everything the client commands print.
   */
  static Writer writer(Writer out) {
    return new FilterWriter(out) {
      @Override
      public void write(int c) throws IOException {
        write(new char[] {(char) c}, 0, 1);
      }

      @Override
      public void write(char[] cbuf, int off, int len) throws IOException {
        StringBuilder b = new StringBuilder(len + 16);
        for (int i = off; i < off + len; i++) {
          char c = cbuf[i];
          if (c != '\n' && unsafe(c)) {
            escape(c, b);
          } else {
            b.append(c);
          }
        }
        out.write(b.toString());
      }

      @Override
      public void write(String str, int off, int len) throws IOException {
        write(str.toCharArray(), off, len);
      }
    };
  }
}
