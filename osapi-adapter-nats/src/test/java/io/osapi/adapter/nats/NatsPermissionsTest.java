package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated permissions, and the example configuration in docs/ that shows them. */
class NatsPermissionsTest {
  /** The authorization block of docs/nats-permissions.conf. */
  static String example() {
    return NatsPermissions.serverAuthorization("osapi-controller",
        "$2a$11$REPLACE.WITH.nats.server.passwd.OUTPUT.FOR.THE.CONTROLLER", List.of(
            new NatsPermissions.WorkerUser("web01", "$2a$11$REPLACE.WITH.A.HASH.FOR.web01",
                "web01", Map.of("group", "web.dev")),
            new NatsPermissions.WorkerUser("db01", "$2a$11$REPLACE.WITH.A.HASH.FOR.db01",
                "db01", Map.of())));
  }

  @Test
  void theExampleConfigurationInDocsIsWhatTheGeneratorWrites() throws Exception {
    Path doc = Path.of("..", "docs", "nats-permissions.conf");
    if (System.getProperty("osapi.writeExample") != null) {
      String head = Files.readString(doc);
      Files.writeString(doc, head.substring(0, head.indexOf("authorization {")) + example());
    }
    assertThat(Files.readString(doc)).endsWith(example());
  }

  @Test
  void aWorkerMayWriteItsOwnHeartbeatAndRunsOnly() {
    List<String> pub = NatsPermissions.workerPublish("web02.example.com", Map.of());
    // keys and durables carry the worker's token (dots written =), run keys the id itself
    assertThat(pub).contains("$KV.osapi-workers.workers.web02=example=com",
        "$KV.osapi-jobs.runs.*.web02.example.com", "$KV.osapi-jobs.runs.*._any",
        "$JS.API.CONSUMER.CREATE.JOBS.query_web02=example=com_all.jobs.query._all",
        "$JS.ACK.JOBS.query_any.>");
    assertThat(pub).noneMatch(s -> s.startsWith("$KV.osapi-jobs.jobs"))
        .noneMatch(s -> s.startsWith("$KV.osapi-worker-state"))
        .noneMatch(s -> s.startsWith("jobs."))
        .noneMatch(s -> s.startsWith("osapi.audit") || s.contains(NatsLayout.AUDIT_STREAM))
        .noneMatch(s -> s.contains(">") && !s.startsWith("$JS.ACK.")
            && !s.startsWith("$JS.API.DIRECT.GET."))
        .noneMatch(s -> s.contains("STREAM.CREATE") || s.contains("STREAM.UPDATE")
            || s.contains("DELETE") || s.contains("PURGE"));
    assertThat(NatsPermissions.workerSubscribe("w1", Map.of("group", "web.dev")))
        .contains("_INBOX.>", "jobs.query._any", "jobs.modify.label.group.web.dev")
        .noneMatch(s -> s.equals("jobs.>") || s.equals(">"));
  }

  @Test
  void passwordsWithQuotesAreRefused() {
    assertThatThrownBy(() -> NatsPermissions.serverAuthorization("c", "a\"b", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
