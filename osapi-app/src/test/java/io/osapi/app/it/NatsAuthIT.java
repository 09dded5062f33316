package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NATS token authentication from a file: the right token connects, a wrong one leaves the process
 * running but not ready, with the reason on {@code /health/ready} and never the token.
 */
class NatsAuthIT {
  @TempDir Path dir;

  @Test
  void tokenFromAFile() throws Exception {
    Path good = Files.writeString(dir.resolve("good"), "nats-secret-1\n");
    Path bad = Files.writeString(dir.resolve("bad"), "guess\n");
    for (Path secret : List.of(good, bad)) { // secret files must be private to their owner
      Files.setPosixFilePermissions(secret,
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    int okPort = Ports.free();
    int badPort = Ports.free();
    int apiPort = Ports.free();
    int controllerPort = Ports.free();
    try (NatsServer nats = NatsServer.start(dir, List.of("--auth", "nats-secret-1"));
        // the controller creates the streams and buckets; a worker waits for them
        OsProcess controller = OsProcess.start("auth-controller", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "controller", "--nats", nats.url(),
                "--nats-token-file", good.toString(), "--api-addr", "127.0.0.1:" + apiPort,
                "--metrics-addr", "127.0.0.1:" + controllerPort));
        OsProcess ok = OsProcess.start("auth-ok", dir, Map.of(), OsProcess.javaJar(
            OsProcess.jar(), "worker", "--nats", nats.url(), "--nats-token-file",
            good.toString(), "--worker-id", "auth-ok", "--metrics-addr", "127.0.0.1:" + okPort));
        OsProcess refused = OsProcess.start("auth-bad", dir, Map.of(), OsProcess.javaJar(
            OsProcess.jar(), "worker", "--nats", nats.url(), "--nats-token-file",
            bad.toString(), "--worker-id", "auth-bad", "--metrics-addr",
            "127.0.0.1:" + badPort))) {
      URI okReady = URI.create("http://127.0.0.1:" + okPort + "/health/ready");
      ok.await("the worker with the right token ready", Duration.ofSeconds(40),
          () -> Http.status(okReady) == 200);
      refused.awaitStdout("backend: .*", Duration.ofSeconds(40));
      HttpResponse<String> r = Http.get(URI.create("http://127.0.0.1:" + badPort
          + "/health/ready"));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("nats").doesNotContain("guess");
      assertThat(refused.stdout() + refused.stderr()).doesNotContain("guess")
          .doesNotContain("nats-secret-1");
      assertThat(ok.stdout() + ok.stderr()).doesNotContain("nats-secret-1");
      assertThat(controller.stdout() + controller.stderr()).doesNotContain("nats-secret-1");
    }
  }
}
