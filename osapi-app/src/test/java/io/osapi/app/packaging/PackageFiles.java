package io.osapi.app.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, where {@code scripts/package.sh} and {@code packaging/} are. */
final class PackageFiles {
  private PackageFiles() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    for (Path d = p; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("scripts/package.sh"))
          && Files.isRegularFile(d.resolve("osapi-app/pom.xml"))) {
        return d;
      }
    }
    return fail("no scripts/package.sh in " + p + " or above");
  }
}
