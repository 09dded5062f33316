package io.osapi.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.cli.Cli;
import io.osapi.app.cli.OptionSources;
import io.osapi.app.cli.ProcessLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The Debian package's example configuration ({@code packaging/deb/root/etc/osapi/}) against the
 * real command line: {@code osapi.properties} lists every option a config file may set, commented
 * out, sets nothing, and is accepted by every command once uncommented; the environment files name
 * only real {@code OSAPI_*} variables.
 */
class ExampleConfigTest {
  private static final Pattern COMMENTED_KEY = Pattern.compile("^#([a-z][a-z0-9-]*)=(.*)$");
  private static final Pattern COMMENTED_ENV = Pattern.compile("^#(OSAPI_[A-Z_]+)=");
  private static final ProcessLauncher NO_SERVERS = s -> {
    throw new AssertionError("no server process in this test");
  };

  @TempDir Path tmp;

  static Path etc() {
    return PackageFiles.root().resolve("packaging/deb/root/etc/osapi");
  }

  /** Every option a config file may set: the long options of all commands but the excluded. */
  static Set<String> fileOptions() {
    Set<String> names = new TreeSet<>();
    collect(new Cli(NO_SERVERS, Map.of()).commandLine(), names);
    names.removeIf(n -> n.equals(OptionSources.CONFIG_OPTION) || n.equals("--help")
        || n.equals("--version") || OptionSources.PER_INVOCATION.contains(n));
    return names;
  }

  private static void collect(CommandLine cl, Set<String> names) {
    for (OptionSpec o : cl.getCommandSpec().options()) {
      names.add(o.longestName());
    }
    cl.getSubcommands().values().forEach(sub -> collect(sub, names));
  }

  @Test
  void thePropertiesFileListsEveryOptionCommentedOut() throws IOException {
    List<String> lines = Files.readAllLines(etc().resolve("osapi.properties"));
    Set<String> keys = new TreeSet<>();
    for (String line : lines) {
      Matcher m = COMMENTED_KEY.matcher(line);
      if (m.matches()) {
        assertThat(keys.add("--" + m.group(1))).as("%s listed once", m.group(1)).isTrue();
      }
      assertThat(line.isBlank() || line.startsWith("#")).as("line '%s' is commented out", line)
          .isTrue();
    }
    assertThat(keys).isEqualTo(fileOptions());
  }

  @Test
  void everyCommandAcceptsTheFileUncommented() throws IOException {
    Path f = tmp.resolve("osapi.properties");
    StringBuilder b = new StringBuilder();
    for (String line : Files.readAllLines(etc().resolve("osapi.properties"))) {
      Matcher m = COMMENTED_KEY.matcher(line);
      if (m.matches()) {
        b.append(m.group(1)).append('=').append(m.group(2)).append('\n');
      }
    }
    Files.writeString(f, b);
    for (List<String> cmd : List.<List<String>>of(List.of(), List.of("controller"),
        List.of("worker"),
        List.of("job", "list"), List.of("workers"))) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      String[] args = java.util.stream.Stream.concat(cmd.stream(),
          java.util.stream.Stream.of("--config", f.toString(), "--help")).toArray(String[]::new);
      int code = new Cli(NO_SERVERS, Map.of()).run(args, new PrintWriter(out, true),
          new PrintWriter(err, true));
      assertThat(code).as("%s --config (uncommented example) --help: %s", cmd, err).isZero();
    }
  }

  @Test
  void theEnvironmentFilesNameRealVariables() throws IOException {
    Set<String> real = new TreeSet<>();
    fileOptions().forEach(o -> real.add(OptionSources.envName(o)));
    for (String file : List.of("controller.env", "worker.env")) {
      for (String line : Files.readAllLines(etc().resolve(file))) {
        assertThat(line.isBlank() || line.startsWith("#")).as("%s: '%s' is commented out", file,
            line).isTrue();
        Matcher m = COMMENTED_ENV.matcher(line);
        if (m.find()) {
          assertThat(real).as(file).contains(m.group(1));
        }
      }
    }
  }
}
