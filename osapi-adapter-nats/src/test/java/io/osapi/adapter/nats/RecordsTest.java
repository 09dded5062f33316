package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.WorkerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored JSON shapes: exact round trips and clear failures. */
class RecordsTest {
  private static final JobId ID = JobId.generate(Clock.systemUTC());

  @Test
  void jobRoundTripsOperationDataCharacterForCharacter() {
    String data = "{ \"a\" : [1, 2.50, {\"b\":\"x\\\"}y\\u00e9\"}], \"c\": null }";
    Job job =
        new Job(ID, new Operation("diag.echo", data), OperationKind.MODIFY,
            Target.parse("group:web.dev"), Instant.parse("2026-01-02T03:04:05.123456789Z"));
    Job back = Records.job(ID, Records.job(job));
    assertThat(back).isEqualTo(job);
    assertThat(back.operation().data()).isEqualTo(data);
  }

  @Test
  void aJobRecordThatIsNotAJobIsCorrupt() {
    assertThatThrownBy(() -> Records.job(ID, "not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining(ID.value());
    assertThatThrownBy(() -> Records.job(ID, "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CorruptRecordException.class);
    Job other =
        new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"), OperationKind.QUERY,
            Target.parse("_any"), Instant.now());
    assertThatThrownBy(() -> Records.job(ID, Records.job(other)))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("holds job");
  }

  @Test
  void eventsResultsAndWorkersRoundTrip() {
    StatusEvent e =
        new StatusEvent(ID, EventType.FAILED, "web01.example.com", Instant.now(),
            Map.of("error", "boom \"quoted\"", "duration_ms", "12"));
    assertThat(Records.event(Records.event(e))).isEqualTo(e);

    JobResult json = new JobResult(ID, "w1", 2, EventType.COMPLETED, "[1, {\"x\": true}]", null,
        Instant.now());
    assertThat(Records.result(Records.result(json))).isEqualTo(json);
    JobResult text = new JobResult(ID, "w1", 1, EventType.FAILED, "plain text, not JSON", "bad",
        Instant.now());
    assertThat(Records.result(Records.result(text))).isEqualTo(text);
    JobResult none = new JobResult(ID, "w1", 1, EventType.FAILED, null, "bad", Instant.now());
    assertThat(Records.result(Records.result(none))).isEqualTo(none);

    WorkerInfo w = new WorkerInfo("web-01", Map.of("group", "web.dev", "zone", "a"),
        Instant.now().minusSeconds(60), Instant.now(), 3, 8);
    assertThat(Records.worker(Records.worker(w))).isEqualTo(w);
  }

  @Test
  void layoutNamesAreSafeTokens() {
    assertThat(NatsLayout.ownConsumer(OperationKind.QUERY, "web01.example.com", "_all"))
        .isEqualTo("query_web01_example_com_all");
    assertThat(NatsLayout.ownConsumer(OperationKind.MODIFY, "w1", "label.group.web.dev"))
        .isEqualTo("modify_w1_label_group_web_dev");
    assertThat(NatsLayout.ownSubject(OperationKind.QUERY, "host.web01_example_com"))
        .isEqualTo("jobs.query.host.web01_example_com");
    assertThat(NatsLayout.eventKey(ID, "started", "web01.example.com", 42))
        .isEqualTo("status." + ID + ".started.web01_example_com.42");
  }
}
