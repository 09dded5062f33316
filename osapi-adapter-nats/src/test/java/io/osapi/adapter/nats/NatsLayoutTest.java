package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NatsLayoutTest {
  @Test
  void targetsBecomeSubjectsOfSafeTokensOnly() {
    assertThat(NatsLayout.suffix(Target.parse("_any"))).isEqualTo("_any");
    assertThat(NatsLayout.suffix(Target.parse("_all"))).isEqualTo("_all");
    assertThat(NatsLayout.suffix(Target.parse("web01.example.com")))
        .isEqualTo("host.web01=example=com");
    assertThat(NatsLayout.suffix(Target.parse("host:web01"))).isEqualTo("host.web01");
    assertThat(NatsLayout.suffix(Target.parse("group:web.dev"))).isEqualTo("label.group.web.dev");
  }

  @Test
  void twoWorkerIdsNeverShareAKeyASubjectOrADurable() {
    String[] ids = {"web.01", "web_01", "web-01", "web01", "a.b_c", "a_b.c", "a.b.c", "a_b_c"};
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String id : ids) {
      assertThat(seen.add(NatsLayout.workerKey(id))).as(id).isTrue();
      assertThat(seen.add(NatsLayout.drainKey(id))).as(id).isTrue();
      assertThat(seen.add(NatsLayout.suffix(Target.parse("host:" + id)))).as(id).isTrue();
      for (OperationKind kind : OperationKind.values()) {
        assertThat(seen.add(NatsLayout.ownConsumer(kind, id, "_all"))).as(id).isTrue();
        assertThat(seen.add(NatsLayout.ownConsumer(kind, id,
            NatsLayout.suffix(Target.parse("host:" + id))))).as(id).isTrue();
      }
    }
    // ids without a dot keep the keys and durable names they had when ids were sanitised
    assertThat(NatsLayout.workerKey("web_01")).isEqualTo("workers.web_01");
    assertThat(NatsLayout.drainKey("web-01")).isEqualTo("drain.web-01");
    assertThat(NatsLayout.ownConsumer(OperationKind.QUERY, "web01",
        NatsLayout.suffix(Target.parse("host:web01")))).isEqualTo("query_web01_host_web01");
    assertThat(NatsLayout.ownConsumer(OperationKind.QUERY, "web.01", "_all"))
        .isEqualTo("query_web=01_all");
    assertThat(NatsLayout.legacyDrainKey("web.01")).isEqualTo("drain.web_01");
    assertThat(NatsLayout.legacyDrainKey("web_01")).isNull();
    assertThat(NatsLayout.keyOfWorkerSubject("$KV.osapi-workers.workers.web=01"))
        .isEqualTo("workers.web=01");
  }

  @Test
  void aNotificationGoesToItsKindAndTarget() {
    Job job = new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
        OperationKind.MODIFY, Target.parse("host:web01"), Instant.now());
    assertThat(NatsLayout.notificationSubject(job)).isEqualTo("jobs.modify.host.web01");
  }
}
