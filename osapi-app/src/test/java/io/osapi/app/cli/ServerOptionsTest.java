package io.osapi.app.cli;

import static io.osapi.app.cli.JobCommandsTest.assertUsage;
import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.adapter.nats.NatsSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.config.WorkerIds;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The server commands' options: values from flags, environment and config file, their precedence,
 * and bad values refused with one line naming the option and exit code 2.
 */
class ServerOptionsTest {
  @TempDir Path dir;

  /**
   * Parses {@code args} like the real command line and returns the settings it would start (the
   * other option tests of this package use it too).
   */
  static ProcessSettings settings(Map<String, String> env, String... args) {
    StringWriter sink = new StringWriter();
    Cli cli = new Cli(s -> {
      throw new AssertionError();
    }, env);
    CommandLine cl = cli.prepare(args, new PrintWriter(sink), new PrintWriter(sink));
    CommandLine.ParseResult pr = cl.parseArgs(args);
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    Object cmd = pr.commandSpec().userObject();
    if (cmd instanceof OsapiCommand c) {
      return c.settings();
    }
    if (cmd instanceof ControllerCommand c) {
      return c.settings();
    }
    return ((WorkerCommand) cmd).settings();
  }

  @Test
  void defaultsOfTheAllInOneProcess() {
    ProcessSettings s = settings(Map.of());
    assertThat(s.kind()).isEqualTo(ProcessKind.ALL_IN_ONE);
    assertThat(s.nats()).isEmpty();
    assertThat(s.requireApi().address().toString()).isEqualTo("127.0.0.1:8080");
    assertThat(s.requireApi().token()).isEmpty();
    assertThat(s.requireApi().maxBodyBytes()).isEqualTo(65536);
    assertThat(s.metrics().address().toString()).isEqualTo("127.0.0.1:9090");
    assertThat(s.metrics().otlpEndpoint()).isEmpty();
    assertThat(s.requireWorker().workerId()).isEqualTo(WorkerIds.defaultId());
    assertThat(s.requireWorker().concurrency()).isEqualTo(4);
    assertThat(s.requireWorker().ackWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.requireWorker().maxDeliver()).isEqualTo(5);
    assertThat(s.lifecycle().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void controllerAndWorkerDefaults() {
    ProcessSettings c = settings(Map.of(), "controller");
    assertThat(c.kind()).isEqualTo(ProcessKind.CONTROLLER);
    assertThat(c.requireNats().servers()).containsExactly("nats://127.0.0.1:4222");
    assertThat(c.metrics().address().port()).isEqualTo(9090);
    assertThat(c.worker()).isEmpty();
    assertThat(c.requireNats().owner()).as("controllers own the bucket settings").isTrue();
    assertThat(settings(Map.of(), "controller", "--nats-max-bytes", "512m").requireNats()
        .maxBytes()).isEqualTo(512L << 20);
    // the floor: --job-timeout (60s) plus 1m; 0s (for ever) is always allowed
    assertThat(settings(Map.of(), "controller", "--job-ttl", "2m").jobRetention())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(settings(Map.of(), "controller", "--job-ttl", "0s").jobRetention()).isZero();
    assertThat(settings(Map.of(), "worker", "--job-ttl", "1s").requireNats().jobsTtl())
        .as("a worker's value is only what it asks for: it adopts the bucket's")
        .isEqualTo(Duration.ofSeconds(1));
    ProcessSettings w = settings(Map.of(), "worker");
    assertThat(w.kind()).isEqualTo(ProcessKind.WORKER);
    assertThat(w.metrics().address().port()).isEqualTo(9091);
    assertThat(w.api()).isEmpty();
  }

  @Test
  void everyOptionIsApplied() throws IOException {
    Path token = secretFile("api-token", "tok-0123456789abcdef\n");
    Path natsPassword = secretFile("nats-pw", "pw\n");
    ProcessSettings s = settings(Map.of(), "worker", "--nats", "nats://a:4222, nats://b:4223",
        "--nats-user", "osapi", "--nats-password-file", natsPassword.toString(),
        "--replicas", "3", "--nats-storage", "memory", "--job-ttl", "2h",
        "--metrics-addr", "0.0.0.0:9191", "--worker-id", "web01.example",
        "--labels", "group=web.dev,zone=eu", "--concurrency", "8", "--ack-wait", "2m",
        "--max-deliver", "7", "--otlp-endpoint", "http://127.0.0.1:4318/v1/metrics",
        "--drain-timeout", "1m30s");
    NatsSettings n = s.requireNats();
    assertThat(n.servers()).containsExactly("nats://a:4222", "nats://b:4223");
    assertThat(n.user()).isEqualTo("osapi");
    assertThat(n.password()).isEqualTo("pw");
    assertThat(n.streamReplicas()).isEqualTo(3);
    assertThat(n.storage()).isEqualTo(NatsSettings.Storage.MEMORY);
    assertThat(n.jobsTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(n.owner()).as("a worker does not own the bucket settings").isFalse();
    assertThat(n.maxBytes()).isEqualTo(1L << 30);
    assertThat(n.defaultAckWait()).isEqualTo(Duration.ofMinutes(2));
    assertThat(n.connectionName()).isEqualTo("osapi-worker-web01.example");
    assertThat(s.metrics().address().toString()).isEqualTo("0.0.0.0:9191");
    assertThat(s.metrics().otlpEndpoint()).contains(URI.create("http://127.0.0.1:4318/v1/metrics"));
    assertThat(s.requireWorker().workerId()).isEqualTo("web01.example");
    assertThat(s.requireWorker().labels()).isEqualTo(Map.of("group", "web.dev", "zone", "eu"));
    assertThat(s.requireWorker().concurrency()).isEqualTo(8);
    assertThat(s.requireWorker().maxDeliver()).isEqualTo(7);
    assertThat(s.lifecycle().drainTimeout()).isEqualTo(Duration.ofSeconds(90));

    ProcessSettings c = settings(Map.of(), "controller", "--api-addr", "[::1]:8081",
        "--api-token-file", token.toString(), "--max-body-bytes", "2048",
        "--nats-token-file", token.toString());
    assertThat(c.requireApi().address().host()).isEqualTo("::1");
    assertThat(c.requireApi().token()).hasValueSatisfying(
        t -> assertThat(t.value()).isEqualTo("tok-0123456789abcdef"));
    assertThat(c.requireApi().maxBodyBytes()).isEqualTo(2048);
    assertThat(c.requireNats().token()).isEqualTo("tok-0123456789abcdef");
    ProcessSettings named = settings(Map.of(), "controller", "--api-host-names",
        "osapi.example.net, Other.Example.");
    assertThat(named.requireApi().hostNames()).containsExactly("osapi.example.net",
        "other.example");
  }

  /** A file only its owner may read and write, as secrets must be. */
  private Path secretFile(String name, String content) throws IOException {
    Path p = Files.writeString(dir.resolve(name), content);
    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rw-------"));
    return p;
  }

  @Test
  void secretFilesOpenToOthersOrShortTokensAreRefused() throws IOException {
    Path good = secretFile("token-ok", "0123456789abcdef\n");
    assertThat(settings(Map.of(), "controller", "--api-token-file", good.toString())
        .requireApi().token()).isPresent();
    for (String mode : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-rw-rw-"}) {
      Path open = secretFile("token-" + mode, "0123456789abcdef\n");
      Files.setPosixFilePermissions(open,
          java.nio.file.attribute.PosixFilePermissions.fromString(mode));
      CliRun r = CliRun.run(Map.of(), "controller", "--api-token-file", open.toString());
      assertUsage(r, "--api-token-file");
      assertThat(r.err()).contains(mode).contains("chmod 600 " + open);
      assertUsage(CliRun.run(Map.of(), "worker", "--nats-user", "osapi",
          "--nats-password-file", open.toString()), "--nats-password-file");
      assertUsage(CliRun.run(Map.of(), "worker", "--nats-token-file", open.toString()),
          "--nats-token-file");
      assertUsage(CliRun.run(Map.of(), "worker", "--nats-creds", open.toString()),
          "--nats-creds");
      // the job client commands read their token file the same way
      assertUsage(CliRun.run(Map.of(), "workers", "--api-token-file", open.toString()),
          "--api-token-file");
    }
    Path shortToken = secretFile("token-short", "0123456789abcde\n");
    CliRun r = CliRun.run(Map.of(), "controller", "--api-token-file", shortToken.toString());
    assertUsage(r, "--api-token-file");
    assertThat(r.err()).contains("15 characters").contains("at least 16");
  }

  @Test
  void createPatienceAndTheEmbeddedBound() {
    ProcessSettings d = settings(Map.of());
    assertThat(d.requireApi().createPatience()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.embeddedLimits().maxJobs()).isEqualTo(100_000);
    assertThat(d.embeddedLimits().maxBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 100 * 25);
    ProcessSettings s = settings(Map.of(), "--create-patience", "0s", "--embedded-max-jobs", "7",
        "--embedded-max-bytes", "64m");
    assertThat(s.requireApi().createPatience()).isZero();
    assertThat(s.embeddedLimits().maxJobs()).isEqualTo(7);
    assertThat(s.embeddedLimits().maxBytes()).isEqualTo(64L << 20);
    assertThat(settings(Map.of(), "--embedded-max-bytes", "2g").embeddedLimits().maxBytes())
        .isEqualTo(2L << 30);
  }

  @Test
  void theIdempotencyWindowIsTheBucketsMaxAge() {
    assertThat(settings(Map.of()).api().orElseThrow().idempotencyWindow())
        .isEqualTo(Duration.ofHours(24));
    ProcessSettings c = settings(Map.of("OSAPI_IDEMPOTENCY_WINDOW", "2h"), "controller");
    assertThat(c.api().orElseThrow().idempotencyWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(c.requireNats().idempotencyWindow()).as("the bucket's max age")
        .isEqualTo(Duration.ofHours(2));
    assertThat(settings(Map.of(), "controller").requireNats().idempotencyWindow())
        .isEqualTo(Duration.ofHours(24));
    assertThat(settings(Map.of(), "--nats", "nats://127.0.0.1:4222", "--idempotency-window",
        "30d").requireNats().idempotencyWindow()).isEqualTo(Duration.ofDays(30));
    for (String bad : List.of("0s", "31d", "soon")) {
      JobCommandsTest.assertUsage(CliRun.run(Map.of(), "controller", "--idempotency-window", bad),
          "--idempotency-window");
    }
  }

  @Test
  void auditRetentionAndTheEmbeddedRing() {
    ProcessSettings d = settings(Map.of());
    assertThat(d.audit().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(d.audit().embeddedCapacity()).isEqualTo(100_000);
    ProcessSettings s = settings(Map.of("OSAPI_AUDIT_RETENTION", "2h"),
        "--embedded-audit-capacity", "50");
    assertThat(s.audit().retention()).isEqualTo(Duration.ofHours(2));
    assertThat(s.audit().embeddedCapacity()).isEqualTo(50);
    ProcessSettings c = settings(Map.of(), "controller", "--audit-retention", "90d");
    assertThat(c.audit().retention()).isEqualTo(Duration.ofDays(90));
    assertThat(c.requireNats().auditRetention()).as("the stream's max age")
        .isEqualTo(Duration.ofDays(90));
    assertThat(settings(Map.of(), "controller").requireNats().auditRetention())
        .isEqualTo(Duration.ofDays(30));
    assertThat(settings(Map.of(), "--nats", "nats://127.0.0.1:4222", "--audit-retention", "1h")
        .requireNats().auditRetention()).isEqualTo(Duration.ofHours(1));

    for (String bad : List.of("59m", "0s", "3651d", "soon")) {
      JobCommandsTest.assertUsage(CliRun.run(Map.of(), "controller", "--audit-retention", bad),
          "--audit-retention");
    }
    for (String bad : List.of("0", "10000001", "many")) {
      JobCommandsTest.assertUsage(CliRun.run(Map.of(), "--embedded-audit-capacity", bad),
          "--embedded-audit-capacity");
    }
    // a worker never touches the audit trail: the option is not one of its own
    CliRun w = CliRun.run(Map.of(), "worker", "--audit-retention", "2h");
    assertThat(w.code()).isEqualTo(2);
    assertThat(w.err()).contains("--audit-retention");
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverTheConfigFile() throws IOException {
    Path file = Files.writeString(dir.resolve("osapi.properties"),
        "concurrency=6\nlabels=zone=eu\n--ack-wait=45s\napi-addr=127.0.0.1:7000\n");
    Map<String, String> env = Map.of("OSAPI_CONCURRENCY", "5", "OSAPI_CONFIG", file.toString(),
        "OSAPI_MAX_DELIVER", "9");
    ProcessSettings fromEnv = settings(env);
    assertThat(fromEnv.requireWorker().concurrency()).isEqualTo(5);
    assertThat(fromEnv.requireWorker().maxDeliver()).isEqualTo(9);
    assertThat(fromEnv.requireWorker().labels()).containsEntry("zone", "eu");
    assertThat(fromEnv.requireWorker().ackWait()).isEqualTo(Duration.ofSeconds(45));
    assertThat(fromEnv.requireApi().address().port()).isEqualTo(7000);
    ProcessSettings flag = settings(env, "--concurrency", "3");
    assertThat(flag.requireWorker().concurrency()).isEqualTo(3);
    ProcessSettings fileOnly = settings(Map.of(), "--config", file.toString());
    assertThat(fileOnly.requireWorker().concurrency()).isEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--concurrency 0 | --concurrency",
      "--concurrency many | --concurrency",
      "--concurrency 5000 | --concurrency",
      "--api-addr nope | --api-addr",
      "--api-addr 127.0.0.1:99999 | --api-addr",
      "--api-addr 127.0.0.1:http | --api-addr",
      "--metrics-addr :x | --metrics-addr",
      "--ack-wait 5 | --ack-wait",
      "--ack-wait 0s | --ack-wait",
      "--ack-wait 500ms | --ack-wait",
      "--ack-wait 1000000d | --ack-wait",
      "worker --ack-wait 25h | --ack-wait",
      "--job-ttl 1000000d | --job-ttl",
      "controller --job-ttl 3651d | --job-ttl",
      "--job-ttl P1000000D | --job-ttl",
      "--nats= | --nats",
      "controller --nats= | --nats",
      "--create-patience 21s | --create-patience",
      "controller --create-patience 1m | --create-patience",
      "--create-patience PT-1S | --create-patience",
      "--create-patience soon | --create-patience",
      "--embedded-max-jobs 0 | --embedded-max-jobs",
      "--embedded-max-jobs 10000001 | --embedded-max-jobs",
      "--embedded-max-bytes 1000 | --embedded-max-bytes",
      "--embedded-max-bytes 0% | --embedded-max-bytes",
      "--embedded-max-bytes 101% | --embedded-max-bytes",
      "--embedded-max-bytes lots | --embedded-max-bytes",
      "worker --nats=, | --nats",
      "--api-addr no-such-host.invalid:8080 | --api-addr",
      "controller --metrics-addr no-such-host.invalid:9090 | --metrics-addr",
      "--api-host-names bad_name | --api-host-names",
      "--api-host-names a,,b | --api-host-names",
      "--max-deliver 0 | --max-deliver",
      "--labels a | --labels",
      "--labels Bad=x | --labels",
      "--labels a=b,a=c | --labels",
      "--labels a=b..c | --labels",
      "--worker-id -x | --worker-id",
      "--worker-id w\u00f6rker | --worker-id",
      "--worker-id w3. | --worker-id",
      "--worker-id a..b | --worker-id",
      "--nats http://127.0.0.1:4222 | --nats",
      "--nats nats:// | --nats",
      "--replicas 9 | --replicas",
      "--nats-storage disk | --nats-storage",
      "--job-ttl forever | --job-ttl",
      "controller --job-ttl 119s | --job-ttl",
      "--job-ttl 10m --job-timeout 10m | --job-ttl",
      "--nats-max-bytes 1m | --nats-max-bytes",
      "controller --nats-max-bytes lots | --nats-max-bytes",
      "worker --nats-max-bytes 64x | --nats-max-bytes",
      "--drain-timeout 2h | --drain-timeout",
      "--drain-timeout -1s | --drain-timeout",
      "--max-body-bytes 10 | --max-body-bytes",
      "--api-threads 0 | --api-threads",
      "--api-token-file /does/not/exist | --api-token-file",
      "--otlp-endpoint ftp://collector | --otlp-endpoint",
      "--nats-creds /does/not/exist | --nats-creds",
      "--nats-user someone | --nats-user",
      "--nats-tls-truststore-password-file /x | --nats-tls-truststore-password-file",
      "--bogus 1 | --bogus",
      "controller --worker-id w1 | --worker-id",
      "worker --api-addr 127.0.0.1:1 | --api-addr",
      "controller --nats tls:// | --nats",
      "worker --concurrency -1 | --concurrency",
  })
  void badValuesAreOneLineNamingTheOption(String args, String option) {
    assertUsage(CliRun.run(Map.of(), args.trim().split(" ")), option);
  }

  @Test
  void badValuesFromTheEnvironmentSayWhereTheyCameFrom() {
    CliRun r = CliRun.run(Map.of("OSAPI_CONCURRENCY", "lots"));
    assertUsage(r, "--concurrency");
    assertThat(r.err()).contains("environment variable OSAPI_CONCURRENCY");
    CliRun labels = CliRun.run(Map.of("OSAPI_LABELS", "k"), "worker");
    assertUsage(labels, "--labels");
    assertThat(labels.err()).contains("OSAPI_LABELS");
  }

  @Test
  void badConfigFilesAreOneLine() throws IOException {
    Path typo = Files.writeString(dir.resolve("typo.properties"), "concurency=4\n");
    assertUsage(CliRun.run(Map.of(), "--config", typo.toString()), "concurency");
    assertUsage(CliRun.run(Map.of(), "--config", dir.resolve("missing").toString()), "--config");
    Path bad = Files.writeString(dir.resolve("bad.properties"), "ack-wait=soon\n");
    CliRun r = CliRun.run(Map.of(), "worker", "--config=" + bad);
    assertUsage(r, "--ack-wait");
    assertThat(r.err()).contains("config file " + bad);
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    CliRun root = CliRun.run(Map.of(), "--help");
    assertThat(root.code()).isZero();
    assertThat(root.out()).contains("--nats=URL", "--api-addr=HOST:PORT", "(default: 127.0.0.1:8080)",
        "--metrics-addr", "(default: 127.0.0.1:9090)", "--worker-id=ID", "--labels",
        "--concurrency=N", "(default: 4)", "--ack-wait=DURATION", "(default: 30s)",
        "--max-deliver=N", "(default: 5)", "--otlp-endpoint=URL", "--api-token-file=PATH",
        "--max-body-bytes=N", "(default: 65536)", "--drain-timeout", "--config=FILE",
        "--nats-user", "--nats-password-file", "--nats-token-file", "--nats-creds",
        "--nats-tls-truststore", "--replicas=N", "controller", "worker", "job", "workers");
    CliRun worker = CliRun.run(Map.of(), "worker", "--help");
    assertThat(worker.out()).contains("(default: 127.0.0.1:9091)")
        .contains("(default: nats://127.0.0.1:4222)").doesNotContain("--api-addr");
    CliRun submit = CliRun.run(Map.of(), "job", "submit", "--help");
    assertThat(submit.out()).contains("--type", "--data", "--target", "--wait", "--controller",
        "(default: http://127.0.0.1:8080", "--json", "--api-token-file");
    CliRun shown = CliRun.run(Map.of("OSAPI_CONCURRENCY", "12"), "--help");
    assertThat(shown.out()).contains("(default: 12)");
  }

  @Test
  void versionIsPrinted() {
    CliRun r = CliRun.run(Map.of(), "--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("osapi-app ");
  }

  @Test
  void tracingFlagsAreParsedAndBadOnesRefusedNamingTheFlag() {
    assertThat(settings(Map.of(), "worker").metrics().tracing().endpoint()).isEmpty();
    io.osapi.app.config.TracingSettings t = settings(Map.of(), "controller",
        "--otlp-traces-endpoint", "http://collector:4317", "--otlp-traces-protocol", "grpc",
        "--trace-sample-ratio", "0.1").metrics().tracing();
    assertThat(t.endpoint()).contains(java.net.URI.create("http://collector:4317"));
    assertThat(t.protocol()).contains("grpc");
    assertThat(t.sampleRatio()).contains(0.1);
    assertThat(settings(Map.of("OSAPI_TRACE_SAMPLE_RATIO", "0.5")).metrics().tracing()
        .sampleRatio()).contains(0.5);
    JobCommandsTest.assertUsage(CliRun.run(Map.of(), "worker", "--otlp-traces-endpoint",
        "collector:4318"), "--otlp-traces-endpoint");
    JobCommandsTest.assertUsage(CliRun.run(Map.of(), "worker", "--otlp-traces-protocol",
        "http/json"), "--otlp-traces-protocol");
    for (String bad : List.of("1.5", "-0.1", "half")) {
      JobCommandsTest.assertUsage(CliRun.run(Map.of(), "controller", "--trace-sample-ratio", bad),
          "--trace-sample-ratio");
    }
    JobCommandsTest.assertUsage(CliRun.run(Map.of(), "job", "submit", "--type", "diag.echo",
        "--trace-sample-ratio", "2"), "--trace-sample-ratio");
  }
}
