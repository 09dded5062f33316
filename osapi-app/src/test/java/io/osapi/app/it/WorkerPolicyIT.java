package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.osapi.core.domain.JobId;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-operations} with the real processes: a controller and two workers from the jar,
 * one allowing {@code system.*} only. Its heartbeat says so: a broadcast {@code diag.echo} expects
 * the other worker only, a create for it alone is a 400 naming the reason, and a job published
 * for it straight to NATS (record and notification, as any NATS credential can) is refused once:
 * failed "operation diag.echo is not allowed on worker pw1", counted in its {@code
 * osapi_jobs_refused_total}, never redelivered (a job it allows, sent after it, completes).
 */
class WorkerPolicyIT {
  @TempDir Path dir;

  private JsonNode ended(Osapi controller, String id) {
    controller.awaitEnded(List.of(id), Duration.ofSeconds(30));
    return controller.job(id);
  }

  @Test
  void aWorkerRunsOnlyWhatItsAllowListNames() throws Exception {
    try (NatsServer nats = NatsServer.start(dir);
        Osapi controller = Osapi.controller(dir, nats.url());
        Osapi narrow = Osapi.worker(dir, nats.url(), "pw1", "--allow-operations", "system.*");
        Osapi wide = Osapi.worker(dir, nats.url(), "pw2")) {
      controller.awaitReady();
      narrow.awaitReady();
      wide.awaitReady();
      controller.await("both workers registered", Duration.ofSeconds(20), () -> Http.json(
          Http.get(controller.api("/workers"))).path("workers").size() == 2);
      JsonNode workers = Http.json(Http.get(controller.api("/workers"))).path("workers");
      assertThat(workers.get(0).path("id").asText()).isEqualTo("pw1");
      assertThat(workers.get(0).path("allow_operations").toString()).isEqualTo("[\"system.*\"]");
      assertThat(workers.get(1).has("allow_operations")).as("the default announces no list")
          .isFalse();

      HttpResponse<String> all = Http.send("POST", controller.api("/jobs"),
          "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}},\"target\":\"_all\"}");
      assertThat(all.statusCode()).as(all.body()).isEqualTo(201);
      String allId = Http.json(all).path("job_id").asText();
      JsonNode allJob = ended(controller, allId);
      assertThat(allJob.path("status").asText()).isEqualTo("completed");
      assertThat(allJob.path("workers").fieldNames()).toIterable().containsExactly("pw2");

      HttpResponse<String> onlyNarrow = Http.send("POST", controller.api("/jobs"),
          "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}},\"target\":\"pw1\"}");
      assertThat(onlyNarrow.statusCode()).isEqualTo(400);
      assertThat(Http.json(onlyNarrow).path("error").asText()).startsWith("operation diag.echo"
          + " is not allowed here: the one live worker target pw1 reaches does not allow it");

      // straight to NATS: the record, then the notification on pw1's subject
      String id = JobId.generate(Clock.systemUTC()).value();
      String record = "{\"v\":2,\"id\":\"" + id + "\",\"created\":\"" + Instant.now()
          + "\",\"kind\":\"query\",\"target\":\"pw1\",\"operation\":{\"type\":\"diag.echo\","
          + "\"data\":{\"sent\":\"around the API\"}},\"expected\":[\"pw1\"],\"timeout_ms\":30000";
      try (Connection c = Nats.connect(nats.url())) {
        c.keyValue("osapi-jobs").create("jobs." + id, (record + ",\"timeline\":[]}")
            .getBytes(StandardCharsets.UTF_8));
        c.jetStream().publish("jobs.query.host.pw1", (record + "}")
            .getBytes(StandardCharsets.UTF_8));
      }
      JsonNode refused = ended(controller, id);
      assertThat(refused.path("status").asText()).isEqualTo("failed");
      assertThat(refused.path("error").asText())
          .isEqualTo("operation diag.echo is not allowed on worker pw1");
      narrow.await("the refusal counted", Duration.ofSeconds(10), () -> narrow.metric(
          "osapi_jobs_refused_total", "operation=\"diag.echo\"", "reason=\"not_allowed\"") == 1);

      // the control: a job pw1 allows, sent after the refusal, completes; the refused job has
      // had every chance to be delivered again by then, and was not
      JsonNode control = ended(controller, submitTo(controller, "system.hostname.get", "pw1"));
      assertThat(control.path("status").asText()).isEqualTo("completed");
      JsonNode again = controller.job(id);
      assertThat(again.path("results")).hasSize(1);
      assertThat(again.path("results").get(0).path("attempt").asInt()).isEqualTo(1);
      assertThat(narrow.metric("osapi_job_redeliveries_total", "operation=\"diag.echo\""))
          .isZero();
      assertThat(narrow.metric("osapi_jobs_refused_total", "operation=\"diag.echo\"",
          "reason=\"not_allowed\"")).isEqualTo(1);
    }
  }

  private static String submitTo(Osapi controller, String type, String target) {
    HttpResponse<String> r = Http.send("POST", controller.api("/jobs"),
        "{\"operation\":{\"type\":\"" + type + "\",\"data\":{}},\"target\":\"" + target + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).path("job_id").asText();
  }
}
