package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command-line writer of per-worker NATS users. */
class NatsPermissionsToolTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return NatsPermissionsTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void writesTheBlockOfTheWorkersNamed() {
    assertThat(run("--controller", "ctl", "--worker", "web01:group=web.dev,zone=eu",
        "--worker", "db01")).isZero();
    String block = out.toString(StandardCharsets.UTF_8);
    assertThat(block).isEqualTo(NatsPermissions.serverAuthorization("ctl",
        "REPLACE-WITH-BCRYPT-HASH-OF-ctl-PASSWORD", List.of(
            new NatsPermissions.WorkerUser("web01", "REPLACE-WITH-BCRYPT-HASH-OF-web01-PASSWORD",
                "web01", Map.of("group", "web.dev", "zone", "eu")),
            new NatsPermissions.WorkerUser("db01", "REPLACE-WITH-BCRYPT-HASH-OF-db01-PASSWORD",
                "db01", Map.of()))));
    assertThat(block).contains("jobs.query.label.zone.eu");
  }

  @Test
  void badArgumentsExitTwoWithAMessage() {
    assertThat(run("--worker", "web01")).isEqualTo(2);
    assertThat(run("--controller", "ctl", "--worker", "bad id")).isEqualTo(2);
    assertThat(run("--controller", "ctl", "--worker", "w1:novalue")).isEqualTo(2);
    assertThat(run("--controller")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--controller USER")
        .contains("not k=v").contains("needs a value");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
