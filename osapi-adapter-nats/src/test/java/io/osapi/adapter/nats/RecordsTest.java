package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.WorkerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stored JSON shapes: exact round trips, raw JSON kept byte for byte, clear failures. */
class RecordsTest {
  private static final JobId ID = JobId.generate(Clock.systemUTC());
  private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");

  private static Job job(String data, String target) {
    return new Job(ID, new Operation("diag.echo", data), OperationKind.MODIFY, Target.parse(target),
        T);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{ \"a\" : [1, 2.50, {\"b\":\"x\\\"}y\\u00e9\"}], \"c\": null }",
      "{\"é€😀\":\"ü\\n\"}", "12", "-1.5e3", "1.0", "\"str\\\"é\"", "true", "null", "[ ]",
      " {} ", "{}\n"})
  void recordsAndNotificationsKeepOperationDataByteForByte(String data) {
    JobRecord r = JobRecord.submitted(job(data, "group:web.dev"), List.of("w1", "web01.example"));
    JobRecord back = Records.record(ID, Records.record(r));
    assertThat(back).isEqualTo(r);
    assertThat(back.job().operation().data()).isEqualTo(data);
    JobNotification n = JobNotification.of(r);
    assertThat(Records.notification(Records.notification(n))).isEqualTo(n);
  }

  @Test
  void aSignedJobKeepsItsSignatureAndAnOlderRecordWithoutOneIsRead() {
    io.osapi.core.service.WorkerKey k = io.osapi.core.service.WorkerKey.generate();
    io.osapi.core.service.JobSigner signer = io.osapi.core.service.JobSigner.of(k);
    Job signed = signer.sign(job("{ \"argv\" : [\"true\"] }", "web01"), T.plusSeconds(90));
    JobRecord r = JobRecord.submitted(signed, List.of("web01"), Duration.ofSeconds(30));
    JobRecord back = Records.record(ID, Records.record(r));
    assertThat(back).isEqualTo(r);
    assertThat(back.job().signature()).isEqualTo(signed.signature());
    JobNotification n = Records.notification(Records.notification(JobNotification.of(r)));
    assertThat(io.osapi.core.service.JobVerifier.of(List.of(k.publicKey()))
        .refusal(n.job(), "web01", Map.of(), T)).as("verifies after the round trip").isEmpty();
    String older = "{\"v\":2,\"id\":\"" + ID.value() + "\",\"created\":\"" + T
        + "\",\"kind\":\"modify\",\"target\":\"_any\",\"operation\":{\"type\":"
        + "\"diag.echo\",\"data\":{}},\"timeline\":[]}";
    assertThat(Records.record(ID, utf8(older)).job().signature()).isNull();
    assertThatThrownBy(() -> Records.notification(utf8(older.replace("\"timeline\":[]",
        "\"signature\":{\"key\":\"k\"}")))).isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void aTracedRecordKeepsItsContextAndAnOlderRecordWithoutOneIsRead() {
    io.osapi.core.domain.TraceContext c = new io.osapi.core.domain.TraceContext(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "congo=t61rcWkgMzE");
    JobRecord r = JobRecord.submitted(job("{}", "_any"), List.of()).withTrace(c);
    JobRecord back = Records.record(ID, Records.record(r));
    assertThat(back).isEqualTo(r);
    assertThat(back.trace()).isEqualTo(c);
    assertThat(back.with(new io.osapi.core.domain.TimelineEntry(T, "x", null, null, null))
        .trace()).as("kept by a timeline change").isEqualTo(c);
    // the notification body does not carry it (its headers do, see NatsJobQueue)
    assertThat(new String(Records.notification(JobNotification.of(r)), StandardCharsets.UTF_8))
        .doesNotContain("traceparent");
    String older = "{\"v\":2,\"id\":\"" + ID.value() + "\",\"created\":\"" + T
        + "\",\"kind\":\"query\",\"target\":\"_any\",\"operation\":{\"type\":"
        + "\"diag.echo\",\"data\":{}},\"timeline\":[]}";
    assertThat(Records.record(ID, utf8(older)).trace()).isNull();
    // a context that is not valid is dropped, not a corrupt record (the job still runs)
    assertThat(Records.record(ID, utf8(older.replace("\"timeline\":[]",
        "\"trace\":{\"traceparent\":\"bogus\"},\"timeline\":[]"))).trace()).isNull();
  }

  @Test
  void aWorkersAllowListRoundTripsAndAnOlderEntryHasTheDefault() {
    WorkerInfo w = new WorkerInfo("w1", Map.of(), T, T, 0, 4, null, null, null, null,
        List.of("system.*", "command.exec"));
    WorkerInfo back = ControlRecords.worker(ControlRecords.worker(w));
    assertThat(back).isEqualTo(w);
    assertThat(back.policy().allows("command.exec", true)).isTrue();
    WorkerInfo older = ControlRecords.worker(utf8("{\"id\":\"w1\",\"labels\":{},"
        + "\"started\":\"" + T + "\",\"last_heartbeat\":\"" + T + "\",\"active_jobs\":0,"
        + "\"concurrency\":4}"));
    assertThat(older.allowOperations()).isNull();
    assertThat(older.policy().allows("command.exec", true)).isFalse();
    assertThat(older.policy().allows("system.hostname.get", false)).isTrue();
  }

  @Test
  void aBroadcastRecordKeepsItsTimeoutAndDeadlinesRoundTrip() {
    JobRecord r = JobRecord.submitted(job("{}", "_all"), List.of("w1", "w2"),
        Duration.ofMillis(2500));
    JobRecord back = Records.record(ID, Records.record(r));
    assertThat(back).isEqualTo(r);
    assertThat(back.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(new String(Records.record(r), StandardCharsets.UTF_8)).contains("\"timeout_ms\":2500");
    // a record written before timeouts has none
    JobRecord old = JobRecord.submitted(job("{}", "_all"), List.of("w1"));
    assertThat(Records.record(ID, Records.record(old)).timeout()).isNull();
    JobDeadline d = new JobDeadline(ID, T);
    assertThat(ControlRecords.deadline(ControlRecords.deadline(d))).isEqualTo(d);
    assertThatThrownBy(() -> ControlRecords.deadline(utf8("{\"v\":2,\"id\":\"x\"}")))
        .isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void aRolloutRoundTripsAndARecordWithoutOneReadsAsNone() {
    JobRecord plain = JobRecord.submitted(job("{}", "_all"), List.of("w1", "w2", "w3"),
        Duration.ofMinutes(5));
    assertThat(Records.record(ID, Records.record(plain)).rollout()).isNull();
    assertThat(new String(Records.record(plain), StandardCharsets.UTF_8)).doesNotContain("rollout");
    io.osapi.core.domain.Rollout started = io.osapi.core.domain.Rollout
        .of(0, 50, Duration.ofSeconds(3), 1).release(2, T);
    for (io.osapi.core.domain.Rollout r : List.of(started, started.release(1, T.plusSeconds(9)),
        started.stop("rollout stopped: 2 released runs failed (w1, w2), more than"
            + " max_failures 1"), io.osapi.core.domain.Rollout.of(4, 0, Duration.ZERO, 0))) {
      JobRecord rec = plain.withRollout(r);
      assertThat(Records.record(ID, Records.record(rec))).isEqualTo(rec);
    }
    assertThat(Records.record(ID, Records.record(plain.withRollout(started))).rollout()
        .window(3)).isEqualTo(2);
    // a released run's notification names its worker alone and goes to its host subject
    JobNotification n = JobNotification.releasedTo(plain.withRollout(started), "w2");
    assertThat(Records.notification(Records.notification(n)).expected()).containsExactly("w2");
    assertThat(NatsLayout.notificationSubject(n)).isEqualTo("jobs.modify.host.w2");
    assertThat(NatsLayout.notificationMessageId(n)).isEqualTo(ID.value() + "/w2");
    assertThat(NatsLayout.notificationMessageId(JobNotification.of(plain))).isEqualTo(ID.value());
  }

  @Test
  void rawDataIsWrittenAsJsonNotAsAString() {
    String text = new String(Records.record(JobRecord.submitted(job("{\"a\": 1}", "_any"),
        List.of())), StandardCharsets.UTF_8);
    assertThat(text).contains("\"data\":{\"a\": 1}").contains("\"v\":2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"x\": [1, {\"y\": \"é\"}]}", "42", "\"q\"", "plain text", " [1] ",
      "[1] x", "{\"unterminated\": ", ""})
  void runsRoundTripWithTheirResultExactly(String result) {
    Run claimed = Run.claim(null, "web01.example", 2, T);
    Run done = claimed.finish(RunState.COMPLETED, result, null, false, T.plusMillis(5));
    assertThat(Records.run("r", Records.run(done))).isEqualTo(done);
  }

  @Test
  void everyRunStateRoundTrips() {
    Run claimed = Run.claim(null, "w1", 1, T);
    Run taken = Run.claim(claimed, "w2", 2, T.plusSeconds(1));
    List<Run> runs = List.of(claimed, taken, taken.release("shutting down", T.plusSeconds(2)),
        taken.finish(RunState.FAILED, null, "boom \"x\"", true, T.plusSeconds(3)),
        Run.deadLetter(null, "deliveries ran out", T));
    for (Run r : runs) {
      assertThat(Records.run("r", Records.run(r))).isEqualTo(r);
    }
  }

  @Test
  void workersRoundTrip() {
    WorkerInfo w = new WorkerInfo("web-01", Map.of("group", "web.dev", "zone", "a"),
        T.minusSeconds(60), T, 3, 8);
    assertThat(ControlRecords.worker(ControlRecords.worker(w))).isEqualTo(w);
  }

  @Test
  void unreadableValuesAreCorrupt() {
    for (String bad : new String[] {"", "not json", "{\"id\":\"x\"}", "{\"v\":2}", "[]",
        "{\"v\":2,\"state\":\"running\"} trailing", "{\"v\":2,\"state\":\"sleeping\"}"}) {
      assertThatThrownBy(() -> Records.run("run x", utf8(bad)))
          .as(bad).isInstanceOf(CorruptRecordException.class).hasMessageContaining("run x");
      assertThatThrownBy(() -> Records.record(ID, utf8(bad)))
          .as(bad).isInstanceOf(CorruptRecordException.class).hasMessageContaining(ID.value());
      assertThatThrownBy(() -> Records.notification(utf8(bad)))
          .as(bad).isInstanceOf(CorruptRecordException.class);
    }
    JobRecord other = JobRecord.submitted(new Job(JobId.generate(Clock.systemUTC()),
        Operation.of("diag.echo"), OperationKind.QUERY, Target.parse("_any"), T), List.of());
    assertThatThrownBy(() -> Records.record(ID, Records.record(other)))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("holds job");
    assertThatThrownBy(() -> Records.run("r", utf8("{\"state\":\"running\"}")))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("no format version");
  }

  @Test
  void instantsReadFastAndExactly() {
    for (String s : new String[] {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z",
        "2024-02-29T23:59:59.999999999Z", "1999-12-31T00:00:00.123Z", "+10000-01-01T00:00:00Z"}) {
      assertThat(JsonReader.instant(s)).isEqualTo(Instant.parse(s));
    }
    assertThatThrownBy(() -> JsonReader.instant("2026-02-30T00:00:00Z"))
        .isInstanceOf(java.time.DateTimeException.class);
  }

  @Test
  void advisoriesAreRead() {
    String json = "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"id\":\"x\","
        + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"stream\":\"JOBS\",\"consumer\":\"query_any\","
        + "\"stream_seq\":42,\"deliveries\":5}";
    assertThat(ControlRecords.advisory(utf8(json)))
        .isEqualTo(new ControlRecords.Advisory("JOBS", "query_any", 42, 5));
    assertThat(ControlRecords.advisory(utf8("{}"))).isNull();
    assertThat(ControlRecords.advisory(utf8("nope"))).isNull();
  }

  @Test
  void layoutNamesAndSubjects() {
    assertThat(NatsLayout.ownConsumer(OperationKind.QUERY, "web01.example.com", "_all"))
        .isEqualTo("query_web01=example=com_all");
    assertThat(NatsLayout.ownConsumer(OperationKind.MODIFY, "w1", "label.group.web.dev"))
        .isEqualTo("modify_w1_label_group_web_dev");
    assertThat(NatsLayout.runKey(RunKey.of(ID, "web01.example")))
        .isEqualTo("runs." + ID + ".web01.example");
    assertThat(NatsLayout.runOfSubject(NatsLayout.runSubject(RunKey.of(ID, "web01.example"))))
        .isEqualTo(RunKey.of(ID, "web01.example"));
    assertThat(NatsLayout.runOfSubject(NatsLayout.runSubject(RunKey.any(ID))))
        .isEqualTo(RunKey.any(ID));
    assertThat(NatsLayout.jobOfRecordSubject(NatsLayout.jobSubject(ID))).isEqualTo(ID);
    assertThat(NatsLayout.jobOfRecordSubject("$KV.osapi-jobs.status." + ID)).isNull();
    assertThat(NatsLayout.runOfSubject("$KV.osapi-jobs.runs." + ID)).isNull();
    assertThat(NatsLayout.workerOfDescription(
        NatsLayout.ownDescription("web01.example", "jobs.query._all"))).isEqualTo("web01.example");
    assertThat(NatsLayout.workerOfDescription("osapi jobs.query._any")).isNull();
  }

  @Test
  void ackSubjectsAreReadWithoutJnats() {
    assertThat(NatsDelivery.ackMeta("$JS.ACK.JOBS.query_any.3.17.9.1764500000123456789.0"))
        .isEqualTo(new NatsDelivery.AckMeta(3, 1764500000123456789L));
    assertThat(NatsDelivery.ackMeta(
        "$JS.ACK.dom.hash.JOBS.query_any.2.17.9.1764500000123456789.4.rand"))
        .isEqualTo(new NatsDelivery.AckMeta(2, 1764500000123456789L));
    assertThat(NatsDelivery.ackMeta("_INBOX.x")).isNull();
  }

  @Test
  void timelinesKeepEveryField() {
    JobRecord r = JobRecord.submitted(job("{}", "_any"), List.of())
        .with(new TimelineEntry(T, "retried", "_api", "retried by ops", "was \"stuck\""))
        .with(new TimelineEntry(T, "note", null, null, null));
    assertThat(Records.record(ID, Records.record(r))).isEqualTo(r);
  }

  @Test
  void aRecordsNotificationIsTheSameBytesAsOneWrittenAlone() {
    io.osapi.core.service.WorkerKey k = io.osapi.core.service.WorkerKey.generate();
    Job signed = io.osapi.core.service.JobSigner.of(k)
        .sign(job("{ \"argv\" : [\"true\"] }", "web01"), T.plusSeconds(90));
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      many.add("w" + i);
    }
    io.osapi.core.domain.TraceContext c = new io.osapi.core.domain.TraceContext(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
    List<JobRecord> records = List.of(
        JobRecord.submitted(job("{\"n\":1}", "_any"), List.of()),
        JobRecord.submitted(signed, List.of("web01"), Duration.ofSeconds(30)).withTrace(c),
        JobRecord.submitted(job(" {} ", "_all"), many, Duration.ofSeconds(60)),
        JobRecord.submitted(job("{}", "_any"), List.of()).cancel("ops", T));
    NotificationBodies bodies = new NotificationBodies();
    for (JobRecord r : records) {
      byte[] stored = Records.record(r, bodies);
      assertThat(stored).isEqualTo(Records.record(r));
      JobNotification n = JobNotification.of(r);
      byte[] kept = bodies.take(n);
      assertThat(kept).isEqualTo(Records.notification(n));
      assertThat(Records.notification(kept)).isEqualTo(n.withTrace(null));
      assertThat(bodies.take(n)).as("handed out once").isNull();
    }
    // only for the very job and expected list it was made from: never another job's body
    JobRecord r = records.get(0);
    Records.record(r, bodies);
    Job same = new Job(r.job().id(), r.job().operation(), r.job().kind(), r.job().target(),
        r.job().created());
    assertThat(bodies.take(new JobNotification(same, r.expected()))).isNull();
    bodies.drop(r.job());
    assertThat(bodies.take(JobNotification.of(r))).as("dropped after a failed create").isNull();
  }

  @Test
  void instantsAreWrittenAsInstantToStringWritesThem() {
    java.util.Random random = new java.util.Random(29);
    List<Instant> instants = new java.util.ArrayList<>(List.of(T, Instant.EPOCH,
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2024-02-29T12:00:00.120Z"),
        Instant.parse("2026-12-06T05:00:00.000100Z"), Instant.parse("2026-12-06T05:00:00.000000001Z"),
        Instant.MIN, Instant.MAX, Instant.now()));
    for (int i = 0; i < 10_000; i++) {
      long sec = random.nextLong() % 300_000_000_000L;
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(sec, nanos));
    }
    for (Instant t : instants) {
      assertThat(IsoInstants.toString(t)).isEqualTo(t.toString());
    }
    // and in a record: read back exactly
    JobRecord r = JobRecord.submitted(new Job(ID, new Operation("diag.echo", "{}"),
        OperationKind.QUERY, Target.parse("_any"), Instant.parse("2026-01-02T03:04:05.120Z")),
        List.of());
    assertThat(new String(Records.record(r), StandardCharsets.UTF_8))
        .contains("\"created\":\"2026-01-02T03:04:05.120Z\"");
    assertThat(Records.record(ID, Records.record(r))).isEqualTo(r);
  }
}
