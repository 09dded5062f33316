package io.osapi.app.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.osapi.app.it.Http;
import io.osapi.app.it.OsProcess;
import io.osapi.app.it.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/package.sh} builds {@code osapi_<version>_all.deb} from the shaded jar; the
 * package's metadata, contents and units are checked with {@code dpkg-deb}, {@code lintian} (when
 * installed: no errors) and {@code systemd-analyze verify} (when installed), and the extracted
 * files run: {@code osapi --version}, and an all-in-one process with the example config on free
 * loopback ports that completes jobs.
 *
 * <p>{@link #installsAndPurgesCleanly} really installs and purges the package with {@code dpkg};
 * it runs only as root and only with {@code -Dosapi.it.dpkg=true} (on a throwaway machine), and
 * only when the machine has no osapi package, user or {@code /etc/osapi}.
 */
class DebianPackageIT {
  static final String VERSION_LINE = "osapi-app ";

  @TempDir static Path dir;
  static Path deb;
  static Path extracted;
  static String upstreamVersion;
  /** lintian's run, started at once: it takes a few seconds of one core, other tests overlap. */
  static CompletableFuture<Run> lintian;

  @BeforeAll
  static void buildAndExtract() throws IOException {
    Path jar = OsProcess.jar();
    Run v = run(List.of(javaBin(), "-jar", jar.toString(), "--version"), Map.of());
    upstreamVersion = v.out().lines().filter(l -> l.startsWith(VERSION_LINE)).findFirst()
        .orElseThrow(() -> new AssertionError("no version in " + v.out()))
        .substring(VERSION_LINE.length()).strip();

    Run p = run(List.of("bash", PackageFiles.root().resolve("scripts/package.sh").toString(),
        "--jar", jar.toString(), "--out", dir.resolve("out").toString()), Map.of());
    assertThat(p.code()).as(p.out()).isZero();
    List<String> lines = p.out().lines().toList();
    deb = Path.of(lines.get(lines.size() - 1));
    assertThat(deb.getFileName().toString())
        .isEqualTo("osapi_" + upstreamVersion.replace('-', '~') + "_all.deb");
    assertThat(deb).isRegularFile();

    if (onPath("lintian")) {
      lintian = CompletableFuture.supplyAsync(() ->
          run(List.of("lintian", "--info", "--display-info", deb.toString()), Map.of()));
    }
    extracted = dir.resolve("root");
    Run x = run(List.of(dpkgDeb(), "-x", deb.toString(), extracted.toString()), Map.of());
    assertThat(x.code()).as(x.out()).isZero();
  }

  @Test
  void theControlDataSaysWhatItNeeds() {
    Run info = run(List.of(dpkgDeb(), "--info", deb.toString()), Map.of());
    assertThat(info.code()).as(info.out()).isZero();
    Map<String, String> f = new HashMap<>();
    for (String field : List.of("Package", "Version", "Architecture", "Depends", "Maintainer",
        "Description")) {
      Run r = run(List.of(dpkgDeb(), "--field", deb.toString(), field), Map.of());
      f.put(field, r.out().strip());
    }
    assertThat(f.get("Package")).isEqualTo("osapi");
    assertThat(f.get("Version")).isEqualTo(upstreamVersion.replace('-', '~'));
    assertThat(f.get("Architecture")).isEqualTo("all");
    assertThat(f.get("Depends")).contains("openjdk-17-jre-headless").contains("adduser");
    assertThat(f.get("Description")).isNotBlank();

    Run conffiles = run(List.of(dpkgDeb(), "--info", deb.toString(), "conffiles"), Map.of());
    assertThat(conffiles.out().lines().toList()).containsExactlyInAnyOrder(
        "/etc/osapi/osapi.properties", "/etc/osapi/controller.env", "/etc/osapi/worker.env");
    for (String script : List.of("postinst", "prerm", "postrm")) {
      assertThat(run(List.of(dpkgDeb(), "--info", deb.toString(), script), Map.of()).code())
          .as(script).isZero();
    }
    System.out.println("DebianPackageIT: dpkg-deb --info\n" + info.out());
  }

  @Test
  void theContentsAreTheCommandTheJarTheUnitsAndTheConfig() throws IOException {
    Run c = run(List.of(dpkgDeb(), "--contents", deb.toString()), Map.of());
    assertThat(c.code()).as(c.out()).isZero();
    // drwxr-xr-x root/root         0 2026-01-01 12:00 ./usr/bin/
    Pattern line = Pattern.compile("^(\\S+) (\\S+)\\s+(\\d+) \\S+ \\S+ \\./(.*)$");
    Map<String, String[]> files = new LinkedHashMap<>();
    for (String l : c.out().lines().toList()) {
      Matcher m = line.matcher(l);
      assertThat(m.matches()).as("dpkg-deb --contents line '%s'", l).isTrue();
      assertThat(m.group(2)).as(l).isEqualTo("root/root");
      String mode = m.group(1);
      assertThat(mode.charAt(5)).as("group cannot write: %s", l).isEqualTo('-');
      assertThat(mode.charAt(8)).as("others cannot write: %s", l).isEqualTo('-');
      assertThat(mode).as("no setuid, setgid or sticky bit: %s", l).doesNotContain("s", "S", "t");
      if (!m.group(1).startsWith("d")) {
        files.put(m.group(4), new String[] {m.group(1), m.group(3)});
      }
    }
    assertThat(files.keySet()).containsExactlyInAnyOrder(
        "usr/bin/osapi",
        "usr/share/osapi/osapi-app.jar",
        "lib/systemd/system/osapi-controller.service",
        "lib/systemd/system/osapi-worker.service",
        "etc/osapi/osapi.properties",
        "etc/osapi/controller.env",
        "etc/osapi/worker.env",
        "usr/share/man/man1/osapi.1.gz",
        "usr/share/doc/osapi/copyright",
        "usr/share/doc/osapi/changelog.gz",
        "usr/share/doc/osapi/operations.md.gz");
    assertThat(files.get("usr/bin/osapi")[0]).isEqualTo("-rwxr-xr-x");
    files.forEach((path, a) -> {
      if (!path.equals("usr/bin/osapi")) {
        assertThat(a[0]).as(path).isEqualTo("-rw-r--r--");
      }
    });
    assertThat(Long.parseLong(files.get("usr/share/osapi/osapi-app.jar")[1]))
        .isEqualTo(Files.size(OsProcess.jar()));
    System.out.println("DebianPackageIT: dpkg-deb --contents\n" + c.out());
  }

  @Test
  void theUnitsAreSandboxedAndDrainOnStop() throws IOException {
    for (String kind : List.of("controller", "worker")) {
      Path unit = extracted.resolve("lib/systemd/system/osapi-" + kind + ".service");
      Map<String, List<String>> d = directives(unit);
      String what = unit.getFileName().toString();
      assertThat(d.get("ExecStart")).as(what).containsExactly(
          "/usr/bin/osapi " + kind + " --config /etc/osapi/osapi.properties");
      assertThat(d.get("EnvironmentFile")).as(what).containsExactly(
          "-/etc/osapi/" + kind + ".env");
      assertThat(d.get("User")).as(what).containsExactly("osapi");
      assertThat(d.get("ProtectSystem")).as(what).containsExactly("strict");
      assertThat(d.get("ProtectHome")).as(what).containsExactly("read-only");
      assertThat(d.get("PrivateTmp")).as(what).containsExactly("yes");
      assertThat(d.get("NoNewPrivileges")).as(what).containsExactly("yes");
      assertThat(d.get("CapabilityBoundingSet")).as(what).containsExactly("");
      assertThat(d.get("Restart")).as(what).containsExactly("on-failure");
      assertThat(seconds(d.get("RestartSec").get(0))).as(what).isPositive();
      assertThat(d.get("RestartPreventExitStatus")).as(what).containsExactly("2");
      // The default --drain-timeout is 30s; stopping needs that and a margin.
      assertThat(seconds(d.get("TimeoutStopSec").get(0))).as(what).isGreaterThanOrEqualTo(60);
      // system.memory.get reads /proc/meminfo; the JIT needs writable and executable memory.
      assertThat(d).as(what).doesNotContainKeys("ProcSubset", "MemoryDenyWriteExecute",
          "DynamicUser");
      assertThat(d.get("WantedBy")).as(what).containsExactly("multi-user.target");
    }
    String wrapper = Files.readString(extracted.resolve("usr/bin/osapi"));
    assertThat(wrapper).startsWith("#!/bin/sh").contains("exec ")
        .contains("-XX:+ExitOnOutOfMemoryError");
  }

  @Test
  void lintianFindsNoErrors() {
    if (lintian == null) {
      System.out.println("DebianPackageIT: lintian skipped: not installed (apt-get install"
          + " lintian)");
      assumeTrue(false, "lintian is not installed");
    }
    Run l = lintian.join();
    System.out.println("DebianPackageIT: lintian exit " + l.code() + "\n" + l.out());
    assertThat(l.out().lines().filter(s -> s.startsWith("E: ")).toList()).as(l.out()).isEmpty();
    assertThat(l.code()).as(l.out()).isZero();
  }

  @Test
  void systemdAnalyzeVerifiesTheUnits() throws IOException {
    if (!onPath("systemd-analyze")) {
      System.out.println("DebianPackageIT: systemd-analyze verify skipped: systemd-analyze is not"
          + " installed (apt-get install systemd)");
      assumeTrue(false, "systemd-analyze is not installed");
    }
    // verify checks that ExecStart's program exists: point the copies at the extracted command.
    Path units = Files.createDirectories(dir.resolve("units"));
    List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
    for (String kind : List.of("controller", "worker")) {
      String name = "osapi-" + kind + ".service";
      String text = Files.readString(extracted.resolve("lib/systemd/system/" + name))
          .replace("/usr/bin/osapi", extracted.resolve("usr/bin/osapi").toString());
      Files.writeString(units.resolve(name), text);
      cmd.add(units.resolve(name).toString());
    }
    Run v = run(cmd, Map.of());
    assertThat(v.code()).as(v.out()).isZero();
    assertThat(v.out()).as("systemd-analyze verify says nothing").isBlank();

    Run s = run(List.of("systemd-analyze", "security", "--offline=yes", "--no-pager",
        units.resolve("osapi-worker.service").toString()), Map.of());
    Matcher m = Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)").matcher(s.out());
    if (m.find()) {
      System.out.println("DebianPackageIT: systemd-analyze security: " + m.group());
      assertThat(Double.parseDouble(m.group(1))).as(s.out()).isLessThan(5.0);
    } else {
      System.out.println("DebianPackageIT: systemd-analyze security --offline not available: "
          + s.out().lines().findFirst().orElse(""));
    }
  }

  @Test
  void theExtractedCommandRunsAnAllInOneThatCompletesJobs() {
    Path osapi = extracted.resolve("usr/bin/osapi");
    Run v = run(List.of(osapi.toString(), "--version"), Map.of("JAVA_HOME", javaHome()));
    assertThat(v.code()).as(v.out()).isZero();
    assertThat(v.out()).contains(VERSION_LINE + upstreamVersion);

    int api = Ports.free();
    int metrics = Ports.free();
    Map<String, String> env = Map.of("JAVA_HOME", javaHome(),
        "JAVA_OPTS", "-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "OSAPI_API_ADDR", "127.0.0.1:" + api, "OSAPI_METRICS_ADDR", "127.0.0.1:" + metrics,
        "OSAPI_WORKER_ID", "deb-worker",
        "OSAPI_WORKER_KEY_FILE", dir.resolve("deb-worker.key").toString());
    try (OsProcess app = OsProcess.start("extracted-all-in-one", dir, env, List.of(
        osapi.toString(), "--config", extracted.resolve("etc/osapi/osapi.properties").toString()))) {
      URI ready = URI.create("http://127.0.0.1:" + metrics + "/health/ready");
      app.await("/health/ready 200", Duration.ofSeconds(40), () -> Http.status(ready) == 200);
      // The wrapper execs the JVM, with the flag systemd relies on to restart it after an OOM,
      // and the young collection's promotion and bound the kept jobs' pauses rely on.
      assertThat(ProcessHandle.of(app.pid()).orElseThrow().info().arguments().orElseThrow())
          .contains("-XX:+ExitOnOutOfMemoryError", "-XX:MaxTenuringThreshold=0",
              "-XX:MaxNewSize=64m");

      URI jobs = URI.create("http://127.0.0.1:" + api + "/api/v1/jobs");
      HttpResponse<String> r = Http.send("POST", jobs,
          "{\"operation\":{\"type\":\"system.load.get\"}}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      String id = Http.json(r).get("job_id").asText();
      app.await("the job to complete", Duration.ofSeconds(20), () ->
          Http.get(URI.create(jobs + "/" + id)).body().contains("\"status\":\"completed\""));

      // The job client through the same command.
      Run submit = run(List.of(osapi.toString(), "job", "submit", "--type",
          "system.memory.get", "--wait", "--wait-timeout", "20s", "--controller",
          "http://127.0.0.1:" + api), Map.of("JAVA_HOME", javaHome(),
          "JAVA_OPTS", "-XX:TieredStopAtLevel=1"));
      assertThat(submit.code()).as(submit.out()).isZero();
      assertThat(submit.out()).contains("completed");

      assertThat(Http.get(URI.create("http://127.0.0.1:" + metrics + "/metrics")).body())
          .contains("osapi_jobs_completed_total");
      app.terminate();
      assertThat(app.awaitExit(Duration.ofSeconds(30))).as(app.report()).isZero();
    }
  }

  @Test
  void installsAndPurgesCleanly() throws IOException {
    assumeTrue(Boolean.getBoolean("osapi.it.dpkg"),
        "dpkg -i/-P test off: run with -Dosapi.it.dpkg=true as root on a throwaway machine");
    assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root");
    assumeTrue(run(List.of("dpkg-query", "-W", "osapi"), Map.of()).code() != 0,
        "an osapi package is installed already");
    assumeTrue(run(List.of("getent", "passwd", "osapi"), Map.of()).code() != 0,
        "a user osapi exists already");
    assumeTrue(!Files.exists(Path.of("/etc/osapi")), "/etc/osapi exists already");
    assumeTrue(run(List.of("dpkg-query", "-W", "-f", "${Status}", "openjdk-17-jre-headless",
        "adduser"), Map.of()).out().equals("install ok installedinstall ok installed"),
        "the dependencies openjdk-17-jre-headless and adduser are not installed");
    try {
      Run i = run(List.of("dpkg", "-i", deb.toString()), Map.of());
      assertThat(i.code()).as(i.out()).isZero();
      String passwd = run(List.of("getent", "passwd", "osapi"), Map.of()).out().strip();
      String[] pw = passwd.split(":");
      assertThat(pw).as(passwd).hasSize(7);
      assertThat(Integer.parseInt(pw[2])).as("a system uid: %s", passwd).isLessThan(1000);
      assertThat(pw[5]).isEqualTo("/nonexistent");
      assertThat(pw[6]).endsWith("nologin");
      assertThat(run(List.of("getent", "group", "osapi"), Map.of()).code()).isZero();
      for (String f : List.of("/usr/bin/osapi", "/usr/share/osapi/osapi-app.jar",
          "/lib/systemd/system/osapi-controller.service",
          "/lib/systemd/system/osapi-worker.service", "/etc/osapi/osapi.properties")) {
        assertThat(Path.of(f)).exists();
      }
      Run v = run(List.of("/usr/bin/osapi", "--version"), Map.of("JAVA_HOME", javaHome()));
      assertThat(v.out()).contains(VERSION_LINE + upstreamVersion);
      if (onPath("systemd-analyze")) {
        Run verify = run(List.of("systemd-analyze", "verify", "--man=no",
            "/lib/systemd/system/osapi-controller.service",
            "/lib/systemd/system/osapi-worker.service"), Map.of());
        assertThat(verify.code()).as(verify.out()).isZero();
      }

      // An upgrade (here a reinstall) keeps an edited conffile and the operator's secrets.
      Path props = Path.of("/etc/osapi/osapi.properties");
      Files.writeString(props, "nats=nats://10.0.0.1:4222\n",
          java.nio.file.StandardOpenOption.APPEND);
      Path token = Path.of("/etc/osapi/api-token");
      assertThat(run(List.of("install", "-m", "600", "-o", "osapi", "-g", "osapi", "/dev/null",
          token.toString()), Map.of()).code()).isZero();
      Run again = run(List.of("dpkg", "-i", deb.toString()), Map.of());
      assertThat(again.code()).as(again.out()).isZero();
      assertThat(Files.readString(props)).endsWith("nats=nats://10.0.0.1:4222\n");
      assertThat(token).exists();

      Run purge = run(List.of("dpkg", "-P", "osapi"), Map.of());
      assertThat(purge.code()).as(purge.out()).isZero();
      assertThat(run(List.of("getent", "passwd", "osapi"), Map.of()).code()).isNotZero();
      assertThat(run(List.of("getent", "group", "osapi"), Map.of()).code()).isNotZero();
      for (String f : List.of("/etc/osapi", "/usr/bin/osapi", "/usr/share/osapi",
          "/usr/share/doc/osapi", "/lib/systemd/system/osapi-worker.service",
          "/etc/systemd/system/osapi-worker.service",
          "/etc/systemd/system/osapi-controller.service")) {
        assertThat(Path.of(f)).as(f).doesNotExist();
      }
      try (Stream<Path> s = Files.exists(Path.of("/var/lib/systemd/deb-systemd-helper-enabled"))
          ? Files.walk(Path.of("/var/lib/systemd/deb-systemd-helper-enabled")) : Stream.empty()) {
        assertThat(s.map(Path::toString).filter(p -> p.contains("osapi")).toList()).isEmpty();
      }
      try (Stream<Path> s = Files.exists(Path.of("/var/lib/systemd/deb-systemd-helper-masked"))
          ? Files.walk(Path.of("/var/lib/systemd/deb-systemd-helper-masked")) : Stream.empty()) {
        assertThat(s.map(Path::toString).filter(p -> p.contains("osapi")).toList()).isEmpty();
      }
      assertThat(run(List.of("dpkg-query", "-W", "osapi"), Map.of()).code()).isNotZero();
    } finally {
      // Whatever failed above, leave the machine as it was.
      if (run(List.of("dpkg-query", "-W", "osapi"), Map.of()).code() == 0) {
        run(List.of("dpkg", "-P", "osapi"), Map.of());
      }
      if (run(List.of("getent", "passwd", "osapi"), Map.of()).code() == 0) {
        run(List.of("userdel", "osapi"), Map.of());
      }
      if (run(List.of("getent", "group", "osapi"), Map.of()).code() == 0) {
        run(List.of("groupdel", "osapi"), Map.of());
      }
      run(List.of("rm", "-rf", "/etc/osapi"), Map.of());
    }
  }

  /** The directives of a unit file: name to values, in order ({@code Key=} gives ""). */
  static Map<String, List<String>> directives(Path unit) throws IOException {
    Map<String, List<String>> d = new LinkedHashMap<>();
    for (String l : Files.readAllLines(unit)) {
      String s = l.strip();
      if (s.isEmpty() || s.startsWith("#") || s.startsWith(";") || s.startsWith("[")) {
        continue;
      }
      int eq = s.indexOf('=');
      assertThat(eq).as("%s: '%s'", unit, s).isPositive();
      d.computeIfAbsent(s.substring(0, eq), k -> new ArrayList<>()).add(s.substring(eq + 1));
    }
    return d;
  }

  /** A systemd time span like {@code 90s}, {@code 2min} or {@code 5}, in seconds. */
  static long seconds(String span) {
    Matcher m = Pattern.compile("^(\\d+)(s|min|m)?$").matcher(span.strip());
    assertThat(m.matches()).as("time span '%s'", span).isTrue();
    long n = Long.parseLong(m.group(1));
    return m.group(2) == null || m.group(2).equals("s") ? n : n * 60;
  }

  record Run(int code, String out) {}

  /** Runs a command to its end (2 min at most), stdout and stderr together. */
  static Run run(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().keySet().removeIf(k -> k.startsWith("OSAPI_"));
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not end within 2 min");
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static boolean onPath(String name) {
    String path = System.getenv("PATH");
    return Stream.of(((path == null ? "" : path) + ":/usr/bin:/usr/sbin").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, name)));
  }

  static String dpkgDeb() {
    return OsProcess.binary("dpkg-deb", "dpkg").toString();
  }

  static String javaHome() {
    return System.getProperty("java.home");
  }

  static String javaBin() {
    return Path.of(javaHome(), "bin", "java").toString();
  }
}
