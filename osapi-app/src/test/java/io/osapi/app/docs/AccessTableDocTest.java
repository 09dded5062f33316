package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.api.ApiAccess;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The permission table of docs/operations.md (section 7) is the code's ({@link ApiAccess#table()}),
 * row for row.
 */
class AccessTableDocTest {
  /** The markdown of the access table. */
  static String accessTable() {
    StringBuilder b = new StringBuilder("| route | method | permission |\n|---|---|---|\n");
    for (ApiAccess.Rule r : ApiAccess.table()) {
      b.append("| `").append(r.route().template()).append("` | ").append(r.method())
          .append(" | ").append(r.permission().map(p -> "`" + p.token() + "`")
              .orElse("a verified caller"))
          .append(" |\n");
    }
    return b.toString();
  }

  static String block(String doc, String name) {
    String start = "<!-- " + name + ":start -->\n";
    String end = "<!-- " + name + ":end -->";
    int a = doc.indexOf(start);
    int z = doc.indexOf(end);
    assertThat(a).as("%s in docs/operations.md", start).isNotNegative();
    assertThat(z).as("%s in docs/operations.md", end).isGreaterThan(a);
    return doc.substring(a + start.length(), z);
  }

  @Test
  void theDocumentedAccessTableIsTheCodes() throws IOException {
    String doc = DocFiles.read("docs/operations.md");
    assertThat(block(doc, "access-table")).as("the table between the access-table markers")
        .isEqualTo(accessTable());
  }
}
