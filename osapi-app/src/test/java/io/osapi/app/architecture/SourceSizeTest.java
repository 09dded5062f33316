package io.osapi.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size rule of the project's main sources, for every module: a class plays one role (split
 * before about 400 lines) and no main source file ({@code <module>/src/main/java/**.java}) is over
 * {@value #MAX_LINES} lines. The rule also runs on a violating tree, to prove it can fail.
 */
class SourceSizeTest {
  /** Most lines a main source file may have. */
  static final int MAX_LINES = 450;

  private static final List<String> MODULES =
      List.of("osapi-core", "osapi-adapter-otel", "osapi-adapter-nats", "osapi-app");

  @Test
  void noMainSourceFileIsOverTheLimit() {
    Path root = reactorRoot();
    List<String> over = new ArrayList<>();
    int files = 0;
    for (String module : MODULES) {
      Path main = root.resolve(module).resolve("src/main/java");
      assertThat(main).as("main sources of %s", module).isDirectory();
      files += count(main);
      tooLong(main, MAX_LINES).forEach(f -> over.add(module + "/src/main/java/" + f));
    }
    assertThat(files).as("main source files found").isGreaterThan(100);
    assertThat(over).as("main source files over %d lines: split them by role", MAX_LINES)
        .isEmpty();
  }

  @Test
  void theRuleCatchesAFileOverTheLimit(@TempDir Path tmp) throws IOException {
    Path pkg = Files.createDirectories(tmp.resolve("src/main/java/p"));
    Files.writeString(pkg.resolve("AtTheLimit.java"), lines(MAX_LINES));
    Files.writeString(pkg.resolve("OverTheLimit.java"), lines(MAX_LINES + 1));
    Files.writeString(pkg.resolve("notes.txt"), lines(MAX_LINES + 1));

    assertThat(tooLong(tmp.resolve("src/main/java"), MAX_LINES))
        .containsExactly("p/OverTheLimit.java: 451 lines");
  }

  /** The files under {@code dir} ending in {@code .java} with more than {@code max} lines. */
  static List<String> tooLong(Path dir, int max) {
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> over = new ArrayList<>();
      for (Path f : (Iterable<Path>) files.filter(SourceSizeTest::isJava).sorted()::iterator) {
        long n = Files.readAllLines(f, StandardCharsets.UTF_8).size();
        if (n > max) {
          over.add(dir.relativize(f).toString().replace('\\', '/') + ": " + n + " lines");
        }
      }
      return over;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int count(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return (int) files.filter(SourceSizeTest::isJava).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isJava(Path f) {
    return Files.isRegularFile(f) && f.getFileName().toString().endsWith(".java");
  }

  /** The directory of the parent pom: tests run in the module's directory (osapi-app). */
  private static Path reactorRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("osapi-core")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no reactor root above " + Path.of("").toAbsolutePath());
  }

  private static String lines(int n) {
    return "x\n".repeat(n);
  }
}
