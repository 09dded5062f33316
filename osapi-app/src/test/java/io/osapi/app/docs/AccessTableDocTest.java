package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.api.ApiAccess;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The permission and role tables of docs/operations.md (section 7) are the code's ({@link
 * ApiAccess#table()}, {@code Roles.builtIn().table()}), row for row.
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

  /** The markdown of the built-in roles: each permission and whether each role holds it. */
  static String roleTable() {
    java.util.Map<String, java.util.List<io.osapi.app.auth.Permission>> t =
        io.osapi.app.auth.Roles.builtIn().table();
    StringBuilder b = new StringBuilder("| permission |");
    t.keySet().forEach(r -> b.append(" `").append(r).append("` |"));
    b.append("\n|---|").append("---|".repeat(t.size())).append('\n');
    for (io.osapi.app.auth.Permission p : io.osapi.app.auth.Permission.values()) {
      b.append("| `").append(p.token()).append("` |");
      t.values().forEach(ps -> b.append(ps.contains(p) ? " yes |" : " - |"));
      b.append('\n');
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

  @Test
  void theDocumentedRoleTableIsTheCodes() throws IOException {
    String doc = DocFiles.read("docs/operations.md");
    assertThat(block(doc, "role-table")).as("the table between the role-table markers")
        .isEqualTo(roleTable());
  }
}
