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
        .isEqualTo("host.web01_example_com");
    assertThat(NatsLayout.suffix(Target.parse("host:web01"))).isEqualTo("host.web01");
    assertThat(NatsLayout.suffix(Target.parse("group:web.dev"))).isEqualTo("label.group.web.dev");
  }

  @Test
  void aNotificationGoesToItsKindAndTarget() {
    Job job = new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
        OperationKind.MODIFY, Target.parse("host:web01"), Instant.now());
    assertThat(NatsLayout.notificationSubject(job)).isEqualTo("jobs.modify.host.web01");
  }
}
