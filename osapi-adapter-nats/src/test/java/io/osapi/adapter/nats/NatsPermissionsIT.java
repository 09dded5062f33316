package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Verification;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerKey;
import io.osapi.core.service.WorkerService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-worker NATS users with the permissions {@link NatsPermissions} generates, on a real
 * nats-server started with that configuration: workers run every kind of job under them (the
 * positive control), and a client holding one worker's NATS credentials cannot write another
 * worker's heartbeat or run, a job record, a notification, a drain request or a key decision.
 */
class NatsPermissionsIT {
  private static final String CONTROLLER_PASSWORD = "controller-Pa55word";

  @TempDir Path dir;
  private NatsServerProcess server;
  private final List<AutoCloseable> open = new ArrayList<>();
  private JobClient jobs;
  private NatsBackend controller;

  private static String password(String worker) {
    return worker + "-Pa55word";
  }

  @BeforeEach
  void start() throws Exception {
    String conf = NatsPermissions.serverAuthorization("controller", CONTROLLER_PASSWORD, List.of(
        new NatsPermissions.WorkerUser("w1", password("w1"), "w1", Map.of("group", "web.dev")),
        new NatsPermissions.WorkerUser("w2", password("w2"), "w2", Map.of())));
    Path file = Files.writeString(dir.resolve("nats.conf"), conf);
    server = NatsServerProcess.start("-c", file.toString());
    controller = backend("controller", CONTROLLER_PASSWORD);
    jobs = JobClient.builder(controller, BuiltinOperations.registry()).metrics(JobMetrics.noop()).clock(Clock.systemUTC()).build();
    worker("w1", Map.of("group", "web.dev"));
    worker("w2", Map.of());
    await().atMost(Duration.ofSeconds(15)).until(() -> jobs.workers().size() == 2);
    jobs.keys().accept("w1");
    jobs.keys().accept("w2");
  }

  private NatsBackend backend(String user, String password) {
    // the controller owns the streams; a worker adopts them, as `osapi worker` does
    NatsBackend b = NatsTestSupport.backend(NatsTestSupport.settings(server)
        .userPassword(user, password).connectionName(user)
        .owner(user.equals("controller")).build());
    open.add(b);
    return b;
  }

  private void worker(String id, Map<String, String> labels) {
    NatsBackend b = backend(id, password(id));
    WorkerService w = WorkerService.builder(new WorkerConfig(id, labels, 4, Duration.ofSeconds(30), 5, Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ofMillis(500)), b, BuiltinOperations.registry()).metrics(JobMetrics.noop()).clock(Clock.systemUTC()).key(WorkerKey.generate()).build();
    w.start();
    open.add(() -> w.stop(Duration.ZERO));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // keep closing
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private JobView finished(String type, String target) {
    JobId id = jobs.create(new CreateJobRequest(type, "{}", target)).job().id();
    await().atMost(Duration.ofSeconds(20)).until(
        () -> jobs.get(id).map(v -> v.status() == JobStatus.COMPLETED).orElse(false));
    return jobs.get(id).orElseThrow();
  }

  @Test
  void workersRunEveryKindOfJobUnderTheirOwnUsers() {
    assertThat(finished("system.hostname.get", "_any").verification())
        .isEqualTo(Verification.VERIFIED);
    JobView all = finished("system.hostname.get", "_all");
    assertThat(all.workers()).containsOnlyKeys("w1", "w2");
    assertThat(all.results()).allSatisfy(
        r -> assertThat(r.verification()).isEqualTo(Verification.VERIFIED));
    assertThat(finished("diag.echo", "host:w2").workers()).containsOnlyKeys("w2");
    assertThat(finished("diag.echo", "group:web").workers()).containsOnlyKeys("w1");
    assertThat(jobs.drain("w2")).isEqualTo(JobClient.DrainOutcome.DONE);
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs.workers().stream()
        .anyMatch(w -> w.id().equals("w2") && w.state().wire().equals("cordoned")));
    assertThat(server.log()).doesNotContain("Violation");
  }

  @Test
  void oneWorkersCredentialsCannotWriteAnotherWorkersHeartbeatOrRun() throws Exception {
    JobView all = finished("system.hostname.get", "_all");
    String jobId = all.job().id().value();
    Connection c = Nats.connect(new Options.Builder().server(server.url())
        .userInfo("w1", password("w1")).build());
    open.add(c);
    KeyValueOptions fast = KeyValueOptions.builder()
        .jetStreamOptions(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(1)).build())
        .build();
    KeyValue workers = c.keyValue("osapi-workers", fast);
    KeyValue jobsKv = c.keyValue("osapi-jobs", fast);
    KeyValue state = c.keyValue("osapi-worker-state", fast);
    byte[] junk = "{\"forged\":true}".getBytes(StandardCharsets.UTF_8);

    // positive controls: its own heartbeat and its own run are writable with these credentials
    workers.put("workers.w1", ControlRecords.worker(registered("w1")));
    jobsKv.put("runs." + jobId + ".w1", jobsKv.get("runs." + jobId + ".w1").getValue());

    WorkerInfo w2Before = registered("w2");
    assertThatThrownBy(() -> workers.put("workers.w2", junk)).as("w2's heartbeat");
    assertThatThrownBy(() -> workers.delete("workers.w2")).as("deleting w2's heartbeat");
    assertThatThrownBy(() -> jobsKv.put("runs." + jobId + ".w2", junk)).as("w2's run");
    assertThatThrownBy(() -> jobsKv.put("jobs." + jobId, junk)).as("a job record");
    assertThatThrownBy(() -> state.put("keys.w1", junk)).as("a key decision");
    assertThatThrownBy(() -> state.put("drain.w2", junk)).as("a drain request");
    assertThatThrownBy(() -> c.jetStream(JetStreamOptions.builder()
        .requestTimeout(Duration.ofSeconds(1)).build())
        .publish("jobs.query._any", junk)).as("a notification");

    assertThat(server.log()).contains(
        "Publish Violation - User \"w1\", Subject \"$KV.osapi-workers.workers.w2\"",
        "Publish Violation - User \"w1\", Subject \"$KV.osapi-jobs.runs." + jobId + ".w2\"");
    assertThat(jobs.get(all.job().id()).orElseThrow().results()).allSatisfy(
        r -> assertThat(r.verification()).isEqualTo(Verification.VERIFIED));
    assertThat(registered("w2").labels()).isEqualTo(w2Before.labels());
    assertThat(jobs.keys().decisions().get("w1").state().wire()).isEqualTo("accepted");
    assertThat(jobs.drain("w2")).as("no drain was stored by w1").isEqualTo(
        JobClient.DrainOutcome.DONE);
  }

  @Test
  void aWorkersCredentialsCannotWriteOrReadTheAuditTrail() throws Exception {
    io.osapi.core.audit.AuditRecord mine = new io.osapi.core.audit.AuditRecord("audit-1",
        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), "alice",
        List.of("admin"), "127.0.0.1:1", "POST", "/api/v1/jobs", Map.of(), null, null, 201, 2L,
        "audit-1", null);
    // positive control: the controller's user writes and reads it
    controller.audit().append(mine).get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(controller.audit().list(io.osapi.core.audit.AuditQuery.newest(10)).items())
        .containsExactly(mine);

    Connection c = Nats.connect(new Options.Builder().server(server.url())
        .userInfo("w1", password("w1")).build());
    open.add(c);
    JetStreamOptions fast = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(1)).build();
    byte[] junk = "{\"forged\":true}".getBytes(StandardCharsets.UTF_8);
    String subject = NatsLayout.auditSubject("audit-1");
    assertThatThrownBy(() -> c.jetStream(fast).publish(subject, junk)).as("an audit record");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getStreamInfo(NatsLayout.AUDIT_STREAM))
        .as("the audit stream's info");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getMessage(NatsLayout.AUDIT_STREAM, 1))
        .as("an audit message");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).purgeStream(NatsLayout.AUDIT_STREAM))
        .as("purging the audit stream");

    assertThat(server.log()).contains(
        "Publish Violation - User \"w1\", Subject \"" + subject + "\"",
        "Publish Violation - User \"w1\", Subject \"$JS.API.STREAM.INFO."
            + NatsLayout.AUDIT_STREAM + "\"");
    assertThat(controller.audit().list(io.osapi.core.audit.AuditQuery.newest(10)).items())
        .as("the record is as the controller wrote it").containsExactly(mine);
  }

  @Test
  void aWorkersCredentialsCannotWriteOrReadTheSchedules() throws Exception {
    // a schedule written by a worker would have the controllers create (and sign) its jobs
    io.osapi.core.schedule.ScheduleStore schedules = NatsSchedules.store(controller);
    io.osapi.core.schedule.Schedule s = io.osapi.core.schedule.Schedule.of("perm-check", null,
        io.osapi.core.schedule.Every.parse("1d"), java.time.ZoneOffset.UTC,
        new io.osapi.core.schedule.ScheduleJob("diag.echo", null, null, null),
        io.osapi.core.schedule.Overlap.SKIP, Duration.ofMinutes(1), true,
        java.time.Instant.parse("2026-12-06T00:00:00Z"));
    schedules.create(s); // positive control: the controller's user writes and reads it
    assertThat(schedules.get("perm-check").orElseThrow().value()).isEqualTo(s);

    Connection c = Nats.connect(new Options.Builder().server(server.url())
        .userInfo("w1", password("w1")).build());
    open.add(c);
    JetStreamOptions fast = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(1)).build();
    byte[] forged = "{\"forged\":true}".getBytes(StandardCharsets.UTF_8);
    String key = "$KV." + NatsLayout.SCHEDULES_BUCKET + "." + NatsLayout.scheduleKey("evil");
    String stream = "KV_" + NatsLayout.SCHEDULES_BUCKET;
    assertThatThrownBy(() -> c.jetStream(fast).publish(key, forged)).as("a schedule");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getStreamInfo(stream))
        .as("the schedule bucket's info");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getLastMessage(stream,
        "$KV." + NatsLayout.SCHEDULES_BUCKET + "." + NatsLayout.scheduleKey("perm-check")))
        .as("a schedule's value");
    assertThat(server.log()).contains(
        "Publish Violation - User \"w1\", Subject \"" + key + "\"");
    assertThat(schedules.get("evil")).isEmpty();
    assertThat(schedules.list()).hasSize(1);
  }

  @Test
  void aWorkersCredentialsCannotWriteOrReadTheIdempotencyKeys() throws Exception {
    // a key written by a worker would have a caller's repeat answered a job it never asked for
    io.osapi.core.port.IdempotencyKeys keys = NatsIdempotency.keys(controller);
    String mine = new io.osapi.core.domain.IdempotencyKey("perm-check").storeKey("alice");
    io.osapi.core.domain.IdempotencyRecord r = io.osapi.core.domain.IdempotencyRecord.reservation(
        "c".repeat(64), io.osapi.core.domain.JobId.parse("0193a0a0-0000-7000-8000-000000000001"),
        java.time.Instant.parse("2026-12-06T00:00:00Z"));
    keys.create(mine, r); // positive control: the controller's user writes and reads it
    assertThat(keys.get(mine).orElseThrow().value()).isEqualTo(r);

    Connection c = Nats.connect(new Options.Builder().server(server.url())
        .userInfo("w1", password("w1")).build());
    open.add(c);
    JetStreamOptions fast = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(1)).build();
    String evil = new io.osapi.core.domain.IdempotencyKey("evil").storeKey("alice");
    byte[] forged = r.answered(201, "{\"job_id\":\"forged\"}").toJson()
        .getBytes(StandardCharsets.UTF_8);
    String key = "$KV." + NatsLayout.IDEMPOTENCY_BUCKET + "." + NatsLayout.idempotencyKey(evil);
    String stream = "KV_" + NatsLayout.IDEMPOTENCY_BUCKET;
    assertThatThrownBy(() -> c.jetStream(fast).publish(key, forged)).as("a key");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getStreamInfo(stream))
        .as("the bucket's info");
    assertThatThrownBy(() -> c.jetStreamManagement(fast).getLastMessage(stream,
        "$KV." + NatsLayout.IDEMPOTENCY_BUCKET + "." + NatsLayout.idempotencyKey(mine)))
        .as("a key's value");
    assertThat(server.log()).contains(
        "Publish Violation - User \"w1\", Subject \"" + key + "\"");
    assertThat(keys.get(evil)).isEmpty();
    assertThat(keys.get(mine).orElseThrow().value()).isEqualTo(r);
  }

  private WorkerInfo registered(String id) {
    return jobs.workers().stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
  }
}
